import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { clipByGlobalNorm } from "./clip";
import { BertLabError } from "../util/errors";

before(async () => {
  await tf.setBackend("cpu");
});

function assertClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) <= 1e-6 * Math.max(1, Math.abs(e)), `${what}[${i}]: got ${actual[i]}, expected ${e}`));
}

// ‖[3, 4]‖² + ‖[[12]]‖² + 0² = 9 + 16 + 144 = 169 → global norm 13
const make = () => ({ a: tf.tensor1d([3, 4]), b: tf.tensor2d([[12]]), c: tf.scalar(0) });
const disposeAll = (xs: Iterable<tf.Tensor>) => {
  for (const x of xs) x.dispose();
};

test("global norm over all tensors; scaled by clipNorm / norm above the threshold", () => {
  const g = make();
  const { grads, globalNorm } = clipByGlobalNorm(g); // clipNorm 1.0
  assert.ok(Math.abs(globalNorm - 13) < 1e-5, `norm ${globalNorm}`);
  assertClose(grads.a.dataSync(), [3 / 13, 4 / 13], "a");
  assertClose(grads.b.dataSync(), [12 / 13], "b");
  assert.deepEqual(grads.b.shape, [1, 1]);
  assertClose(grads.c.dataSync(), [0], "c");
  // the clipped set has norm clipNorm
  const n = Math.hypot(...grads.a.dataSync(), ...grads.b.dataSync());
  assert.ok(Math.abs(n - 1) < 1e-6);

  const five = clipByGlobalNorm(g, 5);
  assertClose(five.grads.a.dataSync(), [15 / 13, 20 / 13], "a at clipNorm 5");
  disposeAll([...Object.values(g), ...Object.values(grads), ...Object.values(five.grads)]);
});

test("no scaling at or below the threshold, and the outputs are new tensors", () => {
  const g = make();
  for (const clipNorm of [13, 20]) {
    const { grads, globalNorm } = clipByGlobalNorm(g, clipNorm);
    assert.ok(Math.abs(globalNorm - 13) < 1e-5);
    assert.deepEqual(Array.from(grads.a.dataSync()), [3, 4]);
    assert.deepEqual(Array.from(grads.b.dataSync()), [12]);
    assert.notEqual(grads.a, g.a, "must return a new tensor the caller can dispose");
    disposeAll(Object.values(grads));
    assert.equal(g.a.isDisposed, false, "disposing the output freed the input");
    assert.deepEqual(Array.from(g.a.dataSync()), [3, 4]);
  }
  disposeAll(Object.values(g));
});

test("a Map in gives a Map out; an empty set has norm 0", () => {
  const m = new Map<string, tf.Tensor>([["w", tf.tensor1d([0.6, 0.8, 0])]]);
  const out = clipByGlobalNorm(m, 0.5);
  assert.ok(out.grads instanceof Map);
  assertClose(out.grads.get("w")!.dataSync(), [0.3, 0.4, 0], "w");
  assert.ok(Math.abs(out.globalNorm - 1) < 1e-6);
  disposeAll([...m.values(), ...out.grads.values()]);
  const empty = clipByGlobalNorm({});
  assert.equal(empty.globalNorm, 0);
  assert.deepEqual(empty.grads, {});
});

test("a non-finite norm makes every gradient NaN, as TensorFlow", () => {
  const g = { a: tf.tensor1d([Infinity, 1]), b: tf.tensor1d([2]) };
  const { grads, globalNorm } = clipByGlobalNorm(g);
  assert.equal(globalNorm, Infinity);
  assert.ok([...grads.a.dataSync(), ...grads.b.dataSync()].every(Number.isNaN));
  disposeAll([...Object.values(g), ...Object.values(grads)]);
});

test("memory: only the returned tensors remain", () => {
  const g = make();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 20; i++) {
    const { grads } = clipByGlobalNorm(g, i % 2 ? 1 : 100);
    assert.equal(tf.memory().numTensors, before + 3);
    disposeAll(Object.values(grads));
  }
  assert.equal(tf.memory().numTensors, before);
  disposeAll(Object.values(g));
});

test("clipNorm must be positive", () => {
  const code = (e: unknown) => e instanceof BertLabError && e.code === "BAD_CLIP_NORM";
  assert.throws(() => clipByGlobalNorm({}, 0), code);
  assert.throws(() => clipByGlobalNorm({}, NaN), code);
});
