/**
 * The fused softmax cross-entropy on wasm with the addon: one native pass over the logits
 * [M, C] gives the mean loss and its gradient (softmax − one-hot)/M, kept for the backward
 * pass, which only scales it by dy. src/model/losses.ts uses it when nativeOpsActive().
 */
import * as tf from "@tensorflow/tfjs-core";
import { NATIVE_KERNEL } from "../backend/native-kernels";

export function softmaxCrossEntropyNative(logits: tf.Tensor2D, labels: Int32Array): tf.Scalar {
  const op = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const [loss, grad] = tf.engine().runKernel(NATIVE_KERNEL.softmaxCrossEntropy, { logits: x, labels: tf.tensor1d(labels, "int32") }) as tf.Tensor[];
    save([grad]);
    return { value: loss, gradFunc: (dy: tf.Tensor, [g]: tf.Tensor[]) => tf.mul(g, dy) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(logits) as tf.Scalar;
}
