// The kernel in real Jupyter: a notebook executed by nbclient with the installed BERT Lab
// kernel, its saved outputs checked, then exported to HTML with our template and opened
// offline in headless Chromium. Skips outside CI when Jupyter or Chromium is missing.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { repoRoot } from "../util/shared-folder";
import { checkPage, needsChromium } from "./browser-check";
import { executeNotebook, exportHtml, needsJupyter, privateJupyterDataDir, readOutputs, SavedOutput, writeNotebook } from "./jupyter-tools";

const CELLS = {
  imports: 'import { tokensView, chart, learningCurveSpec, LiveDisplay, train, interruptCount, asDisplay } from "bert-lab";\nimport * as tf from "@tensorflow/tfjs-core";\nlet stepsDone = 0;',
  tokens: 'tokensView({ tokens: ["[CLS]", "un", "##aff", "##able", "[SEP]"], ids: [101, 4895, 10354, 3085, 102], typeIds: [0, 0, 0, 0, 0] })',
  promise: "chart(learningCurveSpec([{ step: 1, loss: 3 }, { step: 2, loss: 2.5 }, { step: 3, loss: 2.2 }]))",
  live: "const live = new LiveDisplay();\nfor (let i = 0; i < 3000; i++) { live.update(`frame ${i}`); if (i % 100 === 0) await new Promise((r) => setTimeout(r, 20)); }\nawait live.close();",
  plain: "({ answer: 6 * 7 })",
  error: 'throw new Error("boom from a cell")',
  after: "40 + 2",
  train: `const w = tf.variable(tf.scalar(0));
const task = { params: new Map([["w", w]]), nextBatch: () => [0], loss: () => ({ loss: tf.square(tf.sub(w, 1)) as tf.Scalar, stats: {} }),
  tokens: () => 1, metrics: () => ({}), dataState: () => null, restoreDataState: () => {}, saveModel: () => {}, loadModel: () => {} };
await train(task, { steps: 100000000, learningRate: 0.001, callbacks: { onStep: (s) => { stepsDone = s.step; } } });`,
  stopped: "await new Promise((r) => setTimeout(r, 300));\nconst seen = stepsDone;\nawait new Promise((r) => setTimeout(r, 300));\nconsole.log(JSON.stringify({ steps: stepsDone, movedAfterInterrupt: stepsDone !== seen, interrupts: interruptCount(), tensors: tf.memory().numTensors }));",
};

const skip = needsJupyter().skip;

describe("the BERT Lab kernel in Jupyter", { skip }, () => {
  let work = "";
  let outputs: { source: string; outputs: SavedOutput[] }[] = [];
  let html = "";
  const cellOf = (key: keyof typeof CELLS) => {
    const cell = outputs.find((c) => c.source === CELLS[key]);
    assert.ok(cell, `cell ${key} is missing from the executed notebook`);
    return cell.outputs;
  };

  before(() => {
    fs.mkdirSync(path.join(repoRoot(), "runs"), { recursive: true });
    // inside the checkout, so `import … from "bert-lab"` resolves through node_modules/bert-lab
    work = fs.mkdtempSync(path.join(repoRoot(), "runs", "kernel-test-"));
    const input = path.join(work, "kernel.ipynb");
    writeNotebook(input, Object.values(CELLS));
    const executed = path.join(work, "kernel.out.ipynb");
    // the training cell never ends by itself: nbclient interrupts it after the timeout
    const r = executeNotebook(input, executed, { timeout: 25, interruptOnTimeout: true, allowErrors: true, jupyterDataDir: privateJupyterDataDir() });
    assert.ok(fs.existsSync(executed), `nbconvert wrote no executed notebook:\n${r.log}`);
    outputs = readOutputs(executed);
    html = path.join(work, "kernel.html");
    exportHtml(executed, html);
  });
  after(() => {
    if (work && process.env.KEEP_TEST_NOTEBOOKS !== "1") fs.rmSync(work, { recursive: true, force: true });
  });

  test("import from \"bert-lab\" works and a displayable last value sends its own bundle", () => {
    assert.equal(cellOf("imports").filter((o) => o.type === "error").length, 0);
    const out = cellOf("tokens");
    assert.equal(out.length, 1, `one output, got ${JSON.stringify(out.map((o) => o.text))}`);
    assert.deepEqual(out[0].mimeTypes.sort(), ["image/svg+xml", "text/plain"]);
    assert.match(String(out[0].data["image/svg+xml"]), /^<svg[\s\S]*aff[\s\S]*<\/svg>$/);
  });

  test("a Promise as the last value is awaited: a chart arrives as vega-lite + SVG + text, never html", () => {
    const out = cellOf("promise");
    assert.equal(out.length, 1);
    assert.deepEqual(out[0].mimeTypes.sort(), ["application/vnd.vegalite.v5+json", "image/svg+xml", "text/plain"]);
  });

  test("a LiveDisplay updated 3000 times leaves exactly one output holding the final frame", () => {
    const out = cellOf("live");
    const displays = out.filter((o) => o.type === "display_data");
    assert.equal(displays.length, 1, JSON.stringify(out.map((o) => [o.type, o.text])));
    assert.equal(displays[0].text, "frame 2999");
  });

  test("a plain value prints as text", () => {
    assert.match(cellOf("plain").map((o) => o.text).join(""), /answer: 42/);
  });

  test("an error is reported in its cell and the kernel runs the next cell", () => {
    assert.match(cellOf("error").map((o) => o.text).join(""), /Error: boom from a cell/);
    assert.match(cellOf("after").map((o) => o.text).join(""), /^42\b/);
  });

  test("interrupting the kernel stops a training loop at its next step", () => {
    assert.match(cellOf("train").map((o) => o.text).join(""), /Interrupted/);
    const line = cellOf("stopped").map((o) => o.text).join("").trim();
    const state = JSON.parse(line) as { steps: number; movedAfterInterrupt: boolean; interrupts: number };
    assert.ok(state.steps > 10, `the loop ran before the interrupt (${state.steps} steps)`);
    assert.equal(state.movedAfterInterrupt, false, "train() kept stepping after the interrupt");
    assert.equal(state.interrupts, 1);
  });

  test("the exported HTML draws every picture offline in Chromium, with no page error", { skip: needsChromium().skip }, async () => {
    const shot = path.join(repoRoot(), "runs", "screenshots", "kernel-test.png");
    const page = await checkPage(html, { screenshot: shot });
    assert.deepEqual(page.errors, []);
    assert.deepEqual(page.blockedRequests, []);
    assert.equal(page.svgImages.length, 2, "the token view and the chart");
    for (const img of page.svgImages) assert.ok(img.complete && img.width > 50 && img.height > 20, `an SVG image did not draw: ${JSON.stringify(img)}`);
    assert.ok(fs.statSync(shot).size > 10_000);
  });
});
