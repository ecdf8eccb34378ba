/**
 * The data of every task `finetune` and `evaluate` run: GLUE and the WordNet task, a TSV of
 * your own (sentence tasks), WNUT-17 and CoNLL-2003 (NER), SQuAD v1.1 (span QA) — each with
 * its label names and the metrics it is scored by (the first is the headline that picks the
 * best epoch).
 *
 * @example
 *   const ner = await loadNerTask({ task: "conll2003", data: "~/data/conll2003" });
 *   ner.labels; // → ["O", "B-LOC", "B-MISC", "B-ORG", "B-PER", "I-LOC", "I-MISC", "I-ORG", "I-PER"]
 *   const qa = await loadSquadTask({ train: "squad/train-v1.1.json", from: "../shared/data" });
 *   qa.dev.length; // → 10570
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { labelList, readConll } from "../data/conll";
import { datasetPath, fetchDataset } from "../data/fetch";
import { GLUE_TASKS, GlueTaskName, readGlueTask } from "../data/glue";
import { readSquad, SquadExample } from "../data/squad";
import { ColumnRef, readTsvTask } from "../data/tsv-task";
import { wordnetTask } from "../data/wordnet";
import { BertLabError } from "../util/errors";
import { accuracy, f1Binary, glueMetrics, pearson, spearman } from "./metrics";
import type { SentenceExample } from "./sequence-classification";
import type { TaggedSentence } from "./token-classification";

export type SentenceTaskName = GlueTaskName | "wordnet";
export const SENTENCE_TASKS: readonly SentenceTaskName[] = ["sst2", "cola", "mrpc", "rte", "stsb", "qnli", "mnli", "wordnet"];
/** token-level tasks (NER) */
export const TOKEN_TASKS = ["wnut17", "conll2003"] as const;
export type TokenTaskName = (typeof TOKEN_TASKS)[number];
/** span question answering */
export const QA_TASKS = ["squad"] as const;
export type QaTaskName = (typeof QA_TASKS)[number];
export type FinetuneTaskName = SentenceTaskName | TokenTaskName | QaTaskName | "tsv";
export const FINETUNE_TASKS: readonly FinetuneTaskName[] = [...SENTENCE_TASKS, ...TOKEN_TASKS, ...QA_TASKS, "tsv"];

/** Where a task's data is, and (for a TSV) how to read it. */
export interface TaskDataOptions {
  /** the task's folder (GLUE layout, WNUT-17's or CoNLL-2003's files, or train.tsv + dev.tsv); or give `from` */
  data?: string;
  /** a mirror folder to fetch the dataset from (as `bert-lab data fetch --from`) */
  from?: string;
  /** tsv and squad: the training and dev files (instead of `data`) */
  train?: string;
  dev?: string;
  /** tsv: the columns, by header name or 0-based index (see src/data/tsv-task.ts for the defaults) */
  textColumn?: ColumnRef;
  textBColumn?: ColumnRef;
  labelColumn?: ColumnRef;
  /** tsv: whether the first row is a header (default: found out) */
  header?: boolean | "auto";
  /** tsv: numeric labels, one output, scored by Pearson and Spearman */
  regression?: boolean;
  /** leave malformed rows (TSV, GLUE) or sentences (CoNLL) out, with a count, instead of stopping */
  skipBadRows?: boolean;
  log?: (line: string) => void;
}

export interface SentenceTaskData {
  train: SentenceExample[];
  dev: SentenceExample[];
  numLabels: number;
  /** the class names in index order; null for a regression */
  labelNames: readonly string[] | null;
  /** the task's metrics of predictions against labels, the headline first */
  metrics: (predictions: number[], labels: number[]) => Record<string, number>;
}

/** The examples, labels and metrics of a sentence task (GLUE, wordnet, or a TSV of your own). */
export async function loadSentenceTask(task: SentenceTaskName | "tsv", options: TaskDataOptions): Promise<SentenceTaskData> {
  const log = options.log ?? (() => {});
  const onError = options.skipBadRows ? "skip" : "stop";
  const toExample = (e: { textA: string; textB?: string; label: number }): SentenceExample => ({ textA: e.textA, textB: e.textB, label: e.label });
  if (task === "tsv") {
    const t = readTsvTask({ ...options, onError });
    for (const f of [t.train, t.dev]) {
      log(`${f.file}: ${f.examples.length} examples${f.skipped.length ? `, ${f.skipped.length} bad rows skipped (first: line ${f.skipped[0].line}, ${f.skipped[0].reason})` : ""}; ${f.header ? "header row" : "no header"} (${f.headerReason}); text ${JSON.stringify(f.columns.names.text)}${f.columns.names.textB !== null ? `, second text ${JSON.stringify(f.columns.names.textB)}` : ""}, label ${JSON.stringify(f.columns.names.label)}`);
    }
    return { train: t.train.examples.map(toExample), dev: t.dev.examples.map(toExample), numLabels: t.numLabels, labelNames: t.labels, metrics: tsvMetrics(t.numLabels) };
  }
  if (task === "wordnet") {
    const t = wordnetTask();
    const map = (xs: { text: string; label: number }[]) => xs.map((e) => ({ textA: e.text, label: e.label }));
    return { train: map(t.train), dev: map(t.dev), numLabels: t.labels.length, labelNames: t.labels, metrics: (p, y) => ({ accuracy: accuracy(p, y) }) };
  }
  const spec = GLUE_TASKS[task];
  if (!spec) throw new BertLabError("UNKNOWN_TASK", `unknown task "${task}" — choose one of ${[...SENTENCE_TASKS, "tsv"].join(", ")}`);
  let dir = options.data;
  if (!dir) {
    if (!options.from) throw new BertLabError("MISSING_OPTION", `task ${task} needs its data: --data DIR (the task's folder) or --from DIR (a mirror such as ../shared/data)`);
    await fetchDataset(task, { from: options.from });
    dir = datasetPath(task);
  }
  const files = readGlueTask(task, dir, { onError });
  for (const f of Object.values(files)) if (f.skipped.length) log(`${f.file}: ${f.skipped.length} bad rows skipped (first: line ${f.skipped[0].line}, ${f.skipped[0].reason})`);
  const dev = files.dev ?? files.dev_matched;
  return {
    train: files.train.examples.map(toExample),
    dev: dev.examples.map(toExample),
    numLabels: spec.labels ? spec.labels.length : 1,
    labelNames: spec.labelNames,
    metrics: (p, y) => glueMetrics(task, p, y),
  };
}

/**
 * A TSV task's metrics: a regression (one output) by Pearson and Spearman; a classification by
 * accuracy, plus F1 of the second label (in sorted order: "1", "pos", "positive", "true",
 * "yes") when there are two, or macro-F1 when there are more.
 *
 * @example
 *   tsvMetrics(3)([0, 1, 2, 2], [0, 1, 1, 2]) // → { accuracy: 0.75, macro_f1: 0.7777… }
 */
export function tsvMetrics(numLabels: number): (predictions: number[], labels: number[]) => Record<string, number> {
  if (numLabels === 1) return (p, y) => ({ pearson: pearson(p, y), spearman: spearman(p, y) });
  if (numLabels === 2) return (p, y) => ({ accuracy: accuracy(p, y), f1: f1Binary(p, y, 1).f1 });
  return (p, y) => ({ accuracy: accuracy(p, y), macro_f1: macroF1(p, y) });
}

/**
 * The mean over classes of each class's F1 against the rest, as sklearn's f1_score with
 * average="macro" and zero_division 0: the classes are those in the labels or the predictions.
 *
 * @example
 *   macroF1([0, 1, 2, 2], [0, 1, 1, 2]) // → (1 + 2/3 + 2/3) / 3 = 0.7777…
 */
export function macroF1(predictions: readonly number[], labels: readonly number[]): number {
  const classes = [...new Set([...labels, ...predictions])];
  if (classes.length === 0) return 0;
  const sum = classes.reduce((s, k) => s + f1Binary(predictions.map((v) => (v === k ? 1 : 0)), labels.map((v) => (v === k ? 1 : 0)), 1).f1, 0);
  return sum / classes.length;
}

/** The files of a NER task in its folder; test is null where the folder lacks it. */
export interface NerFiles {
  dir: string;
  train: string;
  dev: string;
  test: string | null;
}

/** CoNLL-2003's names as distributed: the original release, and the common train/valid/test copies. */
export const CONLL2003_LAYOUTS = [
  { train: "eng.train", dev: "eng.testa", test: "eng.testb" },
  { train: "train.txt", dev: "valid.txt", test: "test.txt" },
  { train: "train.txt", dev: "dev.txt", test: "test.txt" },
] as const;

/**
 * Finds a NER task's files: WNUT-17 from --data or fetched from a mirror; CoNLL-2003 (whose
 * licence forbids redistribution, so no mirror of ours has it) from --data DIR, or a mirror's
 * ner/conll2003 or conll2003 folder, under any of CONLL2003_LAYOUTS's names.
 */
export async function nerFiles(task: TokenTaskName, options: { data?: string; from?: string }): Promise<NerFiles> {
  if (task === "wnut17") {
    let dir = options.data;
    if (!dir) {
      if (!options.from) throw new BertLabError("MISSING_OPTION", "task wnut17 needs its data: --data DIR (wnut17train.conll, emerging.dev.conll) or --from DIR (a mirror such as ../shared/data)");
      await fetchDataset("wnut17", { from: options.from });
      dir = datasetPath("wnut17");
    }
    const test = path.join(dir, "emerging.test.annotated");
    return { dir, train: path.join(dir, "wnut17train.conll"), dev: path.join(dir, "emerging.dev.conll"), test: fs.existsSync(test) ? test : null };
  }
  if (task !== "conll2003") throw new BertLabError("UNKNOWN_TASK", `unknown NER task "${task}" — choose one of ${TOKEN_TASKS.join(", ")}`);
  const names = CONLL2003_LAYOUTS.map((l) => `${l.train} + ${l.dev}`).join(", or ");
  const get = "its licence forbids redistribution: get the English files (Reuters RCV1 with the CoNLL-2003 annotations) yourself";
  if (!options.data && !options.from) throw new BertLabError("MISSING_OPTION", `task conll2003 needs its data: --data DIR holding ${names} (${get})`);
  const dirs = options.data ? [options.data] : [path.join(options.from!, "ner", "conll2003"), path.join(options.from!, "conll2003")];
  for (const dir of dirs) {
    for (const l of CONLL2003_LAYOUTS) {
      if (fs.existsSync(path.join(dir, l.train)) && fs.existsSync(path.join(dir, l.dev))) {
        const test = path.join(dir, l.test);
        return { dir, train: path.join(dir, l.train), dev: path.join(dir, l.dev), test: fs.existsSync(test) ? test : null };
      }
    }
  }
  throw new BertLabError("DATA_NOT_FOUND", `CoNLL-2003 not found: looked for ${names} in ${dirs.join(" and ")} — ${get}, and pass --data DIR`);
}

/** How a NER task's files are read: CoNLL-2003 is 4 columns in IOB1, trained as IOB2. */
export function nerReadOptions(task: TokenTaskName): { columns: 2 | 4; scheme?: "iob1"; toIob2?: boolean } {
  return task === "conll2003" ? { columns: 4, scheme: "iob1", toIob2: true } : { columns: 2 };
}

/** A NER task's (train, dev), the label list from the training split ("O" first, then sorted). */
export async function loadNerTask(
  options: { task?: TokenTaskName; data?: string; from?: string; skipBadRows?: boolean; log?: (line: string) => void },
): Promise<{ train: TaggedSentence[]; dev: TaggedSentence[]; labels: string[] }> {
  const task = options.task ?? "wnut17";
  const files = await nerFiles(task, options);
  const read = { ...nerReadOptions(task), onError: options.skipBadRows ? ("skip" as const) : ("stop" as const) };
  const train = readConll(files.train, read);
  const labels = labelList(train.sentences);
  const dev = readConll(files.dev, { ...read, labels });
  for (const f of [train, dev]) if (f.skipped.length) options.log?.(`${f.file}: ${f.skipped.length} bad sentences skipped (first: line ${f.skipped[0].line}, ${f.skipped[0].reason})`);
  return { train: train.sentences, dev: dev.sentences, labels };
}

/** SQuAD v1.1's file names as released; the mirror's dataset (the dev set only). */
export const SQUAD_FILES = { train: "train-v1.1.json", dev: "dev-v1.1.json" } as const;
export const SQUAD_DEV_DATASET = "squad-v1.1-dev";

/**
 * Where SQuAD's files are: `train` / `dev` given as files, else `data`'s train-v1.1.json and
 * dev-v1.1.json, else (dev only: no mirror of ours holds the training set) the mirror's
 * squad-v1.1-dev. `needTrain` false: only the dev file (evaluate).
 */
export async function squadFiles(options: { data?: string; from?: string; train?: string; dev?: string }, needTrain = true): Promise<{ train: string | null; dev: string }> {
  const inData = (name: string) => {
    const file = path.join(options.data!, name);
    if (!fs.existsSync(file)) throw new BertLabError("DATA_NOT_FOUND", `${options.data} has no ${name} — put SQuAD v1.1's ${SQUAD_FILES.train} and ${SQUAD_FILES.dev} there, or pass the file (--${name === SQUAD_FILES.train ? "train" : "dev"} FILE)`);
    return file;
  };
  let train: string | null = null;
  if (needTrain) {
    if (options.train) train = options.train;
    else if (options.data) train = inData(SQUAD_FILES.train);
    else if (options.from) {
      throw new BertLabError(
        "MISSING_OPTION",
        `task squad needs its training file: SQuAD's ${SQUAD_FILES.train} is not in the mirror (${options.from} holds only the dev set, ${SQUAD_DEV_DATASET}) — pass --train FILE (${SQUAD_FILES.train} from https://rajpurkar.github.io/SQuAD-explorer/); for a smoke test the dev file will do as --train too, with --max-train-examples N`,
      );
    } else {
      throw new BertLabError("MISSING_OPTION", `task squad needs its data: --train FILE --dev FILE, or --data DIR holding ${SQUAD_FILES.train} and ${SQUAD_FILES.dev}, or --train FILE with --from DIR (a mirror such as ../shared/data) for the dev set`);
    }
  }
  let dev: string;
  if (options.dev) dev = options.dev;
  else if (options.data) dev = inData(SQUAD_FILES.dev);
  else if (options.from) {
    await fetchDataset(SQUAD_DEV_DATASET, { from: options.from });
    dev = datasetPath(SQUAD_DEV_DATASET);
  } else {
    throw new BertLabError("MISSING_OPTION", `task squad needs its dev file: --dev FILE (${SQUAD_FILES.dev}), --data DIR holding it, or --from DIR (a mirror such as ../shared/data)`);
  }
  return { train, dev };
}

/**
 * SQuAD v1.1's training and dev questions (see squadFiles for where they are found); with
 * `needTrain` false, train is null. Every answer is checked (readSquad); skipBadRows leaves a
 * malformed question out, with a count, instead of stopping.
 */
export async function loadSquadTask(
  options: { data?: string; from?: string; train?: string; dev?: string; skipBadRows?: boolean; log?: (line: string) => void },
  needTrain = true,
): Promise<{ train: SquadExample[] | null; dev: SquadExample[]; files: { train: string | null; dev: string } }> {
  const files = await squadFiles(options, needTrain);
  const read = (file: string, split: string) => {
    const f = readSquad(file, { onError: options.skipBadRows ? "skip" : "stop" });
    if (f.examples.length === 0) throw new BertLabError("NO_EXAMPLES", `${file} holds no questions: a SQuAD v1.1 ${split} file has {"data": [{"paragraphs": [{"context", "qas"}]}]}`);
    options.log?.(`${file}: ${f.examples.length} questions in ${f.paragraphs} paragraphs of ${f.articles} articles${f.skipped.length ? `, ${f.skipped.length} bad questions skipped (first: ${f.skipped[0].where}, ${f.skipped[0].reason})` : ""}`);
    return f.examples;
  };
  return { train: files.train ? read(files.train, "training") : null, dev: read(files.dev, "dev"), files };
}
