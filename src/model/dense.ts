/**
 * A linear layer y = x·W + b on the last axis (nn.Linear). Legend: N rows, I in, O out.
 */
import * as tf from "@tensorflow/tfjs-core";
import { nativeOpsActive } from "../backend/native-kernels";
import { ParamStore, zeros } from "./params";

export class Dense {
  readonly kernel: tf.Variable; // [I, O]
  readonly bias: tf.Variable; // [O]

  constructor(store: ParamStore, name: string, inSize: number, outSize: number, std: number) {
    this.kernel = store.add(`${name}.weight`, [inSize, outSize], store.truncatedNormal(inSize * outSize, std), { linear: true });
    this.bias = store.add(`${name}.bias`, [outSize], zeros(outSize));
  }

  /** x: [..., I] → [..., O] */
  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const inSize = this.kernel.shape[0];
      const lead = x.shape.slice(0, -1);
      const flat = x.rank === 2 ? x : tf.reshape(x, [-1, inSize]); // [N, I]
      // with the native kernels the bias is added inside the product (one pass fewer each way)
      const y = nativeOpsActive()
        ? tf.fused.matMul({ a: flat as tf.Tensor2D, b: this.kernel as tf.Tensor2D, bias: this.bias })
        : tf.add(tf.matMul(flat, this.kernel), this.bias); // [N, O]
      return x.rank === 2 ? y : tf.reshape(y, [...lead, this.kernel.shape[1] as number]);
    });
  }
}
