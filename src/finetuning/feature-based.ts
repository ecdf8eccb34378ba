/**
 * The feature-based approach for NER (paper §5.3, Table 7): BERT stays frozen; the hidden
 * states at each word's first piece are extracted once, and a small tagger is trained on
 * them — a BiLSTM before a linear classifier, as the paper, or a linear classifier alone.
 * Legend: N sentences, B batch, W words (padded), T tokens, H hidden, L encoder layers,
 * S stored states per word (L + 1 for "weighted", else 1), F feature size (H, or k·H for a
 * concatenation of k layers), h LSTM units per direction, K labels, M labelled words.
 *
 * @example
 *   const task = featureBasedTask(bert, tokenizer, train, dev, { labels, layers: "concat-last-4", tagger: "bilstm", batchSize: 32, maxSeqLength: 128 });
 *   await train(task, { steps: 3 * task.stepsPerEpoch, learningRate: 1e-3 });
 *   task.evaluate!(); // { f1: …, precision: …, recall: } on dev, as fine-tuning reports it
 *
 * The layer choices are in layer-choice.ts, the extraction in word-features.ts, the tagger in
 * feature-tagger.ts; this file is the task and its end-to-end run.
 */
import * as tf from "@tensorflow/tfjs-core";
import { ensureBackend } from "../backend/select";
import { BertModel } from "../model/bert-model";
import { BertConfig } from "../model/config";
import { sparseSoftmaxCrossEntropy } from "../model/losses";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { BERT_NO_DECAY } from "../training/adamw";
import { TrainTask } from "../training/trainer";
import { BertLabError } from "../util/errors";
import { EpochBatches, EpochBatchesState } from "./epoch-batches";
import { FeatureTagger, TAGGER_KINDS, TaggerKind } from "./feature-tagger";
import { firstN, runSettings, startingModel, trainEpochs, writeEvalJson } from "./finetune-common";
import { FinetuneOptions, FinetuneResult, loadNerTask, TOKEN_TASKS, TokenTaskName } from "./finetune";
import { asChoice, LayerChoice, layerChoiceText, layerSlots } from "./layer-choice";
import { seqevalScores } from "./metrics";
import { TaggedSentence } from "./token-classification";
import { extractWordFeatures, WordFeatures } from "./word-features";

// ───────────────────────────────────────── the task ─────────────────────────────────────────

export interface FeatureTaskOptions {
  labels: readonly string[];
  layers: LayerChoice | string;
  /** default "bilstm" (the paper's task model) */
  tagger?: TaggerKind;
  /** LSTM units per direction (default 128: the paper does not say; small enough for a CPU) */
  hiddenSize?: number;
  /** stacked BiLSTM layers (default 1; the paper's is 2) */
  lstmLayers?: number;
  batchSize: number;
  maxSeqLength: number;
  seed?: number;
  /** sentences per BERT forward pass during extraction (default batchSize) */
  extractBatchSize?: number;
  /** recorded in tagger.json (which BERT the features came from) */
  bertName?: string;
}

export type FeatureTask = TrainTask<{ rows: Int32Array }> & {
  stepsPerEpoch: number;
  tagger: FeatureTagger;
  trainFeatures: WordFeatures;
  devFeatures: WordFeatures;
  /** each sentence's predicted tags, one per word ("O" where a word got no position); sentences are run through BERT first */
  predictTags(input: WordFeatures | readonly TaggedSentence[]): string[][];
  /** frees the tagger (BERT stays the caller's) */
  dispose(): void;
};

/** The rows' features as a padded batch: x [B, W, S, F], mask [B, W], labels (−1 padding / no position). */
function batchOf(f: WordFeatures, rows: ArrayLike<number>): { x: tf.Tensor4D; mask: tf.Tensor2D; labels: Int32Array; W: number } {
  const B = rows.length;
  const SF = f.slices * f.size;
  let W = 1;
  for (let k = 0; k < B; k++) W = Math.max(W, f.labels[rows[k]].length);
  const x = new Float32Array(B * W * SF);
  const mask = new Float32Array(B * W);
  const labels = new Int32Array(B * W).fill(-1);
  for (let k = 0; k < B; k++) {
    const r = rows[k];
    x.set(f.values[r], k * W * SF);
    f.labels[r].forEach((y, w) => {
      labels[k * W + w] = y;
      mask[k * W + w] = y >= 0 ? 1 : 0; // a word with no position is skipped like padding
    });
  }
  return { x: tf.tensor4d(x, [B, W, f.slices, f.size]), mask: tf.tensor2d(mask, [B, W]), labels, W };
}

/**
 * NER on frozen BERT features as a TrainTask: features are extracted once here (BERT is never
 * updated: `params` holds only the tagger's variables, the scalar mix included); batches are
 * sentences, the loss is the cross-entropy over real words, evaluate() scores dev with
 * seqeval's entity F1; saveModel writes tagger.safetensors + tagger.json.
 *
 * @example
 *   const task = featureBasedTask(bert, tokenizer, train, dev, { labels, layers: "-2", tagger: "linear", batchSize: 32, maxSeqLength: 128 });
 *   Object.keys(Object.fromEntries(task.params)); // ["classifier.weight", "classifier.bias"]
 */
export function featureBasedTask(
  bert: BertModel,
  tokenizer: BertTokenizer,
  trainSet: readonly TaggedSentence[],
  dev: readonly TaggedSentence[],
  options: FeatureTaskOptions,
): FeatureTask {
  if (trainSet.length === 0) throw new BertLabError("NO_EXAMPLES", "no training sentences");
  const B = options.batchSize;
  if (!Number.isInteger(B) || B < 1) throw new BertLabError("BAD_OPTION", `batchSize must be an integer ≥ 1, got ${B}`);
  const choice = asChoice(options.layers);
  layerSlots(choice, bert.config.numHiddenLayers); // a layer the model lacks: an error before any work
  const labels = [...options.labels];
  const extract = (sentences: readonly TaggedSentence[]) =>
    extractWordFeatures(bert, tokenizer, sentences, { labels, layers: choice, maxSeqLength: options.maxSeqLength, batchSize: options.extractBatchSize ?? B });
  const trainFeatures = extract(trainSet);
  const devFeatures = extract(dev);
  const seed = options.seed ?? 0;
  const kind = options.tagger ?? "bilstm";
  const tagger = new FeatureTagger(
    { tagger: kind, layers: trainFeatures.layers, slices: trainFeatures.slices, featureSize: trainFeatures.size, hiddenSize: options.hiddenSize ?? 128, lstmLayers: options.lstmLayers ?? 1, labels },
    seed,
  );
  const batches = new EpochBatches(trainFeatures.values.length, B, seed);

  const predictTags = (input: WordFeatures | readonly TaggedSentence[]): string[][] => {
    const f = Array.isArray(input) ? extract(input as readonly TaggedSentence[]) : (input as WordFeatures);
    const out: string[][] = [];
    for (let i = 0; i < f.values.length; i += B) {
      const rows = Array.from({ length: Math.min(B, f.values.length - i) }, (_, k) => i + k);
      const b = batchOf(f, rows);
      const best = tf.tidy(() => tf.argMax(tagger.logits(b.x, b.mask), 2));
      const ids = best.dataSync() as Int32Array;
      tf.dispose([best, b.x, b.mask]);
      rows.forEach((r, k) => out.push(Array.from(f.labels[r], (y, w) => (y < 0 ? "O" : labels[ids[k * b.W + w]]))));
    }
    return out;
  };

  return {
    params: tagger.store.vars,
    stepsPerEpoch: batches.perEpoch,
    tagger,
    trainFeatures,
    devFeatures,
    predictTags,
    nextBatch: () => [{ rows: batches.next() }],
    loss(batch) {
      const b = batchOf(trainFeatures, batch.rows);
      const positions: number[] = [];
      const y: number[] = [];
      b.labels.forEach((l, i) => l >= 0 && (positions.push(i), y.push(l)));
      let correct = 0;
      const loss = tf.tidy(() => {
        if (positions.length === 0) return tf.scalar(0);
        const logits = tf.gather(tf.reshape(tagger.logits(b.x, b.mask), [-1, labels.length]), tf.tensor1d(positions, "int32")) as tf.Tensor2D; // [M, K]
        const predicted = tf.argMax(logits, 1).dataSync();
        y.forEach((v, i) => (correct += predicted[i] === v ? 1 : 0));
        return sparseSoftmaxCrossEntropy(logits, y);
      });
      tf.dispose([b.x, b.mask]);
      return { loss, stats: { words: y.length, correct } };
    },
    tokens: (batch) => batch.rows.reduce((s, r) => s + trainFeatures.labels[r].reduce((n, l) => n + (l >= 0 ? 1 : 0), 0), 0),
    metrics: (sums): Record<string, number> => ({ word_accuracy: sums.words ? sums.correct / sums.words : 0 }),
    evaluate:
      dev.length > 0
        ? () => {
            const s = seqevalScores(dev.map((d) => [...d.tags]), predictTags(devFeatures));
            return { f1: s.f1, precision: s.precision, recall: s.recall }; // f1 first: the headline
          }
        : undefined,
    dataState: () => batches.getState(),
    restoreDataState: (state) => batches.setState(state as EpochBatchesState),
    epoch: () => batches.epoch,
    saveModel: (dir) => tagger.save(dir, options.bertName === undefined ? {} : { bert: options.bertName }),
    loadModel: (dir) => tagger.loadWeights(dir),
    dispose: () => tagger.dispose(),
  };
}

// ───────────────────────────────────────── end to end ─────────────────────────────────────────

export interface FeatureBasedOptions extends FinetuneOptions {
  /** which hidden states (default "-1", the last layer; Table 7's best is "concat-last-4") */
  layers?: LayerChoice | string;
  /** default "bilstm" */
  tagger?: TaggerKind;
  /** LSTM units per direction (default 128) and BiLSTM layers (default 1) */
  hiddenSize?: number;
  lstmLayers?: number;
}

export interface FeatureBasedResult extends FinetuneResult {
  layers: string;
  tagger: TaggerKind;
}

/**
 * Table 7's experiment on an NER task: a frozen BERT (an HF folder, or a preset with random
 * weights and --vocab), features extracted once, a tagger trained with BERT's AdamW and
 * schedule — lr 1e-3 by default: a freshly initialised tagger needs a larger step than
 * fine-tuning's 2e-5 — dev entity F1 after every epoch, the best tagger in outDir/best
 * (tagger.safetensors, tagger.json) and outDir/eval.json.
 *
 * @example
 *   const r = await finetuneFeatureBased({ task: "wnut17", from: "../shared/data", model: "runs/tiny/checkpoint-2000", outDir: "runs/wnut-fb", layers: "concat-last-4" });
 *   r.best; // { epoch: 3, step: …, metrics: { f1: …, precision: …, recall: … } }
 */
export async function finetuneFeatureBased(options: FeatureBasedOptions): Promise<FeatureBasedResult> {
  const log = options.log ?? (() => {});
  const t0 = performance.now();
  const { epochs, batchSize, seed } = runSettings(options, 3);
  if (!(TOKEN_TASKS as readonly string[]).includes(options.task)) {
    throw new BertLabError("UNKNOWN_TASK", `the feature-based approach is for NER: task must be one of ${TOKEN_TASKS.join(", ")}, got "${options.task}" — fine-tune sentence tasks with finetune`);
  }
  const choice = asChoice(options.layers ?? "-1");
  const kind = options.tagger ?? "bilstm";
  if (!TAGGER_KINDS.includes(kind)) throw new BertLabError("BAD_OPTION", `unknown tagger "${kind}" — choose ${TAGGER_KINDS.join(" or ")}`);
  const data = await loadNerTask({ ...options, task: options.task as TokenTaskName, log });
  await ensureBackend();

  // BERT: "bert." names load both a bare BertModel folder and a pre-training or task folder
  const make = (config: BertConfig) => new BertModel(config, { seed, prefix: "bert." });
  const { model: bert, tokenizer } = startingModel({ ...options, seed }, make, (line) => log(line + ", frozen"), "left random");
  let task: FeatureTask | null = null;
  try {
    const trainSet = firstN(data.train, options.maxTrainExamples);
    const devSet = firstN(data.dev, options.maxDevExamples);
    const layers = layerChoiceText(choice);
    const tx = performance.now();
    task = featureBasedTask(bert, tokenizer, trainSet, devSet, {
      labels: data.labels,
      layers: choice,
      tagger: kind,
      hiddenSize: options.hiddenSize,
      lstmLayers: options.lstmLayers,
      batchSize,
      maxSeqLength: options.maxSeqLength ?? 128,
      seed,
      bertName: options.model,
    });
    const t = task;
    log(`${options.task}: features (${layers}) of ${trainSet.length} training and ${devSet.length} dev sentences in ${((performance.now() - tx) / 1000).toFixed(1)} s; a ${kind} tagger, ${epochs} epochs of ${t.stepsPerEpoch} steps`);
    // trainEpochs frees the optimizer's moments also when the loss diverges
    const run = await trainEpochs(t, options, {
      epochs,
      learningRate: options.learningRate ?? 1e-3,
      seed,
      // the scalar mix is a softmax over layers and a scale: no weight decay, as ELMo
      optimizer: { excludeFromWeightDecay: (name) => BERT_NO_DECAY.test(name) || name.startsWith("scalar_mix.") },
      settings: { task: options.task, model: options.model, batchSize, layers, tagger: kind },
      save: (dir) => t.saveModel(dir),
    });
    const result = run.result;
    const seconds = (performance.now() - t0) / 1000;
    writeEvalJson(options.outDir, options.task, run.best, seconds, { layers, tagger: kind });
    return { task: options.task, best: run.best, evals: result.evals, result, bestDir: run.bestDir, labels: data.labels, seconds, layers, tagger: kind };
  } finally {
    // the tagger's best weights are on disk
    task?.dispose();
    bert.dispose();
  }
}
