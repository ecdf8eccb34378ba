// UnsortedSegmentSum on wasm (registered by registerWasmFixes) against the cpu backend.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { allocation, loadTfjsGradients, on, relError, seeded } from "./compare.test.helper";
import { registerWasmFixes } from "./wasm-fixes";

test("without the fix, wasm has no UnsortedSegmentSum (so gather has no gradient there)", async () => {
  await on("wasm", () => {
    assert.equal(tf.getKernel("UnsortedSegmentSum", "wasm"), undefined);
    assert.throws(() => tf.unsortedSegmentSum(tf.ones([2, 3]), tf.tensor1d([0, 1], "int32"), 2), /UnsortedSegmentSum/);
  });
});

test("registerWasmFixes registers each kernel once; a second call changes nothing", () => {
  const first = registerWasmFixes();
  assert.deepEqual(first.registered, ["UnsortedSegmentSum", "BatchMatMul", "_FusedMatMul", "Identity"]);
  const kernels = ["UnsortedSegmentSum", "BatchMatMul", "_FusedMatMul", "Identity"].map((k) => tf.getKernel(k, "wasm")!.kernelFunc);
  const second = registerWasmFixes();
  assert.deepEqual(second.registered, []);
  assert.deepEqual(second.alreadyRegistered, ["UnsortedSegmentSum", "BatchMatMul", "_FusedMatMul", "Identity"]);
  assert.deepEqual(
    ["UnsortedSegmentSum", "BatchMatMul", "_FusedMatMul", "Identity"].map((k) => tf.getKernel(k, "wasm")!.kernelFunc),
    kernels,
    "the same kernel functions stay registered",
  );
});

const cases: { name: string; shape: number[]; ids: number[]; numSegments: number; dtype?: "int32" }[] = [
  { name: "rows of a matrix", shape: [7, 5], ids: [3, 0, 3, 1, 0, 3, 2], numSegments: 5 },
  { name: "a vector", shape: [6], ids: [1, 1, 1, 0, 2, 1], numSegments: 3 },
  { name: "rank 3, some segments empty", shape: [4, 3, 2], ids: [5, 5, 0, 2], numSegments: 7 },
  { name: "ids out of range are dropped", shape: [5, 2], ids: [0, -1, 3, 9, 1], numSegments: 4 },
  { name: "int32 values", shape: [5, 3], ids: [1, 0, 1, 1, 2], numSegments: 3, dtype: "int32" },
  // cpu builds a mask per segment (O(segments × rows × H)), so keep this one modest
  { name: "an embedding gradient: 512 tokens into a 300-word vocab, H = 32", shape: [512, 32], ids: [...Array(512).keys()].map((i) => (i * 7919) % 300), numSegments: 300 },
];

for (const c of cases) {
  test(`UnsortedSegmentSum matches cpu: ${c.name}`, async () => {
    registerWasmFixes();
    const size = c.shape.reduce((a, b) => a * b, 1);
    const values = c.dtype === "int32" ? Int32Array.from(seeded(size, 7, 100), Math.round) : seeded(size, 7);
    const run = () =>
      tf.tidy(() => {
        const out = tf.unsortedSegmentSum(tf.tensor(values, c.shape, c.dtype ?? "float32"), tf.tensor1d(c.ids, "int32"), c.numSegments);
        return { shape: out.shape, dtype: out.dtype, data: Array.from(out.dataSync()) };
      });
    const expected = await on("cpu", run);
    const before = await on("wasm", allocation);
    const actual = await on("wasm", run);
    assert.deepEqual(allocation(), before, "no tensors or wasm buffers left behind");
    assert.deepEqual(actual.shape, expected.shape);
    // TensorFlow keeps x's dtype; tfjs-backend-cpu returns float32 even for int32 x
    assert.equal(actual.dtype, c.dtype ?? "float32");
    assert.ok(relError(actual.data, expected.data) < 1e-6, `relative error ${relError(actual.data, expected.data)}`);
  });
}

test("a BERT-size embedding gradient (8192 tokens, 30522 words, H = 128) matches a plain JS sum", async () => {
  registerWasmFixes();
  const [N, V, H] = [8192, 30522, 128];
  const ids = Int32Array.from({ length: N }, (_, i) => (i * 104729) % V);
  const x = seeded(N * H, 5);
  const expected = new Float32Array(V * H);
  for (let i = 0; i < N; i++) for (let j = 0; j < H; j++) expected[ids[i] * H + j] += x[i * H + j];
  const before = await on("wasm", allocation);
  const actual = await on("wasm", () =>
    tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d(x, [N, H]), tf.tensor1d(ids, "int32"), V).dataSync()),
  );
  assert.deepEqual(allocation(), before);
  assert.ok(relError(actual, expected) < 1e-6);
});

test("gather's gradient (an embedding lookup's) on wasm matches cpu", async () => {
  registerWasmFixes();
  await loadTfjsGradients();
  const V = 50;
  const H = 16;
  const table = seeded(V * H, 11);
  const ids = [[3, 7, 7, 0, 49], [1, 3, 3, 3, 20]];
  const dy = seeded(2 * 5 * H, 12);
  const run = () =>
    tf.tidy(() => {
      const w = tf.tensor2d(table, [V, H]);
      const idx = tf.tensor2d(ids.flat(), [2, 5], "int32");
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.gather(x, idx), tf.tensor3d(dy, [2, 5, H]))))(w);
      return Array.from(g.dataSync());
    });
  const expected = await on("cpu", run);
  const before = await on("wasm", allocation);
  const actual = await on("wasm", run);
  assert.deepEqual(allocation(), before);
  assert.ok(relError(actual, expected) < 1e-6, `relative error ${relError(actual, expected)}`);
});
