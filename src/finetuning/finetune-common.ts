/**
 * What every fine-tuning run shares: the model it starts from (an HF folder, or a preset with
 * random weights and a vocab), the training call that frees the optimizer's moments when it
 * is done, and how an evaluation record becomes the metrics of eval.json.
 *
 * @example
 *   const { model, tokenizer } = startingModel({ model: "runs/tiny/checkpoint-2000", seed: 42 }, (c) => new BertForQuestionAnswering(c, { seed: 42 }), console.log, "the span head");
 *   const result = await trainAndFree(task, { steps: 100, learningRate: 3e-5 });
 *   model.dispose(); // then tf.memory().numTensors is what it was before
 */
import * as path from "node:path";
import { bertConfig, PresetName, PRESETS } from "../model/config";
import type { BertConfig } from "../model/config";
import type { ParamStore } from "../model/params";
import { modelFromFolder } from "../model/weights/pretrained";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { EvalRecord, train, TrainingDivergedError, TrainOptions, TrainResult, TrainTask } from "../training/trainer";
import { writeFileAtomic } from "../util/atomic-write";
import { writeFolderAtomic } from "../util/atomic-folder";
import { BertLabError } from "../util/errors";

/**
 * The model a run starts from: `model` is an HF folder (its weights and vocab.txt; `vocab`
 * overrides the vocab) or a preset name (random weights: the no-pre-training baseline; `vocab`
 * required). `newPart` names what the folder lacks, for the log ("the classifier"). The caller
 * disposes the model.
 */
export function startingModel<M extends { store: ParamStore; config: BertConfig; dispose(): void }>(
  options: { model: string; vocab?: string; cased?: boolean; seed: number },
  make: (config: BertConfig) => M,
  log: (line: string) => void,
  newPart: string,
): { model: M; tokenizer: BertTokenizer } {
  let model: M;
  let vocab: Vocab;
  if (options.model in PRESETS) {
    if (!options.vocab) throw new BertLabError("MISSING_OPTION", `a preset (${options.model}) starts from random weights and needs --vocab vocab.txt`);
    vocab = Vocab.fromFile(options.vocab);
    model = make(bertConfig(options.model as PresetName, { vocabSize: vocab.size }));
    log(`model: ${options.model} with random weights (the no-pre-training baseline)`);
  } else {
    const loaded = modelFromFolder(options.model, make, { seed: options.seed, log: () => {} });
    model = loaded.model;
    try {
      const vocabPath = options.vocab ?? loaded.vocabPath;
      if (!vocabPath) throw new BertLabError("MISSING_OPTION", `${options.model} has no vocab.txt: pass --vocab`);
      vocab = Vocab.fromFile(vocabPath);
      if (vocab.size !== model.config.vocabSize) {
        throw new BertLabError("VOCAB_CONFIG_MISMATCH", `${vocabPath} has ${vocab.size} tokens but the model's vocab_size is ${model.config.vocabSize}`);
      }
    } catch (e) {
      model.dispose();
      throw e;
    }
    const fresh = loaded.report.initialized.length;
    log(`model: ${options.model} (${loaded.report.loaded.length} tensors loaded${fresh ? `, ${fresh} new: ${newPart}` : ""})`);
  }
  return { model, tokenizer: new BertTokenizer(vocab, { doLowerCase: !options.cased }) };
}

/**
 * train(), then the optimizer's moments freed — also when the loss diverges — since a
 * fine-tuning run keeps only its best model (on disk). The result's optimizer is empty after
 * this: it cannot continue the run (`continueFrom`).
 */
export async function trainAndFree<B>(task: TrainTask<B>, options: TrainOptions): Promise<TrainResult> {
  let result: TrainResult | null = null;
  try {
    result = await train(task, options);
    return result;
  } catch (e) {
    if (e instanceof TrainingDivergedError) e.result.optimizer.dispose();
    throw e;
  } finally {
    result?.optimizer.dispose();
  }
}

/** An evaluation record's metrics without "step" and the "eval_" prefix, in the task's order (the headline first). */
export function evalMetrics(record: EvalRecord): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(record)) if (k !== "step") metrics[k.replace(/^eval_/, "")] = v;
  return metrics;
}

/** The headline (first) metric, by which the best epoch is chosen; NaN (a constant prediction's correlation) is the worst. */
export function headline(metrics: Record<string, number>): number {
  const v = Object.values(metrics)[0];
  return v === undefined || Number.isNaN(v) ? -Infinity : v;
}

/** The best evaluation of a run and its epoch. */
export type BestEval = { epoch: number; step: number; metrics: Record<string, number> } | null;

/**
 * Keeps the best model by the headline metric: `onEval` (for train()'s callbacks) writes
 * bestDir atomically through `save(dir)` when an evaluation beats the best so far, then calls
 * `afterSave`; `best()` is the best so far.
 */
export function bestKeeper(bestDir: string, stepsPerEpoch: number, save: (dir: string) => void, afterSave?: (best: NonNullable<BestEval>) => void) {
  let best: BestEval = null;
  return {
    best: () => best,
    onEval(record: EvalRecord): void {
      const metrics = evalMetrics(record);
      if (best && headline(metrics) <= headline(best.metrics)) return;
      best = { epoch: Math.round(record.step / stepsPerEpoch), step: record.step, metrics };
      writeFolderAtomic(bestDir, save);
      afterSave?.(best);
    },
  };
}

/** outDir/eval.json: the task, the best epoch's metrics, its epoch and step, the run's seconds, and `extra`. */
export function writeEvalJson(outDir: string, task: string, best: BestEval, seconds: number, extra: Record<string, unknown> = {}): void {
  const record = { task, metric: best?.metrics ?? {}, epoch: best?.epoch ?? 0, step: best?.step ?? 0, seconds, ...extra };
  writeFileAtomic(path.join(outDir, "eval.json"), JSON.stringify(record, null, 2) + "\n");
}

/** tokenizer_config.json: how the text was tokenized, where HF's tokenizer (and predict.ts) look for it. */
export function writeTokenizerConfig(dir: string, cased: boolean): void {
  writeFileAtomic(path.join(dir, "tokenizer_config.json"), JSON.stringify({ do_lower_case: !cased, tokenizer_class: "BertTokenizer" }, null, 2) + "\n");
}

/** What trainEpochs needs from a fine-tuning call's options. */
export interface EpochRunOptions {
  outDir: string;
  logEvery?: number;
  signal?: AbortSignal;
  callbacks?: TrainOptions["callbacks"];
}

/**
 * The paper's fine-tuning loop, shared by every task: `epochs` passes, linear warmup over the
 * first 10 % of the steps (run_classifier.py's and run_squad.py's warmup_proportion), dev
 * evaluated after every epoch, the best model by the headline metric written atomically to
 * `outDir/best` through `save(dir)` (then `afterSave`), and the optimizer's moments freed.
 */
export async function trainEpochs<B>(
  task: TrainTask<B> & { stepsPerEpoch: number },
  options: EpochRunOptions,
  run: {
    epochs: number;
    learningRate: number;
    seed: number;
    save: (dir: string) => void;
    afterSave?: (best: NonNullable<BestEval>) => void;
    optimizer?: TrainOptions["optimizer"];
    settings: Record<string, unknown>;
  },
): Promise<{ result: TrainResult; best: BestEval; bestDir: string }> {
  const steps = run.epochs * task.stepsPerEpoch;
  const bestDir = path.join(options.outDir, "best");
  const keeper = bestKeeper(bestDir, task.stepsPerEpoch, run.save, run.afterSave);
  const result = await trainAndFree(task, {
    steps,
    learningRate: run.learningRate,
    warmupSteps: Math.trunc(steps * 0.1),
    seed: run.seed,
    outDir: options.outDir,
    evalEvery: task.stepsPerEpoch,
    checkpoints: false, // the best model is kept in outDir/best; no resume state
    logEvery: options.logEvery ?? Math.max(1, Math.round(task.stepsPerEpoch / 10)),
    signal: options.signal,
    optimizer: run.optimizer,
    run: { epochs: run.epochs, ...run.settings },
    callbacks: {
      ...options.callbacks,
      async onEval(record) {
        keeper.onEval(record);
        await options.callbacks?.onEval?.(record);
      },
    },
  });
  return { result, best: keeper.best(), bestDir };
}

/** A run's epochs, batch size and seed with their defaults, checked before any data is read. */
export function runSettings(options: { epochs?: number; batchSize?: number; seed?: number; model: string; vocab?: string }, defaultEpochs: number): { epochs: number; batchSize: number; seed: number } {
  const epochs = options.epochs ?? defaultEpochs;
  if (!Number.isInteger(epochs) || epochs < 1) throw new BertLabError("BAD_OPTION", `epochs must be an integer ≥ 1, got ${epochs}`);
  if (options.model in PRESETS && !options.vocab) {
    throw new BertLabError("MISSING_OPTION", `a preset (${options.model}) starts from random weights and needs --vocab vocab.txt`);
  }
  return { epochs, batchSize: options.batchSize ?? 32, seed: options.seed ?? 42 };
}

/** SQuAD's windowing and answer search (run_squad.py's flags), for finetune and evaluate alike. */
export interface SquadSettings {
  /** pieces between the starts of two windows over a long passage (default 128) */
  docStride?: number;
  /** the question is cut to this many pieces (default 64) */
  maxQueryLength?: number;
  /** start and end candidates per window; answers kept per question (default 20) */
  nBestSize?: number;
  /** the longest answer, in word pieces (default 30) */
  maxAnswerLength?: number;
}

/** The first `n` items (all when n is absent or 0): --max-train-examples / --max-dev-examples. */
export function firstN<T>(items: T[], n?: number): T[] {
  return n ? items.slice(0, n) : items;
}
