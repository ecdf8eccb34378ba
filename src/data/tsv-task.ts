/**
 * A sentence task of your own in TSV files: one example per line, a text (and optionally a
 * second text) and a label in tab-separated columns. Read as the GLUE files are: lines split
 * on "\n" (a "\r" before it dropped), fields on "\t", quotes are text, a UTF-8 BOM dropped,
 * blank lines ignored.
 *
 * Columns are chosen by name (from a header row) or by 0-based index (negative counts from the
 * end). Defaults: the text is the column named "sentence", "text", "sentence1" or "text_a"
 * (the first found; with "sentence1" / "text_a" the second text is "sentence2" / "text_b"),
 * else column 0; the label is the column named "label", else the last one.
 *
 * The header row is found, unless `header` says: a column chosen by name, or a first-row cell
 * that is one of the default names, makes it a header; else, for a regression, a label cell
 * that is not a number; else a label cell that no other row has (the label set given: one not
 * in it). `headerReason` says which rule decided.
 *
 * Classification: the labels are the distinct values of the label column, sorted (numerically
 * when all are numbers, else by code unit), so the class indices do not depend on the order of
 * the rows. Regression: the label column holds numbers.
 *
 * Every line after the header is an example or, with onError "skip", listed in `skipped` with
 * its line and reason (wrong column count, an empty text, an empty, unknown or non-numeric
 * label); with onError "stop" (the default) it is an error naming file:line.
 *
 * @example
 *   const t = readTsvTask({ train: "reviews/train.tsv", dev: "reviews/dev.tsv" });
 *   t.labels;             // → ["neg", "pos"]
 *   t.train.examples[0];  // → { textA: "a gripping film", label: 1, labelName: "pos", line: 2 }
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { readUtf8 } from "./read-utf8";

/** a column: its header name, or its 0-based index (negative: from the end) */
export type ColumnRef = string | number;

export interface TsvOptions {
  textColumn?: ColumnRef;
  /** the second text of a pair task; default none (or sentence2 / text_b beside sentence1 / text_a) */
  textBColumn?: ColumnRef;
  labelColumn?: ColumnRef;
  /** true: the first row names the columns; false: it is data; "auto" (default): found out */
  header?: boolean | "auto";
  /** numeric labels (a score) instead of classes */
  regression?: boolean;
  /** the class names to map to (dev: the training file's); default: those found in the file */
  labels?: readonly string[];
  /** "stop" (default): throw on the first bad row; "skip": leave it out and list it in `skipped` */
  onError?: "stop" | "skip";
}

export interface TsvExample {
  textA: string;
  textB?: string;
  /** the class index into `labels`, or the score of a regression */
  label: number;
  /** the label as written, for a classification */
  labelName?: string;
  /** 1-based line in the file */
  line: number;
}

export interface TsvSkip {
  line: number;
  reason: string;
}

export interface TsvFile {
  file: string;
  /** the header row's names, or null when the file has none */
  header: string[] | null;
  /** why the first row was (or was not) taken as a header */
  headerReason: string;
  /** the columns used: 0-based indices and how they were named */
  columns: { text: number; textB: number | null; label: number; names: { text: string; textB: string | null; label: string } };
  examples: TsvExample[];
  skipped: TsvSkip[];
  /** the class names in index order, or null for a regression */
  labels: string[] | null;
}

const TEXT_NAMES = ["sentence", "text", "sentence1", "text_a"];
const PAIR_OF: Record<string, string> = { sentence1: "sentence2", text_a: "text_b" };
const KNOWN_NAMES = new Set([...TEXT_NAMES, "sentence2", "text_b", "label"]);
const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const SKIP_HINT = `fix the row, or skip bad rows (--skip-bad-rows; onError: "skip" in code)`;

/**
 * Reads one TSV file of a sentence task.
 *
 * @example
 *   readTsv("dev.tsv", { labels: ["neg", "pos"] }).examples.length // → 872
 */
export function readTsv(file: string, options: TsvOptions = {}): TsvFile {
  const text = readUtf8(file, "TSV file");
  return parseTsv(text, file, options);
}

/**
 * Parses the text of a TSV file; `file` names it in messages.
 *
 * @example
 *   parseTsv("text\tlabel\ngood\tpos\nbad\tneg\n", "inline").labels // → ["neg", "pos"]
 */
export function parseTsv(text: string, file: string, options: TsvOptions = {}): TsvFile {
  const { onError = "stop", regression = false } = options;
  if (onError !== "stop" && onError !== "skip") throw new BertLabError("BAD_OPTION", `onError must be "stop" or "skip", not ${JSON.stringify(onError)}`);
  if (regression && options.labels) throw new BertLabError("BAD_OPTION", "a regression has no label set: pass labels or regression, not both");
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // [line number, fields] of every non-blank line
  const rows: [number, string[]][] = [];
  text.split("\n").forEach((l, i) => {
    const raw = l.endsWith("\r") ? l.slice(0, -1) : l;
    if (raw.trim() !== "") rows.push([i + 1, raw.split("\t")]);
  });
  if (rows.length === 0) throw new BertLabError("EMPTY_INPUT", `${file}: no rows — expected tab-separated lines of a text and a label`);

  const byName = [options.textColumn, options.textBColumn, options.labelColumn].some((c) => typeof c === "string");
  const [firstLine, first] = rows[0];
  const { header, reason: headerReason } = decideHeader(first, rows, options, byName, regression);
  if (header === false && byName) {
    throw new BertLabError("BAD_OPTION", `${file}: columns chosen by name need a header row — name them by index (0-based), or drop header: false (--no-header)`);
  }
  const names = header ? first : null;
  const width = first.length;
  const described = (k: number) => (names ? JSON.stringify(names[k]) : `column ${k}`);

  const resolve = (ref: ColumnRef | undefined, role: string): number | undefined => {
    if (ref === undefined) return undefined;
    if (typeof ref === "number") {
      const k = ref < 0 ? width + ref : ref;
      if (!Number.isInteger(ref) || k < 0 || k >= width) {
        throw new BertLabError("BAD_OPTION", `${file}:${firstLine}: no column ${ref} for the ${role} — the file has ${width} columns (0…${width - 1}${names ? `: ${names.join(", ")}` : ""})`);
      }
      return k;
    }
    const k = names!.indexOf(ref);
    if (k < 0) throw new BertLabError("BAD_OPTION", `${file}:${firstLine}: no column named ${JSON.stringify(ref)} for the ${role} in the header (${names!.join(", ")}) — pass one of those names or a 0-based index`);
    return k;
  };
  let a = resolve(options.textColumn, "text");
  let b = resolve(options.textBColumn, "second text");
  let y = resolve(options.labelColumn, "label");
  if (a === undefined) {
    const found = names ? TEXT_NAMES.find((n) => names.includes(n)) : undefined;
    a = found ? names!.indexOf(found) : 0;
    if (b === undefined && found && PAIR_OF[found] && names!.includes(PAIR_OF[found])) b = names!.indexOf(PAIR_OF[found]);
  }
  if (y === undefined) y = names && names.includes("label") ? names.indexOf("label") : width - 1;
  if (width < 2) throw new BertLabError("BAD_COLUMNS", `${file}:${firstLine}: one column only — a task needs a text and a label, separated by a tab`);
  const used = [a, y, ...(b !== undefined ? [b] : [])];
  if (new Set(used).size !== used.length) {
    throw new BertLabError("BAD_OPTION", `${file}: the text, second text and label must be different columns, got ${described(a)}, ${b === undefined ? "none" : described(b)} and ${described(y)} — choose them with --text-column, --text-b-column, --label-column`);
  }

  // first pass: the rows that are well-formed, with their label as written
  const fail = (line: number, code: string, reason: string, skipped: TsvSkip[]) => {
    if (onError === "stop") throw new BertLabError(code, `${file}:${line}: ${reason} — ${SKIP_HINT}`);
    skipped.push({ line, reason });
  };
  const skipped: TsvSkip[] = [];
  const good: { line: number; f: string[] }[] = [];
  const columnList = names ? ` (${names.join(", ")})` : "";
  for (const [line, f] of header ? rows.slice(1) : rows) {
    if (f.length !== width) {
      fail(line, "BAD_COLUMNS", `expected ${width} tab-separated columns${columnList}, found ${f.length}${f.length < width ? " — a column is missing" : " — a stray tab inside a text?"}`, skipped);
    } else if (f[a].trim() === "" || (b !== undefined && f[b].trim() === "")) {
      fail(line, "EMPTY_TEXT", `empty text in ${described(f[a].trim() === "" ? a : b!)}`, skipped);
    } else if (f[y].trim() === "") {
      fail(line, "BAD_LABEL", `no label in ${described(y)}`, skipped);
    } else if (regression && !NUMBER.test(f[y])) {
      fail(line, "BAD_LABEL", `label ${JSON.stringify(f[y])} in ${described(y)} is not a number (a regression needs numbers; without --regression the labels are classes)`, skipped);
    } else if (options.labels && !options.labels.includes(f[y])) {
      fail(line, "BAD_LABEL", `label ${JSON.stringify(f[y])} is not one of the ${options.labels.length} training labels (${options.labels.slice(0, 20).join(", ")}${options.labels.length > 20 ? ", …" : ""})`, skipped);
    } else {
      good.push({ line, f });
    }
  }
  const labels = regression ? null : options.labels ? [...options.labels] : sortLabels(good.map((r) => r.f[y!]));
  const index = new Map((labels ?? []).map((l, k) => [l, k]));
  const examples = good.map(({ line, f }): TsvExample => ({
    textA: f[a!],
    ...(b !== undefined ? { textB: f[b] } : {}),
    label: regression ? Number(f[y!]) : index.get(f[y!])!,
    ...(regression ? {} : { labelName: f[y!] }),
    line,
  }));
  const nameOf = (k: number) => (names ? names[k] : String(k));
  return {
    file,
    header: names,
    headerReason,
    columns: { text: a, textB: b ?? null, label: y, names: { text: nameOf(a), textB: b !== undefined ? nameOf(b) : null, label: nameOf(y) } },
    examples,
    skipped,
    labels,
  };
}

/** Is the first row a header? The rules in the file comment, in order. */
function decideHeader(first: string[], rows: [number, string[]][], options: TsvOptions, byName: boolean, regression: boolean): { header: boolean; reason: string } {
  const h = options.header ?? "auto";
  if (h === true || h === false) return { header: h, reason: h ? "header: true" : "header: false" };
  if (h !== "auto") throw new BertLabError("BAD_OPTION", `header must be true, false or "auto", not ${JSON.stringify(h)}`);
  if (byName) return { header: true, reason: "a column is chosen by name" };
  const known = first.find((c) => KNOWN_NAMES.has(c.trim().toLowerCase()));
  if (known !== undefined) return { header: true, reason: `the first row has the column name ${JSON.stringify(known)}` };
  const ref = options.labelColumn;
  const k = typeof ref === "number" ? (ref < 0 ? first.length + ref : ref) : first.length - 1;
  const cell = first[k];
  if (cell === undefined) return { header: false, reason: "the first row is data" };
  if (regression) {
    return NUMBER.test(cell) ? { header: false, reason: "the first row's label is a number" } : { header: true, reason: `the first row's label ${JSON.stringify(cell)} is not a number` };
  }
  if (options.labels) {
    return options.labels.includes(cell)
      ? { header: false, reason: `the first row's label ${JSON.stringify(cell)} is a training label` }
      : { header: true, reason: `the first row's label ${JSON.stringify(cell)} is not a training label` };
  }
  const again = rows.slice(1).some(([, f]) => f.length === first.length && f[k] === cell);
  return again || rows.length < 3
    ? { header: false, reason: `the first row's label ${JSON.stringify(cell)} is a label of other rows too` }
    : { header: true, reason: `the first row's label ${JSON.stringify(cell)} is in no other row` };
}

/**
 * The distinct labels, sorted: numerically when every one is a number ("2" before "10"), else
 * by code unit — the same list however the rows are ordered, on every machine.
 *
 * @example
 *   sortLabels(["pos", "neg", "pos"]) // → ["neg", "pos"]
 *   sortLabels(["10", "2", "1"])      // → ["1", "2", "10"]
 */
export function sortLabels(values: readonly string[]): string[] {
  const distinct = [...new Set(values)];
  if (distinct.every((v) => NUMBER.test(v))) return distinct.sort((p, q) => Number(p) - Number(q) || (p < q ? -1 : p > q ? 1 : 0));
  return distinct.sort((p, q) => (p < q ? -1 : p > q ? 1 : 0));
}

export interface TsvTaskOptions extends Omit<TsvOptions, "labels"> {
  /** the training file; or give `data` */
  train?: string;
  /** the dev file (evaluated after each epoch); or give `data` */
  dev?: string;
  /** a folder holding train.tsv and dev.tsv */
  data?: string;
}

export interface TsvTask {
  train: TsvFile;
  dev: TsvFile;
  /** the class names (from train, sorted), or null for a regression */
  labels: string[] | null;
  /** 1 for a regression */
  numLabels: number;
}

/**
 * The training and dev files of a TSV task: the label set from train, dev read against it.
 *
 * @example
 *   const t = readTsvTask({ data: "my-task", textColumn: "review", labelColumn: "stars" });
 *   console.log(t.labels, t.train.examples.length, t.dev.examples.length);
 *   // prints: [ '1', '2', '3', '4', '5' ] 8000 1000
 */
export function readTsvTask(options: TsvTaskOptions): TsvTask {
  const pick = (given: string | undefined, name: string) => given ?? (options.data ? path.join(options.data, name) : undefined);
  const trainFile = pick(options.train, "train.tsv");
  const devFile = pick(options.dev, "dev.tsv");
  if (!trainFile || !devFile) {
    throw new BertLabError("MISSING_OPTION", `task tsv needs its files: --train FILE and --dev FILE, or --data DIR holding train.tsv and dev.tsv`);
  }
  for (const f of [trainFile, devFile]) {
    if (!fs.existsSync(f)) throw new BertLabError("INPUT_NOT_FOUND", `TSV file not found: ${f} — pass --train FILE and --dev FILE (or --data DIR with train.tsv and dev.tsv)`);
  }
  const { train: _t, dev: _d, data: _data, ...read } = options;
  const train = readTsv(trainFile, read);
  if (train.examples.length === 0) throw new BertLabError("NO_EXAMPLES", `${trainFile}: no usable rows (${train.skipped.length} skipped)`);
  const dev = readTsv(devFile, { ...read, ...(train.labels ? { labels: train.labels } : {}) });
  if (dev.examples.length === 0) throw new BertLabError("NO_EXAMPLES", `${devFile}: no usable rows (${dev.skipped.length} skipped) — the dev file is what each epoch is scored on`);
  if (train.labels && train.labels.length < 2) {
    throw new BertLabError("BAD_LABEL", `${trainFile}: one label only (${train.labels[0]}) in ${JSON.stringify(train.columns.names.label)} — a classification needs two or more; is the label column right (--label-column)? For numbers, pass --regression`);
  }
  return { train, dev, labels: train.labels, numLabels: train.labels ? train.labels.length : 1 };
}
