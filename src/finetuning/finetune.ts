/**
 * Fine-tuning a task end to end (paper §4.1–4.3): the task's data, a model from a pre-trained
 * folder (or a preset with random weights: the "no pre-training" baseline), the paper's recipe
 * (AdamW, warmup 10 %, linear decay), an evaluation on dev after every epoch, the best model
 * kept — its config.json naming the classes (id2label) — and `eval.json`. Sentence tasks
 * (GLUE, the WordNet task, a TSV of your own) and NER (WNUT-17, CoNLL-2003). What `bert-lab
 * finetune` runs.
 *
 * @example
 *   const r = await finetune({ task: "sst2", data: "glue_data/SST-2", model: "runs/tiny/checkpoint-2000", outDir: "runs/sst2", epochs: 3 });
 *   r.best; // { epoch: 2, metrics: { accuracy: 0.81 } }
 *   await finetune({ task: "tsv", train: "reviews/train.tsv", dev: "reviews/dev.tsv", model: "runs/tiny/checkpoint-2000", outDir: "runs/reviews" });
 */
import * as path from "node:path";
import { ensureBackend } from "../backend/select";
import { bertConfig, PresetName, PRESETS } from "../model/config";
import { BertForSequenceClassification, BertForTokenClassification } from "../model/task-models";
import type { BertConfig } from "../model/config";
import { tokenClassificationTask } from "./token-classification";
import { modelFromFolder, setFolderLabels } from "../model/weights/pretrained";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { EvalRecord, train, TrainCallbacks, TrainResult, TrainTask } from "../training/trainer";
import { writeFileAtomic } from "../util/atomic-write";
import { writeFolderAtomic } from "../util/atomic-folder";
import { BertLabError } from "../util/errors";
import { sequenceClassificationTask } from "./sequence-classification";
import { FINETUNE_TASKS, FinetuneTaskName, loadNerTask, loadSentenceTask, SentenceTaskName, TaskDataOptions, TOKEN_TASKS, TokenTaskName } from "./task-data";

export { FINETUNE_TASKS, loadNerTask, loadSentenceTask, SENTENCE_TASKS, TOKEN_TASKS } from "./task-data";
export type { FinetuneTaskName, SentenceTaskName, TaskDataOptions, TokenTaskName } from "./task-data";

export interface FinetuneOptions extends TaskDataOptions {
  task: FinetuneTaskName;
  /** an HF folder (pre-trained here or elsewhere), or a preset name for random weights */
  model: string;
  /** vocab.txt, needed with a preset (a folder brings its own) */
  vocab?: string;
  cased?: boolean;
  outDir: string;
  epochs?: number;
  learningRate?: number;
  batchSize?: number;
  maxSeqLength?: number;
  seed?: number;
  /** use only the first N training / dev examples (quick runs, tests) */
  maxTrainExamples?: number;
  maxDevExamples?: number;
  logEvery?: number;
  signal?: AbortSignal;
  callbacks?: TrainCallbacks;
  log?: (line: string) => void;
}

export interface FinetuneResult {
  task: FinetuneTaskName;
  /** the best evaluation and its epoch */
  best: { epoch: number; step: number; metrics: Record<string, number> } | null;
  evals: EvalRecord[];
  result: TrainResult;
  /** where the best model is (an HF folder; its config.json's id2label names the classes) */
  bestDir: string;
  /** the class (or tag) names in index order; null for a regression */
  labels: string[] | null;
  seconds: number;
}

export async function finetune(options: FinetuneOptions): Promise<FinetuneResult> {
  const log = options.log ?? (() => {});
  const t0 = performance.now();
  const epochs = options.epochs ?? 3;
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 1) throw new BertLabError("BAD_OPTION", `epochs must be an integer ≥ 1, got ${epochs}`);
  if (!FINETUNE_TASKS.includes(options.task)) throw new BertLabError("UNKNOWN_TASK", `unknown task "${options.task}" — choose one of ${FINETUNE_TASKS.join(", ")}`);
  if (options.model in PRESETS && !options.vocab) {
    throw new BertLabError("MISSING_OPTION", `a preset (${options.model}) starts from random weights and needs --vocab vocab.txt`);
  }
  const seed = options.seed ?? 42;
  const ner = (TOKEN_TASKS as readonly string[]).includes(options.task);
  const sentences = ner ? await loadNerTask({ ...options, task: options.task as TokenTaskName, log }) : null;
  const data = ner ? null : await loadSentenceTask(options.task as SentenceTaskName | "tsv", { ...options, log });
  const numLabels = sentences ? sentences.labels.length : data!.numLabels;
  // what the best model's config.json says of its outputs (HF's id2label, problem_type)
  const labels = sentences ? sentences.labels : data!.labelNames ? [...data!.labelNames] : null;
  const problemType = sentences ? null : numLabels === 1 ? "regression" : "single_label_classification";
  await ensureBackend();

  // the model: a folder (its weights and vocab) or a preset (random weights)
  const make = (config: BertConfig) =>
    ner ? new BertForTokenClassification(config, numLabels, { seed }) : new BertForSequenceClassification(config, numLabels, { seed });
  let model: BertForSequenceClassification | BertForTokenClassification;
  let vocab: Vocab;
  if (options.model in PRESETS) {
    vocab = Vocab.fromFile(options.vocab!);
    model = make(bertConfig(options.model as PresetName, { vocabSize: vocab.size }));
    log(`model: ${options.model} with random weights (the no-pre-training baseline)`);
  } else {
    const loaded = modelFromFolder(options.model, make, { seed, log: () => {} });
    model = loaded.model;
    const vocabPath = options.vocab ?? loaded.vocabPath;
    if (!vocabPath) {
      model.dispose();
      throw new BertLabError("MISSING_OPTION", `${options.model} has no vocab.txt: pass --vocab`);
    }
    vocab = Vocab.fromFile(vocabPath);
    if (vocab.size !== model.config.vocabSize) {
      model.dispose();
      throw new BertLabError("VOCAB_CONFIG_MISMATCH", `${vocabPath} has ${vocab.size} tokens but the model's vocab_size is ${model.config.vocabSize}`);
    }
    log(`model: ${options.model} (${loaded.report.loaded.length} tensors loaded, ${loaded.report.initialized.length} new: the classifier)`);
  }
  const tokenizer = new BertTokenizer(vocab, { doLowerCase: !options.cased });
  const maxSeqLength = options.maxSeqLength ?? 128;
  const cut = <T>(xs: T[], n?: number) => (n ? xs.slice(0, n) : xs);
  let task: TrainTask<{ rows: Int32Array }> & { stepsPerEpoch: number };
  let described: string;
  if (sentences) {
    const trainSet = cut(sentences.train, options.maxTrainExamples);
    const devSet = cut(sentences.dev, options.maxDevExamples);
    task = tokenClassificationTask(model as BertForTokenClassification, tokenizer, trainSet, devSet, { labels: sentences.labels, batchSize, maxSeqLength, seed });
    described = `${trainSet.length} training sentences, ${devSet.length} dev, ${sentences.labels.length} tags`;
  } else {
    const trainSet = cut(data!.train, options.maxTrainExamples);
    const devSet = cut(data!.dev, options.maxDevExamples);
    task = sequenceClassificationTask(model as BertForSequenceClassification, tokenizer, trainSet, devSet, { batchSize, maxSeqLength, seed, metrics: data!.metrics });
    described = `${trainSet.length} training examples, ${devSet.length} dev, ${numLabels === 1 ? "a regression" : `${numLabels} labels`}`;
  }
  const steps = epochs * task.stepsPerEpoch;
  log(`${options.task}: ${described}; ${epochs} epochs of ${task.stepsPerEpoch} steps`);

  const bestDir = path.join(options.outDir, "best");
  let best: FinetuneResult["best"] = null;
  // the first metric decides; NaN (a constant prediction's correlation) is the worst
  const headline = (m: Record<string, number>) => {
    const v = Object.values(m)[0];
    return Number.isNaN(v) ? -Infinity : v;
  };
  try {
    const result = await train(task, {
      steps,
      learningRate: options.learningRate ?? 2e-5,
      warmupSteps: Math.trunc(steps * 0.1), // run_classifier.py: warmup_proportion 0.1
      seed,
      outDir: options.outDir,
      evalEvery: task.stepsPerEpoch,
      saveEvery: 0,
      keepCheckpoints: 1,
      logEvery: options.logEvery ?? Math.max(1, Math.round(task.stepsPerEpoch / 10)),
      signal: options.signal,
      run: { task: options.task, model: options.model, batchSize, epochs },
      callbacks: {
        ...options.callbacks,
        async onEval(record) {
          const metrics: Record<string, number> = {};
          for (const [k, v] of Object.entries(record)) if (k !== "step") metrics[k.replace(/^eval_/, "")] = v;
          if (!best || headline(metrics) > headline(best.metrics)) {
            best = { epoch: Math.round(record.step / task.stepsPerEpoch), step: record.step, metrics };
            writeFolderAtomic(bestDir, (dir) => {
              task.saveModel(dir);
              setFolderLabels(dir, labels ?? ["LABEL_0"], problemType); // a regression's one output: HF's default name
              // how the text was tokenized, where HF's tokenizer (and predict.ts) look for it
              writeFileAtomic(path.join(dir, "tokenizer_config.json"), JSON.stringify({ do_lower_case: !options.cased, tokenizer_class: "BertTokenizer" }, null, 2) + "\n");
            });
          }
          await options.callbacks?.onEval?.(record);
        },
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const b = best as FinetuneResult["best"];
    writeFileAtomic(path.join(options.outDir, "eval.json"), JSON.stringify({ task: options.task, metric: b?.metrics ?? {}, epoch: b?.epoch ?? 0, step: b?.step ?? 0, seconds }, null, 2) + "\n");
    return { task: options.task, best: b, evals: result.evals, result, bestDir, labels, seconds };
  } finally {
    model.dispose();
  }
}
