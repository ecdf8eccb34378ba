/**
 * Test helpers for the backend tests: run the same computation on `cpu` and `wasm`, compare,
 * and count what is allocated. Not a test file itself (node --test runs *.test.js only).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";

/** Deterministic values in [-scale, scale) (a small LCG: tests need repeatability, not quality). */
export function seeded(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

/** Runs fn with `backend` as tfjs's backend and returns its (plain) result. */
export async function on<T>(backend: "cpu" | "wasm", fn: () => T): Promise<T> {
  if (tf.getBackend() !== backend) {
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    const ok = await tf.setBackend(backend);
    if (!ok) throw new Error(`could not start the ${backend} backend`);
    // the cpu backend's first-use advice to install tfjs-node is noise in test output
    const be = tf.findBackend("cpu") as { firstUse?: boolean } | null;
    if (be && typeof be.firstUse === "boolean") be.firstUse = false;
  }
  return fn();
}

/** max |actual − expected| divided by max |expected| (1 when expected is all zeros). */
export function relError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return Number.isNaN(diff) ? Infinity : diff / (scale || 1);
}

/** Engine tensors and backend data ids: both must be back where they were after a fixed op. */
export function allocation(): { numTensors: number; dataIds: number } {
  return { numTensors: tf.memory().numTensors, dataIds: tf.backend().numDataIds() };
}

/**
 * tfjs-core's CommonJS build registers no gradients; the @tensorflow/tfjs bundle does (the
 * model imports it for the same reason: src/model/params.ts).
 */
export async function loadTfjsGradients(): Promise<void> {
  require("@tensorflow/tfjs");
  if (!tf.getGradient(tf.BatchMatMul)) throw new Error("loading @tensorflow/tfjs registered no gradients");
}

/**
 * Runs fn on cpu, then on wasm (with whatever kernels are registered there) from the same
 * inputs: each output's shape and values within `tolerance` (relative), and no engine tensor
 * or wasm buffer left behind.
 */
export async function compareCpuWasm(name: string, fn: () => tf.Tensor | tf.Tensor[], tolerance: number): Promise<void> {
  const run = () => tf.tidy(() => [fn()].flat().map((t) => ({ shape: t.shape, data: Array.from(t.dataSync()) })));
  const expected = await on("cpu", run);
  const before = await on("wasm", allocation);
  const actual = run();
  assert.deepEqual(allocation(), before, `${name}: no tensors or wasm buffers left behind`);
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    assert.deepEqual(a.shape, expected[i].shape, `${name}: shape of output ${i}`);
    const err = relError(a.data, expected[i].data);
    assert.ok(err < tolerance, `${name}: output ${i} relative error ${err}`);
  });
}

/** A product's operand shape as stored: a transposed operand has its last two axes swapped. */
export function stored(shape: number[], transposed: boolean): number[] {
  if (!transposed) return shape;
  const s = [...shape];
  [s[s.length - 2], s[s.length - 1]] = [s[s.length - 1], s[s.length - 2]];
  return s;
}

/** Product of dimensions. */
export const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);
