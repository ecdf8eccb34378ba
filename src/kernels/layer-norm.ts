/**
 * LayerNorm over the last axis: (x − mean)/√(var + eps)·γ + β with the biased variance, as
 * torch and BERT. On wasm with the addon: one native pass forward (keeping each row's mean
 * and 1/√(var + eps)) and one backward, instead of about a dozen tfjs kernels each way.
 */
import * as tf from "@tensorflow/tfjs-core";
import { NATIVE_KERNEL, nativeOpsActive } from "../backend/native-kernels";

export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  if (!nativeOpsActive() || x.dtype !== "float32" || x.rank === 0) {
    return tf.tidy(() => {
      const axis = x.rank - 1;
      const mean = tf.mean(x, axis, true); // [..., 1]
      const centered = tf.sub(x, mean); // [..., H]
      const variance = tf.mean(tf.square(centered), axis, true); // [..., 1]
      const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, eps)));
      return tf.add(tf.mul(normed, gamma), beta);
    });
  }
  const op = tf.customGrad(((input: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, mean, rstd] = tf.engine().runKernel(NATIVE_KERNEL.layerNorm, { x: input, gamma: g, beta: b }, { eps }) as tf.Tensor[];
    save([input, g, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, gs, ms, rs] = saved;
        return tf.engine().runKernel(NATIVE_KERNEL.layerNormGrad, { x: xs, gamma: gs, mean: ms, rstd: rs, dy }) as tf.Tensor[];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, gamma, beta);
}
