/** Dropout that happens only in training mode, with seeds drawn from the model's RNG. */
import * as tf from "@tensorflow/tfjs-core";
import type { RandomSource } from "../util/random-source";

export interface RunContext {
  training: boolean;
  /** where dropout seeds come from (same seed, same masks, on the same backend) */
  rng: RandomSource;
}

export function dropout(x: tf.Tensor, rate: number, ctx: RunContext): tf.Tensor {
  if (!ctx.training || rate === 0) return x;
  return tf.dropout(x, rate, undefined, ctx.rng.randint(0, 2 ** 31 - 1));
}
