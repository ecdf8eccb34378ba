import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { train, TrainTask } from "../training/trainer";
import { liveCurves, thin } from "./live-curves";
import { DisplaySink, SendOptions } from "./show";
import { MimeBundle } from "./mime";

function recordingSink(): DisplaySink & { sent: { bundle: MimeBundle; opts: SendOptions }[] } {
  const sent: { bundle: MimeBundle; opts: SendOptions }[] = [];
  return { name: "test", sent, send: (bundle, opts) => void sent.push({ bundle, opts }) };
}

/** A one-parameter regression task: loss (w - 1)², evaluated as the same loss. */
function task(): TrainTask<number> & { w: tf.Variable } {
  const w = tf.variable(tf.scalar(0));
  const loss = () => tf.square(tf.sub(w, 1)) as tf.Scalar;
  return {
    w,
    params: new Map([["w", w]]),
    nextBatch: () => [0],
    loss: () => ({ loss: loss(), stats: { sq: 1 } }),
    tokens: () => 1,
    metrics: () => ({}),
    evaluate: () => ({ loss: tf.tidy(() => loss().dataSync()[0]) }),
    dataState: () => null,
    restoreDataState: () => {},
    saveModel: () => {},
    loadModel: () => {},
  };
}

test("liveCurves redraws one output while train() runs and ends holding every record, with the SVG", async () => {
  const sink = recordingSink();
  const curves = liveCurves({ sink, intervalMs: 0, reference: [{ label: "target", value: 0 }] });
  const t = task();
  const before = tf.memory().numTensors;
  const r = await train(t, { steps: 40, learningRate: 0.1, logEvery: 5, evalEvery: 20, callbacks: curves.callbacks() });
  await curves.close();
  r.optimizer.dispose();
  assert.equal(tf.memory().numTensors, before, "the curves keep no tensor alive");
  assert.ok(sink.sent.length >= 2);
  const ids = new Set(sink.sent.map((s) => s.opts.displayId));
  assert.equal(ids.size, 1, "one output");
  assert.deepEqual(sink.sent.map((s) => s.opts.update), [false, ...sink.sent.slice(1).map(() => true)]);
  const last = sink.sent.at(-1)!.bundle;
  assert.deepEqual(Object.keys(last).sort(), ["application/vnd.vegalite.v5+json", "image/svg+xml", "text/plain"]);
  const values = (last["application/vnd.vegalite.v5+json"] as { datasets?: Record<string, unknown[]>; layer?: unknown[] });
  const json = JSON.stringify(values);
  assert.ok(json.includes('"split":"eval"'), "eval points are drawn");
  assert.equal(curves.records.run.filter((r) => "loss" in r).length, 8, "8 log lines at logEvery 5");
  assert.match(String(last["text/plain"]), /^Learning curves — run: step 40, loss \d/);
  t.w.dispose();
});

test("liveCurves: two runs are overlaid in one chart with a legend entry each", async () => {
  const sink = recordingSink();
  const curves = liveCurves({ sink, intervalMs: 0 });
  for (const run of ["MLM + NSP", "MLM only"]) {
    const t = task();
    await train(t, { steps: 10, learningRate: run === "MLM only" ? 0.05 : 0.1, logEvery: 2, callbacks: curves.callbacks(run) });
    t.w.dispose();
  }
  await curves.close();
  const spec = JSON.stringify(sink.sent.at(-1)!.bundle["application/vnd.vegalite.v5+json"]);
  assert.ok(spec.includes('"run":"MLM + NSP"') && spec.includes('"run":"MLM only"'), "both runs are in the data");
  assert.match(String(sink.sent.at(-1)!.bundle["image/svg+xml"]), /MLM only/);
});

test("liveCurves with a throttle: 200 log lines in a fast loop send only a few frames", async () => {
  const sink = recordingSink();
  const curves = liveCurves({ sink, intervalMs: 250 });
  for (let step = 1; step <= 200; step++) curves.add("run", { step, loss: 1 / step });
  await curves.close();
  const stats = curves.stats;
  assert.equal(stats.requested, 200);
  assert.ok(stats.sent <= 3, `sent ${stats.sent} frames`);
  assert.match(String(sink.sent.at(-1)!.bundle["text/plain"]), /step 200, loss 0\.0050/);
});

test("thin: long runs are drawn from about maxPoints records, keeping every evaluation and the last", () => {
  const recs = Array.from({ length: 10_000 }, (_, i) => (i % 1000 === 999 ? { step: i + 1, eval_loss: 1 } : { step: i + 1, loss: 1 / (i + 1) }));
  const t = thin(recs, 500);
  assert.ok(t.length >= 500 && t.length <= 520, `${t.length} records`);
  assert.equal(t.filter((r) => "eval_loss" in r).length, 10);
  assert.equal(t.at(-1)!.step, 10_000);
  assert.equal(thin(recs.slice(0, 100), 500).length, 100);
  const manyEvals = Array.from({ length: 30_000 }, (_, i) => (i % 2 ? { step: i, eval_loss: 1 } : { step: i, loss: 1 }));
  const m = thin(manyEvals, 500);
  assert.ok(m.length <= 1002, `${m.length} records`);
  assert.equal(m.filter((r) => "eval_loss" in r).at(-1)!.step, 29_999, "the last evaluation is kept");
});
