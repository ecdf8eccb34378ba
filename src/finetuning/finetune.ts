/**
 * Fine-tuning a task end to end (paper §4.1–4.3): the task's data, a model from a pre-trained
 * folder (or a preset with random weights: the "no pre-training" baseline), the paper's recipe
 * (AdamW, warmup 10 %, linear decay), an evaluation on dev after every epoch, the best model
 * kept — its config.json naming the classes (id2label) — and `eval.json`. Sentence tasks
 * (GLUE, the WordNet task, a TSV of your own), NER (WNUT-17, CoNLL-2003) and SQuAD v1.1 span
 * QA (finetune-squad.ts). What `bert-lab finetune` runs.
 *
 * @example
 *   const r = await finetune({ task: "sst2", data: "glue_data/SST-2", model: "runs/tiny/checkpoint-2000", outDir: "runs/sst2", epochs: 3 });
 *   r.best; // { epoch: 2, metrics: { accuracy: 0.81 } }
 *   await finetune({ task: "tsv", train: "reviews/train.tsv", dev: "reviews/dev.tsv", model: "runs/tiny/checkpoint-2000", outDir: "runs/reviews" });
 *   await finetune({ task: "squad", train: "squad/train-v1.1.json", from: "../shared/data", model: "runs/base", outDir: "runs/squad" }); // eval.json: { f1, exact_match }
 */
import { ensureBackend } from "../backend/select";
import type { BertConfig } from "../model/config";
import { BertForSequenceClassification, BertForTokenClassification } from "../model/task-models";
import { setFolderLabels } from "../model/weights/pretrained";
import type { TrainCallbacks, TrainResult, TrainTask } from "../training/trainer";
import { BertLabError } from "../util/errors";
import { BestEval, firstN, runSettings, SquadSettings, startingModel, trainEpochs, writeEvalJson, writeTokenizerConfig } from "./finetune-common";
import { finetuneSquad } from "./finetune-squad";
import { sequenceClassificationTask } from "./sequence-classification";
import { FINETUNE_TASKS, FinetuneTaskName, loadNerTask, loadSentenceTask, SentenceTaskName, TaskDataOptions, TOKEN_TASKS, TokenTaskName } from "./task-data";
import { tokenClassificationTask } from "./token-classification";

export { FINETUNE_TASKS, loadNerTask, loadSentenceTask, loadSquadTask, QA_TASKS, SENTENCE_TASKS, TOKEN_TASKS } from "./task-data";
export type { FinetuneTaskName, QaTaskName, SentenceTaskName, TaskDataOptions, TokenTaskName } from "./task-data";

/** With SquadSettings for task squad. */
export interface FinetuneOptions extends TaskDataOptions, SquadSettings {
  task: FinetuneTaskName;
  /** an HF folder (pre-trained here or elsewhere), or a preset name for random weights */
  model: string;
  /** vocab.txt, needed with a preset (a folder brings its own) */
  vocab?: string;
  cased?: boolean;
  outDir: string;
  /** default 3; squad 2 (run_squad.py's example for BERT-base) */
  epochs?: number;
  /** peak learning rate: default 2e-5; squad 3e-5 (run_squad.py's example) */
  learningRate?: number;
  batchSize?: number;
  /** default 128; squad 384 (run_squad.py's) */
  maxSeqLength?: number;
  seed?: number;
  /** units per direction of a randomly initialised BiLSTM between BERT and the classifier (Table 5's "+ BiLSTM"; sentence and token tasks) */
  bilstm?: number;
  /** use only the first N training / dev examples (sentences; squad: questions) — quick runs, tests */
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
  best: BestEval;
  evals: TrainResult["evals"];
  /** the training run (its optimizer's moments are freed: a fine-tuning run keeps only its best model) */
  result: TrainResult;
  /** where the best model is (an HF folder; its config.json's id2label names the classes) */
  bestDir: string;
  /** the class (or tag) names in index order; null for a regression and squad */
  labels: string[] | null;
  seconds: number;
  /** squad: outDir/predictions.json (question id → answer, the best epoch's, as run_squad.py writes it) */
  predictionsFile?: string;
}

export async function finetune(options: FinetuneOptions): Promise<FinetuneResult> {
  if (!FINETUNE_TASKS.includes(options.task)) throw new BertLabError("UNKNOWN_TASK", `unknown task "${options.task}" — choose one of ${FINETUNE_TASKS.join(", ")}`);
  const squadOnly = (["docStride", "maxQueryLength", "nBestSize", "maxAnswerLength"] as const).filter((k) => options[k] !== undefined);
  if (options.bilstm !== undefined && !(Number.isInteger(options.bilstm) && options.bilstm > 0)) throw new BertLabError("BAD_OPTION", `bilstm must be a positive number of units per direction, got ${options.bilstm}`);
  if (options.task === "squad" && options.bilstm !== undefined) throw new BertLabError("BAD_OPTION", "a BiLSTM head is for sentence and token tasks; squad's span head reads BERT's last layer directly");
  if (options.task === "squad") return finetuneSquad(options);
  if (squadOnly.length) throw new BertLabError("BAD_OPTION", `${squadOnly.join(", ")} ${squadOnly.length > 1 ? "are" : "is"} for task squad, not ${options.task}`);
  const log = options.log ?? (() => {});
  const t0 = performance.now();
  const { epochs, batchSize, seed } = runSettings(options, 3);
  const ner = (TOKEN_TASKS as readonly string[]).includes(options.task);
  const sentences = ner ? await loadNerTask({ ...options, task: options.task as TokenTaskName, log }) : null;
  const data = ner ? null : await loadSentenceTask(options.task as SentenceTaskName | "tsv", { ...options, log });
  const numLabels = sentences ? sentences.labels.length : data!.numLabels;
  // what the best model's config.json says of its outputs (HF's id2label, problem_type)
  const labels = sentences ? sentences.labels : data!.labelNames ? [...data!.labelNames] : null;
  const problemType = sentences ? null : numLabels === 1 ? "regression" : "single_label_classification";
  await ensureBackend();

  // the model: a folder (its weights and vocab) or a preset (random weights)
  const make = (loaded: BertConfig) => {
    const config = options.bilstm ? { ...loaded, bilstmHiddenSize: options.bilstm } : loaded;
    return ner ? new BertForTokenClassification(config, numLabels, { seed }) : new BertForSequenceClassification(config, numLabels, { seed });
  };
  const { model, tokenizer } = startingModel<BertForSequenceClassification | BertForTokenClassification>({ ...options, seed }, make, log, "the classifier");
  try {
    const maxSeqLength = options.maxSeqLength ?? 128;
    let task: TrainTask<{ rows: Int32Array }> & { stepsPerEpoch: number };
    let described: string;
    if (sentences) {
      const trainSet = firstN(sentences.train, options.maxTrainExamples);
      const devSet = firstN(sentences.dev, options.maxDevExamples);
      task = tokenClassificationTask(model as BertForTokenClassification, tokenizer, trainSet, devSet, { labels: sentences.labels, batchSize, maxSeqLength, seed });
      described = `${trainSet.length} training sentences, ${devSet.length} dev, ${sentences.labels.length} tags`;
    } else {
      const trainSet = firstN(data!.train, options.maxTrainExamples);
      const devSet = firstN(data!.dev, options.maxDevExamples);
      task = sequenceClassificationTask(model as BertForSequenceClassification, tokenizer, trainSet, devSet, { batchSize, maxSeqLength, seed, metrics: data!.metrics });
      described = `${trainSet.length} training examples, ${devSet.length} dev, ${numLabels === 1 ? "a regression" : `${numLabels} labels`}`;
    }
    log(`${options.task}: ${described}; ${epochs} epochs of ${task.stepsPerEpoch} steps`);
    const { result, best, bestDir } = await trainEpochs(task, options, {
      epochs,
      learningRate: options.learningRate ?? 2e-5,
      seed,
      settings: { task: options.task, model: options.model, batchSize },
      save(dir) {
        task.saveModel(dir);
        setFolderLabels(dir, labels ?? ["LABEL_0"], problemType); // a regression's one output: HF's default name
        writeTokenizerConfig(dir, Boolean(options.cased));
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    writeEvalJson(options.outDir, options.task, best, seconds);
    return { task: options.task, best, evals: result.evals, result, bestDir, labels, seconds };
  } finally {
    model.dispose();
  }
}
