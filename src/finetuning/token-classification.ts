/**
 * Fine-tuning for token-level tasks (paper §4.3, NER): each word's label is predicted at its
 * first word piece; the other pieces are ignored (label −100), as the paper does for
 * CoNLL-2003. Predictions are mapped back to words and scored at the entity level (seqeval).
 * Legend: B batch, T tokens, H hidden, K labels, M labelled positions.
 *
 * @example
 *   const task = tokenClassificationTask(model, tokenizer, train.sentences, dev.sentences, { labels, batchSize: 32, maxSeqLength: 128 });
 *   await train(task, { steps: 3 * task.stepsPerEpoch, learningRate: 5e-5 });
 */
import * as tf from "@tensorflow/tfjs-core";
import type { RunContext } from "../model/dropout";
import { sparseSoftmaxCrossEntropy } from "../model/losses";
import type { BertForTokenClassification } from "../model/task-models";
import { loadFolderInto, readPretrainedFolder, savePretrainedFolder } from "../model/weights/pretrained";
import type { BertTokenizer } from "../tokenization/bert-tokenizer";
import type { TrainTask } from "../training/trainer";
import { BertLabError } from "../util/errors";
import { Rng } from "../util/rng";
import { EpochBatches, EpochBatchesState, gatherRows } from "./epoch-batches";
import { seqevalScores } from "./metrics";

export interface TaggedSentence {
  tokens: readonly string[];
  tags: readonly string[];
}

export interface EncodedSentences {
  N: number;
  T: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  /** [N·T]: the label index at each word's first piece, −100 elsewhere */
  labels: Int32Array;
  /** per sentence, per word: the position of its first piece, or −1 (no pieces, or cut off) */
  firstPiece: Int32Array[];
  lengths: Int32Array;
}

/**
 * [CLS] pieces… [SEP], each word tokenized on its own (so pieces never cross words),
 * truncated to maxSeqLength: words that do not fit get no position (predicted "O").
 */
export function encodeTagged(tokenizer: BertTokenizer, sentences: readonly TaggedSentence[], labels: readonly string[], maxSeqLength: number): EncodedSentences {
  const N = sentences.length;
  const T = maxSeqLength;
  const index = new Map(labels.map((l, i) => [l, i]));
  const cls = tokenizer.vocab.requireId("[CLS]");
  const sep = tokenizer.vocab.requireId("[SEP]");
  const out: EncodedSentences = {
    N,
    T,
    inputIds: new Int32Array(N * T),
    attentionMask: new Int32Array(N * T),
    labels: new Int32Array(N * T).fill(-100),
    firstPiece: [],
    lengths: new Int32Array(N),
  };
  sentences.forEach((s, n) => {
    if (s.tokens.length !== s.tags.length) throw new BertLabError("BAD_SENTENCE", `sentence ${n} has ${s.tokens.length} words but ${s.tags.length} tags`);
    const row = n * T;
    const first = new Int32Array(s.tokens.length).fill(-1);
    let t = 0;
    out.inputIds[row + t++] = cls;
    for (let w = 0; w < s.tokens.length; w++) {
      const pieces = tokenizer.tokenizeToIds(s.tokens[w]);
      if (pieces.length === 0 || t + pieces.length > T - 1) continue; // no pieces, or no room before [SEP]
      const label = index.get(s.tags[w]);
      if (label === undefined) throw new BertLabError("UNKNOWN_LABEL", `sentence ${n}, word ${w}: tag ${JSON.stringify(s.tags[w])} is not in the label list (${labels.join(", ")})`);
      first[w] = t;
      out.labels[row + t] = label;
      for (const id of pieces) out.inputIds[row + t++] = id;
    }
    out.inputIds[row + t++] = sep;
    out.attentionMask.fill(1, row, row + t);
    out.lengths[n] = t;
    out.firstPiece.push(first);
  });
  return out;
}

export interface TokenTaskOptions {
  /** the label list (e.g. labelList(train) from src/data/conll.ts) */
  labels: readonly string[];
  batchSize: number;
  maxSeqLength: number;
  seed?: number;
}

export type TokenTask = TrainTask<{ rows: Int32Array }> & {
  stepsPerEpoch: number;
  /** each sentence's predicted tags, one per word ("O" where a word got no position) */
  predictTags(set: EncodedSentences): string[][];
};

export function tokenClassificationTask(
  model: BertForTokenClassification,
  tokenizer: BertTokenizer,
  train: readonly TaggedSentence[],
  dev: readonly TaggedSentence[],
  options: TokenTaskOptions,
): TokenTask {
  if (options.labels.length !== model.numLabels) {
    throw new BertLabError("LABELS_MISMATCH", `the model has ${model.numLabels} outputs but the label list has ${options.labels.length}`);
  }
  if (train.length === 0) throw new BertLabError("NO_EXAMPLES", "no training sentences");
  const trainSet = encodeTagged(tokenizer, train, options.labels, options.maxSeqLength);
  const devSet = encodeTagged(tokenizer, dev, options.labels, options.maxSeqLength);
  const B = options.batchSize;
  const seed = options.seed ?? 0;
  const stepsPerEpoch = Math.ceil(trainSet.N / B);
  const batches = new EpochBatches(trainSet.N, B, seed);
  const F = model.classifier.kernel.shape[0]; // BERT's hidden size, or the BiLSTM's two directions

  /** logits [B·T, K] of the rows (all positions), for prediction */
  const logitsOf = (set: EncodedSentences, rows: Int32Array, ctx: RunContext, positions?: Int32Array) =>
    tf.tidy(() => {
      const T = set.T;
      const pick = (a: Int32Array) => gatherRows(a, T, rows);
      const ids = pick(set.inputIds);
      const mask = pick(set.attentionMask);
      const base = model.bert.forwardTensors(ids, tf.zerosLike(ids), mask, { training: ctx.training, rng: ctx.rng });
      let h: tf.Tensor = tf.reshape(model.tokenFeatures(base, mask), [rows.length * T, F]);
      if (positions) h = tf.gather(h, tf.tensor1d(positions, "int32")); // [M, H]
      if (ctx.training) h = tf.dropout(h, model.config.hiddenDropoutProb, undefined, ctx.rng.randint(0, 2 ** 31 - 1));
      return model.classifier.apply(h) as tf.Tensor2D;
    });

  const predictTags = (set: EncodedSentences): string[][] => {
    const out: string[][] = [];
    for (let i = 0; i < set.N; i += B) {
      const rows = Int32Array.from({ length: Math.min(B, set.N - i) }, (_, k) => i + k);
      const logits = logitsOf(set, rows, { training: false, rng: new Rng(0) });
      const best = tf.tidy(() => tf.argMax(logits, 1).dataSync() as Int32Array);
      logits.dispose();
      rows.forEach((r, k) => out.push(Array.from(set.firstPiece[r], (p) => (p < 0 ? "O" : options.labels[best[k * set.T + p]]))));
    }
    return out;
  };

  return {
    params: model.store.vars,
    stepsPerEpoch,
    predictTags,
    nextBatch: () => [{ rows: batches.next() }],
    loss(batch, ctx) {
      const T = trainSet.T;
      const positions: number[] = [];
      const y: number[] = [];
      batch.rows.forEach((r, k) => {
        for (let t = 0; t < T; t++) {
          const l = trainSet.labels[r * T + t];
          if (l !== -100) {
            positions.push(k * T + t);
            y.push(l);
          }
        }
      });
      let correct = 0;
      const loss = tf.tidy(() => {
        if (positions.length === 0) return tf.scalar(0);
        const logits = logitsOf(trainSet, batch.rows, ctx, Int32Array.from(positions)); // [M, K]
        const predicted = tf.argMax(logits, 1).dataSync();
        y.forEach((v, i) => (correct += predicted[i] === v ? 1 : 0));
        return sparseSoftmaxCrossEntropy(logits, y);
      });
      return { loss, stats: { words: y.length, correct } };
    },
    tokens: (batch) => batch.rows.reduce((s, r) => s + trainSet.lengths[r], 0),
    metrics: (sums): Record<string, number> => ({ word_accuracy: sums.words ? sums.correct / sums.words : 0 }),
    evaluate:
      dev.length > 0
        ? () => {
            const s = seqevalScores(dev.map((d) => [...d.tags]), predictTags(devSet));
            return { f1: s.f1, precision: s.precision, recall: s.recall }; // f1 first: the headline
          }
        : undefined,
    dataState: () => batches.getState(),
    restoreDataState: (state) => batches.setState(state as EpochBatchesState),
    epoch: () => batches.epoch,
    saveModel: (dir) => savePretrainedFolder(dir, model.store, model.config, { architecture: "BertForTokenClassification", vocabText: tokenizer.vocab.toText() }),
    loadModel(dir) {
      loadFolderInto(model.store, readPretrainedFolder(dir), { log: () => {} });
    },
  };
}

