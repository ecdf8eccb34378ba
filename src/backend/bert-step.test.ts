// A small BERT-like training step (forward and backward) on wasm with the fixes, against cpu:
// every kernel it needs is registered, the loss and every gradient agree, nothing leaks.
// Legend: B batch, T tokens, H hidden, A heads, D = H/A, I intermediate, V vocab.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { loadTfjsGradients, on, relError, seeded } from "./compare.test.helper";
import { registerWasmFixes } from "./wasm-fixes";

const [B, T, H, A, I, V] = [2, 32, 64, 2, 128, 100];
const D = H / A;

const params: Record<string, { shape: number[]; values: Float32Array }> = {};
let seed = 100;
for (const [name, shape, scale] of [
  ["wordEmbeddings", [V, H], 0.5],
  ["positionEmbeddings", [T, H], 0.1],
  ["wq", [H, H], 0.2],
  ["wk", [H, H], 0.2],
  ["wv", [H, H], 0.2],
  ["wo", [H, H], 0.2], // stored [out, in] as HF Linear: used transposed
  ["w1", [H, I], 0.2],
  ["b1", [I], 0.1],
  ["w2", [I, H], 0.2],
  ["gamma", [H], 1],
  ["beta", [H], 0.1],
  ["decoderBias", [V], 0.1],
] as const) {
  params[name] = { shape: [...shape], values: seeded(shape.reduce((a, b) => a * b, 1), seed++, scale) };
}
const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 37 + 11) % V);
const labels = Int32Array.from({ length: B * T }, (_, i) => (i * 53 + 7) % V);
const mask = Float32Array.from({ length: B * T }, (_, i) => (i % T < T - 3 || i < T ? 1 : 0));

function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-12))), gamma), beta);
}

/** One step: loss and the gradient of every parameter, as plain arrays. */
function step(): { loss: number; grads: Record<string, number[]> } {
  return tf.tidy(() => {
    const vars: Record<string, tf.Variable> = {};
    for (const [name, p] of Object.entries(params)) vars[name] = tf.variable(tf.tensor(p.values, p.shape), true, `${name}_${tf.getBackend()}`);
    const { value, grads } = tf.variableGrads(() => {
      const x0 = tf.add(tf.gather(vars.wordEmbeddings, tf.tensor2d(ids, [B, T], "int32")), vars.positionEmbeddings); // [B, T, H]
      const x = tf.reshape(x0, [B * T, H]); // [B·T, H]
      const heads = (w: tf.Tensor) => tf.transpose(tf.reshape(tf.matMul(x, w), [B, T, A, D]), [0, 2, 1, 3]); // [B, A, T, D]
      const q = heads(vars.wq);
      const k = heads(vars.wk);
      const v = heads(vars.wv);
      const pad = tf.reshape(tf.mul(tf.sub(1, tf.tensor2d(mask, [B, T])), -10000), [B, 1, 1, T]);
      const scores = tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(D)), pad); // [B, A, T, T]
      const probs = tf.softmax(scores); // [B, A, T, T]
      const keep = tf.greaterEqual(tf.randomUniform([B, A, T, T], 0, 1, "float32", 7), 0.1);
      const dropped = tf.where(keep, tf.div(probs, 0.9), tf.zerosLike(probs));
      const ctx = tf.reshape(tf.transpose(tf.matMul(dropped, v), [0, 2, 1, 3]), [B * T, H]); // [B·T, H]
      const attn = layerNorm(tf.add(x, tf.matMul(ctx, vars.wo, false, true)), vars.gamma, vars.beta); // [B·T, H]
      const h = tf.add(tf.matMul(attn, vars.w1), vars.b1); // [B·T, I]
      const gelu = tf.mul(tf.mul(h, 0.5), tf.add(1, tf.erf(tf.div(h, Math.SQRT2)))); // exact GELU
      const out = tf.tanh(layerNorm(tf.add(attn, tf.matMul(gelu, vars.w2)), vars.gamma, vars.beta)); // [B·T, H]
      const logits = tf.add(tf.matMul(out, vars.wordEmbeddings, false, true), vars.decoderBias); // [B·T, V]
      const logProbs = tf.logSoftmax(logits);
      const picked = tf.gather(tf.reshape(logProbs, [B * T * V]), tf.tensor1d(Int32Array.from(labels, (y, i) => i * V + y), "int32"));
      return tf.neg(tf.mean(picked)) as tf.Scalar;
    });
    const result = {
      loss: value.dataSync()[0],
      grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k.replace(/_\w+$/, ""), Array.from(g.dataSync())])),
    };
    tf.dispose(Object.values(vars));
    return result;
  });
}

test("a BERT-like training step runs on wasm with the fixes and matches cpu, leaking nothing", async () => {
  await loadTfjsGradients();
  registerWasmFixes();
  const expected = await on("cpu", step);
  const actual = await on("wasm", () => {
    step(); // warm-up: the first run may cache kernels or operators
    const before = { numTensors: tf.memory().numTensors, dataIds: tf.backend().numDataIds() };
    const r = step();
    assert.deepEqual({ numTensors: tf.memory().numTensors, dataIds: tf.backend().numDataIds() }, before, "no leaks");
    return r;
  });
  assert.ok(Math.abs(actual.loss - expected.loss) < 1e-4 * Math.abs(expected.loss), `loss ${actual.loss} vs ${expected.loss}`);
  assert.deepEqual(Object.keys(actual.grads).sort(), Object.keys(params).sort());
  for (const name of Object.keys(params)) {
    const err = relError(actual.grads[name], expected.grads[name]);
    assert.ok(err < 1e-4, `gradient of ${name}: relative error ${err}`);
  }
});
