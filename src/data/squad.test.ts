// The SQuAD reader on the real v1.1 dev file (../shared/data/squad) and on fixtures: offsets
// (code points vs UTF-16), run_squad.py's whitespace words, and errors that say where.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { needsShared, sharedPath } from "../util/shared-folder";
import { answerWordSpan, parseSquad, readSquad, squadDocTokens } from "./squad";
import { tempFolders } from "../util/temp-folders.test.helper";

const tmpFolder = tempFolders();

const DEV = "data/squad/dev-v1.1.json";

function throwsWith(fn: () => unknown, code: string, ...parts: string[]) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BertLabError, String(e));
    assert.equal(e.code, code, e.message);
    for (const p of parts) assert.ok(e.message.includes(p), `${JSON.stringify(p)} in: ${e.message}`);
    return true;
  });
}

const squad = (qas: unknown[], context = "Denver Broncos won Super Bowl 50.") =>
  JSON.stringify({ version: "1.1", data: [{ title: "T", paragraphs: [{ context, qas }] }] }, null, 1);

test("SQuAD v1.1 dev: 48 articles, 2,067 paragraphs, 10,570 questions, every answer offset valid", needsShared(DEV), () => {
  const dev = readSquad(sharedPath(DEV));
  assert.deepEqual([dev.version, dev.articles, dev.paragraphs, dev.examples.length, dev.skipped.length], ["1.1", 48, 2067, 10570, 0]);
  assert.equal(new Set(dev.examples.map((e) => e.title)).size, 48);
  assert.equal(new Set(dev.examples.map((e) => e.context)).size, 2067);
  assert.equal(new Set(dev.examples.map((e) => e.id)).size, 10570);
  const perQuestion = new Map<number, number>();
  for (const e of dev.examples) perQuestion.set(e.answers.length, (perQuestion.get(e.answers.length) ?? 0) + 1);
  assert.deepEqual([...perQuestion].sort((a, b) => a[0] - b[0]), [[1, 3], [2, 136], [3, 8490], [4, 759], [5, 1147], [6, 35]]);
  assert.equal(dev.examples.reduce((n, e) => n + e.answers.length, 0), 34726);
  for (const e of dev.examples) for (const a of e.answers) assert.equal(e.context.slice(a.start, a.start + a.text.length), a.text, e.id);
  const first = dev.examples[0];
  assert.deepEqual([first.id, first.title, first.question], ["56be4db0acb8001400a502ec", "Super_Bowl_50", "Which NFL team represented the AFC at Super Bowl 50?"]);
  assert.deepEqual(first.answers[0], { text: "Denver Broncos", start: 177 });

  // run_squad.py's read_squad_examples, run in Python on this file: 253,780 words over the
  // 2,067 contexts; over all 34,726 answers Σ(31·start + end) = 58,789,369, Σ(end − start) =
  // 66,489, and none fails its "could not find answer" check
  let words = 0;
  let checksum = 0;
  let widths = 0;
  let unrecoverable = 0;
  const seen = new Map<string, ReturnType<typeof squadDocTokens>>();
  for (const e of dev.examples) {
    let doc = seen.get(e.context);
    if (!doc) {
      seen.set(e.context, (doc = squadDocTokens(e.context)));
      words += doc.docTokens.length;
      assert.equal(doc.charToWord.length, e.context.length);
    }
    for (const a of e.answers) {
      const w = answerWordSpan(doc, a);
      checksum += 31 * w.startWord + w.endWord;
      widths += w.endWord - w.startWord;
      if (!w.recoverable) unrecoverable++;
    }
  }
  assert.deepEqual([words, checksum, widths, unrecoverable], [253780, 58789369, 66489, 0]);
  // one context (Apollo_program) begins with a space: its first character maps to word -1
  const apollo = dev.examples.filter((e) => e.context.startsWith(" "));
  assert.deepEqual([...new Set(apollo.map((e) => e.title))], ["Apollo_program"]);
  assert.equal(squadDocTokens(apollo[0].context).charToWord[0], -1);
});

test("offsets count code points (Python), converted to JS indices after characters outside the BMP", () => {
  const context = "Fans \u{1F600} cheered in Paris and \u{1F680} Rome.";
  // Python: context.index("Paris") == 18, context.index("Rome") == 30; in JS 19 and 32
  const r = parseSquad(squad([{ id: "q1", question: "Where?", answers: [{ text: "Paris", answer_start: 18 }, { text: "Rome", answer_start: 30 }] }], context), "emoji.json");
  assert.deepEqual(r.examples[0].answers, [{ text: "Paris", start: 19 }, { text: "Rome", start: 32 }]);
  const doc = squadDocTokens(context);
  assert.deepEqual(doc.docTokens, ["Fans", "\u{1F600}", "cheered", "in", "Paris", "and", "\u{1F680}", "Rome."]);
  assert.deepEqual(answerWordSpan(doc, r.examples[0].answers[1]), { startWord: 7, endWord: 7, recoverable: true });
  // an offset counted in UTF-16 units is wrong, and the message says so
  throwsWith(
    () => parseSquad(squad([{ id: "q2", question: "Where?", answers: [{ text: "Rome", answer_start: 32 }] }], context), "utf16.json"),
    "BAD_ANSWER_OFFSET",
    "utf16.json",
    "question q2",
    "count code points",
  );
});

test("squadDocTokens: run_squad.py's whitespace is space, tab, CR, LF and U+202F — nothing else", () => {
  const context = "  a\u00A0b\u202Fc\td\r\ne  \u{1F600}x y\u2009z ";
  const doc = squadDocTokens(context);
  // Python's lists, from read_squad_examples' loop; the emoji's two UTF-16 units share a word
  assert.deepEqual(doc.docTokens, ["a\u00A0b", "c", "d", "e", "\u{1F600}x", "y\u2009z"]);
  assert.deepEqual(doc.charToWord, [-1, -1, 0, 0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5]);
  assert.deepEqual(squadDocTokens(""), { docTokens: [], charToWord: [] });
  // run_squad.py's comments: "(1895-1943)." is one word; "Japan" inside "Japanese" is its word
  const smith = squadDocTokens("The leader was John Smith (1895-1943).");
  assert.deepEqual(answerWordSpan(smith, { text: "1895", start: 27 }), { startWord: 5, endWord: 5, recoverable: true });
  const japan = squadDocTokens("The Japanese electronics industry is the lagest in the world.");
  assert.deepEqual(answerWordSpan(japan, { text: "Japan", start: 4 }), { startWord: 1, endWord: 1, recoverable: true });
  assert.deepEqual(answerWordSpan(japan, { text: "electronics industry", start: 13 }), { startWord: 2, endWord: 3, recoverable: true });
  // Python's str.split() splits "a\xa0b", the words do not: run_squad.py would skip this one in training
  assert.deepEqual(answerWordSpan(squadDocTokens("x a\u00A0b y"), { text: "a\u00A0b", start: 2 }), { startWord: 1, endWord: 1, recoverable: false });
});

test("bad offsets, missing fields, duplicate ids: errors naming the file and question, or skipped and counted", () => {
  const good = { id: "good", question: "Who won?", answers: [{ text: "Denver Broncos", answer_start: 0 }] };
  const badOffset = { id: "off", question: "What game?", answers: [{ text: "Super Bowl 50", answer_start: 0 }] };
  const noQuestion = { id: "noq", answers: [{ text: "Denver", answer_start: 0 }] };
  const noAnswers = { id: "noa", question: "?", answers: [] };
  const noStart = { id: "nos", question: "?", answers: [{ text: "Denver" }] };
  throwsWith(() => parseSquad(squad([good, badOffset]), "bad.json"), "BAD_ANSWER_OFFSET", "bad.json", "question off", "answer_start 0", 'reads "Denver Bronco"', "first occurs at 19", "data[0].paragraphs[0].qas[1].answers[0]");
  throwsWith(() => parseSquad(squad([noQuestion]), "bad.json"), "BAD_SQUAD", "bad.json", "question noq", '"question"');
  throwsWith(() => parseSquad(squad([noAnswers]), "bad.json"), "BAD_SQUAD", "question noa", '"answers"');
  throwsWith(() => parseSquad(squad([noStart]), "bad.json"), "BAD_SQUAD", "question nos", '"answer_start"');
  throwsWith(() => parseSquad(squad([good, good]), "bad.json"), "BAD_SQUAD", "question good", "twice");
  throwsWith(() => parseSquad(squad([{ question: "?", answers: [] }]), "bad.json"), "BAD_SQUAD", "qas[0]", '"id"');
  throwsWith(() => parseSquad(JSON.stringify({ data: [{ title: "T", paragraphs: [{ qas: [] }] }] }), "bad.json"), "BAD_SQUAD", "data[0].paragraphs[0]", '"context"');
  throwsWith(() => parseSquad(JSON.stringify({ paragraphs: [] }), "bad.json"), "BAD_SQUAD", "bad.json", "is this a SQuAD file?");

  const r = parseSquad(squad([good, badOffset, noQuestion, noAnswers, noStart, good, { ...good, id: "good2" }]), "bad.json", { onError: "skip" });
  assert.deepEqual(r.examples.map((e) => e.id), ["good", "good2"]);
  assert.deepEqual(r.skipped.map((s) => s.id), ["off", "noq", "noa", "nos", "good"]);
  assert.deepEqual(r.skipped.map((s) => s.where), [1, 2, 3, 4, 5].map((q) => `data[0].paragraphs[0].qas[${q}]${q === 1 || q === 4 ? ".answers[0]" : ""}`));
  assert.ok(r.skipped.every((s) => s.reason.length > 0));
});

test("JSON syntax errors: the file, line, column and character; a truncated file says so", () => {
  const text = squad([{ id: "q", question: "Who?", answers: [{ text: "Denver", answer_start: 0 }] }]);
  assert.equal(parseSquad(text, "ok.json").examples.length, 1);
  throwsWith(() => parseSquad(text.slice(0, 60), "cut.json"), "BAD_JSON", "cut.json:", "truncated");
  const lines = text.split("\n");
  const q = lines.findIndex((l) => l.includes('"question"'));
  const broken = [...lines.slice(0, q), lines[q].replace(/,$/, ""), ...lines.slice(q + 1)].join("\n"); // drop a comma
  const col = lines[q + 1].indexOf('"') + 1;
  throwsWith(() => parseSquad(broken, "comma.json"), "BAD_JSON", `comma.json:${q + 2}:${col} (character ${broken.indexOf('"answers"')})`, "unexpected");
  throwsWith(() => parseSquad('{"data": [1,]}', "trailing.json"), "BAD_JSON", "trailing.json:1:13", "unexpected \"]\"");
  throwsWith(() => parseSquad("", "empty.json"), "BAD_JSON", "empty.json", "empty");
});

test("readSquad: a BOM is fine; missing and non-UTF-8 files say which", () => {
  const dir = tmpFolder("squad");
  const file = path.join(dir, "bom.json");
  fs.writeFileSync(file, "\uFEFF" + squad([{ id: "q", question: "Who?", answers: [{ text: "Denver", answer_start: 0 }] }]));
  assert.equal(readSquad(file).examples[0].id, "q");
  const latin1 = path.join(dir, "latin1.json");
  fs.writeFileSync(latin1, Buffer.from([0x7b, 0x22, 0xfc, 0x22, 0x3a, 0x31, 0x7d]));
  throwsWith(() => readSquad(latin1), "BAD_ENCODING", latin1);
  throwsWith(() => readSquad(path.join(dir, "missing.json")), "INPUT_NOT_FOUND", "missing.json");
});
