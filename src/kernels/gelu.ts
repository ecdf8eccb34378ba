/**
 * GELU, the exact erf form BERT uses: x·Φ(x) = 0.5·x·(1 + erf(x/√2)). One native kernel each
 * way on wasm with the addon (the backward pass is Φ(x) + x·φ(x)); tfjs ops elsewhere.
 *
 * @example
 *   gelu(tf.tensor1d([-1, 0, 1])).dataSync() // → [-0.1587, 0, 0.8413]
 */
import * as tf from "@tensorflow/tfjs-core";
import { NATIVE_KERNEL, nativeOpsActive } from "../backend/native-kernels";

const SQRT_HALF = Math.SQRT1_2;

export function gelu(x: tf.Tensor): tf.Tensor {
  if (!nativeOpsActive() || x.dtype !== "float32") {
    return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, SQRT_HALF)))));
  }
  const op = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    save([input]);
    return {
      value: tf.engine().runKernel(NATIVE_KERNEL.gelu, { x: input }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.engine().runKernel(NATIVE_KERNEL.geluGrad, { x: saved, dy }) as tf.Tensor,
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x);
}
