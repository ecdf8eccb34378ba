// The one-pass tokenizer against two independent implementations of tokenization.py's rules,
// on thousands of generated texts full of the hard cases (accents, marks, controls, every
// kind of space, CJK blocks inside and outside BERT's ranges, Hangul, emoji sequences, final
// sigma, characters newer than the reference's Unicode) and real lines from the corpora:
//  - steps.ts (stage by stage, whole-string operations), always;
//  - bench/peer_tokenizer.py under CPython's own unicodedata, when python3 is there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Rng } from "../util/rng";
import { findPython, needsPython } from "../util/find-python";
import { repoRoot, sharedFolder } from "../util/shared-folder";
import { BertTokenizer } from "./bert-tokenizer";
import { basicSteps } from "./steps";
import { Vocab } from "./vocab";

const range = (a: number, b: number): [number, number] => [a, b];
// [first, last] code point ranges to draw characters from, each picked with equal chance
const POOLS: [number, number][][] = [
  [range(0x61, 0x7a), range(0x41, 0x5a)], // ASCII letters
  [range(0x21, 0x2f), range(0x3a, 0x40), range(0x5b, 0x60), range(0x7b, 0x7e), range(0x30, 0x39)],
  [range(0xc0, 0xff), range(0x100, 0x17f), range(0x300, 0x36f)], // Latin accents, combining marks
  [range(0x391, 0x3c9), range(0x3a3, 0x3a3), range(0x3a3, 0x3a3), range(0x1f00, 0x1fff), range(0x37e, 0x37e), range(0x387, 0x387)],
  [range(0x410, 0x44f)], // Cyrillic
  [range(0x4e00, 0x9fff), range(0x3400, 0x4dbf), range(0x20000, 0x2a6df), range(0x2a700, 0x2b81f), range(0x2b820, 0x2ceaf)],
  [range(0x2ceb0, 0x2ebe0), range(0x30000, 0x3134a), range(0xf900, 0xfaff), range(0x2f800, 0x2fa1f), range(0x2f00, 0x2fd5)],
  [range(0x3040, 0x30ff), range(0xff61, 0xff9f), range(0xac00, 0xd7a3), range(0x1100, 0x11ff), range(0x3130, 0x318f)],
  [range(0x1f600, 0x1f64f), range(0x1f3fb, 0x1f3ff), range(0x200d, 0x200d), range(0xfe0f, 0xfe0f), range(0x1f1e6, 0x1f1ff), range(0x2600, 0x26ff)],
  [range(0x0, 0x1f), range(0x7f, 0x9f), range(0x200b, 0x200f), range(0xfeff, 0xfeff), range(0xfffd, 0xfffd), range(0xad, 0xad), range(0x2060, 0x206f)],
  [range(0xa0, 0xa0), range(0x1680, 0x1680), range(0x2000, 0x200a), range(0x2028, 0x2029), range(0x202f, 0x202f), range(0x205f, 0x205f), range(0x3000, 0x3000), range(0x85, 0x85)],
  [range(0x130, 0x131), range(0xdf, 0xdf), range(0x1e9e, 0x1e9e), range(0xfb00, 0xfb06), range(0x2160, 0x217f), range(0x24b6, 0x24e9), range(0x212a, 0x212b)],
  [range(0x1c89, 0x1c8a), range(0xa7cb, 0xa7dc), range(0x10d50, 0x10d65), range(0x1fae8, 0x1faef), range(0x2ebf0, 0x2ee5d), range(0x31350, 0x323af)],
  [range(0x600, 0x6ff), range(0x900, 0x97f), range(0xe00, 0xe7f), range(0x1780, 0x17ff), range(0x1d165, 0x1d172)],
  [range(0xff01, 0xff5e), range(0x2010, 0x2027), range(0x3001, 0x303f), range(0xfe10, 0xfe6b), range(0x2e00, 0x2e5d)],
  [range(0x80, 0xd7ff), range(0xe000, 0xffff), range(0x10000, 0x10ffff)], // anything
];

function randomText(rng: Rng): string {
  const words = rng.randint(0, 8);
  let s = "";
  for (let w = 0; w < words; w++) {
    const len = rng.random() < 0.02 ? rng.randint(190, 230) : rng.randint(1, 12);
    const pools = [rng.choice(POOLS), rng.choice(POOLS), POOLS[0]];
    for (let i = 0; i < len; i++) {
      const [a, b] = rng.choice(rng.choice(pools));
      let cp = rng.randint(a, b);
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x61;
      s += String.fromCodePoint(cp);
    }
    s += rng.choice([" ", " ", " ", "", "\t", "\n", "\u3000", ". ", ", "]);
  }
  return s;
}

/** Real text: lines from the corpora and datasets in the shared mirror, when it is there. */
function realLines(rng: Rng, count: number): string[] {
  const shared = sharedFolder();
  if (!shared) return [];
  const files = [
    "data/corpus/wikitext-2/valid.txt",
    "data/corpus/zh/pretrain_zh.txt",
    "data/corpus/tinyshakespeare/input.txt",
    "data/glue/SST-2/dev.tsv",
    "data/ner/wnut17/wnut17train.conll",
  ];
  const out: string[] = [];
  for (const f of files) {
    const p = path.join(shared, f);
    if (!fs.existsSync(p)) continue;
    const lines = fs.readFileSync(p, "utf8").slice(0, 3_000_000).split("\n").filter((l) => l.trim());
    for (let i = 0; i < count; i++) out.push(rng.choice(lines));
  }
  return out;
}

function texts(seed: number, n: number): string[] {
  const rng = new Rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(randomText(rng));
  return out.concat(realLines(rng, 150));
}

/** A vocab of every character in the texts (alone and as ##piece), so WordPiece covers them. */
function characterVocab(all: string[]): Vocab {
  const chars = new Set<string>();
  for (const t of all) for (const ch of t.toLowerCase().normalize("NFD")) chars.add(ch);
  return new Vocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ...[...chars].flatMap((c) => [c, "##" + c])]);
}

test("one-pass tokenizer equals the stage-by-stage one on generated and real text", () => {
  const all = texts(1, 3000);
  const vocab = characterVocab(all);
  for (const lower of [true, false]) {
    const tok = new BertTokenizer(vocab, { doLowerCase: lower });
    for (const t of all) {
      const want = basicSteps(t, lower).basicTokens;
      assert.deepEqual(tok.basic.tokenize(t), want, `lower=${lower} ${JSON.stringify(t)}`);
    }
  }
});

test("offsets: each word's span in the original text tokenizes back to that word", () => {
  const all = texts(3, 2000);
  const vocab = characterVocab(all);
  for (const lower of [true, false]) {
    const tok = new BertTokenizer(vocab, { doLowerCase: lower });
    for (const t of all) {
      const cps = Array.from(t);
      const r = tok.tokenizeWithOffsets(t);
      let prevEnd = 0;
      for (let i = 0; i < r.tokens.length; ) {
        // a word: a first piece and the ## pieces after it
        let j = i + 1;
        while (j < r.tokens.length && r.tokens[j].startsWith("##") && r.tokens[j].length > 2) j++;
        const word = r.tokens.slice(i, j).map((p, k) => (k > 0 ? p.slice(2) : p)).join("");
        const { start } = r.offsets[i];
        const end = Math.max(...r.offsets.slice(i, j).map((o) => o.end));
        assert.ok(start >= prevEnd - 1 && start < end && end <= cps.length, `span ${start}-${end} in ${JSON.stringify(t)}`);
        prevEnd = end;
        if (r.tokens[i] !== "[UNK]" && !/[σς]/.test(word)) {
          const back = basicSteps(cps.slice(start, end).join(""), lower).basicTokens;
          assert.deepEqual(back, [word], `lower=${lower} ${JSON.stringify(t)} word ${JSON.stringify(word)}`);
        }
        i = j;
      }
    }
  }
});

const VOCABS: { name: string; lower: boolean }[] = [
  { name: "bert-base-uncased", lower: true },
  { name: "bert-base-cased", lower: false },
  { name: "bert-base-chinese", lower: true },
  { name: "bert-base-multilingual-cased", lower: false },
];

const python = findPython();
const shared = sharedFolder();
const skip = needsPython().skip || (shared || process.env.CI === "true" ? false : "needs ../shared/data/vocab (set BERT_LAB_SHARED)");

test("tokenizer equals the Python peer under CPython's unicodedata, for four real vocabs", { skip }, () => {
  assert.ok(python, "python3 not found: install Debian's python3");
  assert.ok(shared, "shared folder not found");
  const input = texts(Number(process.env.FUZZ_SEED ?? 2), Number(process.env.FUZZ_N ?? 2500));
  const jsonl = input.map((text) => JSON.stringify({ text })).join("\n") + "\n";
  const peer = path.join(repoRoot(), "bench", "peer_tokenizer.py");
  for (const v of VOCABS) {
    const vocabPath = path.join(shared!, "data/vocab", v.name, "vocab.txt");
    const r: SpawnSyncReturns<string> = spawnSync(python!, [peer, "--vocab", vocabPath, "--jsonl", ...(v.lower ? [] : ["--cased"])], {
      input: jsonl,
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    assert.equal(r.status, 0, r.stderr);
    const want = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { tokens: string[]; ids: number[] });
    const tok = BertTokenizer.fromFile(vocabPath, { doLowerCase: v.lower });
    let mismatches = 0;
    input.forEach((text, i) => {
      const got = tok.tokenize(text);
      if (JSON.stringify(got) !== JSON.stringify(want[i].tokens)) {
        mismatches++;
        if (mismatches <= 3) {
          assert.deepEqual(got, want[i].tokens, `${v.name}: ${JSON.stringify(text)}`);
        }
      }
      assert.deepEqual(tok.tokenizeToIds(text), want[i].ids, `${v.name} ids: ${JSON.stringify(text)}`);
    });
    assert.equal(mismatches, 0, v.name);
  }
});
