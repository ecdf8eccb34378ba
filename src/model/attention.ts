/**
 * Multi-head self-attention (Vaswani et al. §3.2) with BERT's additive mask, and its output
 * block (dense, dropout, residual, post-LayerNorm). Legend: B batch, T tokens, H hidden,
 * A heads, D = H / A.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BertConfig } from "./config";
import { Dense } from "./dense";
import { softmax } from "../kernels/softmax";
import { dropout, RunContext } from "./dropout";
import { LayerNorm } from "./layer-norm";
import { ParamStore } from "./params";

export class SelfAttention {
  readonly query: Dense;
  readonly key: Dense;
  readonly value: Dense;
  readonly output: Dense;
  readonly layerNorm: LayerNorm;

  constructor(store: ParamStore, prefix: string, readonly config: BertConfig) {
    const H = config.hiddenSize;
    const std = config.initializerRange;
    this.query = new Dense(store, `${prefix}attention.self.query`, H, H, std);
    this.key = new Dense(store, `${prefix}attention.self.key`, H, H, std);
    this.value = new Dense(store, `${prefix}attention.self.value`, H, H, std);
    this.output = new Dense(store, `${prefix}attention.output.dense`, H, H, std);
    this.layerNorm = new LayerNorm(store, `${prefix}attention.output.LayerNorm`, H, config.layerNormEps);
  }

  /**
   * x: [B, T, H]; mask: additive, broadcastable to [B, A, T, T] (0 to attend, −10000 not).
   * Returns the block's output [B, T, H] and the attention probabilities [B, A, T, T].
   */
  apply(x: tf.Tensor3D, mask: tf.Tensor, ctx: RunContext): { output: tf.Tensor3D; probs: tf.Tensor4D } {
    return tf.tidy(() => {
      const [B, T, H] = x.shape;
      const A = this.config.numAttentionHeads;
      const D = H / A;
      const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, A, D]), [0, 2, 1, 3]); // [B, A, T, D]
      const q = heads(this.query.apply(x));
      const k = heads(this.key.apply(x));
      const v = heads(this.value.apply(x));
      const kT = tf.transpose(k, [0, 1, 3, 2]); // [B, A, D, T]
      const scores = tf.add(tf.mul(tf.matMul(q, kT), 1 / Math.sqrt(D)), mask); // [B, A, T, T]
      const probs = softmax(scores) as tf.Tensor4D; // [B, A, T, T]
      const context = tf.matMul(dropout(probs, this.config.attentionProbsDropoutProb, ctx), v); // [B, A, T, D]
      const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [B, T, H]); // [B, T, H]
      const projected = dropout(this.output.apply(merged), this.config.hiddenDropoutProb, ctx);
      const output = this.layerNorm.apply(tf.add(projected, x)) as tf.Tensor3D; // post-LN residual
      return { output, probs };
    });
  }
}

/**
 * The additive mask BERT adds to attention scores: (1 − mask)·−10000 for padding, and with
 * `causal` also −10000 above the diagonal (a token sees only itself and what precedes it, as
 * a left-to-right LM). attentionMask: [B, T] of 1 (attend) / 0 (padding) → [B, 1, T|1, T].
 */
export function additiveMask(attentionMask: tf.Tensor2D, causal = false): tf.Tensor4D {
  return tf.tidy(() => {
    const [B, T] = attentionMask.shape;
    const padding = tf.mul(tf.sub(1, tf.cast(tf.reshape(attentionMask, [B, 1, 1, T]), "float32")), -10000); // [B, 1, 1, T]
    if (!causal) return padding as tf.Tensor4D;
    const lower = tf.linalg.bandPart(tf.ones([T, T]), -1, 0); // [T, T] 1 on and below the diagonal
    const future = tf.reshape(tf.mul(tf.sub(1, lower), -10000), [1, 1, T, T]);
    return tf.add(padding, future) as tf.Tensor4D; // [B, 1, T, T]
  });
}
