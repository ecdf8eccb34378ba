/** LayerNorm over the last axis (BERT: eps 1e-12), HF names `….LayerNorm.{weight,bias}`. */
import * as tf from "@tensorflow/tfjs-core";
import { layerNorm } from "../kernels/layer-norm";
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
    return layerNorm(x, this.gamma, this.beta, this.eps);
  }
}
