import { test } from "node:test";
import assert from "node:assert/strict";
import { learningCurveSpec, curvePoints, MetricRecord } from "./learning-curves";
import { renderSvg } from "./render";
import { assertWellFormedSvg, markCounts } from "./svg.test.helper";

/** 30 logged steps and 6 evaluations of a falling loss, as metrics.jsonl has them. */
function fakeRun(scale: number): MetricRecord[] {
  const out: MetricRecord[] = [];
  for (let i = 0; i < 30; i++) {
    const step = i * 100;
    out.push({ step, loss: 8 * scale * Math.exp(-step / 800) + 2.5, mlm_loss: 7 * scale * Math.exp(-step / 800) + 2.2, lr: 1e-4, grad_norm: 1 });
    if (i % 5 === 4) out.push({ step, eval_loss: 8 * scale * Math.exp(-step / 800) + 2.7, eval_mlm_loss: 7 * scale * Math.exp(-step / 800) + 2.4 });
  }
  return out;
}

test("default metrics are the *loss fields; eval_* become their own dashed series", () => {
  const pts = curvePoints(fakeRun(1));
  assert.deepEqual([...new Set(pts.map((p) => p.series))], ["loss", "eval loss", "mlm_loss", "eval mlm_loss"]);
  assert.equal(pts.filter((p) => p.series === "loss").length, 30);
  assert.equal(pts.filter((p) => p.series === "eval loss").length, 6);
});

test("one line per metric and run, eval points, and a labelled reference rule", async () => {
  const spec = learningCurveSpec({ tiny: fakeRun(1), mini: fakeRun(0.8) }, { metrics: ["mlm_loss"], reference: [{ label: "BERT-tiny (paper)", value: 2.9 }] });
  const layers = spec.layer as { mark: { type: string } }[];
  assert.deepEqual(layers.map((l) => l.mark.type), ["line", "point", "rule", "text"]);
  assert.equal(spec.width, 480);
  assert.equal(spec.height, 240);
  const svg = await renderSvg(spec);
  assertWellFormedSvg(svg);
  // 2 runs × (train + eval) mlm_loss = 4 lines, one <path> each
  assert.deepEqual(markCounts(svg, "line"), [1, 1, 1, 1]);
  assert.deepEqual(markCounts(svg, "symbol"), [12]); // 2 runs × 6 evaluations
  assert.deepEqual(markCounts(svg, "rule"), [1]);
  assert.match(svg, /BERT-tiny \(paper\): 2\.9/);
  assert.match(svg, /tiny · eval mlm_loss/);
  assert.doesNotMatch(JSON.stringify(spec), /"url"/); // data inline
});

test("runs picks and orders runs; unknown names and empty selections say what to pass", () => {
  const pts = curvePoints({ a: fakeRun(1), b: fakeRun(1) }, { runs: ["b"], metrics: ["loss"] });
  assert.deepEqual([...new Set(pts.map((p) => p.run))], ["b"]);
  assert.throws(() => curvePoints({ a: fakeRun(1) }, { runs: ["z"] }), /no run named "z": the records have "a"/);
  assert.throws(() => learningCurveSpec(fakeRun(1), { metrics: ["f1"] }), /nothing to plot.*pass metrics/);
});

test("timing: one 30-point learning curve", async () => {
  const spec = learningCurveSpec(fakeRun(1), { metrics: ["loss"] });
  await renderSvg(spec); // warm-up: first call loads vega's code paths
  const t0 = performance.now();
  const svg = await renderSvg(spec);
  console.log(`render 30-point learning curve: ${(performance.now() - t0).toFixed(1)} ms, ${(svg.length / 1024).toFixed(0)} KB SVG`);
});
