// Global-norm gradient clipping, as tf.clip_by_global_norm (BERT clips at 1.0).
import * as tf from "@tensorflow/tfjs-core";
import { BertLabError } from "../util/errors";
import { NamedTensors, namedEntries } from "./named-tensors";

/**
 * Scales all gradients together so their global norm is at most clipNorm, as
 * tf.clip_by_global_norm (BERT's optimization.py clips at 1.0).
 *
 * @example
 *   const { grads, globalNorm } = clipByGlobalNorm({ a: tf.tensor1d([3, 4]), b: tf.tensor1d([12]) });
 *   console.log(globalNorm, grads.a.dataSync()); // prints: 13 Float32Array(2) [ 0.2307…, 0.3076… ]
 *
 *   globalNorm = √(Σ over all tensors of Σ g²)
 *   scale      = clipNorm / max(globalNorm, clipNorm)      (1 when the norm is within clipNorm)
 *   grads      = each g · scale
 * A NaN or infinite norm makes every output NaN, as TensorFlow's does.
 *
 * Returns new tensors in the same kind of container as the input (object or Map); the caller
 * disposes them. The input gradients stay the caller's and are not disposed.
 */
export function clipByGlobalNorm<G extends NamedTensors>(grads: G, clipNorm?: number): { grads: G; globalNorm: number };
export function clipByGlobalNorm(grads: NamedTensors, clipNorm = 1.0): { grads: NamedTensors; globalNorm: number } {
  const entries = namedEntries(grads);
  const { scale, globalNorm } = clipScale(grads, clipNorm);
  const scaled = entries.map(([name, g]): [string, tf.Tensor] => [
    name,
    tf.tidy(() => (scale === 1 ? tf.clone(g) : tf.mul(g, scale))),
  ]);
  return { grads: grads instanceof Map ? new Map(scaled) : Object.fromEntries(scaled), globalNorm };
}

/**
 * The factor clipByGlobalNorm multiplies every gradient by, without making the scaled copies
 * (an optimizer that can scale as it reads the gradient uses this: see BertAdamW's gradScale).
 */
export function clipScale(grads: NamedTensors, clipNorm = 1.0): { scale: number; globalNorm: number } {
  if (!Number.isFinite(clipNorm) || clipNorm <= 0) {
    throw new BertLabError("BAD_CLIP_NORM", `clipNorm must be a finite number > 0, got ${clipNorm}`);
  }
  const entries = namedEntries(grads);
  const globalNorm = entries.length === 0 ? 0 : globalNormOf(entries.map(([, g]) => g));
  // tf.clip_by_global_norm: scale = clip_norm · min(1/norm, 1/clip_norm), NaN if norm is not finite
  const scale = Number.isFinite(globalNorm) ? clipNorm / Math.max(globalNorm, clipNorm) : NaN;
  return { scale, globalNorm };
}

/** √(Σ g²) over all tensors, summed in float32 on the backend, read back as a number. */
function globalNormOf(tensors: tf.Tensor[]): number {
  // each g² is freed as soon as it is summed: only one squared copy is alive at a time
  const sums = tensors.map((g) => tf.tidy(() => tf.sum(tf.square(tf.cast(g, "float32")))));
  const norm = tf.tidy(() => tf.sqrt(tf.addN(sums)));
  tf.dispose(sums);
  const value = norm.dataSync()[0];
  norm.dispose();
  return value;
}
