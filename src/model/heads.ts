/**
 * Heads on top of BERT. Legend: N rows, H hidden, V vocab.
 */
import * as tf from "@tensorflow/tfjs-core";
import { activation } from "./activations";
import type { BertConfig } from "./config";
import { Dense } from "./dense";
import { LayerNorm } from "./layer-norm";
import { ParamStore, zeros } from "./params";

/**
 * Masked-LM head (BertLMPredictionHead): dense + activation + LayerNorm, then the decoder,
 * tied to the word embeddings (logits = h·Eᵀ + b) with its own bias `cls.predictions.bias`.
 */
export class MlmHead {
  readonly transform: Dense;
  readonly layerNorm: LayerNorm;
  readonly bias: tf.Variable; // [V]

  constructor(store: ParamStore, readonly config: BertConfig, readonly wordEmbeddings: tf.Variable) {
    const H = config.hiddenSize;
    this.transform = new Dense(store, "cls.predictions.transform.dense", H, H, config.initializerRange);
    this.layerNorm = new LayerNorm(store, "cls.predictions.transform.LayerNorm", H, config.layerNormEps);
    this.bias = store.add("cls.predictions.bias", [config.vocabSize], zeros(config.vocabSize));
  }

  /** hidden: [N, H] or [B, T, H] → logits [N, V] or [B, T, V] */
  apply(hidden: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const lead = hidden.shape.slice(0, -1);
      const h = tf.reshape(hidden, [-1, this.config.hiddenSize]); // [N, H]
      const t = this.layerNorm.apply(activation(this.config.hiddenAct)(this.transform.apply(h)));
      const logits = tf.add(tf.matMul(t, this.wordEmbeddings, false, true), this.bias); // [N, V]
      return tf.reshape(logits, [...lead, this.config.vocabSize]);
    });
  }
}

/** Next-sentence head: 2-way on the pooled output (0 = IsNext, 1 = NotNext). */
export class NspHead {
  readonly dense: Dense;
  constructor(store: ParamStore, config: BertConfig) {
    this.dense = new Dense(store, "cls.seq_relationship", config.hiddenSize, 2, config.initializerRange);
  }
  apply(pooled: tf.Tensor2D): tf.Tensor2D {
    return this.dense.apply(pooled) as tf.Tensor2D;
  }
}
