/**
 * A fine-tuned folder's metrics on a task's dev set (or a NER task's test set), computed the
 * way `finetune` scored each epoch — same encoding, same batches — so evaluating DIR/best gives
 * back eval.json's numbers. What `bert-lab evaluate` runs. The class names come from the
 * folder's config.json (id2label): a TSV's labels and a NER model's tags are read from there.
 * A feature-based tagger's folder (tagger.json) is scored on the features of the frozen BERT
 * it was trained on; SQuAD by the official F1 and exact match (percent), with the answers.
 *
 * @example
 *   const r = await evaluateModel({ task: "conll2003", model: "runs/conll/best", data: "~/data/conll2003", split: "test" });
 *   r.metric;           // → { f1: 0.91, precision: 0.90, recall: 0.92 }
 *   r.perType?.PER.f1;  // → 0.96
 *   const q = await evaluateModel({ task: "squad", model: "runs/squad/best", from: "../shared/data" });
 *   q.metric;           // → { f1: 88.5, exact_match: 80.8 } for BERT-base
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readConll } from "../data/conll";
import { readTsv } from "../data/tsv-task";
import { BertLabError } from "../util/errors";
import { BertModel } from "../model/bert-model";
import { modelFromFolder } from "../model/weights/pretrained";
import { PRESETS } from "../model/config";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { featureBasedTask } from "./feature-based";
import { readTaggerSettings } from "./feature-tagger";
import { EntityScores, seqevalScores, squadScores } from "./metrics";
import { folderLowerCase, loadSentenceClassifier, loadTokenClassifier } from "./predict";
import { firstN, SquadSettings } from "./finetune-common";
import { loadQuestionAnswerer, questionAnsweringLogits } from "./predict-answers";
import { squadFeatures } from "./squad-features";
import { SquadCandidate, squadPredictions } from "./squad-predictions";
import { encodeExamples, SentenceExample, sequenceClassificationTask } from "./sequence-classification";
import { FINETUNE_TASKS, FinetuneTaskName, loadSentenceTask, loadSquadTask, nerFiles, nerReadOptions, SentenceTaskName, TaskDataOptions, TOKEN_TASKS, TokenTaskName, tsvMetrics } from "./task-data";
import { encodeTagged, tokenClassificationTask } from "./token-classification";

/** With SquadSettings for task squad: as fine-tuned, to get its numbers again. */
export interface EvaluateOptions extends TaskDataOptions, SquadSettings {
  task: FinetuneTaskName;
  /** a fine-tuned HF folder (finetune's DIR/best), or a feature-based tagger's folder (tagger.json; NER) */
  model: string;
  /** a feature-based tagger's BERT folder (default: the one its tagger.json names) */
  bert?: string;
  /** keep case and accents (default: the folder's tokenizer_config.json, else lower-case) */
  cased?: boolean;
  batchSize?: number;
  /** default 128; squad 384 (as fine-tuned, to get its numbers again) */
  maxSeqLength?: number;
  /** only the first N examples (sentences, questions) */
  maxDevExamples?: number;
  /** NER only: "dev" (default) or "test" (CoNLL-2003's eng.testb / test.txt, WNUT-17's emerging.test.annotated) */
  split?: "dev" | "test";
}

export interface EvaluateResult {
  task: FinetuneTaskName;
  split: "dev" | "test";
  /** the task's metrics, the headline first (NER: f1, precision, recall as seqeval) */
  metric: Record<string, number>;
  /** NER: entity-level scores per type */
  perType?: Record<string, EntityScores>;
  /** examples (sentences) scored */
  examples: number;
  /** bad rows or sentences left out (skipBadRows) */
  skipped: number;
  /** the model's class names (id2label); null for a regression and squad */
  labels: string[] | null;
  /** squad: question id → the predicted answer (run_squad.py's predictions.json), and the n best */
  predictions?: Record<string, string>;
  nbest?: Record<string, SquadCandidate[]>;
}

export async function evaluateModel(options: EvaluateOptions): Promise<EvaluateResult> {
  const { task } = options;
  if (!FINETUNE_TASKS.includes(task)) throw new BertLabError("UNKNOWN_TASK", `unknown task "${task}" — choose one of ${FINETUNE_TASKS.join(", ")}`);
  const split = options.split ?? "dev";
  if (split !== "dev" && split !== "test") throw new BertLabError("BAD_OPTION", `split must be "dev" or "test", not ${JSON.stringify(split)}`);
  const ner = (TOKEN_TASKS as readonly string[]).includes(task);
  if (split === "test" && !ner) {
    throw new BertLabError("BAD_OPTION", `split test is for the NER tasks (${TOKEN_TASKS.join(", ")}): GLUE's test labels are not public, and a TSV's other file is given as --dev FILE`);
  }
  const batchSize = options.batchSize ?? 32;
  const maxSeqLength = options.maxSeqLength ?? (task === "squad" ? 384 : 128);
  if (task === "squad") return evaluateSquad(options, batchSize, maxSeqLength);
  if (ner && fs.existsSync(path.join(options.model, "tagger.json"))) return evaluateFeatureTagger(task as TokenTaskName, split, options, batchSize, maxSeqLength);
  return ner ? evaluateNer(task as TokenTaskName, split, options, batchSize, maxSeqLength) : evaluateSentences(task as SentenceTaskName | "tsv", options, batchSize, maxSeqLength);
}

async function evaluateSquad(options: EvaluateOptions, batchSize: number, maxSeqLength: number): Promise<EvaluateResult> {
  const dev = firstN((await loadSquadTask({ ...options, train: undefined }, false)).dev, options.maxDevExamples);
  const qa = loadQuestionAnswerer(options.model, { cased: options.cased });
  try {
    // as questionAnsweringTask scored each epoch: the same windows, batches padded to T, the same span search
    const features = squadFeatures(qa.tokenizer, dev, { maxSeqLength, docStride: options.docStride, maxQueryLength: options.maxQueryLength });
    const { startLogits, endLogits } = questionAnsweringLogits(qa.model, features, { batchSize });
    const p = squadPredictions(dev, features, startLogits, endLogits, { nBestSize: options.nBestSize, maxAnswerLength: options.maxAnswerLength });
    const s = squadScores(p.answers, dev);
    return { task: "squad", split: "dev", metric: { f1: s.f1, exact_match: s.exact_match }, examples: dev.length, skipped: 0, labels: null, predictions: p.answers, nbest: p.nbest };
  } finally {
    qa.dispose();
  }
}

/**
 * A feature-based tagger (finetune --feature-based's DIR/best: tagger.json, tagger.safetensors)
 * on the features of its frozen BERT — `bert`, else the folder its tagger.json names — through
 * featureBasedTask's own prediction path, so the dev F1 is eval.json's.
 */
async function evaluateFeatureTagger(task: TokenTaskName, split: "dev" | "test", options: EvaluateOptions, batchSize: number, maxSeqLength: number): Promise<EvaluateResult> {
  const settings = readTaggerSettings(options.model);
  const recorded = (JSON.parse(fs.readFileSync(path.join(options.model, "tagger.json"), "utf8")) as { bert?: unknown }).bert;
  const bertDir = options.bert ?? (typeof recorded === "string" ? recorded : undefined);
  if (!bertDir) throw new BertLabError("MISSING_OPTION", `${options.model}/tagger.json does not say which BERT made its features — pass --bert DIR (the folder it was trained on)`);
  if (bertDir in PRESETS && !options.bert) {
    throw new BertLabError("MISSING_OPTION", `the tagger in ${options.model} was trained on a preset's random weights (${bertDir}), which cannot be made again here — evaluate a tagger trained on a BERT folder, or pass --bert DIR`);
  }
  if (!fs.existsSync(path.join(bertDir, "config.json"))) {
    throw new BertLabError("MODEL_NOT_FOUND", `the tagger's BERT folder ${bertDir}${options.bert ? "" : ` (named in ${options.model}/tagger.json)`} has no config.json — pass --bert DIR (the folder the tagger was trained on)`);
  }
  const files = await nerFiles(task, options);
  const file = split === "test" ? files.test : files.dev;
  if (!file) throw new BertLabError("DATA_NOT_FOUND", `${files.dir} has no test file for ${task} — put it beside ${path.basename(files.train)}, or evaluate split dev`);
  const labels = settings.labels;
  const read = readConll(file, { ...nerReadOptions(task), labels, allowNewLabels: true, onError: options.skipBadRows ? "skip" : "stop" });
  if (read.newLabels.length) options.log?.(`${file}: tags the tagger was not trained on (scored as misses): ${read.newLabels.join(", ")}`);
  const sentences = firstN(read.sentences, options.maxDevExamples);
  if (sentences.length === 0) throw new BertLabError("NO_EXAMPLES", `no sentences to evaluate in ${file}`);
  // as finetuneFeatureBased loads it: "bert." names read a bare BertModel folder and a pre-training or task folder alike
  const { model: bert, vocabPath } = modelFromFolder(bertDir, (c) => new BertModel(c, { prefix: "bert." }), { log: () => {} });
  let t: ReturnType<typeof featureBasedTask> | null = null;
  try {
    if (!vocabPath) throw new BertLabError("VOCAB_NOT_FOUND", `${bertDir} has no vocab.txt — copy the vocab the model was trained with into the folder`);
    const vocab = Vocab.fromFile(vocabPath);
    if (vocab.size !== bert.config.vocabSize) throw new BertLabError("VOCAB_CONFIG_MISMATCH", `${vocabPath} has ${vocab.size} tokens but the model's vocab_size is ${bert.config.vocabSize}`);
    const tokenizer = new BertTokenizer(vocab, { doLowerCase: options.cased !== undefined ? !options.cased : folderLowerCase(bertDir) });
    // the tags given to the encoder are placeholders; one sentence stands for the training set the task wants
    const placeholders = sentences.map((s) => ({ tokens: s.tokens, tags: s.tokens.map(() => labels[0]) }));
    t = featureBasedTask(bert, tokenizer, placeholders.slice(0, 1), placeholders, { labels, layers: settings.layers, tagger: settings.tagger, hiddenSize: settings.hiddenSize || undefined, lstmLayers: settings.lstmLayers || undefined, batchSize, maxSeqLength });
    t.loadModel(options.model);
    const s = seqevalScores(sentences.map((x) => x.tags), t.predictTags(t.devFeatures));
    return { task, split, metric: { f1: s.f1, precision: s.precision, recall: s.recall }, perType: s.perType, examples: sentences.length, skipped: read.skipped.length, labels: [...labels] };
  } finally {
    t?.dispose();
    bert.dispose();
  }
}

async function evaluateSentences(task: SentenceTaskName | "tsv", options: EvaluateOptions, batchSize: number, maxSeqLength: number): Promise<EvaluateResult> {
  // read the data before loading the model: a wrong path fails fast
  let dev: SentenceExample[];
  let skipped = 0;
  let metrics: (p: number[], y: number[]) => Record<string, number>;
  let expected: number | null = null; // outputs the task needs
  let tsvFile: string | null = null;
  if (task !== "tsv") {
    const data = await loadSentenceTask(task, options);
    dev = data.dev;
    metrics = data.metrics;
    expected = data.numLabels;
  } else {
    tsvFile = options.dev ?? (options.data ? path.join(options.data, "dev.tsv") : null);
    if (!tsvFile) throw new BertLabError("MISSING_OPTION", "evaluate --task tsv needs the file to score: --dev FILE (or --data DIR holding dev.tsv)");
    dev = [];
    metrics = () => ({});
  }
  const c = loadSentenceClassifier(options.model, { cased: options.cased });
  try {
    const K = c.model.numLabels;
    if (expected !== null && K !== expected) {
      throw new BertLabError("LABELS_MISMATCH", `${options.model} has ${K} outputs but task ${task} has ${expected === 1 ? "one (a regression)" : `${expected} classes`} — evaluate the folder fine-tuned on ${task}`);
    }
    if (tsvFile) {
      const regression = c.problemType === "regression" || K === 1;
      if (options.regression && !regression) throw new BertLabError("BAD_OPTION", `${options.model} is a classifier (${K} classes), not a regression: drop --regression`);
      if (!regression && !c.labels) {
        throw new BertLabError("NO_LABELS", `${options.model}/config.json has no id2label: which class is which output is unknown — evaluate a folder written by bert-lab finetune --task tsv, or add "id2label" in the training order (the sorted labels)`);
      }
      const f = readTsv(tsvFile, {
        textColumn: options.textColumn,
        textBColumn: options.textBColumn,
        labelColumn: options.labelColumn,
        header: options.header,
        regression,
        ...(regression ? {} : { labels: c.labels! }),
        onError: options.skipBadRows ? "skip" : "stop",
      });
      dev = f.examples;
      skipped = f.skipped.length;
      metrics = tsvMetrics(K);
    }
    dev = firstN(dev, options.maxDevExamples);
    if (dev.length === 0) throw new BertLabError("NO_EXAMPLES", `no examples to evaluate${tsvFile ? ` in ${tsvFile}` : ""}`);
    const t = sequenceClassificationTask(c.model, c.tokenizer, dev, [], { batchSize, maxSeqLength });
    const predictions = t.predict(encodeExamples(c.tokenizer, dev, maxSeqLength));
    const metric = metrics(predictions, dev.map((e) => e.label));
    return { task, split: "dev", metric, examples: dev.length, skipped, labels: c.labels ? [...c.labels] : null };
  } finally {
    c.dispose();
  }
}

async function evaluateNer(task: TokenTaskName, split: "dev" | "test", options: EvaluateOptions, batchSize: number, maxSeqLength: number): Promise<EvaluateResult> {
  const files = await nerFiles(task, options);
  const file = split === "test" ? files.test : files.dev;
  if (!file) throw new BertLabError("DATA_NOT_FOUND", `${files.dir} has no test file for ${task} — put it beside ${path.basename(files.train)}, or evaluate split dev`);
  const c = loadTokenClassifier(options.model, { cased: options.cased });
  try {
    const labels = c.labels;
    // tags the model does not know are kept: they count against recall, as they would in seqeval
    const read = readConll(file, { ...nerReadOptions(task), labels, allowNewLabels: true, onError: options.skipBadRows ? "skip" : "stop" });
    if (read.newLabels.length) options.log?.(`${file}: tags the model was not trained on (scored as misses): ${read.newLabels.join(", ")}`);
    const sentences = firstN(read.sentences, options.maxDevExamples);
    if (sentences.length === 0) throw new BertLabError("NO_EXAMPLES", `no sentences to evaluate in ${file}`);
    // finetune's own prediction path; the tags given to the encoder are placeholders
    const placeholders = sentences.map((s) => ({ tokens: s.tokens, tags: s.tokens.map(() => labels[0]) }));
    const t = tokenClassificationTask(c.model, c.tokenizer, placeholders, [], { labels, batchSize, maxSeqLength });
    const predicted = t.predictTags(encodeTagged(c.tokenizer, placeholders, labels, maxSeqLength));
    const s = seqevalScores(sentences.map((x) => x.tags), predicted);
    return { task, split, metric: { f1: s.f1, precision: s.precision, recall: s.recall }, perType: s.perType, examples: sentences.length, skipped: read.skipped.length, labels: [...labels] };
  } finally {
    c.dispose();
  }
}
