/**
 * Losses. Legend: M labelled rows, C classes (the vocabulary for MLM).
 */
import * as tf from "@tensorflow/tfjs-core";
import { nativeOpsActive } from "../backend/native-kernels";
import { softmaxCrossEntropyNative } from "../kernels/cross-entropy";

/**
 * Mean softmax cross-entropy of logits [M, C] against integer labels [M], with its own
 * gradient (softmax − one-hot)/M built by overwriting M entries of the softmax — no
 * [M, C] one-hot is ever made (it would not fit the wasm heap for a BERT vocabulary).
 *
 * @example
 *   sparseSoftmaxCrossEntropy(tf.tensor2d([[0, 0]]), [1]).dataSync()[0] // → 0.6931… (ln 2)
 */
export function sparseSoftmaxCrossEntropy(logits: tf.Tensor2D, labels: ArrayLike<number>): tf.Scalar {
  const [M, C] = logits.shape;
  if (labels.length !== M) throw new Error(`cross-entropy: ${M} rows of logits but ${labels.length} labels`);
  const flatIndex = new Int32Array(M);
  for (let i = 0; i < M; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= C) throw new Error(`cross-entropy: label ${y} at row ${i} is outside 0..${C - 1}`);
    flatIndex[i] = i * C + y;
  }
  if (nativeOpsActive() && logits.dtype === "float32") return softmaxCrossEntropyNative(logits, Int32Array.from(labels));
  // tfjs types the arguments as (Tensor | GradSaveFunc)[]: they are (logits, save)
  const loss = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const logProbs = tf.logSoftmax(x as tf.Tensor2D); // [M, C]
    const picked = tf.gather(tf.reshape(logProbs, [M * C]), tf.tensor1d(flatIndex, "int32")); // [M]
    save([logProbs]);
    return {
      value: tf.neg(tf.mean(picked)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [lp] = saved;
        const probs = tf.reshape(tf.exp(lp), [M * C]); // [M·C]
        const at = tf.tensor2d(flatIndex, [M, 1], "int32");
        const minusOne = tf.sub(tf.gather(probs, tf.tensor1d(flatIndex, "int32")), 1); // [M]
        const grad = tf.reshape(tf.tensorScatterUpdate(probs, at, minusOne), [M, C]); // softmax − one-hot
        return tf.mul(grad, tf.div(dy, M));
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return loss(logits) as tf.Scalar;
}

/** Mean squared error, for regression heads (STS-B). */
export function meanSquaredError(predictions: tf.Tensor, targets: ArrayLike<number>): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(tf.reshape(predictions, [-1]), tf.tensor1d(Array.from(targets), "float32"))) as tf.Scalar);
}
