/** Dropout that happens only in training mode, with seeds drawn from the model's RNG. */
import * as tf from "@tensorflow/tfjs-core";
import { dropoutWithSeed } from "../kernels/dropout-mask";
import type { RandomSource } from "../util/random-source";

export interface RunContext {
  training: boolean;
  /** where dropout seeds come from (same seed, same masks, on the same backend) */
  rng: RandomSource;
}

export function dropout(x: tf.Tensor, rate: number, ctx: RunContext): tf.Tensor {
  if (!ctx.training || rate === 0) return x;
  // masks from a counter-based hash (src/kernels/dropout-mask.ts): the same on every backend
  return dropoutWithSeed(x, rate, ctx.rng.randint(0, 2 ** 31 - 1));
}
