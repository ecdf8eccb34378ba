// The sentence splitter's rules, case by case (English, Chinese, mixed), and the corpus it
// writes read back as create_pretraining_data.py reads it (documentsFromText).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { documentsFromText } from "./documents";
import { corpusFromRawFile, splitSentences, toBertCorpus } from "./sentences";

const ENGLISH: [string, string[]][] = [
  ["One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]],
  ["Mr. and Mrs. Smith met Dr. Jones at St. Paul's. They talked.", ["Mr. and Mrs. Smith met Dr. Jones at St. Paul's.", "They talked."]],
  ["Bring fruit, e.g. Apples. Or not, i.e. Nothing. Pears etc. Are fine.", ["Bring fruit, e.g. Apples.", "Or not, i.e. Nothing.", "Pears etc. Are fine."]],
  ["It was No. 5 in Jan. 2020 vs. No. 6 in March. Then it fell.", ["It was No. 5 in Jan. 2020 vs. No. 6 in March.", "Then it fell."]],
  // the price of the rules: a listed abbreviation never ends a sentence
  ["It ended in Feb. Then it fell. He works at Acme Inc. They pay well.", ["It ended in Feb. Then it fell.", "He works at Acme Inc. They pay well."]],
  ["J. R. R. Tolkien was born in the U.S. Army's time? No. He was not.", ["J. R. R. Tolkien was born in the U.S. Army's time?", "No. He was not."]],
  ["Pi is 3.14 and e is 2.72. Both are irrational.", ["Pi is 3.14 and e is 2.72.", "Both are irrational."]],
  ["It cost $3.50. Then 4.5% more. 42 is the answer.", ["It cost $3.50.", "Then 4.5% more.", "42 is the answer."]],
  ['He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]],
  ["He said “Stop!” and ran. (This was odd.) Next came rain.", ["He said “Stop!” and ran.", "(This was odd.)", "Next came rain."]],
  ["She asked 'why?' Nobody knew.", ["She asked 'why?'", "Nobody knew."]],
  ["Wait... what happened? I don't know... Nobody does.", ["Wait... what happened?", "I don't know...", "Nobody does."]],
  ["Well… maybe. Or… not. Or… No.", ["Well… maybe.", "Or… not.", "Or…", "No."]],
  ["Really?! Yes!! Are you sure?? Quite.", ["Really?!", "Yes!!", "Are you sure??", "Quite."]],
  ["Where? he asked. Here! she said.", ["Where? he asked.", "Here! she said."]],
  ["So did I. Then we went home.", ["So did I.", "Then we went home."]],
  ["Version 2. The next one.", ["Version 2.", "The next one."]],
  ["Visit example.com. It's good.", ["Visit example.com.", "It's good."]],
  ["At 5 p.m. We met Acme Inc. Staff.", ["At 5 p.m. We met Acme Inc. Staff."]],
  ["No end here", ["No end here"]],
  ["", []],
];

const CHINESE: [string, string[]][] = [
  ["今天天气很好。我们去公园吧！你觉得呢？", ["今天天气很好。", "我们去公园吧！", "你觉得呢？"]],
  ["他说：“你好。”然后走了。", ["他说：“你好。”", "然后走了。"]],
  ["「行きましょう！」と彼は言った。本当？", ["「行きましょう！」", "と彼は言った。", "本当？"]],
  ["『これだ。』彼女は笑った（本当だ。）以上", ["『これだ。』", "彼女は笑った（本当だ。）", "以上"]],
  ["真的吗？！当然！！", ["真的吗？！", "当然！！"]],
  ["等一下……好吧。", ["等一下……好吧。"]],
  ["圆周率是3.14。对吗？", ["圆周率是3.14。", "对吗？"]],
  ["我喜欢BERT模型。It works well. 你呢？", ["我喜欢BERT模型。", "It works well.", "你呢？"]],
  ["I read 红楼梦. 很好看。Dr. Wang agreed.", ["I read 红楼梦.", "很好看。", "Dr. Wang agreed."]],
  ["他住在U.S. Army基地。A. B. Smith也是。", ["他住在U.S. Army基地。", "A. B. Smith也是。"]],
];

for (const [name, table] of [["English", ENGLISH], ["Chinese/Japanese and mixed", CHINESE]] as const) {
  test(`splitSentences: ${name}`, () => {
    for (const [text, want] of table) assert.deepEqual(splitSentences(text), want, JSON.stringify(text));
  });
}

test("lines of a paragraph join with a space, or nothing between CJK; whitespace collapses; a blank line ends a sentence", () => {
  assert.deepEqual(splitSentences("The cat\nsat on   the\tmat. It\r\nslept"), ["The cat sat on the mat.", "It slept"]);
  assert.deepEqual(splitSentences("今天天气\n很好。他说：\n“走吧”\n然后走了"), ["今天天气很好。", "他说：“走吧”然后走了"]);
  assert.deepEqual(splitSentences("中文\nEnglish\n中文"), ["中文 English 中文"]);
  assert.deepEqual(splitSentences("no stop here\n\nnew paragraph"), ["no stop here", "new paragraph"]);
  assert.deepEqual(splitSentences("\ufeffFirst. Second."), ["First.", "Second."]);
});

const words = { tokenize: (s: string) => s.split(/\s+/).filter(Boolean) };
const RAW = [
  "\ufeffThe first paragraph has two sentences. Mr. Smith wrote",
  "the second one, e.g. this.",
  "   ",
  "",
  "Second paragraph! Is it? Yes.",
  "",
  "",
  "第三段。很短！",
  "",
].join("\r\n");

test("toBertCorpus: one sentence per line, a blank line between documents, read back by documentsFromText", () => {
  const corpus = toBertCorpus(RAW);
  assert.equal(
    corpus,
    "The first paragraph has two sentences.\nMr. Smith wrote the second one, e.g. this.\n\n" +
      "Second paragraph!\nIs it?\nYes.\n\n" +
      "第三段。\n很短！\n",
  );
  assert.deepEqual(documentsFromText(corpus, words), [
    [["The", "first", "paragraph", "has", "two", "sentences."], ["Mr.", "Smith", "wrote", "the", "second", "one,", "e.g.", "this."]],
    [["Second", "paragraph!"], ["Is", "it?"], ["Yes."]],
    [["第三段。"], ["很短！"]],
  ]);
  const one = toBertCorpus(RAW, { documentPer: "file" });
  assert.equal(one, corpus.replace(/\n\n/g, "\n"));
  assert.equal(documentsFromText(one, words).length, 1);
  assert.equal(toBertCorpus("\n  \n"), "");
  assert.throws(() => toBertCorpus("x", { documentPer: "line" as "file" }), (e: unknown) => e instanceof BertLabError && e.code === "BAD_OPTION");
});

test("corpusFromRawFile streams a file to the same corpus, written atomically", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sentences-"));
  const input = path.join(dir, "raw.txt");
  const output = path.join(dir, "corpus.txt");
  // long enough to cross the read stream's 64 KiB chunks; a blank first line of spaces, as
  // long as it takes to make a chunk end inside a multi-byte character and another inside a CRLF
  const body = Array.from({ length: 3000 }, (_, i) => `${RAW.slice(1)}\r\n段落${i}。Paragraph ${i} ends here. Dr. Who\r\nagrees.\r\n\r\n`).join("");
  const cutsAt = (bytes: Buffer) => Array.from({ length: Math.floor(bytes.length / 65536) }, (_, k) => (k + 1) * 65536);
  const tricky = (bytes: Buffer) =>
    cutsAt(bytes).some((c) => (bytes[c] & 0xc0) === 0x80) && cutsAt(bytes).some((c) => bytes[c - 1] === 0x0d && bytes[c] === 0x0a);
  let raw = "";
  for (let pad = 0; pad < 5000 && !tricky(Buffer.from(raw)); pad++) raw = `${" ".repeat(pad)}\n${body}`;
  assert.ok(tricky(Buffer.from(raw)));
  fs.writeFileSync(input, raw);
  fs.writeFileSync(output, "old");
  const stats = await corpusFromRawFile(input, output);
  const want = toBertCorpus(raw);
  assert.equal(fs.readFileSync(output, "utf8"), want);
  assert.deepEqual(stats, { documents: documentsFromText(want, words).length, sentences: want.split("\n").filter(Boolean).length });
  assert.equal(stats.documents, 3000 * 4);
  assert.deepEqual(await corpusFromRawFile(input, output, { documentPer: "file" }), { documents: 1, sentences: stats.sentences });
  assert.deepEqual(fs.readdirSync(dir).sort(), ["corpus.txt", "raw.txt"]); // no temporary file left

  fs.writeFileSync(input, Buffer.from([0x4f, 0x6e, 0x65, 0x2e, 0x0a, 0xe9, 0x74, 0xe9, 0x0a]));
  await assert.rejects(corpusFromRawFile(input, output), (e: unknown) => e instanceof BertLabError && e.code === "BAD_ENCODING" && e.message.includes(input));
  assert.equal(fs.readFileSync(output, "utf8"), want.replace(/\n\n/g, "\n")); // the old output stays whole
  assert.deepEqual(fs.readdirSync(dir).sort(), ["corpus.txt", "raw.txt"]);
  await assert.rejects(corpusFromRawFile(path.join(dir, "missing.txt"), output), (e: unknown) => e instanceof BertLabError && e.code === "INPUT_NOT_FOUND");
  fs.rmSync(dir, { recursive: true, force: true });
});
