/** The activations BERT configs name (HF ACT2FN). */
import * as tf from "@tensorflow/tfjs-core";
import type { HiddenAct } from "./config";

import { gelu as geluOp } from "../kernels/gelu";

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** "gelu": the exact form x·Φ(x) = 0.5·x·(1 + erf(x/√2)), as BERT and HF use it (native on wasm with the addon). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return geluOp(x);
}

/** "gelu_new": the tanh approximation 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function geluNew(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), SQRT_2_OVER_PI);
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
  });
}

export function activation(name: HiddenAct): (x: tf.Tensor) => tf.Tensor {
  switch (name) {
    case "gelu":
      return gelu;
    case "gelu_new":
      return geluNew;
    case "relu":
      return (x) => tf.relu(x);
    case "tanh":
      return (x) => tf.tanh(x);
    case "silu":
      return (x) => tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
  }
}
