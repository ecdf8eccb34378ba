/**
 * Fine-tuning for sentence and sentence-pair tasks (paper §4.1, GLUE): [CLS] A [SEP] B [SEP]
 * through BERT, the pooled output through dropout and one linear layer; cross-entropy over
 * the classes, or squared error for a regression (STS-B). A `TrainTask` for the shared
 * training loop. Legend: B batch, T tokens, K labels.
 *
 * @example
 *   const model = new BertForSequenceClassification(config, 2, { seed: 1 });
 *   const task = sequenceClassificationTask(model, tokenizer, train, dev, { batchSize: 32, maxSeqLength: 128 });
 *   const result = await train(task, { steps: 3 * task.stepsPerEpoch, learningRate: 2e-5, warmupSteps: … });
 */
import * as tf from "@tensorflow/tfjs-core";
import type { RunContext } from "../model/dropout";
import { meanSquaredError, sparseSoftmaxCrossEntropy } from "../model/losses";
import type { BertForSequenceClassification } from "../model/task-models";
import { loadFolderInto, readPretrainedFolder, savePretrainedFolder } from "../model/weights/pretrained";
import type { BertTokenizer } from "../tokenization/bert-tokenizer";
import type { TrainTask } from "../training/trainer";
import { BertLabError } from "../util/errors";
import { Rng } from "../util/rng";
import { EpochBatches, EpochBatchesState, gatherRows } from "./epoch-batches";

/** One example: a text (and an optional second one) and its label (a class index, or a score). */
export interface SentenceExample {
  textA: string;
  textB?: string;
  label: number;
}

/** Encoded examples, padded to T: row-major [N·T] arrays. */
export interface EncodedExamples {
  N: number;
  T: number;
  inputIds: Int32Array;
  tokenTypeIds: Int32Array;
  attentionMask: Int32Array;
  labels: Float32Array;
  /** real tokens per example */
  lengths: Int32Array;
}

/** Tokenizes every example once: [CLS] A [SEP] (B [SEP]), truncated as BERT's _truncate_seq_pair. */
export function encodeExamples(tokenizer: BertTokenizer, examples: readonly SentenceExample[], maxSeqLength: number): EncodedExamples {
  const N = examples.length;
  const T = maxSeqLength;
  const out: EncodedExamples = {
    N,
    T,
    inputIds: new Int32Array(N * T),
    tokenTypeIds: new Int32Array(N * T),
    attentionMask: new Int32Array(N * T),
    labels: new Float32Array(N),
    lengths: new Int32Array(N),
  };
  examples.forEach((ex, i) => {
    const e = tokenizer.encode(ex.textA, ex.textB ?? null, { maxLength: T });
    const n = e.inputIds.length;
    for (let t = 0; t < n; t++) {
      out.inputIds[i * T + t] = e.inputIds[t];
      out.tokenTypeIds[i * T + t] = e.tokenTypeIds[t];
      out.attentionMask[i * T + t] = 1;
    }
    out.labels[i] = ex.label;
    out.lengths[i] = n;
  });
  return out;
}

/** A batch: rows of the encoded examples. */
export interface ClassificationBatch {
  rows: Int32Array;
}

export interface SequenceTaskOptions {
  batchSize: number;
  maxSeqLength: number;
  /** seeds the order of the examples in each epoch */
  seed?: number;
  /** metrics of dev predictions (class indices, or scores for regression) against the labels */
  metrics?: (predictions: number[], labels: number[]) => Record<string, number>;
}

export type SequenceTask = TrainTask<ClassificationBatch> & {
  stepsPerEpoch: number;
  /** dev predictions: class indices (argmax), or scores for a regression model */
  predict(examples: EncodedExamples): number[];
};

/**
 * The training task: shuffled epochs over `train` (the order seeded per epoch), the loss, and
 * evaluation on `dev` with `metrics` (accuracy by default; the regression default is the mean
 * squared error).
 */
export function sequenceClassificationTask(
  model: BertForSequenceClassification,
  tokenizer: BertTokenizer,
  train: readonly SentenceExample[],
  dev: readonly SentenceExample[],
  options: SequenceTaskOptions,
): SequenceTask {
  const regression = model.numLabels === 1;
  const K = model.numLabels;
  for (const [name, set] of [["train", train], ["dev", dev]] as const) {
    set.forEach((ex, i) => {
      if (regression ? !Number.isFinite(ex.label) : !(Number.isInteger(ex.label) && ex.label >= 0 && ex.label < K)) {
        throw new BertLabError("BAD_LABEL", `${name} example ${i} has label ${ex.label}: expected ${regression ? "a number" : `a class index 0..${K - 1}`}`);
      }
    });
  }
  if (train.length === 0) throw new BertLabError("NO_EXAMPLES", "no training examples");
  const trainSet = encodeExamples(tokenizer, train, options.maxSeqLength);
  const devSet = encodeExamples(tokenizer, dev, options.maxSeqLength);
  const B = options.batchSize;
  const stepsPerEpoch = Math.ceil(trainSet.N / B);
  const seed = options.seed ?? 0;
  const batches = new EpochBatches(trainSet.N, B, seed);
  const metrics = options.metrics ?? ((p: number[], y: number[]): Record<string, number> => (regression ? { mse: mean(p.map((v, i) => (v - y[i]) ** 2)) } : { accuracy: mean(p.map((v, i) => (v === y[i] ? 1 : 0))) }));

  const logitsOf = (set: EncodedExamples, rows: Int32Array, ctx: RunContext) =>
    tf.tidy(() => {
      const T = set.T;
      const pick = (a: Int32Array) => gatherRows(a, T, rows);
      const mask = pick(set.attentionMask);
      const base = model.bert.forwardTensors(pick(set.inputIds), pick(set.tokenTypeIds), mask, { training: ctx.training, rng: ctx.rng });
      const features = model.sentenceFeatures(base, mask);
      const pooled = ctx.training ? tf.dropout(features, model.config.hiddenDropoutProb, undefined, ctx.rng.randint(0, 2 ** 31 - 1)) : features;
      return model.classifier.apply(pooled) as tf.Tensor2D; // [B, K]
    });

  const predict = (set: EncodedExamples): number[] => {
    const out: number[] = [];
    for (let i = 0; i < set.N; i += B) {
      const rows = Int32Array.from({ length: Math.min(B, set.N - i) }, (_, k) => i + k);
      const logits = logitsOf(set, rows, { training: false, rng: new Rng(0) });
      const values = regression ? Array.from(logits.dataSync()) : Array.from(tf.tidy(() => tf.argMax(logits, 1).dataSync()));
      logits.dispose();
      out.push(...values);
    }
    return out;
  };

  return {
    params: model.store.vars,
    stepsPerEpoch,
    predict,
    nextBatch: () => [{ rows: batches.next() }],
    loss(batch, ctx) {
      let correct = 0;
      const loss = tf.tidy(() => {
        const logits = logitsOf(trainSet, batch.rows, ctx);
        const y = Array.from(batch.rows, (r) => trainSet.labels[r]);
        if (regression) return meanSquaredError(logits, y);
        const predicted = tf.argMax(logits, 1).dataSync();
        y.forEach((v, k) => (correct += predicted[k] === v ? 1 : 0));
        return sparseSoftmaxCrossEntropy(logits, y);
      });
      return { loss, stats: { examples: batch.rows.length, correct } };
    },
    tokens: (batch) => batch.rows.reduce((s, r) => s + trainSet.lengths[r], 0),
    metrics: (sums): Record<string, number> => (regression ? {} : { train_accuracy: sums.examples ? sums.correct / sums.examples : 0 }),
    evaluate: dev.length > 0 ? () => metrics(predict(devSet), Array.from(devSet.labels)) : undefined,
    dataState: () => batches.getState(),
    restoreDataState: (state) => batches.setState(state as EpochBatchesState),
    epoch: () => batches.epoch,
    saveModel: (dir) => savePretrainedFolder(dir, model.store, model.config, { architecture: "BertForSequenceClassification", vocabText: tokenizer.vocab.toText() }),
    loadModel(dir) {
      loadFolderInto(model.store, readPretrainedFolder(dir), { log: () => {} });
    },
  };
}


const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
