/**
 * GLUE task files (the TSVs of download_glue_data.py), read as BERT's run_classifier.py reads
 * them: lines split on "\n" (a "\r" before it is dropped), fields split on "\t", nothing else.
 * A double quote is text: `Susan whispered "Shut up".` and a field that starts with `"` are
 * read verbatim (a CSV parser would join lines there). A UTF-8 BOM at the start is dropped
 * (MRPC's files have one). Texts are kept as they are in the file (SST-2's sentences end in a
 * space; the tokenizer strips it).
 *
 * Each task knows its layout: CoLA has no header and four columns (source, label, the
 * original author's acceptability mark, sentence); every other file has a header, and its
 * columns are found by name, so MNLI's train (12 columns) and dev (16) both read. Every line
 * must have as many columns as the header. Test files (test.tsv) have an `index` column and
 * no label: read them with `{ labeled: false }` (label −1).
 *
 * A malformed row (wrong column count, unknown label, unparsable score, empty sentence) is an
 * error naming file:line (onError "stop", the default) or, with onError "skip", a row left out
 * and listed in `skipped` with its line and reason: every line after the header is either an
 * example or in `skipped`.
 */
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { readUtf8 } from "./read-utf8";

export type GlueTaskName = "cola" | "sst2" | "mrpc" | "stsb" | "qnli" | "rte" | "mnli";
export type GlueMetric = "matthews" | "accuracy" | "f1" | "pearson" | "spearman";

export interface GlueTask {
  name: GlueTaskName;
  /** the folder name in the GLUE download, e.g. "SST-2" */
  folder: string;
  /** a labelled file's columns: the header's names (found by name), or CoLA's columns by position */
  columns: readonly string[];
  hasHeader: boolean;
  /** the column(s) of the example id (joined with "-"), none: the example's index */
  id: readonly string[];
  textA: string;
  /** the second sentence of a pair task */
  textB: string | null;
  label: string;
  /** the labels as written in the file, in class-index order (BERT's get_labels); null: regression */
  labels: readonly string[] | null;
  /** readable names of the labels, same order */
  labelNames: readonly string[] | null;
  /** the metrics reported for the task (GLUE / the BERT paper), the first is the headline */
  metrics: readonly GlueMetric[];
  pair: boolean;
  /** split → file name in the task folder */
  files: Readonly<Record<string, string>>;
  /** test files: their header's columns (an `index`, the texts, no label) */
  testColumns: readonly string[];
}

const NLI = ["entailment", "not_entailment"] as const;

/** The GLUE tasks BERT reports (WNLI left out, as in the paper). */
export const GLUE_TASKS: Readonly<Record<GlueTaskName, GlueTask>> = {
  cola: {
    name: "cola", folder: "CoLA", hasHeader: false,
    columns: ["source", "label", "original_label", "sentence"],
    id: [], textA: "sentence", textB: null, label: "label",
    labels: ["0", "1"], labelNames: ["unacceptable", "acceptable"], metrics: ["matthews"], pair: false,
    files: { train: "train.tsv", dev: "dev.tsv", test: "test.tsv" },
    testColumns: ["index", "sentence"],
  },
  sst2: {
    name: "sst2", folder: "SST-2", hasHeader: true,
    columns: ["sentence", "label"],
    id: [], textA: "sentence", textB: null, label: "label",
    labels: ["0", "1"], labelNames: ["negative", "positive"], metrics: ["accuracy"], pair: false,
    files: { train: "train.tsv", dev: "dev.tsv", test: "test.tsv" },
    testColumns: ["index", "sentence"],
  },
  mrpc: {
    name: "mrpc", folder: "MRPC", hasHeader: true,
    columns: ["Quality", "#1 ID", "#2 ID", "#1 String", "#2 String"],
    id: ["#1 ID", "#2 ID"], textA: "#1 String", textB: "#2 String", label: "Quality",
    labels: ["0", "1"], labelNames: ["not_equivalent", "equivalent"], metrics: ["f1", "accuracy"], pair: true,
    files: { train: "train.tsv", dev: "dev.tsv", test: "test.tsv" },
    testColumns: ["index", "#1 ID", "#2 ID", "#1 String", "#2 String"],
  },
  stsb: {
    name: "stsb", folder: "STS-B", hasHeader: true,
    columns: ["index", "genre", "filename", "year", "old_index", "source1", "source2", "sentence1", "sentence2", "score"],
    id: ["index"], textA: "sentence1", textB: "sentence2", label: "score",
    labels: null, labelNames: null, metrics: ["pearson", "spearman"], pair: true,
    files: { train: "train.tsv", dev: "dev.tsv", test: "test.tsv" },
    testColumns: ["index", "genre", "filename", "year", "old_index", "source1", "source2", "sentence1", "sentence2"],
  },
  qnli: {
    name: "qnli", folder: "QNLI", hasHeader: true,
    columns: ["index", "question", "sentence", "label"],
    id: ["index"], textA: "question", textB: "sentence", label: "label",
    labels: NLI, labelNames: NLI, metrics: ["accuracy"], pair: true,
    files: { train: "train.tsv", dev: "dev.tsv", test: "test.tsv" },
    testColumns: ["index", "question", "sentence"],
  },
  rte: {
    name: "rte", folder: "RTE", hasHeader: true,
    columns: ["index", "sentence1", "sentence2", "label"],
    id: ["index"], textA: "sentence1", textB: "sentence2", label: "label",
    labels: NLI, labelNames: NLI, metrics: ["accuracy"], pair: true,
    files: { train: "train.tsv", dev: "dev.tsv", test: "test.tsv" },
    testColumns: ["index", "sentence1", "sentence2"],
  },
  mnli: {
    name: "mnli", folder: "MNLI", hasHeader: true,
    // train.tsv; dev_*.tsv have label1 … label5 before gold_label (16 columns)
    columns: ["index", "promptID", "pairID", "genre", "sentence1_binary_parse", "sentence2_binary_parse",
      "sentence1_parse", "sentence2_parse", "sentence1", "sentence2", "label1", "gold_label"],
    id: ["index"], textA: "sentence1", textB: "sentence2", label: "gold_label",
    labels: ["contradiction", "entailment", "neutral"], labelNames: ["contradiction", "entailment", "neutral"],
    metrics: ["accuracy"], pair: true,
    files: {
      train: "train.tsv", dev_matched: "dev_matched.tsv", dev_mismatched: "dev_mismatched.tsv",
      test_matched: "test_matched.tsv", test_mismatched: "test_mismatched.tsv",
    },
    testColumns: ["index", "promptID", "pairID", "genre", "sentence1_binary_parse", "sentence2_binary_parse",
      "sentence1_parse", "sentence2_parse", "sentence1", "sentence2"],
  },
};

/**
 * A task by name: "sst2", "SST-2", "STS-B", "CoLA", … (case and punctuation ignored).
 *
 * @example
 *   glueTask("SST-2").metrics // → ["accuracy"]
 */
export function glueTask(name: string): GlueTask {
  const key = name.toLowerCase().replace(/[^a-z0-9]/g, "");
  const task = (GLUE_TASKS as Record<string, GlueTask>)[key];
  if (!task) throw new BertLabError("UNKNOWN_TASK", `unknown GLUE task ${JSON.stringify(name)} — one of ${Object.keys(GLUE_TASKS).join(", ")}`);
  return task;
}

export interface GlueExample {
  /** the id column(s) joined with "-" (MRPC: "#1 ID-#2 ID"; a test file: its index), else the row's 0-based index after the header */
  id: string | number;
  textA: string;
  textB?: string;
  /** the class index into task.labels, the score for STS-B, −1 in an unlabelled file */
  label: number;
  /** the readable label (task.labelNames), absent for STS-B and unlabelled files */
  labelName?: string;
  /** 1-based line in the file */
  line: number;
}

export interface GlueSkip {
  line: number;
  reason: string;
}

export interface GlueFile {
  task: GlueTaskName;
  file: string;
  examples: GlueExample[];
  skipped: GlueSkip[];
}

export interface GlueOptions {
  /** "stop" (default): throw on the first bad row; "skip": leave it out and list it in `skipped` */
  onError?: "stop" | "skip";
  /** the split ("train", "dev", "test_matched", …); a split starting with "test" reads unlabelled */
  split?: string;
  /** false: a test file (an index column, no label; label −1). Default: true, or false for a test split */
  labeled?: boolean;
}

/**
 * Reads one GLUE file.
 *
 * @example
 *   const dev = readGlue("sst2", "glue/SST-2/dev.tsv");      // 872 examples
 *   dev.examples[0]  // { id: 0, textA: "it 's a charming and often affecting journey . ", label: 1, labelName: "positive", line: 2 }
 *   readGlue("mrpc", "glue/MRPC/test.tsv", { labeled: false }).examples[0].label // → -1
 */
export function readGlue(task: GlueTaskName | GlueTask, file: string, options: GlueOptions = {}): GlueFile {
  const text = readUtf8(file, "GLUE file", "download GLUE (download_glue_data.py) or check the path");
  return parseGlue(task, text, file, options);
}

/**
 * Parses the text of a GLUE file; `file` names it in messages.
 *
 * @example
 *   parseGlue("rte", "index\tsentence1\tsentence2\tlabel\n0\tA cat sat.\tA cat.\tentailment\n", "inline").examples[0].label // → 0
 */
export function parseGlue(task: GlueTaskName | GlueTask, text: string, file: string, options: GlueOptions = {}): GlueFile {
  const t = typeof task === "string" ? glueTask(task) : task;
  const { onError = "stop", split } = options;
  if (onError !== "stop" && onError !== "skip") throw new BertLabError("BAD_OPTION", `onError must be "stop" or "skip", not ${JSON.stringify(onError)}`);
  const labeled = options.labeled ?? !(split ?? "").startsWith("test");

  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop(); // the newline after the last row (CoLA's dev.tsv has none)
  const fields = (i: number) => {
    const l = lines[i];
    return (l.endsWith("\r") ? l.slice(0, -1) : l).split("\t");
  };
  if (lines.length === 0) throw new BertLabError("EMPTY_INPUT", `${file}: empty — expected a GLUE ${t.folder} file`);

  // the column names: the header's, or CoLA's positions (test files always have a header)
  const hasHeader = t.hasHeader || !labeled;
  const names = hasHeader ? fields(0) : [...t.columns];
  const idNames = labeled ? t.id : ["index"]; // a test file's index: what a GLUE submission lists
  const wanted = [...idNames, t.textA, ...(t.textB ? [t.textB] : []), ...(labeled ? [t.label] : [])];
  const missing = wanted.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    const hint = labeled && missing.includes(t.label) && names.includes("index") ? ` — a test file? pass { labeled: false }` : "";
    throw new BertLabError(
      "BAD_HEADER",
      `${file}:1: not a ${t.folder} header: no column ${missing.map((m) => JSON.stringify(m)).join(", ")}; expected ${JSON.stringify((labeled ? t.columns : t.testColumns).join("\t"))}, found ${JSON.stringify(names.join("\t"))}${hint}`,
    );
  }
  if (!hasHeader && fields(0).join("\t") === t.testColumns.join("\t")) {
    throw new BertLabError("BAD_HEADER", `${file}:1: a ${t.folder} test file (header ${JSON.stringify(t.testColumns.join("\t"))}) — pass { labeled: false } to read it`);
  }
  const col = (name: string) => names.indexOf(name);
  const idCols = idNames.map(col);
  const [a, b, y] = [col(t.textA), t.textB ? col(t.textB) : -1, labeled ? col(t.label) : -1];
  const classes = t.labels ? new Map(t.labels.map((l, k) => [l, k])) : null;

  const out: GlueFile = { task: t.name, file, examples: [], skipped: [] };
  const fix = `fix the line, or pass onError: "skip" to leave it out`;
  for (let i = hasHeader ? 1 : 0; i < lines.length; i++) {
    const line = i + 1;
    const f = fields(i);
    let reason: string | null = null;
    let code = "";
    let label = -1;
    let labelName: string | undefined;
    if (f.length !== names.length) {
      code = "BAD_COLUMNS";
      reason = `expected ${names.length} tab-separated columns (${names.join(", ")}), found ${f.length}${f.length < names.length ? " — the row is cut short or a tab is missing" : " — a stray tab in a text?"}`;
    } else if (f[a].trim() === "" || (b >= 0 && f[b].trim() === "")) {
      code = "EMPTY_TEXT";
      reason = `empty ${f[a].trim() === "" ? t.textA : t.textB} column`;
    } else if (labeled && classes) {
      const k = classes.get(f[y]);
      if (k === undefined) {
        code = "BAD_LABEL";
        reason = `unknown label ${JSON.stringify(f[y])} in column ${t.label} — expected one of ${t.labels!.map((l) => JSON.stringify(l)).join(", ")}`;
      } else {
        label = k;
        labelName = t.labelNames![k];
      }
    } else if (labeled) {
      const s = f[y];
      label = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(s) ? Number(s) : NaN;
      if (!(label >= 0 && label <= 5)) {
        code = "BAD_SCORE";
        reason = `${Number.isNaN(label) ? "unparsable" : "out of range"} score ${JSON.stringify(s)} in column ${t.label} — expected a number from 0 to 5`;
      }
    }
    if (reason !== null) {
      if (onError === "stop") throw new BertLabError(code, `${file}:${line}: ${reason} — ${fix}`);
      out.skipped.push({ line, reason });
      continue;
    }
    const ex: GlueExample = {
      id: idCols.length > 0 ? idCols.map((c) => f[c]).join("-") : i - (hasHeader ? 1 : 0),
      textA: f[a],
      ...(b >= 0 ? { textB: f[b] } : {}),
      label,
      ...(labelName !== undefined ? { labelName } : {}),
      line,
    };
    out.examples.push(ex);
  }
  return out;
}

/**
 * Reads a task's splits from its folder (the GLUE download's `glue_data/SST-2`, …): by default
 * every labelled split (train, dev; MNLI's dev_matched and dev_mismatched).
 *
 * @example
 *   const { train, dev } = readGlueTask("rte", "glue_data/RTE");   // 2,490 and 277 examples
 *   readGlueTask("mrpc", "glue_data/MRPC", { splits: ["test"] }).test.examples.length // → 1,725
 */
export function readGlueTask(
  task: GlueTaskName | GlueTask,
  dir: string,
  options: { splits?: string[]; onError?: "stop" | "skip" } = {},
): Record<string, GlueFile> {
  const t = typeof task === "string" ? glueTask(task) : task;
  const splits = options.splits ?? Object.keys(t.files).filter((s) => !s.startsWith("test"));
  const out: Record<string, GlueFile> = {};
  for (const split of splits) {
    const name = t.files[split];
    if (!name) throw new BertLabError("BAD_OPTION", `${t.folder} has no split ${JSON.stringify(split)} — one of ${Object.keys(t.files).join(", ")}`);
    out[split] = readGlue(t, path.join(dir, name), { split, onError: options.onError });
  }
  return out;
}
