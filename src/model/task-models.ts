/**
 * BERT with one small layer on top, for fine-tuning (paper §4): sequence classification or
 * regression from the pooled [CLS] output, token classification from every token's output,
 * and span QA (start/end logits); optionally a BiLSTM before the classifier. HF names: `bert.…`, `classifier.…`, `qa_outputs.…`.
 * Legend: B batch, T tokens, H hidden, K labels.
 */
import * as tf from "@tensorflow/tfjs-core";
import { addBiLstm, biLstm } from "./bilstm";
import { BertModel, BertModelOutput, ForwardOptions, ModelOptions } from "./bert-model";
import type { BertConfig } from "./config";
import { Dense } from "./dense";
import { dropout } from "./dropout";
import { BertInput, prepareInputs } from "./inputs";
import { ParamStore, tidyObject } from "./params";
import { Rng } from "../util/rng";
import { DISPLAY } from "../display/mime";
import { modelSummary } from "../display/model-summary";

abstract class TaskModel<Out> {
  readonly store: ParamStore;
  readonly bert: BertModel;
  readonly config: BertConfig;
  protected readonly rng: Rng;

  constructor(config: BertConfig, options: Omit<ModelOptions, "prefix" | "store">) {
    this.store = new ParamStore(options.seed ?? 0);
    this.bert = new BertModel(config, { ...options, prefix: "bert.", store: this.store });
    this.config = this.bert.config;
    this.rng = new Rng((options.seed ?? 0) + 2);
  }

  /** Runs BERT, then the head on its output (the caller disposes the result). */
  forward(input: BertInput, options: ForwardOptions = {}): BertModelOutput & Out {
    const t = prepareInputs(input, this.config);
    try {
      return tidyObject(() => {
        const base = this.bert.forwardTensors(t.inputIds, t.tokenTypeIds, t.attentionMask, options);
        const ctx = { training: options.training ?? false, rng: options.rng ?? this.rng };
        return { ...base, ...this.head(base, (x: tf.Tensor) => dropout(x, this.config.hiddenDropoutProb, ctx), t.attentionMask) };
      });
    } finally {
      tf.dispose([t.inputIds, t.tokenTypeIds, t.attentionMask]);
    }
  }

  protected abstract head(base: BertModelOutput, drop: (x: tf.Tensor) => tf.Tensor, attentionMask: tf.Tensor2D): Out;

  dispose(): void {
    this.store.dispose();
  }

  /** Shows the per-module parameter table in a notebook (show(model), Deno). */
  [DISPLAY]() { return modelSummary(this)[DISPLAY](); }
}

/** The classifier's input size: BERT's hidden size, or both directions of the BiLSTM (config.bilstmHiddenSize). */
function classifierInput(store: ParamStore, config: BertConfig): number {
  const h = config.bilstmHiddenSize;
  if (h === undefined) return config.hiddenSize;
  addBiLstm(store, "bilstm", config.hiddenSize, h);
  return 2 * h;
}

/**
 * Sentence (pair) classification, or regression with numLabels 1 (STS-B), from the pooled
 * output — or, with config.bilstmHiddenSize, from a BiLSTM's reading of every token (Table 5's
 * "+ BiLSTM": its forward state at the last token and its backward state at the first).
 */
export class BertForSequenceClassification extends TaskModel<{ logits: tf.Tensor2D }> {
  readonly classifier: Dense;
  constructor(config: BertConfig, readonly numLabels: number, options: Omit<ModelOptions, "prefix" | "store"> = {}) {
    super(config, options);
    this.classifier = new Dense(this.store, "classifier", classifierInput(this.store, this.config), numLabels, this.config.initializerRange);
  }
  /** What the classifier reads, [B, F]: the pooled output, or the BiLSTM's summary. */
  sentenceFeatures(base: BertModelOutput, attentionMask: tf.Tensor2D): tf.Tensor2D {
    if (this.config.bilstmHiddenSize === undefined) return base.pooledOutput;
    return biLstm(this.store, "bilstm", base.lastHiddenState, attentionMask).summary;
  }
  protected head(base: BertModelOutput, drop: (x: tf.Tensor) => tf.Tensor, attentionMask: tf.Tensor2D) {
    return { logits: this.classifier.apply(drop(this.sentenceFeatures(base, attentionMask))) as tf.Tensor2D }; // [B, K]
  }
}

/** A label for every token (NER), from BERT's last layer — or from a BiLSTM over it (config.bilstmHiddenSize). */
export class BertForTokenClassification extends TaskModel<{ logits: tf.Tensor3D }> {
  readonly classifier: Dense;
  constructor(config: BertConfig, readonly numLabels: number, options: Omit<ModelOptions, "prefix" | "store"> = {}) {
    super(config, options);
    this.classifier = new Dense(this.store, "classifier", classifierInput(this.store, this.config), numLabels, this.config.initializerRange);
  }
  /** What the classifier reads at each token, [B, T, F]. */
  tokenFeatures(base: BertModelOutput, attentionMask: tf.Tensor2D): tf.Tensor3D {
    if (this.config.bilstmHiddenSize === undefined) return base.lastHiddenState;
    return biLstm(this.store, "bilstm", base.lastHiddenState, attentionMask).outputs;
  }
  protected head(base: BertModelOutput, drop: (x: tf.Tensor) => tf.Tensor, attentionMask: tf.Tensor2D) {
    return { logits: this.classifier.apply(drop(this.tokenFeatures(base, attentionMask))) as tf.Tensor3D }; // [B, T, K]
  }
}

/** Span question answering (SQuAD): where the answer starts and ends. */
export class BertForQuestionAnswering extends TaskModel<{ startLogits: tf.Tensor2D; endLogits: tf.Tensor2D }> {
  readonly qaOutputs: Dense;
  constructor(config: BertConfig, options: Omit<ModelOptions, "prefix" | "store"> = {}) {
    super(config, options);
    this.qaOutputs = new Dense(this.store, "qa_outputs", this.config.hiddenSize, 2, this.config.initializerRange);
  }
  protected head(base: BertModelOutput) {
    const logits = this.qaOutputs.apply(base.lastHiddenState); // [B, T, 2]
    const [start, end] = tf.unstack(logits, 2);
    return { startLogits: start as tf.Tensor2D, endLogits: end as tf.Tensor2D }; // [B, T] each
  }
}
