/**
 * Softmax over the last axis (the attention probabilities). Forward is tfjs's own kernel; on
 * wasm with the addon the backward pass y·(dy − Σ dy·y) is one native pass instead of four
 * tfjs kernels.
 */
import * as tf from "@tensorflow/tfjs-core";
import { NATIVE_KERNEL, nativeOpsActive } from "../backend/native-kernels";

export function softmax(x: tf.Tensor): tf.Tensor {
  if (!nativeOpsActive() || x.dtype !== "float32") return tf.softmax(x);
  const op = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = tf.softmax(input);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.engine().runKernel(NATIVE_KERNEL.softmaxGrad, { y: saved, dy }) as tf.Tensor,
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x);
}
