import { test } from "node:test";
import assert from "node:assert/strict";
import { BertLabError } from "../util/errors";
import { BertTokenizer } from "./bert-tokenizer";
import { Vocab } from "./vocab";

// A small hand-made vocab: enough to see WordPiece and the special tokens at work.
const TOKENS = [
  "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
  "the", "dog", "un", "##aff", "##able", "naive", "cafe", "is", "it", "?", "!", ".", ",", "yes",
  "東", "京", "a", "##a", "b", "##b", "😀", "σ", "ς", "##ς",
];
const vocab = new Vocab(TOKENS);
const uncased = new BertTokenizer(vocab);
const cased = new BertTokenizer(vocab, { doLowerCase: false });

test("greedy longest-match WordPiece with ## continuation pieces", () => {
  assert.deepEqual(uncased.tokenize("Unaffable"), ["un", "##aff", "##able"]);
  assert.deepEqual(uncased.tokenize("unaffablex"), ["[UNK]"]); // one uncoverable piece spoils the word
  assert.deepEqual(uncased.tokenize("aaab"), ["a", "##a", "##a", "##b"]);
});

test("lower-casing strips accents only for uncased models", () => {
  assert.deepEqual(uncased.tokenize("Naïve CAFÉ"), ["naive", "cafe"]);
  assert.deepEqual(cased.tokenize("Naïve CAFÉ"), ["[UNK]", "[UNK]"]);
});

test("a word over 200 code points is one [UNK]; 200 is still split", () => {
  assert.deepEqual(uncased.tokenize("a".repeat(201)), ["[UNK]"]);
  assert.equal(uncased.tokenize("a".repeat(200)).length, 200);
  // code points, not UTF-16 units: 150 emoji are 300 units but 150 characters
  const emoji = "😀".repeat(150);
  assert.equal(emoji.length, 300);
  assert.deepEqual(uncased.tokenize(emoji), ["[UNK]"]); // covered by no ##😀, but not for length
  assert.deepEqual(uncased.tokenize("😀"), ["😀"]);
});

test("final sigma follows Python's str.lower()", () => {
  assert.deepEqual(uncased.tokenize("ΑΣ"), ["[UNK]"]);
  assert.deepEqual(uncased.tokenize("Σ"), ["σ"]); // nothing cased before it: not final
  assert.deepEqual(uncased.tokenize("aΣ!"), ["a", "##ς", "!"]); // word-final even before punctuation
  assert.deepEqual(uncased.tokenize("a\u200bΣ"), ["a", "##ς"]); // ZWSP is removed before lower()
});

test("offsets point back into the original text, in code points", () => {
  const text = "😀 Naïve\u200b unaffable, 東京!";
  const r = uncased.tokenizeWithOffsets(text);
  assert.deepEqual(r.tokens, ["😀", "naive", "un", "##aff", "##able", ",", "東", "京", "!"]);
  const cps = Array.from(text);
  const slice = (i: number) => cps.slice(r.offsets[i].start, r.offsets[i].end).join("");
  assert.deepEqual(
    r.tokens.map((_, i) => slice(i)),
    ["😀", "Naïve", "un", "aff", "able", ",", "東", "京", "!"],
  );
  // decomposed accents stay inside their word's span
  const d = uncased.tokenizeWithOffsets("cafe\u0301 is");
  assert.deepEqual(d.offsets, [{ start: 0, end: 5 }, { start: 6, end: 8 }]);
});

test("encode builds [CLS] A [SEP] B [SEP] with segment ids, masks and padding", () => {
  const e = uncased.encode("Is it?", "Yes.", { maxLength: 10, padding: "max_length" });
  assert.deepEqual(e.tokens, ["[CLS]", "is", "it", "?", "[SEP]", "yes", ".", "[SEP]", "[PAD]", "[PAD]"]);
  assert.deepEqual(e.inputIds, e.tokens.map((t) => vocab.id(t)));
  assert.deepEqual(e.tokenTypeIds, [0, 0, 0, 0, 0, 1, 1, 1, 0, 0]);
  assert.deepEqual(e.attentionMask, [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  assert.deepEqual(e.specialTokensMask, [1, 0, 0, 0, 1, 0, 0, 1, 1, 1]);
  assert.deepEqual(e.sequenceIds, [null, 0, 0, 0, null, 1, 1, null, null, null]);
  assert.deepEqual(e.offsets[5], { start: 0, end: 3 });
  assert.equal(e.offsets[0], null);
});

test("longest_first truncation pops from the longer text, the second on a tie (_truncate_seq_pair)", () => {
  const e = uncased.encode("the dog the dog", "yes yes", { maxLength: 7 });
  assert.deepEqual(e.tokens, ["[CLS]", "the", "dog", "[SEP]", "yes", "yes", "[SEP]"]);
  assert.equal(e.numTruncated, 2);
  const tie = uncased.encode("the dog", "yes yes", { maxLength: 6 });
  assert.deepEqual(tie.tokens, ["[CLS]", "the", "dog", "[SEP]", "yes", "[SEP]"]);
  const first = uncased.encode("the dog the", "yes yes", { maxLength: 6, truncation: "only_first" });
  assert.deepEqual(first.tokens, ["[CLS]", "the", "[SEP]", "yes", "yes", "[SEP]"]);
  assert.throws(
    () => uncased.encode("the", "yes", { maxLength: 3, truncation: "only_second" }).tokens,
    (e: unknown) => e instanceof BertLabError && e.code === "CANNOT_TRUNCATE",
  );
  assert.throws(() => uncased.encode("the", null, { maxLength: 1 }), (e: unknown) => e instanceof BertLabError && e.code === "BAD_MAX_LENGTH");
});

test("encodeBatch pads to the longest", () => {
  const [a, b] = uncased.encodeBatch(["the dog", { text: "yes", pair: "it" }], { padding: "longest" });
  assert.equal(a.inputIds.length, 5);
  assert.equal(b.inputIds.length, 5);
  assert.deepEqual(b.tokens, ["[CLS]", "yes", "[SEP]", "it", "[SEP]"]);
  assert.deepEqual(a.attentionMask, [1, 1, 1, 1, 0]);
});

test("decode rejoins ## pieces and can skip special tokens", () => {
  const e = uncased.encode("Unaffable dog", "yes");
  assert.equal(uncased.decode(e.inputIds), "[CLS] unaffable dog [SEP] yes [SEP]");
  assert.equal(uncased.decode(e.inputIds, { skipSpecialTokens: true }), "unaffable dog yes");
});

test("tokenizeWithSteps shows every stage", () => {
  const s = uncased.tokenizeWithSteps("Naïve\u200b 東京,\tUnaffable");
  assert.equal(s.cleaned, "Naïve 東京, Unaffable");
  assert.equal(s.cjkSpaced, "Naïve  東  京 , Unaffable");
  assert.deepEqual(s.whitespaceTokens, ["Naïve", "東", "京", ",", "Unaffable"]);
  assert.deepEqual(s.normalized, ["naive", "東", "京", ",", "unaffable"]);
  assert.deepEqual(s.basicTokens, ["naive", "東", "京", ",", "unaffable"]);
  assert.deepEqual(s.wordPieces[4], { word: "unaffable", pieces: ["un", "##aff", "##able"] });
  assert.deepEqual(s.tokens, uncased.tokenize("Naïve\u200b 東京,\tUnaffable"));
});
