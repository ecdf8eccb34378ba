/**
 * Dropout masks from a counter-based generator: element i of a mask with seed s is kept when
 * fmix32(i + s·0x9E3779B9) >>> 8 (a uniform 24-bit draw; fmix32 is MurmurHash3's finaliser)
 * is at least rate·2²⁴, and kept elements are 1/(1 − rate). A mask depends only on (seed, i),
 * so the native kernel (native/src/elementwise.cc) and this JavaScript make the same bits:
 * the same seed drops the same units on every backend, with or without the addon.
 *
 * @example
 *   dropoutMaskValues(4, 0.5, 7) // → Float32Array [2, 0, 2, 2] (say)
 */
import * as tf from "@tensorflow/tfjs-core";
import { NATIVE_KERNEL, nativeOpsActive } from "../backend/native-kernels";

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The mask as numbers (see the file comment for the rule). */
export function dropoutMaskValues(n: number, rate: number, seed: number): Float32Array {
  const r = Math.fround(rate);
  const scale = Math.fround(1 / Math.fround(1 - r));
  const threshold = Math.ceil(r * 16777216);
  const base = Math.imul(seed >>> 0, 0x9e3779b9) >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = fmix32((i + base) >>> 0) >>> 8 >= threshold ? scale : 0;
  return out;
}

/** A mask shaped like x: 0 where dropped, 1/(1 − rate) where kept. */
export function dropoutMask(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${rate}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`dropout seed must be an integer in [0, 2³²), got ${seed}`);
  if (nativeOpsActive()) return tf.engine().runKernel(NATIVE_KERNEL.dropoutMask, {}, { shape: x.shape, rate, seed }) as tf.Tensor;
  return tf.tensor(dropoutMaskValues(x.size, rate, seed), x.shape, "float32");
}

/** x·mask: units dropped with probability `rate`, the kept ones scaled by 1/(1 − rate). */
export function dropoutWithSeed(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  return tf.tidy(() => tf.mul(x, dropoutMask(x, rate, seed)));
}
