/**
 * BERT with one small layer on top, for fine-tuning (paper §4): sequence classification or
 * regression from the pooled [CLS] output, token classification from every token's output,
 * and span QA (start/end logits). HF names: `bert.…`, `classifier.…`, `qa_outputs.…`.
 * Legend: B batch, T tokens, H hidden, K labels.
 */
import * as tf from "@tensorflow/tfjs-core";
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
        return { ...base, ...this.head(base, (x: tf.Tensor) => dropout(x, this.config.hiddenDropoutProb, ctx)) };
      });
    } finally {
      tf.dispose([t.inputIds, t.tokenTypeIds, t.attentionMask]);
    }
  }

  protected abstract head(base: BertModelOutput, drop: (x: tf.Tensor) => tf.Tensor): Out;

  dispose(): void {
    this.store.dispose();
  }

  /** Shows the per-module parameter table in a notebook (show(model), Deno). */
  [DISPLAY]() { return modelSummary(this)[DISPLAY](); }
}

/** Sentence (pair) classification, or regression with numLabels 1 (STS-B). */
export class BertForSequenceClassification extends TaskModel<{ logits: tf.Tensor2D }> {
  readonly classifier: Dense;
  constructor(config: BertConfig, readonly numLabels: number, options: Omit<ModelOptions, "prefix" | "store"> = {}) {
    super(config, options);
    this.classifier = new Dense(this.store, "classifier", this.config.hiddenSize, numLabels, this.config.initializerRange);
  }
  protected head(base: BertModelOutput, drop: (x: tf.Tensor) => tf.Tensor) {
    return { logits: this.classifier.apply(drop(base.pooledOutput)) as tf.Tensor2D }; // [B, K]
  }
}

/** A label for every token (NER). */
export class BertForTokenClassification extends TaskModel<{ logits: tf.Tensor3D }> {
  readonly classifier: Dense;
  constructor(config: BertConfig, readonly numLabels: number, options: Omit<ModelOptions, "prefix" | "store"> = {}) {
    super(config, options);
    this.classifier = new Dense(this.store, "classifier", this.config.hiddenSize, numLabels, this.config.initializerRange);
  }
  protected head(base: BertModelOutput, drop: (x: tf.Tensor) => tf.Tensor) {
    return { logits: this.classifier.apply(drop(base.lastHiddenState)) as tf.Tensor3D }; // [B, T, K]
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
