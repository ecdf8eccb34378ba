import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { bundleOf, checkBundle, DISPLAY, isDisplayable } from "./mime";
import { assertWellFormedSvg } from "./charts/svg.test.helper";
import { installTensorDisplay, strideIndices, tensorView } from "./tensor-view";

test("text: shape, dtype, size, min/mean/max and every value of a small tensor", () => {
  const t = tf.tensor2d([
    [1, -2.5, 3],
    [0.125, 5, 6],
  ]);
  const v = tensorView(t);
  const lines = v.text.split("\n");
  assert.equal(lines[0], "Tensor float32 [2, 3] · 6 values · 24 B");
  assert.equal(lines[1], "min -2.5 · mean 2.104 · max 6");
  assert.equal(lines.slice(2).join("\n"), "[[    1,  -2.5,     3],\n [0.125,     5,     6]]");
  assert.deepEqual(v.stats, { min: -2.5, mean: 2.1041667461395264, max: 6 });
  assert.equal(tensorView(tf.scalar(7, "int32")).text, "Tensor int32 [] · 1 value · 4 B\n7");
  t.dispose();
});

test("a big tensor prints summarised like numpy: 3 first and 3 last along each axis", () => {
  const t = tf.reshape(tf.range(0, 100 * 50), [100, 50]);
  const wrapped = tensorView(tf.range(0, 60)).text.split("\n").slice(2);
  assert.ok(wrapped.length > 1 && wrapped.every((l) => l.length <= 100), "a long row wraps");
  const v = tensorView(t);
  const rows = v.text.split("\n").slice(2);
  assert.equal(rows.length, 7, v.text);
  assert.match(rows[0], /^\[\[\s+0,\s+1,\s+2, \.\.\., \s*47,\s+48,\s+49\],$/);
  assert.equal(rows[3].trim(), "...,");
  assert.match(rows[6], /4997,\s+4998,\s+4999\]\]$/);
  t.dispose();
});

test("svg heatmap for 1-D and 2-D floats, at most 64×64 cells, sampled with a note", () => {
  const small = tf.randomNormal([8, 16], 0, 1, "float32", 1);
  const s = tensorView(small);
  assert.ok(s.svg);
  assertWellFormedSvg(s.svg);
  assert.ok(!s.svg.includes("sampled"));
  const bundle = checkBundle(bundleOf(s));
  assert.deepEqual(Object.keys(bundle).sort(), ["image/svg+xml", "text/plain"]);
  const big = tf.randomUniform([300, 1000], 0, 1, "float32", 2);
  const b = tensorView(big);
  assertWellFormedSvg(b.svg!);
  assert.match(b.svg!, /sampled 64×64 of 300×1000 \(stride ~4\.69 rows, ~15\.6 columns\)/);
  const cellsWide = Number(/width="(\d+)" height="\d+" fill="none"/.exec(b.svg!)![1]);
  assert.ok(cellsWide <= 64 * 24);
  const one = tensorView(tf.linspace(-1, 1, 200));
  assertWellFormedSvg(one.svg!);
  assert.match(one.svg!, /bl-tv-diverging/, "signed values use the diverging scale");
  assert.equal(tensorView(tf.tensor1d([1, 2], "int32")).svg, undefined, "ints: text only");
  assert.equal(tensorView(tf.zeros([2, 2, 2])).svg, undefined, "3-D: text only");
  assert.deepEqual(strideIndices(10, 4), [0, 2, 5, 7]);
  tf.dispose([small, big]);
});

test("no tensor leaks, and a disposed tensor says so", () => {
  const t = tf.randomNormal([128, 96]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) tensorView(t);
  tensorView(tf.tidy(() => tf.keep(tf.ones([5]))));
  assert.equal(tf.memory().numTensors, before + 1);
  t.dispose();
  const d = tensorView(t);
  assert.match(d.text, /^disposed tensor \(float32 \[128, 96\]\)/);
  assert.equal(d.svg, undefined);
});

test("installTensorDisplay: every tensor displays itself, non-enumerable, idempotent", () => {
  installTensorDisplay();
  installTensorDisplay();
  const t = tf.tensor1d([0.5, 1.5, 2.5]);
  const v = tf.variable(tf.zeros([2, 2]));
  assert.ok(isDisplayable(t) && isDisplayable(v));
  assert.ok(!Object.keys(t).includes(String(DISPLAY)));
  assert.equal(Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Object.getPrototypeOf(v)), DISPLAY)?.enumerable, false);
  assert.ok(!Object.prototype.hasOwnProperty.call(t, DISPLAY));
  const before = tf.memory().numTensors;
  const b = bundleOf(t);
  assert.equal(tf.memory().numTensors, before);
  assert.match(String(b["text/plain"]), /^Tensor float32 \[3\]/);
  assert.ok(String(b["image/svg+xml"]).startsWith("<svg"));
  t.dispose();
  assert.match(String(bundleOf(t)["text/plain"]), /disposed tensor/);
  v.dispose();
});
