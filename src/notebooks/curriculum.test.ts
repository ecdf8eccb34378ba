// The curriculum, executed: every notebook in notebooks/ runs through real Jupyter with the
// BERT Lab kernel in smoke mode (BERT_LAB_SMOKE=1), must finish without an error and draw
// the pictures its metadata promises; then its HTML opens offline in headless Chromium and
// every picture must have drawn. Skips outside CI when Jupyter or Chromium is missing.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { checkPage, needsChromium } from "../kernel/browser-check";
import { needsJupyter, privateJupyterDataDir } from "../kernel/jupyter-tools";
import { repoRoot } from "../util/shared-folder";
import { committedProblems, listNotebooks, notebookExpectations, runNotebook } from "./curriculum";

/** The nine notebooks the curriculum promises, in order. */
const CURRICULUM = [
  "01_tokenization",
  "02_input_embeddings",
  "03_attention_and_encoder",
  "04_masked_lm",
  "05_next_sentence_and_pretraining",
  "06_finetuning",
  "07_feature_based",
  "08_ablations",
  "09_pretrained_checkpoint",
];

test("the curriculum's nine notebooks are committed, without outputs, for the bert-lab kernel, each promising pictures", () => {
  const names = listNotebooks().map((f) => path.basename(f, ".ipynb"));
  assert.deepEqual(names, CURRICULUM);
  for (const file of listNotebooks()) {
    assert.deepEqual(committedProblems(file), [], path.basename(file));
    assert.ok(Object.values(notebookExpectations(file)).reduce((a, b) => a + b, 0) > 0, `${path.basename(file)} promises no pictures (metadata.bert_lab.expects)`);
  }
});

describe("every notebook executes in smoke mode and its page draws offline", { skip: needsJupyter().skip }, () => {
  let dataDir = "";
  const out = path.join(repoRoot(), "runs", "notebooks-test");
  before(() => {
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    dataDir = privateJupyterDataDir();
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  for (const file of listNotebooks()) {
    const name = path.basename(file, ".ipynb");
    test(name, async () => {
      const r = runNotebook(file, out, { smoke: true, jupyterDataDir: dataDir });
      console.log(`# ${name}: ${r.seconds.toFixed(1)} s in smoke mode, pictures ${JSON.stringify(r.byMime)}`);
      assert.deepEqual(r.problems, [], `${name} (executed copy: ${r.executed})`);
      if (needsChromium().skip) return;
      const page = await checkPage(r.html, { screenshot: path.join(repoRoot(), "runs", "screenshots", `${name}.png`), settleMs: 2500 });
      assert.deepEqual(page.errors, [], `${name}: page errors`);
      assert.deepEqual(page.blockedRequests, [], `${name}: requests that tried to leave the machine`);
      for (const img of page.svgImages) assert.ok(img.complete && img.width > 10 && img.height > 10, `${name}: an SVG picture did not draw: ${JSON.stringify(img)}`);
      assert.equal(page.svgImages.length, r.byMime["image/svg+xml"] - (r.byMime["text/html"] !== undefined ? countHtmlWithSvg(r.executed) : 0), `${name}: every SVG output is on the page`);
      assert.equal(page.plotly.drawn, page.plotly.figures, `${name}: a plotly figure did not draw`);
    });
  }
});

/** Outputs that carry both html and svg show the html (the head view): their SVG is not an <img>. */
function countHtmlWithSvg(executed: string): number {
  const nb = JSON.parse(fs.readFileSync(executed, "utf8")) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  return nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.data && "text/html" in o.data && "image/svg+xml" in o.data).length;
}
