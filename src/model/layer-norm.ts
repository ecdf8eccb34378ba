/** LayerNorm over the last axis (BERT: eps 1e-12), HF names `….LayerNorm.{weight,bias}`. */
import * as tf from "@tensorflow/tfjs-core";
import { ParamStore, ones, zeros } from "./params";

export class LayerNorm {
  readonly gamma: tf.Variable; // [H]
  readonly beta: tf.Variable; // [H]

  constructor(store: ParamStore, name: string, size: number, readonly eps: number) {
    this.gamma = store.add(`${name}.weight`, [size], ones(size));
    this.beta = store.add(`${name}.bias`, [size], zeros(size));
  }

  /** x: [..., H] → [..., H]: (x − mean) / √(var + eps) · γ + β, biased variance as torch */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const axis = x.rank - 1;
      const mean = tf.mean(x, axis, true); // [..., 1]
      const centered = tf.sub(x, mean); // [..., H]
      const variance = tf.mean(tf.square(centered), axis, true); // [..., 1]
      const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normed, this.gamma), this.beta);
    });
  }
}
