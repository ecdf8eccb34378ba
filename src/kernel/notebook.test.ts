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
  imports: 'import { tokensView, chart, learningCurveSpec, LiveDisplay, train, interruptCount, asDisplay, initBackend } from "bert-lab";\nimport * as tf from "@tensorflow/tfjs-core";\nlet stepsDone = 0;',
  tokens: 'tokensView({ tokens: ["[CLS]", "un", "##aff", "##able", "[SEP]"], ids: [101, 4895, 10354, 3085, 102], typeIds: [0, 0, 0, 0, 0] })',
  promise: "chart(learningCurveSpec([{ step: 1, loss: 3 }, { step: 2, loss: 2.5 }, { step: 3, loss: 2.2 }]))",
  live: "const live = new LiveDisplay();\nfor (let i = 0; i < 3000; i++) { live.update(`frame ${i}`); if (i % 100 === 0) await new Promise((r) => setTimeout(r, 20)); }\nawait live.close();",
  burst: `await initBackend(); // loads the wasm backend, whose handler makes any uncaught error fatal
const a = new LiveDisplay({ intervalMs: 0 });
const b = new LiveDisplay({ intervalMs: 0 });
for (let i = 0; i < 2000; i++) { a.update(\`a \${i}\`); b.update(\`b \${i}\`); if (i % 100 === 0) console.log(\`printed \${i}\`); if (i % 50 === 0) await new Promise((r) => setImmediate(r)); }
await a.close();
await b.close();
console.log("the kernel survived");`,
  plain: "({ answer: 6 * 7 })",
  error: 'throw new Error("boom from a cell")',
  after: "40 + 2",
  train: `const w = tf.variable(tf.scalar(0));
const task = { params: new Map([["w", w]]), nextBatch: () => [0], loss: () => ({ loss: tf.square(tf.sub(w, 1)) as tf.Scalar, stats: {} }),
  tokens: () => 1, metrics: () => ({}), dataState: () => null, restoreDataState: () => {}, saveModel: () => {}, loadModel: () => {} };
await train(task, { steps: 100000000, learningRate: 0.001, callbacks: { onStep: (s) => { stepsDone = s.step; } } });`,
  stopped: "await new Promise((r) => setTimeout(r, 300));\nconst seen = stepsDone;\nawait new Promise((r) => setTimeout(r, 300));\nconsole.log(JSON.stringify({ steps: stepsDone, movedAfterInterrupt: stepsDone !== seen, interrupts: interruptCount(), tensors: tf.memory().numTensors }));",
};

/** A second notebook: every picture from a one-line call, on a small random BERT. */
const PICTURES = {
  setup: `import { Vocab, BertTokenizer, BertModel, bertConfig, initBackend, attentionOf, attentionHeatmap, headView, modelView, embeddingParts, embeddingsView, projectionView, table, progress, liveCurves, train, installTensorDisplay } from "bert-lab";
import * as tf from "@tensorflow/tfjs-core";
await initBackend();
const words = "the cat sat on mat it pur ##red and a dog ran to park while bird sang in tree".split(" ");
const tok = new BertTokenizer(new Vocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ...words]), { doLowerCase: true });
const model = new BertModel(bertConfig("tiny", { vocabSize: 6 + words.length, maxPositionEmbeddings: 128 }), { seed: 1 });
const long = Array.from({ length: 6 }, () => "the cat sat on the mat and a dog ran to the park.").join(" ");
const att = attentionOf(model, tok, long, "it purred.");
const small = attentionOf(model, tok, "the cat sat on the mat.", "it purred.");
console.log(att.tokens.length, small.tokens.length);`,
  heatmapSmall: "attentionHeatmap(small, { layer: 1, head: 0 })",
  heatmapLarge: 'attentionHeatmap(att, { layer: 1, head: "mean" })',
  headView: "headView(small)",
  modelView: "modelView(small)",
  embeddings: 'embeddingsView(embeddingParts(model, tok, "the cat sat.", "it purred."))',
  projection3d: 'const parts = embeddingParts(model, tok, "the cat sat on the mat.", "a dog ran to the park.");\nprojectionView(parts.tokens.map((t, i) => ({ label: t, vector: parts.token[i], group: parts.segments[i] ? "B" : "A" })), { dims: 3 })',
  table: 'table([{ task: "SST-2", metric: "accuracy", paper: 92.7, ours: 69.2 }, { task: "MRPC", metric: "F1", paper: 86.7, ours: 81.2 }], { title: "<b>dev</b> results" })',
  summary: "model",
  tensor: "tf.tensor2d([[1, 2, 3], [4, 5, 6]])",
  progress: 'const bar = progress(200, { label: "work" });\nfor (let i = 0; i < 200; i++) { bar.tick(1, { loss: 1 / (i + 1) }); if (i % 20 === 0) await new Promise((r) => setTimeout(r, 30)); }\nawait bar.done();',
  curves: `const curves = liveCurves({ reference: [{ label: "target", value: 0 }] });
const w = tf.variable(tf.scalar(0));
const task = { params: new Map([["w", w]]), nextBatch: () => [0], loss: () => ({ loss: tf.square(tf.sub(w, 1)) as tf.Scalar, stats: {} }),
  tokens: () => 1, metrics: () => ({}), dataState: () => null, restoreDataState: () => {}, saveModel: () => {}, loadModel: () => {} };
await train(task, { steps: 300, learningRate: 0.01, logEvery: 5, callbacks: curves.callbacks() });
await curves.close();`,
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
    // the training cell never ends by itself: nbclient interrupts it after the timeout
    ({ work, outputs, html } = runTestNotebook("kernel", Object.values(CELLS), { timeout: 25, interruptOnTimeout: true }));
  });
  after(() => removeUnlessKept(work));

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

  test("two unthrottled live outputs and printed text at once: every send is queued, the kernel survives (zeromq's EBUSY killed it)", () => {
    const out = cellOf("burst");
    assert.match(out.map((o) => o.text).join(""), /the kernel survived/);
    const displays = out.filter((o) => o.type === "display_data").map((o) => o.text).sort();
    assert.deepEqual(displays, ["a 1999", "b 1999"]);
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

describe("every picture in a real notebook", { skip }, () => {
  let work = "";
  let outputs: { source: string; outputs: SavedOutput[] }[] = [];
  let html = "";
  let log = "";
  const cellOf = (key: keyof typeof PICTURES) => {
    const cell = outputs.find((c) => c.source === PICTURES[key]);
    assert.ok(cell, `cell ${key} is missing from the executed notebook`);
    const errors = cell.outputs.filter((o) => o.type === "error" || (o.type === "stream" && /Error|error TS/.test(o.text)));
    assert.deepEqual(errors.map((o) => o.text), [], `cell ${key} failed`);
    return cell.outputs.filter((o) => o.type === "display_data" || o.type === "execute_result");
  };
  const typesOf = (key: keyof typeof PICTURES) => cellOf(key).map((o) => o.mimeTypes.slice().sort());

  before(() => {
    ({ work, outputs, html, log } = runTestNotebook("pictures", Object.values(PICTURES), { timeout: 120 }));
  });
  after(() => removeUnlessKept(work));

  test("attention: vega-lite for a short pair, a compact raster SVG for 80+ tokens, head view html + svg, model view", () => {
    assert.deepEqual(typesOf("heatmapSmall"), [["application/vnd.vegalite.v5+json", "image/svg+xml", "text/plain"]], log);
    const large = cellOf("heatmapLarge");
    assert.deepEqual(large.map((o) => o.mimeTypes.slice().sort()), [["image/svg+xml", "text/plain"]]);
    assert.ok(String(large[0].data["image/svg+xml"]).length < 200_000, "the large map stays small");
    assert.match(String(large[0].data["image/svg+xml"]), /data:image\/png;base64,/);
    assert.deepEqual(typesOf("headView"), [["image/svg+xml", "text/html", "text/plain"]]);
    assert.doesNotMatch(String(cellOf("headView")[0].data["text/html"]), /<script[^>]+src=/);
    assert.deepEqual(typesOf("modelView")[0].includes("image/svg+xml"), true);
  });

  test("embeddings, a 3-D projection (plotly.js sent once, inline), a table, a model summary, a tensor", () => {
    assert.deepEqual(typesOf("embeddings"), [["image/svg+xml", "text/plain"]]);
    const proj = cellOf("projection3d");
    assert.equal(proj.length, 2, "the plotly.js loader, then the figure");
    assert.match(String(proj[0].data["text/html"]), /^<script/);
    assert.ok(String(proj[0].data["text/html"]).length > 1_000_000, "plotly.js is inlined, not fetched");
    assert.deepEqual(proj[1].mimeTypes.slice().sort(), ["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
    assert.deepEqual(typesOf("table"), [["text/html", "text/plain"]]);
    assert.match(String(cellOf("table")[0].data["text/html"]), /&lt;b&gt;dev&lt;\/b&gt;/);
    assert.ok(typesOf("summary")[0].includes("text/html"));
    assert.match(cellOf("summary")[0].text, /layer\.1/);
    assert.ok(typesOf("tensor")[0].includes("image/svg+xml"));
    assert.match(cellOf("tensor")[0].text, /float32/);
  });

  test("a progress bar and live learning curves each leave one output with their final frame", () => {
    const bar = cellOf("progress");
    assert.equal(bar.length, 1, JSON.stringify(bar.map((o) => o.text)));
    assert.match(bar[0].text, /200\/200/);
    const curves = cellOf("curves");
    assert.equal(curves.length, 1);
    assert.deepEqual(curves[0].mimeTypes.slice().sort(), ["application/vnd.vegalite.v5+json", "image/svg+xml", "text/plain"]);
    assert.match(curves[0].text, /step 300/);
  });

  test("the exported page draws every picture offline in Chromium: SVGs, the head view, the 3-D plot", { skip: needsChromium().skip }, async () => {
    const shot = path.join(repoRoot(), "runs", "screenshots", "pictures-test.png");
    const page = await checkPage(html, { screenshot: shot, settleMs: 3000 });
    assert.deepEqual(page.errors, []);
    assert.deepEqual(page.blockedRequests, []);
    assert.ok(page.svgImages.length >= 6, `${page.svgImages.length} SVG images`);
    for (const img of page.svgImages) assert.ok(img.complete && img.width > 20 && img.height > 10, `an SVG image did not draw: ${JSON.stringify(img)}`);
    assert.ok(page.inlineSvgs.length >= 1 && page.inlineSvgs.every((n) => n > 10), `inline SVGs (head view): ${JSON.stringify(page.inlineSvgs)}`);
    assert.deepEqual(page.plotly, { figures: 1, drawn: 1 });
  });
});

/**
 * Writes `cells` as a notebook in a fresh folder under runs/ (inside the checkout, so
 * `import … from "bert-lab"` resolves through node_modules/bert-lab), executes it with the
 * kernel installed in a private Jupyter folder, and exports it to HTML.
 */
function runTestNotebook(name: string, cells: string[], options: { timeout: number; interruptOnTimeout?: boolean }) {
  fs.mkdirSync(path.join(repoRoot(), "runs"), { recursive: true });
  const work = fs.mkdtempSync(path.join(repoRoot(), "runs", `${name}-test-`));
  const input = path.join(work, `${name}.ipynb`);
  writeNotebook(input, cells);
  const executed = path.join(work, `${name}.out.ipynb`);
  const dataDir = privateJupyterDataDir();
  const r = executeNotebook(input, executed, { ...options, allowErrors: true, jupyterDataDir: dataDir });
  fs.rmSync(dataDir, { recursive: true, force: true });
  assert.ok(fs.existsSync(executed), `nbconvert wrote no executed notebook:\n${r.log}`);
  const html = path.join(work, `${name}.html`);
  exportHtml(executed, html);
  return { work, outputs: readOutputs(executed), html, log: r.log };
}

/** Removes a test's notebook folder unless KEEP_TEST_NOTEBOOKS=1. */
function removeUnlessKept(work: string): void {
  if (work && process.env.KEEP_TEST_NOTEBOOKS !== "1") fs.rmSync(work, { recursive: true, force: true });
}
