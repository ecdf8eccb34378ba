// The CoNLL reader on the real WNUT-17 files (../shared/data/ner/wnut17) and on CoNLL-2003
// style fixtures: layouts, -DOCSTART-, IOB1 → IOB2, entity spans, labels, errors with lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { needsShared, sharedPath } from "../util/shared-folder";
import { entitySpans, labelList, parseConll, readConll, toIob2 } from "./conll";
import { tempFolders } from "../util/temp-folders.test.helper";

const tmpFolder = tempFolders();

const WNUT = "data/ner/wnut17/";
const TYPES = ["corporation", "creative-work", "group", "location", "person", "product"];

function tmpFile(name: string, content: string | Buffer): string {
  const dir = tmpFolder("conll");
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

function throwsAt(fn: () => unknown, code: string, ...parts: (string | RegExp)[]) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BertLabError, String(e));
    assert.equal(e.code, code, e.message);
    for (const p of parts) typeof p === "string" ? assert.ok(e.message.includes(p), `${JSON.stringify(p)} in: ${e.message}`) : assert.match(e.message, p);
    return true;
  });
}

test("WNUT-17: 3,394 / 1,009 / 1,287 sentences, 13 IOB2 labels of 6 types, dev and test within them", needsShared(WNUT + "wnut17train.conll"), () => {
  const train = readConll(sharedPath(WNUT + "wnut17train.conll"), { scheme: "iob2" });
  const labels = labelList(train.sentences);
  assert.deepEqual(labels, ["O", ...TYPES.map((t) => `B-${t}`), ...TYPES.map((t) => `I-${t}`)]);
  const splits = [
    { file: "wnut17train.conll", sentences: 3394, tokens: 62730, entities: 1975 },
    { file: "emerging.dev.conll", sentences: 1009, tokens: 15733, entities: 836 },
    { file: "emerging.test.annotated", sentences: 1287, tokens: 23394, entities: 1079 },
  ];
  for (const want of splits) {
    const r = readConll(sharedPath(WNUT + want.file), { scheme: "iob2", labels });
    assert.equal(r.sentences.length, want.sentences, want.file);
    assert.deepEqual(r.skipped, []);
    assert.deepEqual(r.newLabels, []);
    assert.equal(r.sentences.reduce((n, s) => n + s.tokens.length, 0), want.tokens, want.file);
    assert.equal(r.sentences.reduce((n, s) => n + entitySpans(s.tags).length, 0), want.entities, want.file);
    for (const s of r.sentences) {
      assert.equal(s.document, undefined);
      assert.deepEqual(toIob2(s.tags), s.tags, "WNUT-17 is IOB2 already");
      assert.ok(s.tokens.every((t) => t !== ""));
    }
  }
  // most train sentences end at a line holding one tab (line 28), the rest at an empty line
  assert.deepEqual([train.sentences[0].line, train.sentences[1].line, train.sentences[0].tokens.length], [1, 29, 27]);
  assert.deepEqual(train.sentences[0].tokens.slice(0, 3), ["@paulwalk", "It", "'s"]);
  assert.equal(train.sentences.at(-1)!.line, 66113);
  // tokens are kept verbatim: the tab alone separates (JS's \s and trim() would eat U+FEFF)
  const dev = readConll(sharedPath(WNUT + "emerging.dev.conll"));
  const s = dev.sentences.find((x) => x.line <= 16730 && 16730 < x.line + x.tokens.length)!;
  assert.deepEqual([s.tokens[16730 - s.line], s.tags[16730 - s.line]], ["Dubbz\uFEFF", "B-person"]);
  assert.ok(dev.sentences.some((x) => x.tokens.includes("watched\u200Bwas")));
});

const CONLL2003 = [
  "-DOCSTART- -X- -X- O",
  "",
  "EU NNP B-NP I-ORG",
  "rejects VBZ B-VP O",
  "German JJ B-NP I-MISC",
  "call NN I-NP O",
  ". . O O",
  "",
  "",
  "Peter NNP B-NP I-PER",
  "Blackburn NNP I-NP I-PER",
  "-DOCSTART- -X- -X- O", // no blank line before it: it still ends the sentence
  "BRUSSELS NNP B-NP I-LOC",
  "",
  "In IN B-PP O",
  "Rome NNP B-NP I-LOC",
  "Paris NNP B-NP B-LOC",
  "Google NNP B-NP I-ORG",
  "Zurich NNP B-NP I-LOC", // and no final newline: the last sentence still counts
].join("\n");

test("CoNLL-2003 layout: 4 space-separated columns, -DOCSTART- in the middle, blank runs, no final newline", () => {
  for (const text of [CONLL2003, CONLL2003.replace(/\n/g, "\r\n") + "\r\n\r\n"]) {
    const r = parseConll(text, "eng.fixture");
    assert.deepEqual(
      r.sentences.map((s) => [s.line, s.document, s.tokens.join(" ")]),
      [
        [3, 0, "EU rejects German call ."],
        [10, 0, "Peter Blackburn"],
        [13, 1, "BRUSSELS"],
        [15, 1, "In Rome Paris Google Zurich"],
      ],
    );
    assert.deepEqual(r.sentences[0].pos, ["NNP", "VBZ", "JJ", "NN", "."]);
    assert.deepEqual(r.sentences[0].chunk, ["B-NP", "B-VP", "B-NP", "I-NP", "O"]);
    assert.deepEqual(r.sentences[0].tags, ["I-ORG", "O", "I-MISC", "O", "O"], "as in the file unless toIob2");
  }
  const conv = parseConll(CONLL2003, "eng.fixture", { scheme: "iob1", toIob2: true, columns: 4 });
  assert.deepEqual(conv.sentences[0].tags, ["B-ORG", "O", "B-MISC", "O", "O"]);
  assert.deepEqual(conv.sentences[1].tags, ["B-PER", "I-PER"]);
  assert.deepEqual(conv.sentences[3].tags, ["O", "B-LOC", "B-LOC", "B-ORG", "B-LOC"]);
  // read as IOB2 it is an error at the first I- that opens an entity
  throwsAt(() => parseConll(CONLL2003, "eng.fixture", { scheme: "iob2" }), "BAD_CONLL", "eng.fixture:3:", "I-ORG", 'scheme: "iob1"');
  // -DOCSTART- in a 2-column file, and a file beginning with sentences before any -DOCSTART-
  const two = parseConll("a\tO\n\n-DOCSTART-\tO\nb\tB-X\n-DOCSTART-\tO\n\nc\tO\n", "two");
  assert.deepEqual(two.sentences.map((s) => [s.tokens[0], s.document, s.line]), [["a", undefined, 1], ["b", 0, 4], ["c", 1, 7]]);
});

test("columns: auto-detected from the first data line, or given; 2 columns may be space-separated", () => {
  assert.equal(parseConll("New B-LOC\nYork I-LOC\n", "sp").sentences[0].tags.join(), "B-LOC,I-LOC");
  assert.equal(parseConll("New\tB-LOC\n", "tab", { columns: 2 }).sentences[0].pos, undefined);
  throwsAt(() => parseConll("New\tB-LOC\n", "tab", { columns: 4 }), "BAD_CONLL", "tab:1:", "expected 4 columns", "found 2");
  throwsAt(() => parseConll("EU NNP B-NP B-ORG\n\nPeter B-PER\n", "mixed"), "BAD_CONLL", "mixed:3:", "expected 4 columns (token POS chunk NER), found 2");
  throwsAt(() => parseConll("New York B-LOC\n", "three"), "BAD_CONLL", "three:1:", "expected 2 columns (token TAB tag) or 4", "found 3");
  throwsAt(() => parseConll("a\tO\n", "opt", { columns: 3 as unknown as 2 }), "BAD_OPTION");
  throwsAt(() => parseConll("\n \n\t\n", "blank"), "NO_SENTENCES", "blank: no sentences");
});

test("IOB1 → IOB2 on the classic cases; entity spans are the same before and after", () => {
  const cases: [string[], string[]][] = [
    [["I-PER", "I-PER"], ["B-PER", "I-PER"]],
    [["I-LOC", "B-LOC"], ["B-LOC", "B-LOC"]],
    [["I-ORG", "I-LOC"], ["B-ORG", "B-LOC"]],
    [["O", "I-MISC", "I-MISC", "O", "I-MISC"], ["O", "B-MISC", "I-MISC", "O", "B-MISC"]],
    [["B-PER", "I-PER", "B-PER"], ["B-PER", "I-PER", "B-PER"]],
    [["I-PER", "B-PER", "I-PER"], ["B-PER", "B-PER", "I-PER"]],
    [["O", "O"], ["O", "O"]],
    [[], []],
  ];
  for (const [iob1, iob2] of cases) {
    assert.deepEqual(toIob2(iob1), iob2, iob1.join(" "));
    assert.deepEqual(toIob2(iob2), iob2, "idempotent");
    assert.deepEqual(entitySpans(iob1), entitySpans(iob2), iob1.join(" "));
  }
  assert.deepEqual(entitySpans(["I-PER", "I-PER"]), [{ type: "PER", start: 0, end: 2 }]);
  assert.deepEqual(entitySpans(["I-LOC", "B-LOC"]), [{ type: "LOC", start: 0, end: 1 }, { type: "LOC", start: 1, end: 2 }]);
  assert.deepEqual(entitySpans(["I-ORG", "I-LOC"]), [{ type: "ORG", start: 0, end: 1 }, { type: "LOC", start: 1, end: 2 }]);
  assert.deepEqual(entitySpans(["O", "B-creative-work", "I-creative-work", "O", "B-person"]), [
    { type: "creative-work", start: 1, end: 3 },
    { type: "person", start: 4, end: 5 },
  ]);
  throwsAt(() => entitySpans(["O", "E-PER"]), "BAD_TAG", "E-PER");
});

test("labelList: O first, the rest sorted, whatever the order of the sentences", () => {
  const a = [{ tags: ["I-PER", "B-PER", "O"] }, { tags: ["B-LOC", "O"] }];
  assert.deepEqual(labelList(a), ["O", "B-LOC", "B-PER", "I-PER"]);
  assert.deepEqual(labelList(a.slice().reverse()), labelList(a));
  assert.deepEqual(labelList([{ tags: ["B-X"] }]), ["O", "B-X"]);
});

test("labels: a tag outside the training list is an error naming it, the file and the line, unless allowed", () => {
  const labels = ["O", "B-PER", "I-PER"];
  const dev = "John\tB-PER\nlives\tO\n\nin\tO\nParis\tB-LOC\nand\tO\nEU\tB-ORG\n\nMary\tB-PER\n";
  throwsAt(() => parseConll(dev, "dev.conll", { labels }), "UNKNOWN_LABEL", "dev.conll:5:", "B-LOC", "allowNewLabels");
  const skip = parseConll(dev, "dev.conll", { labels, onError: "skip" });
  assert.deepEqual(skip.sentences.map((s) => s.tokens[0]), ["John", "Mary"]);
  assert.deepEqual(skip.skipped.map((s) => s.line), [5], "the first problem of the sentence");
  assert.match(skip.skipped[0].reason, /B-LOC/);
  const allowed = parseConll(dev, "dev.conll", { labels, allowNewLabels: true });
  assert.equal(allowed.sentences.length, 3);
  assert.deepEqual(allowed.newLabels, ["B-LOC", "B-ORG"]);
  // checked after conversion: I-PER opening an entity becomes B-PER, which is known
  assert.equal(parseConll("Ann\tI-PER\n", "iob1", { labels, toIob2: true }).sentences[0].tags[0], "B-PER");
});

test("malformed lines: errors with file:line and what was expected; or skipped sentences, counted with line and reason", () => {
  const bad = [
    "ok\tO", //            1
    "", //                  2
    "New York\tB-LOC\tx", // 3 three columns
    "next\tO", //           4 (same sentence, skipped with it)
    "", //                  5
    "\tB-PER", //           6 empty token
    "", //                  7
    "Ann\tPER", //          8 no B-/I- prefix
    "", //                  9
    "Bob\tE-PER", //        10 IOBES
    "", //                  11
    "Cy\tB-", //            12 no type
    "", //                  13
    "fine\tO", //           14
    "also\tO", //           15 (no final newline)
  ].join("\n");
  const errors: [number, string][] = [
    [3, "expected 2 columns (token TAB tag), found 3"],
    [6, "empty token"],
    [8, 'tag "PER" is not O, B-TYPE or I-TYPE'],
    [10, '"E-PER"'],
    [12, '"B-"'],
  ];
  let text = bad;
  for (const [line, what] of errors) {
    throwsAt(() => parseConll(text, "bad.conll"), "BAD_CONLL", `bad.conll:${line}:`, what, 'onError: "skip"');
    text = text.split("\n").map((l, i) => (i + 1 === line ? "fixed\tO" : l)).join("\n");
  }
  const r = parseConll(bad, "bad.conll", { onError: "skip" });
  assert.deepEqual(r.sentences.map((s) => [s.line, s.tokens.join(" ")]), [[1, "ok"], [14, "fine also"]]);
  assert.deepEqual(r.skipped.map((s) => s.line), [3, 6, 8, 10, 12]);
  r.skipped.forEach((s, i) => assert.ok(s.reason.includes(errors[i][1]), s.reason));
  // an IOB2 violation in skip mode skips the sentence too
  const iob = parseConll("a\tO\nb\tI-X\n\nc\tB-X\nd\tI-X\n", "iob", { scheme: "iob2", onError: "skip" });
  assert.deepEqual([iob.sentences.length, iob.skipped[0].line], [1, 2]);
});

test("readConll: real files, encodings and missing files", () => {
  const file = tmpFile("eng.testa", "\uFEFF" + CONLL2003);
  const r = readConll(file, { toIob2: true });
  assert.equal(r.file, file);
  assert.equal(r.sentences[0].tokens[0], "EU", "a BOM is not part of the first token");
  assert.equal(r.sentences.length, 4);
  const latin1 = tmpFile("latin1.conll", Buffer.concat([Buffer.from("ok\tO\n\nM"), Buffer.from([0xfc]), Buffer.from("nchen\tB-LOC\n")]));
  throwsAt(() => readConll(latin1), "BAD_ENCODING", `${latin1}:3:`, "UTF-8");
  throwsAt(() => readConll(path.join(os.tmpdir(), "no-such-file.conll")), "INPUT_NOT_FOUND", "no-such-file.conll");
});
