import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { BertLabError } from "../util/errors";
import { tempFolders } from "../util/temp-folders.test.helper";
import { parseTsv, readTsv, readTsvTask, sortLabels } from "./tsv-task";

const tmp = tempFolders();
const rejects = (fn: () => unknown, code: string, re: RegExp) => assert.throws(fn, (e: unknown) => e instanceof BertLabError && e.code === code && re.test(e.message));

test("parseTsv: a header found by its names, the label set sorted (not in row order), sentence1/sentence2 as a pair", () => {
  const f = parseTsv("id\tsentence1\tsentence2\tlabel\r\n7\tA cat sat.\tA cat.\tyes\n8\tIt rained.\tIt is dry.\tno\n\n9\t\"Quoted\" text\tOK\tyes\n", "pairs.tsv");
  assert.deepEqual(f.header, ["id", "sentence1", "sentence2", "label"]);
  assert.match(f.headerReason, /column name "id"|"sentence1"/);
  assert.deepEqual(f.labels, ["no", "yes"], "sorted, though 'yes' comes first in the file");
  assert.deepEqual(f.columns.names, { text: "sentence1", textB: "sentence2", label: "label" });
  assert.deepEqual(f.examples[0], { textA: "A cat sat.", textB: "A cat.", label: 1, labelName: "yes", line: 2 });
  assert.equal(f.examples[2].textA, '"Quoted" text', "quotes are text; the blank line is skipped");
  assert.equal(f.examples[2].line, 5);
  assert.deepEqual(f.skipped, []);
});

test("header detection: a label no other row has, a non-number for a regression, a label outside the given set; header false/true override", () => {
  const headed = parseTsv("review\tsentiment\ngreat\tpos\nawful\tneg\nfine\tpos\n", "a.tsv");
  assert.deepEqual(headed.header, ["review", "sentiment"]);
  assert.equal(headed.examples.length, 3);
  assert.deepEqual(headed.labels, ["neg", "pos"]);
  const bare = parseTsv("great\tpos\nawful\tneg\nfine\tpos\n", "b.tsv");
  assert.equal(bare.header, null, "the first row's label recurs: data");
  assert.equal(bare.examples.length, 3);
  assert.equal(bare.columns.names.text, "0");
  const forced = parseTsv("review\tsentiment\ngreat\tpos\nawful\tneg\nfine\tpos\n", "c.tsv", { header: false });
  assert.deepEqual(forced.labels, ["neg", "pos", "sentiment"], "header: false keeps the first row as data");
  const reg = parseTsv("s\tscore\na\t1.5\nb\t-2e-1\n", "r.tsv", { regression: true });
  assert.deepEqual(reg.header, ["s", "score"]);
  assert.deepEqual(reg.examples.map((e) => e.label), [1.5, -0.2]);
  assert.equal(reg.labels, null);
  const regBare = parseTsv("a\t1.5\nb\t2\n", "r2.tsv", { regression: true });
  assert.equal(regBare.header, null);
  const dev = parseTsv("t\tcls\ngood\tpos\n", "dev.tsv", { labels: ["neg", "pos"] });
  assert.deepEqual(dev.header, ["t", "cls"], "a label outside the training labels: a header");
  assert.deepEqual(dev.examples.map((e) => e.label), [1]);
});

test("columns by name, by 0-based index and from the end; a name needs a header; clashing columns are refused", () => {
  const text = "label\tid\ttext\textra\n1\ta\tfirst\tx\n0\tb\tsecond\ty\n";
  const byDefault = parseTsv(text, "d.tsv");
  assert.deepEqual(byDefault.columns, { text: 2, textB: null, label: 0, names: { text: "text", textB: null, label: "label" } });
  const byIndex = parseTsv(text, "d.tsv", { textColumn: 3, labelColumn: -3 });
  assert.deepEqual(byIndex.examples.map((e) => [e.textA, e.labelName]), [["x", "a"], ["y", "b"]]);
  const byName = parseTsv(text, "d.tsv", { textColumn: "id", textBColumn: "extra" });
  assert.deepEqual(byName.examples[1], { textA: "b", textB: "y", label: 0, labelName: "0", line: 3 });
  rejects(() => parseTsv(text, "d.tsv", { textColumn: "review" }), "BAD_OPTION", /d\.tsv:1: no column named "review" for the text in the header \(label, id, text, extra\)/);
  rejects(() => parseTsv(text, "d.tsv", { textColumn: 9 }), "BAD_OPTION", /no column 9 for the text — the file has 4 columns/);
  rejects(() => parseTsv("a\tpos\nb\tneg\n", "e.tsv", { header: false, textColumn: "text" }), "BAD_OPTION", /need a header row/);
  rejects(() => parseTsv(text, "d.tsv", { textColumn: 0 }), "BAD_OPTION", /must be different columns.*--label-column/);
  rejects(() => parseTsv("only one column\n", "o.tsv", { header: false }), "BAD_COLUMNS", /one column only/);
});

test("bad rows: an error naming file:line and the fix, or skipped and listed with onError skip", () => {
  const text = "sentence\tlabel\ngood film\tpos\nno label here\nbad film\tneg\n\tneg\nok\t\n";
  rejects(() => parseTsv(text, "t.tsv"), "BAD_COLUMNS", /^t\.tsv:3: expected 2 tab-separated columns \(sentence, label\), found 1 — a column is missing — fix the row, or skip bad rows \(--skip-bad-rows/);
  const f = parseTsv(text, "t.tsv", { onError: "skip" });
  assert.deepEqual(f.examples.map((e) => e.line), [2, 4]);
  assert.deepEqual(f.skipped.map((s) => s.line), [3, 5, 6]);
  assert.match(f.skipped[1].reason, /empty text in "sentence"/);
  assert.match(f.skipped[2].reason, /no label in "label"/);
  rejects(() => parseTsv("s\tscore\na\t1\nb\thigh\n", "r.tsv", { regression: true }), "BAD_LABEL", /r\.tsv:3: label "high" in "score" is not a number/);
  rejects(() => parseTsv("s\tlabel\na\tpos\nb\tmaybe\n", "dev.tsv", { labels: ["neg", "pos"] }), "BAD_LABEL", /dev\.tsv:3: label "maybe" is not one of the 2 training labels \(neg, pos\)/);
  rejects(() => parseTsv("a\tb\tc\n1\t2\t3\t4\n", "w.tsv", { header: true }), "BAD_COLUMNS", /w\.tsv:2: .*found 4 — a stray tab inside a text\?/);
});

test("sortLabels: numerically when all are numbers, else by code unit; the same list for any row order", () => {
  assert.deepEqual(sortLabels(["10", "2", "1", "2"]), ["1", "2", "10"]);
  assert.deepEqual(sortLabels(["b", "B", "a", "10"]), ["10", "B", "a", "b"]);
  const rows = ["x\tc", "y\ta", "z\tb", "w\ta"];
  const one = parseTsv(rows.join("\n"), "1.tsv", { header: false }).labels;
  const other = parseTsv([...rows].reverse().join("\n"), "2.tsv", { header: false }).labels;
  assert.deepEqual(one, ["a", "b", "c"]);
  assert.deepEqual(other, one);
});

test("readTsvTask: --data DIR (train.tsv, dev.tsv) or --train/--dev; dev is read against train's labels; missing files are named", () => {
  const dir = tmp("tsv-task");
  fs.writeFileSync(path.join(dir, "train.tsv"), "text\tlabel\nnice\tpos\nugly\tneg\ncalm\tneu\n");
  fs.writeFileSync(path.join(dir, "dev.tsv"), "\uFEFFtext\tlabel\nlovely\tpos\ngrim\tneg\n");
  const t = readTsvTask({ data: dir });
  assert.deepEqual(t.labels, ["neg", "neu", "pos"]);
  assert.equal(t.numLabels, 3);
  assert.deepEqual(t.dev.examples.map((e) => e.label), [2, 0], "a BOM is dropped; dev maps to train's indices");
  const reg = path.join(dir, "reg.tsv");
  fs.writeFileSync(reg, "a\t0.5\nb\t1\nc\t3\n");
  const r = readTsvTask({ train: reg, dev: reg, regression: true });
  assert.equal(r.labels, null);
  assert.equal(r.numLabels, 1);
  rejects(() => readTsvTask({ train: reg }), "MISSING_OPTION", /--train FILE and --dev FILE, or --data DIR holding train\.tsv and dev\.tsv/);
  rejects(() => readTsvTask({ data: path.join(dir, "nope") }), "INPUT_NOT_FOUND", /TSV file not found: .*nope\/train\.tsv/);
  const single = path.join(dir, "single.tsv");
  fs.writeFileSync(single, "a\tpos\nb\tpos\n");
  rejects(() => readTsvTask({ train: single, dev: single }), "BAD_LABEL", /one label only \(pos\).*--label-column.*--regression/);
  rejects(() => readTsv(path.join(dir, "missing.tsv")), "INPUT_NOT_FOUND", /cannot read TSV file/);
});
