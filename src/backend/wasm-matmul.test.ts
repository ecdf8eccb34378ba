// The wasm BatchMatMul/_FusedMatMul fixes against the cpu backend: values, gradients, memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { compareCpuWasm, loadTfjsGradients, on, relError, seeded, size, stored } from "./compare.test.helper";
import { registerWasmFixes } from "./wasm-fixes";
import { SMALL_WORK } from "./wasm-matmul";

const TOLERANCE = 1e-4;
const compare = (name: string, fn: () => tf.Tensor | tf.Tensor[]) => compareCpuWasm(name, fn, TOLERANCE);



test("without the fix: wasm _FusedMatMul with a transpose flag and a bias (diagnostic)", async (t) => {
  const a = seeded(33 * 70, 1);
  const b = seeded(20 * 70, 2);
  const bias = seeded(20, 3);
  const run = () => tf.tidy(() => Array.from(tf.fused.matMul({ a: tf.tensor2d(a, [33, 70]), b: tf.tensor2d(b, [20, 70]), transposeB: true, bias: tf.tensor1d(bias) }).dataSync()));
  const err = relError(await on("wasm", run), await on("cpu", run));
  // 4.22: errors of order 1 (the C++ loop adds the bias per 48-wide block, at the flat index)
  t.diagnostic(`unfixed wasm _FusedMatMul (transposeB + bias) relative error vs cpu: ${err.toExponential(2)}`);
});

test("the fixes register", () => {
  registerWasmFixes();
  registerWasmFixes(); // harmless
});

// grad: false where tfjs-core 4.22's BatchMatMul gradient itself fails (on every backend): it
// does not sum the gradient over broadcast batch dimensions ("gradient of input 'b' has shape
// '4,48,36', which does not match the shape of the input '48,36'")
const shapes: { name: string; a: number[]; b: number[]; grad?: false }[] = [
  { name: "2D, tiny (left to the original kernel)", a: [5, 7], b: [7, 3] },
  { name: "2D", a: [40, 48], b: [48, 36] },
  { name: "2D, one row", a: [1, 300], b: [300, 200] },
  { name: "3D batch", a: [3, 40, 48], b: [3, 48, 36] },
  { name: "4D batch (attention heads)", a: [2, 3, 33, 40], b: [2, 3, 40, 35] },
  { name: "3D × 2D (B shared: folded)", a: [4, 40, 48], b: [48, 36], grad: false },
  { name: "2D × 3D (A shared)", a: [40, 48], b: [3, 48, 36], grad: false },
  { name: "[1,M,K] × [4,K,N]", a: [1, 40, 48], b: [4, 48, 36], grad: false },
  { name: "two-sided broadcast [2,1,M,K] × [1,3,K,N]", a: [2, 1, 40, 48], b: [1, 3, 48, 36], grad: false },
];

for (const s of shapes) {
  for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
    test(`BatchMatMul ${s.name}, transposeA=${ta} transposeB=${tb}: values${s.grad === false ? "" : " and gradients"} match cpu`, async () => {
      const sa = stored(s.a, ta);
      const sb = stored(s.b, tb);
      const av = seeded(size(sa), 10);
      const bv = seeded(size(sb), 20);
      await compare("matMul", () => tf.matMul(tf.tensor(av, sa), tf.tensor(bv, sb), ta, tb));
      if (s.grad === false) return;
      await loadTfjsGradients();
      await compare("matMul gradients", () => {
        const a = tf.tensor(av, sa);
        const b = tf.tensor(bv, sb);
        const outShape = tf.matMul(a, b, ta, tb).shape;
        const dy = tf.tensor(seeded(size(outShape), 30), outShape);
        return tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, ta, tb), dy)))([a, b]);
      });
    });
  }
}

test("BERT-size products (above the small-work threshold) match cpu", async () => {
  assert.ok(64 * 128 * 128 > SMALL_WORK);
  const q = seeded(4 * 2 * 128 * 64, 40);
  await compare("Q·Kᵀ", () => tf.matMul(tf.tensor4d(q, [4, 2, 128, 64]), tf.tensor4d(q, [4, 2, 128, 64]), false, true));
  const x = seeded(256 * 128, 41);
  const w = seeded(512 * 128, 42);
  await compare("x·Wᵀ", () => tf.matMul(tf.tensor2d(x, [256, 128]), tf.tensor2d(w, [512, 128]), false, true));
  const dy = seeded(256 * 512, 43);
  await compare("xᵀ·dY", () => tf.matMul(tf.tensor2d(x, [256, 128]), tf.tensor2d(dy, [256, 512]), true, false));
});

const activations = ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu", "prelu"] as const;

for (const dims of [{ M: 33, K: 70, N: 20 }, { M: 5, K: 6, N: 4 }]) {
  for (const batch of [1, 3]) {
    for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
      test(`_FusedMatMul ${dims.M}×${dims.K}×${dims.N}, batch ${batch}, transposeA=${ta} transposeB=${tb}: every bias/activation matches cpu`, async () => {
        const { M, K, N } = dims;
        const sa = stored([batch, M, K], ta);
        const sb = stored([batch, K, N], tb);
        const av = seeded(size(sa), 50);
        const bv = seeded(size(sb), 51);
        const biasv = seeded(N, 52);
        const preluv = seeded(N, 53, 0.5);
        for (const withBias of [false, true]) {
          for (const activation of activations) {
            await compare(`fused ${activation}${withBias ? " + bias" : ""}`, () =>
              tf.fused.matMul({
                a: tf.tensor3d(av, sa as [number, number, number]),
                b: tf.tensor3d(bv, sb as [number, number, number]),
                transposeA: ta,
                transposeB: tb,
                bias: withBias ? tf.tensor1d(biasv) : undefined,
                activation,
                preluActivationWeights: activation === "prelu" ? tf.tensor1d(preluv) : undefined,
                leakyreluAlpha: 0.1,
              }),
            );
          }
        }
      });
    }
  }
}

test("_FusedMatMul gradients (transposeB, bias, relu) match cpu", async () => {
  await loadTfjsGradients();
  const [M, K, N] = [40, 64, 30];
  const av = seeded(M * K, 60);
  const bv = seeded(N * K, 61);
  const biasv = seeded(N, 62);
  const dyv = seeded(M * N, 63);
  await compare("fused gradients", () =>
    tf.grads((a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor) =>
      tf.sum(tf.mul(tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeB: true, bias, activation: "relu" }), tf.tensor2d(dyv, [M, N]))),
    )([tf.tensor2d(av, [M, K]), tf.tensor2d(bv, [N, K]), tf.tensor1d(biasv)]),
  );
});
