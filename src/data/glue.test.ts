// GLUE readers: the published sizes and label counts of the real files (../shared/data/glue),
// the odd lines in them (quotes, a BOM, a missing final newline), and clear errors on bad files.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { needsShared, sharedPath } from "../util/shared-folder";
import { GLUE_TASKS, GlueFile, glueTask, parseGlue, readGlue, readGlueTask } from "./glue";

const GLUE = "data/glue";

/** Every line after the header is an example or a skip, each once. */
function assertAccountedFor(g: GlueFile, text: string, headerLines: number) {
  const lines = text.replace(/^\ufeff/, "").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const seen = [...g.examples.map((e) => e.line), ...g.skipped.map((s) => s.line)].sort((x, y) => x - y);
  assert.deepEqual(seen, Array.from({ length: lines.length - headerLines }, (_, i) => i + 1 + headerLines));
}

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "glue-"));
after(() => fs.rmSync(TMP, { recursive: true, force: true }));
let tmpCount = 0;

function tmpFile(name: string, text: string | Uint8Array): string {
  const dir = path.join(TMP, String(tmpCount++));
  fs.mkdirSync(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function throwsBertLab(fn: () => unknown, code: string, ...parts: (string | RegExp)[]) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BertLabError, String(e));
    assert.equal(e.code, code, e.message);
    for (const p of parts) assert.ok(typeof p === "string" ? e.message.includes(p) : p.test(e.message), `${JSON.stringify(p)} not in: ${e.message}`);
    return true;
  });
}

const counts = (g: GlueFile) => {
  const c: Record<string, number> = {};
  for (const e of g.examples) c[e.labelName ?? String(e.label)] = (c[e.labelName ?? String(e.label)] ?? 0) + 1;
  return c;
};

// published sizes (GLUE / the BERT paper's Table 1 sources) and the label counts of these copies
const REAL = {
  sst2: { train: 67349, dev: 872, labels: { train: { negative: 29780, positive: 37569 }, dev: { negative: 428, positive: 444 } } },
  cola: { train: 8551, dev: 1043, labels: { train: { unacceptable: 2528, acceptable: 6023 }, dev: { unacceptable: 322, acceptable: 721 } } },
  mrpc: { train: 3668, dev: 408, labels: { train: { not_equivalent: 1194, equivalent: 2474 }, dev: { not_equivalent: 129, equivalent: 279 } } },
  rte: { train: 2490, dev: 277, labels: { train: { entailment: 1249, not_entailment: 1241 }, dev: { entailment: 146, not_entailment: 131 } } },
  stsb: { train: 5749, dev: 1500, labels: null },
} as const;

for (const [name, want] of Object.entries(REAL)) {
  const task = glueTask(name);
  const folder = `${GLUE}/${task.folder}`;
  test(`${task.folder}: published sizes, label counts, every line accounted for`, needsShared(`${folder}/dev.tsv`), () => {
    const dir = sharedPath(folder);
    const splits = readGlueTask(task, dir);
    assert.deepEqual(Object.keys(splits), ["train", "dev"]);
    for (const split of ["train", "dev"] as const) {
      const g = splits[split];
      assert.equal(g.examples.length, want[split], `${split} size`);
      assert.deepEqual(g.skipped, []);
      assertAccountedFor(g, fs.readFileSync(g.file, "utf8"), task.hasHeader ? 1 : 0);
      for (const e of g.examples) {
        assert.ok(e.textA.trim() !== "" && (task.pair ? e.textB!.trim() !== "" : e.textB === undefined), `line ${e.line}`);
      }
      if (want.labels) assert.deepEqual(counts(g), want.labels[split], `${split} labels`);
      else {
        const scores = g.examples.map((e) => e.label);
        assert.ok(scores.every((s) => s >= 0 && s <= 5), "scores in [0, 5]");
        assert.equal(Math.min(...scores), 0);
        assert.equal(Math.max(...scores), 5);
        assert.ok(new Set(scores).size > 50 && scores.some((x) => !Number.isInteger(x)), "scores are floats, not classes");
        const mean = scores.reduce((x, y) => x + y) / scores.length;
        assert.equal(mean.toFixed(4), split === "train" ? "2.7010" : "2.3639", "mean score");
      }
    }
  });
}

test("odd lines in the real files are read verbatim", needsShared(`${GLUE}/MRPC/dev.tsv`), () => {
  // a double quote inside a CoLA sentence is text
  const cola = readGlue("cola", sharedPath(`${GLUE}/CoLA/train.tsv`));
  const shut = cola.examples.find((e) => e.line === 3057)!;
  assert.deepEqual(shut, { id: 3056, textA: 'Susan whispered "Shut up".', label: 1, labelName: "acceptable", line: 3057 });
  // CoLA's dev.tsv has no newline after its last row; one row's author mark is a space
  const colaDev = readGlue("cola", sharedPath(`${GLUE}/CoLA/dev.tsv`));
  assert.equal(colaDev.examples.at(-1)!.textA, "John talked to Bill about himself.");
  assert.equal(colaDev.examples.at(-1)!.line, 1043);
  assert.equal(colaDev.examples.find((e) => e.line === 684)!.textA, "Who always drinks milk?");
  // MRPC: a BOM before "Quality"; a second sentence that starts with a quote (CSV would open a quoted field)
  const mrpc = readGlue("mrpc", sharedPath(`${GLUE}/MRPC/dev.tsv`));
  assert.deepEqual(mrpc.examples[0], {
    id: "1355540-1355592",
    textA: "He said the foodservice pie business doesn 't fit the company 's long-term growth strategy .",
    textB: '" The foodservice pie business does not fit our long-term growth strategy .',
    label: 1,
    labelName: "equivalent",
    line: 2,
  });
  // SST-2's sentences end in a space (kept); its ids are row indices
  const sst = readGlue("sst2", sharedPath(`${GLUE}/SST-2/dev.tsv`));
  assert.deepEqual(sst.examples[0], { id: 0, textA: "it 's a charming and often affecting journey . ", label: 1, labelName: "positive", line: 2 });
  // STS-B's scores come as "5.000", "0", "3.8", "4.199999809265137"
  const stsb = readGlue("stsb", sharedPath(`${GLUE}/STS-B/train.tsv`));
  assert.deepEqual(stsb.examples[1], {
    id: "1", textA: "A man is playing a large flute.", textB: "A man is playing a flute.", label: 3.8, line: 3,
  });
});

test("MRPC's test.tsv reads unlabelled; read as labelled, the error says what to do", needsShared(`${GLUE}/MRPC/test.tsv`), () => {
  const dir = sharedPath(`${GLUE}/MRPC`);
  const test = readGlueTask("mrpc", dir, { splits: ["test"] }).test;
  assert.equal(test.examples.length, 1725);
  assert.ok(test.examples.every((e) => e.label === -1 && e.labelName === undefined && e.textB));
  assert.deepEqual(test.examples[0].id, "0"); // the index a GLUE submission lists
  throwsBertLab(() => readGlue("mrpc", path.join(dir, "test.tsv")), "BAD_HEADER", "test.tsv:1", '"Quality"', "labeled: false");
});

test("a truncated real file: the last line cut mid-row is a column error on that line", needsShared(`${GLUE}/RTE/dev.tsv`), () => {
  const text = fs.readFileSync(sharedPath(`${GLUE}/RTE/dev.tsv`), "utf8");
  const lastStart = text.lastIndexOf("\n", text.length - 2) + 1;
  const cut = text.slice(0, lastStart + 60); // inside sentence1 of the last row
  const file = tmpFile("dev.tsv", cut);
  throwsBertLab(() => readGlue("rte", file), "BAD_COLUMNS", `${file}:278:`, "expected 4", "found 2");
  const skipped = readGlue("rte", file, { onError: "skip" });
  assert.equal(skipped.examples.length, 276);
  assert.deepEqual(skipped.skipped.map((s) => s.line), [278]);
});

test("QNLI and MNLI from the GLUE format: columns found by name, dev and test layouts", () => {
  const qnli = parseGlue(
    "qnli",
    "index\tquestion\tsentence\tlabel\n0\tWhat is it?\tIt is \"this\".\tentailment\n1\tWho?\tNobody.\tnot_entailment\n",
    "QNLI/dev.tsv",
  );
  assert.deepEqual(qnli.examples, [
    { id: "0", textA: "What is it?", textB: 'It is "this".', label: 0, labelName: "entailment", line: 2 },
    { id: "1", textA: "Who?", textB: "Nobody.", label: 1, labelName: "not_entailment", line: 3 },
  ]);
  const head = "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2";
  const parses = "( a )\t( b )\t(ROOT a)\t(ROOT b)";
  const train = parseGlue("mnli", `${head}\tlabel1\tgold_label\n0\t31193\t31193n\tgovernment\t${parses}\tA man.\tA person.\tneutral\tneutral\n`, "MNLI/train.tsv");
  assert.deepEqual(train.examples, [{ id: "0", textA: "A man.", textB: "A person.", label: 2, labelName: "neutral", line: 2 }]);
  const dev = parseGlue(
    "mnli",
    `${head}\tlabel1\tlabel2\tlabel3\tlabel4\tlabel5\tgold_label\n` +
      `0\t63735\t63735n\tslate\t${parses}\tThe new rights.\tEveryone likes them.\tneutral\tentailment\tneutral\tneutral\tneutral\tneutral\n` +
      `1\t91383\t91383c\tslate\t${parses}\tThis site.\tThat site.\tcontradiction\tcontradiction\tcontradiction\tcontradiction\tcontradiction\tcontradiction\n`,
    "MNLI/dev_matched.tsv",
  );
  assert.deepEqual(dev.examples.map((e) => [e.label, e.labelName, e.textB]), [[2, "neutral", "Everyone likes them."], [0, "contradiction", "That site."]]);
  const test = parseGlue("mnli", `${head}\n0\t31193\t31193n\tgovernment\t${parses}\tA man.\tA person.\n`, "MNLI/test_matched.tsv", { split: "test_matched" });
  assert.deepEqual(test.examples, [{ id: "0", textA: "A man.", textB: "A person.", label: -1, line: 2 }]);
  assert.deepEqual(Object.keys(GLUE_TASKS.mnli.files).filter((s) => !s.startsWith("test")), ["train", "dev_matched", "dev_mismatched"]);
});

test("tasks know their metrics, labels and layout", () => {
  assert.deepEqual(GLUE_TASKS.cola.metrics, ["matthews"]);
  assert.deepEqual(GLUE_TASKS.mrpc.metrics, ["f1", "accuracy"]);
  assert.deepEqual(GLUE_TASKS.stsb.metrics, ["pearson", "spearman"]);
  for (const t of ["sst2", "rte", "qnli", "mnli"] as const) assert.deepEqual(GLUE_TASKS[t].metrics, ["accuracy"]);
  assert.equal(GLUE_TASKS.stsb.labels, null);
  assert.equal(GLUE_TASKS.cola.hasHeader, false);
  assert.equal(glueTask("STS-B").name, "stsb");
  assert.equal(glueTask("CoLA").name, "cola");
  throwsBertLab(() => glueTask("wnli"), "UNKNOWN_TASK", "sst2");
});

test("quotes, CRLF, a BOM and a headerless file", () => {
  // a CSV reader would open a quoted field at `"a` and swallow the next line
  const quoted = parseGlue("sst2", 'sentence\tlabel\n"a b\t1\nc d "\t0\n\'\'e\'\'\t1\n', "q.tsv");
  assert.deepEqual(quoted.examples.map((e) => e.textA), ['"a b', 'c d "', "''e''"]);
  const lf = parseGlue("rte", "index\tsentence1\tsentence2\tlabel\n0\tA.\tB.\tentailment\n", "lf.tsv");
  const crlf = parseGlue("rte", "\ufeffindex\tsentence1\tsentence2\tlabel\r\n0\tA.\tB.\tentailment\r\n", "crlf.tsv");
  assert.deepEqual(crlf.examples, lf.examples);
  // a BOM on a headerless CoLA file is not part of the first row
  const cola = readGlue("cola", tmpFile("train.tsv", "\ufeffgj04\t1\t\tThe sailors rode.\ngj04\t0\t*\tRode the.")); // no final newline
  assert.deepEqual(cola.examples.map((e) => [e.id, e.textA, e.label, e.line]), [[0, "The sailors rode.", 1, 1], [1, "Rode the.", 0, 2]]);
  // a CoLA test file has a header; read as labelled it is refused with the fix
  const colaTest = "index\tsentence\n0\tBill whistled past the house.\n";
  throwsBertLab(() => parseGlue("cola", colaTest, "CoLA/test.tsv"), "BAD_HEADER", "CoLA/test.tsv:1", "labeled: false");
  assert.deepEqual(parseGlue("cola", colaTest, "CoLA/test.tsv", { labeled: false }).examples, [{ id: "0", textA: "Bill whistled past the house.", label: -1, line: 2 }]);
});

test("bad rows: an error naming file:line, the expectation and what was found", () => {
  const rte = (row: string) => tmpFile("train.tsv", `index\tsentence1\tsentence2\tlabel\n0\tA.\tB.\tentailment\n${row}\n`);
  let f = rte("1\tA.\tB.");
  throwsBertLab(() => readGlue("rte", f), "BAD_COLUMNS", `${f}:3:`, "expected 4", "found 3", 'onError: "skip"');
  f = rte("1\tA.\tB.\tentailment\textra");
  throwsBertLab(() => readGlue("rte", f), "BAD_COLUMNS", `${f}:3:`, "found 5", "stray tab");
  f = rte("1\tA.\tB.\tcontradiction");
  throwsBertLab(() => readGlue("rte", f), "BAD_LABEL", `${f}:3:`, '"contradiction"', '"entailment", "not_entailment"');
  f = rte("1\t \tB.\tentailment");
  throwsBertLab(() => readGlue("rte", f), "EMPTY_TEXT", `${f}:3:`, "sentence1");
  f = rte("");
  throwsBertLab(() => readGlue("rte", f), "BAD_COLUMNS", `${f}:3:`, "found 1");
  const sts = (score: string) => `index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n0\tg\tf\t2012\t1\tnone\tnone\tA.\tB.\t${score}\n`;
  throwsBertLab(() => parseGlue("stsb", sts("n/a"), "s.tsv"), "BAD_SCORE", "s.tsv:2:", 'unparsable score "n/a"', "0 to 5");
  throwsBertLab(() => parseGlue("stsb", sts(""), "s.tsv"), "BAD_SCORE", 'unparsable score ""');
  throwsBertLab(() => parseGlue("stsb", sts("5.2"), "s.tsv"), "BAD_SCORE", 'out of range score "5.2"');
  assert.equal(parseGlue("stsb", sts("4.199999809265137"), "s.tsv").examples[0].label, 4.199999809265137);
  // a header without the task's columns
  throwsBertLab(() => parseGlue("sst2", "text\tlabel\nok\t1\n", "h.tsv"), "BAD_HEADER", "h.tsv:1", 'no column "sentence"', 'found "text\\tlabel"');
  // a BOM left in would hide "sentence"; it is stripped
  assert.equal(parseGlue("sst2", "\ufeffsentence\tlabel\nok\t1\n", "b.tsv").examples.length, 1);
  throwsBertLab(() => parseGlue("sst2", "", "e.tsv"), "EMPTY_INPUT", "e.tsv");
  throwsBertLab(() => readGlue("sst2", path.join(os.tmpdir(), "no-such-glue", "dev.tsv")), "INPUT_NOT_FOUND", "no-such-glue");
  throwsBertLab(() => readGlue("sst2", tmpFile("l1.tsv", Buffer.from([0x73, 0x0a, 0xe9, 0x09, 0x31, 0x0a]))), "BAD_ENCODING", "UTF-8");
});

test("onError skip: bad rows are left out and listed; no line goes missing", () => {
  const text = [
    "index\tsentence1\tsentence2\tlabel",
    "0\tA.\tB.\tentailment",
    "1\tA.\tB.", // cut short
    "2\tA.\tB.\tmaybe", // unknown label
    "3\tA.\tB.\tnot_entailment",
    "", // a blank line is a row of one empty column
    "5\tA.\t\tentailment", // empty sentence2
    "6\tA.\tB.\tentailment\t", // a trailing tab
    "7\tA.\tB.\tnot_entailment",
  ].join("\n");
  const g = parseGlue("rte", text, "mixed.tsv", { onError: "skip" });
  assert.deepEqual(g.examples.map((e) => e.id), ["0", "3", "7"]);
  assert.deepEqual(g.skipped.map((s) => s.line), [3, 4, 6, 7, 8]);
  assert.match(g.skipped[1].reason, /unknown label "maybe"/);
  assertAccountedFor(g, text, 1);
  throwsBertLab(() => parseGlue("rte", text, "mixed.tsv", { onError: "ignore" as "skip" }), "BAD_OPTION", "onError");
});
