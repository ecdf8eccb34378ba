/**
 * Span question answering on SQuAD v1.1 (paper §4.2): [CLS] question [SEP] passage [SEP]
 * through BERT, one linear layer gives every token a start and an end logit, and the answer
 * is the best valid span. The algorithm is that of google-research/bert run_squad.py, written
 * afresh: sliding windows over long passages, the "max context" rule and answer pieces
 * tightened to the annotated text are in squad-features.ts (convert_examples_to_features);
 * n-best span search and the projection of word pieces back onto the original text in
 * squad-predictions.ts (write_predictions, get_final_text). This file is the training task:
 * the loss (compute_loss), evaluation, saving and loading.
 * Legend: N windows (features), B batch, T tokens (maxSeqLength), H hidden.
 *
 * @example
 *   const model = new BertForQuestionAnswering(config, { seed: 1 });
 *   const task = questionAnsweringTask(model, tokenizer, train.examples, dev.examples, { batchSize: 32 });
 *   await train(task, { steps: 2 * task.stepsPerEpoch, learningRate: 3e-5, warmupSteps: … });
 *   task.evaluate!() // → { f1: 88.5…, exact_match: 80.8… } for BERT-base (the paper's Table 2)
 */
import * as tf from "@tensorflow/tfjs-core";
import type { SquadExample } from "../data/squad";
import type { RunContext } from "../model/dropout";
import { sparseSoftmaxCrossEntropy } from "../model/losses";
import type { BertForQuestionAnswering } from "../model/task-models";
import { loadFolderInto, readPretrainedFolder, savePretrainedFolder } from "../model/weights/pretrained";
import type { BertTokenizer } from "../tokenization/bert-tokenizer";
import type { TrainTask } from "../training/trainer";
import { BertLabError } from "../util/errors";
import { Rng } from "../util/rng";
import { EpochBatches, EpochBatchesState, gatherRows } from "./epoch-batches";
import { squadScores } from "./metrics";
import { positiveInt, squadFeatures, SquadFeatures } from "./squad-features";
import { squadPredictions } from "./squad-predictions";

export interface QuestionAnsweringOptions {
  batchSize: number;
  /** default 384 */
  maxSeqLength?: number;
  /** default 128 */
  docStride?: number;
  /** default 64 */
  maxQueryLength?: number;
  /** seeds the order of the windows in each epoch */
  seed?: number;
  /** default 20 */
  nBestSize?: number;
  /** default 30 */
  maxAnswerLength?: number;
}

export type QuestionAnsweringTask = TrainTask<{ rows: Int32Array }> & {
  /** batches per pass over the training windows (run_squad.py counts its epochs in questions: slightly fewer steps) */
  stepsPerEpoch: number;
  trainFeatures: SquadFeatures;
  devFeatures: SquadFeatures;
  /** start and end logits of every window, row-major [N·T] (dropout off) */
  predictLogits(features: SquadFeatures): { startLogits: Float32Array; endLogits: Float32Array };
  /** question id → predicted answer text */
  predictAnswers(examples: readonly SquadExample[]): Record<string, string>;
};

/**
 * The training task: shuffled epochs over the training windows, loss (CE(start) + CE(end)) / 2
 * over all T positions (run_squad.py's compute_loss), and evaluation on `dev` with the official
 * SQuAD v1.1 exact match and F1 (percent) against all its gold answers.
 */
export function questionAnsweringTask(
  model: BertForQuestionAnswering,
  tokenizer: BertTokenizer,
  train: readonly SquadExample[],
  dev: readonly SquadExample[],
  options: QuestionAnsweringOptions,
): QuestionAnsweringTask {
  const featureOptions = { maxSeqLength: options.maxSeqLength ?? 384, docStride: options.docStride ?? 128, maxQueryLength: options.maxQueryLength ?? 64 };
  const predictionOptions = { nBestSize: options.nBestSize ?? 20, maxAnswerLength: options.maxAnswerLength ?? 30 };
  const B = options.batchSize;
  positiveInt("batchSize", B, 1);
  if (featureOptions.maxSeqLength > model.config.maxPositionEmbeddings) {
    throw new BertLabError("BAD_OPTION", `maxSeqLength ${featureOptions.maxSeqLength} is longer than the model's ${model.config.maxPositionEmbeddings} positions (maxPositionEmbeddings) — lower maxSeqLength`);
  }
  if (train.length === 0) throw new BertLabError("NO_EXAMPLES", "no training questions");
  const trainSet = squadFeatures(tokenizer, train, { ...featureOptions, training: true });
  if (trainSet.N === 0) throw new BertLabError("NO_EXAMPLES", `none of the ${train.length} training questions has an answer found in its passage's words`);
  const devSet = squadFeatures(tokenizer, dev, featureOptions);
  const batches = new EpochBatches(trainSet.N, B, options.seed ?? 0);
  const starts = trainSet.startPositions!;
  const ends = trainSet.endPositions!;

  /** start and end logits [B, T] of the rows (the caller disposes them) */
  const logitsOf = (set: SquadFeatures, rows: Int32Array, ctx: RunContext) =>
    tf.tidy(() => {
      const pick = (a: Int32Array) => gatherRows(a, set.T, rows);
      const base = model.bert.forwardTensors(pick(set.inputIds), pick(set.tokenTypeIds), pick(set.attentionMask), { training: ctx.training, rng: ctx.rng });
      const logits = model.qaOutputs.apply(base.lastHiddenState); // [B, T, 2]; no dropout here, as run_squad.py
      const [start, end] = tf.unstack(logits, 2) as tf.Tensor2D[]; // [B, T] each
      return { start, end };
    });

  const predictLogits = (set: SquadFeatures) => {
    const startLogits = new Float32Array(set.N * set.T);
    const endLogits = new Float32Array(set.N * set.T);
    for (let i = 0; i < set.N; i += B) {
      const rows = Int32Array.from({ length: Math.min(B, set.N - i) }, (_, k) => i + k);
      const { start, end } = logitsOf(set, rows, { training: false, rng: new Rng(0) });
      startLogits.set(start.dataSync(), i * set.T);
      endLogits.set(end.dataSync(), i * set.T);
      tf.dispose([start, end]);
    }
    return { startLogits, endLogits };
  };

  const answersFor = (examples: readonly SquadExample[], set: SquadFeatures) => {
    const { startLogits, endLogits } = predictLogits(set);
    return squadPredictions(examples, set, startLogits, endLogits, predictionOptions).answers;
  };

  return {
    params: model.store.vars,
    stepsPerEpoch: batches.perEpoch,
    trainFeatures: trainSet,
    devFeatures: devSet,
    predictLogits,
    predictAnswers: (examples) => answersFor(examples, examples === dev ? devSet : squadFeatures(tokenizer, examples, featureOptions)),
    nextBatch: () => [{ rows: batches.next() }],
    loss(batch, ctx) {
      const ys = Array.from(batch.rows, (r) => starts[r]);
      const ye = Array.from(batch.rows, (r) => ends[r]);
      let startCorrect = 0;
      let endCorrect = 0;
      const loss = tf.tidy(() => {
        const { start, end } = logitsOf(trainSet, batch.rows, ctx);
        const ps = tf.argMax(start, 1).dataSync();
        const pe = tf.argMax(end, 1).dataSync();
        ys.forEach((y, k) => (startCorrect += ps[k] === y ? 1 : 0));
        ye.forEach((y, k) => (endCorrect += pe[k] === y ? 1 : 0));
        return tf.div(tf.add(sparseSoftmaxCrossEntropy(start, ys), sparseSoftmaxCrossEntropy(end, ye)), 2) as tf.Scalar;
      });
      return { loss, stats: { windows: batch.rows.length, startCorrect, endCorrect } };
    },
    tokens: (batch) => batch.rows.reduce((s, r) => s + trainSet.lengths[r], 0),
    metrics: (sums): Record<string, number> => ({
      start_accuracy: sums.windows ? sums.startCorrect / sums.windows : 0,
      end_accuracy: sums.windows ? sums.endCorrect / sums.windows : 0,
    }),
    evaluate:
      dev.length > 0
        ? () => {
            const s = squadScores(answersFor(dev, devSet), dev);
            return { f1: s.f1, exact_match: s.exact_match }; // f1 first: the headline
          }
        : undefined,
    dataState: () => batches.getState(),
    restoreDataState: (state) => batches.setState(state as EpochBatchesState),
    epoch: () => batches.epoch,
    saveModel: (dir) => savePretrainedFolder(dir, model.store, model.config, { architecture: "BertForQuestionAnswering", vocabText: tokenizer.vocab.toText() }),
    loadModel(dir) {
      loadFolderInto(model.store, readPretrainedFolder(dir), { log: () => {} });
    },
  };
}
