// The WordPiece vocabulary trainer: determinism, layout, sizes, errors, and the round trip
// text → ids → text through BertTokenizer with the vocabulary it learned. The incremental
// merge loop is checked against a deliberately naive trainer (recount everything, every step).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { needsShared, sharedPath } from "../util/shared-folder";
import { BasicTokenizer } from "./basic-tokenizer";
import { BertTokenizer } from "./bert-tokenizer";
import { Vocab } from "./vocab";
import { TrainVocabOptions, trainVocab, VocabTrainer } from "./vocab-trainer";

const SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

// Written for these tests: accents, punctuation, numbers, an e-mail address, a CJK line.
const TEXT = `The old lighthouse keeper climbed the stairs every evening, counting the steps: one hundred and twelve.
He liked the quiet of the lamp room, the smell of oil, and the long view over the grey water.
"Is the light on?" the children asked when they saw him in the village café.
"It is always on," he said, "even when the fog is thick and the ships cannot see it."

In winter the storms came from the north. Waves broke over the rocks and the spray reached the windows;
the keeper wrote in his log — wind, rain, a ship's name — and waited for the morning.
Señora Peña sent him a crème brûlée from the bakery, and Zoë, her granddaughter, drew him a map of the coast.
Naïve visitors thought the job was lonely; the keeper knew better. Über alles, he loved the sea!
灯塔守护者每天晚上都爬上楼梯，看着大海。
Numbers matter too: 1,024 steps in 2019, 3.14 metres of rope, 50% of the nights with fog (roughly).
Mail keeper@lighthouse.example or read /var/log/light.txt — the keeper's keepers keep keeping the light.`;

const LINES = TEXT.split("\n").filter((l) => l.trim().length > 0);

const ZH = `灯塔守护者每天晚上都爬上楼梯。他喜欢安静的灯室，也喜欢从窗口看大海。
冬天的风暴从北方来，海浪打在岩石上。孩子们问他：灯亮着吗？他说：灯一直亮着。
早上他写日志，记下风、雨和船的名字。`;

/** What the round trip must give: the basic tokens joined by spaces. */
function expectedRoundTrip(basic: BasicTokenizer, line: string): string {
  return basic.tokenize(line).join(" ");
}

function assertRoundTrip(tokens: string[], lines: string[], doLowerCase: boolean): void {
  const tok = new BertTokenizer(vocabFromTokens(tokens), { doLowerCase });
  for (const line of lines) {
    const ids = tok.tokenizeToIds(line);
    assert.ok(!ids.includes(tok.vocab.unkId), `[UNK] in ${JSON.stringify(line)}: ${tok.tokenize(line).join(" ")}`);
    assert.equal(tok.decode(ids), expectedRoundTrip(tok.basic, line), `round trip of ${JSON.stringify(line)}`);
  }
}

/** Through vocab.txt, as a user would save and load it. */
function vocabFromTokens(tokens: string[]): Vocab {
  return Vocab.fromText(tokens.join("\n") + "\n", "<test>");
}

/** The alphabet, computed independently: first characters, and ## every other character. */
function alphabetOf(texts: string[], doLowerCase = true): { initial: Set<string>; cont: Set<string> } {
  const basic = new BasicTokenizer({ doLowerCase });
  const initial = new Set<string>();
  const cont = new Set<string>();
  for (const t of texts) {
    for (const w of basic.tokenize(t)) {
      const chars = Array.from(w);
      if (chars.length > 200) continue;
      initial.add(chars[0]);
      for (const c of chars.slice(1)) cont.add("##" + c);
    }
  }
  return { initial, cont };
}

/**
 * The reference: the same rules, done the slow obvious way — recount every pair of every word
 * at every step.
 */
function naiveTrain(texts: string[], opts: TrainVocabOptions): string[] {
  const minFrequency = opts.minFrequency ?? 2;
  const basic = new BasicTokenizer({ doLowerCase: opts.doLowerCase ?? true });
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of basic.tokenize(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words: { syms: string[]; count: number }[] = [];
  for (const [w, count] of counts) {
    const chars = Array.from(w);
    if (chars.length <= 200) words.push({ syms: chars.map((c, i) => (i === 0 ? c : "##" + c)), count });
  }
  const body = (t: string) => (t.startsWith("##") ? t.slice(2) : t);
  const byCodePoint = (x: string, y: string) => body(x).codePointAt(0)! - body(y).codePointAt(0)!;
  const symbols = [
    ...[...new Set(words.map((w) => w.syms[0]))].sort(byCodePoint),
    ...[...new Set(words.flatMap((w) => w.syms.slice(1)))].sort(byCodePoint),
  ];
  const specials = opts.specialTokens ?? SPECIALS;
  const tokens = [...specials];
  for (const s of symbols) if (!tokens.includes(s)) tokens.push(s);
  while (tokens.length < opts.vocabSize) {
    const pairCounts = new Map<string, { a: string; b: string; count: number }>();
    for (const w of words) {
      for (let i = 0; i + 1 < w.syms.length; i++) {
        const k = w.syms[i] + "\u0000" + w.syms[i + 1];
        const p = pairCounts.get(k) ?? { a: w.syms[i], b: w.syms[i + 1], count: 0 };
        p.count += w.count;
        pairCounts.set(k, p);
      }
    }
    let best: { a: string; b: string; count: number; m: string } | null = null;
    for (const p of pairCounts.values()) {
      if (p.count < minFrequency) continue;
      const m = p.a + body(p.b);
      const better =
        best === null ||
        p.count > best.count ||
        (p.count === best.count &&
          (m < best.m ||
            (m === best.m &&
              (symbols.indexOf(p.a) < symbols.indexOf(best.a) ||
                (p.a === best.a && symbols.indexOf(p.b) < symbols.indexOf(best.b))))));
      if (better) best = { ...p, m };
    }
    if (best === null) break;
    if (!symbols.includes(best.m)) symbols.push(best.m);
    if (!tokens.includes(best.m)) tokens.push(best.m);
    for (const w of words) {
      const out: string[] = [];
      for (let i = 0; i < w.syms.length; i++) {
        if (i + 1 < w.syms.length && w.syms[i] === best.a && w.syms[i + 1] === best.b) {
          out.push(best.m);
          i++;
        } else out.push(w.syms[i]);
      }
      w.syms = out;
    }
  }
  return tokens;
}

/** Small deterministic random generator (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Texts over a tiny alphabet, full of repeats ("aaaa", "abab") and ties. */
function randomTexts(seed: number): string[] {
  const r = rng(seed);
  const chars = ["a", "b", "c", "a", "b", "ß", "😀", "é", "中", "-"];
  const texts: string[] = [];
  for (let t = 0; t < 4; t++) {
    const words: string[] = [];
    for (let i = 0; i < 60; i++) {
      const len = 1 + Math.floor(r() * 7);
      let w = "";
      for (let k = 0; k < len; k++) w += chars[Math.floor(r() * (r() < 0.5 ? 3 : chars.length))];
      words.push(w);
    }
    texts.push(words.join(" "));
  }
  return texts;
}

test("the same input gives the same vocabulary, byte for byte, whatever the order of the texts", () => {
  const opts = { vocabSize: 300, minFrequency: 1 };
  const a = trainVocab({ texts: LINES }, opts);
  const b = trainVocab({ texts: LINES }, opts);
  const c = trainVocab({ texts: LINES.slice().reverse() }, opts);
  assert.equal(a.tokens.length, 300);
  assert.deepEqual(b.tokens, a.tokens);
  assert.deepEqual(c.tokens, a.tokens);
  assert.equal(c.vocab.toText(), a.vocab.toText());
});

test("the incremental merges equal a naive recount-everything trainer on random corpora", () => {
  for (let seed = 1; seed <= 40; seed++) {
    const texts = randomTexts(seed);
    const { initial, cont } = alphabetOf(texts, seed % 5 !== 0);
    const base = SPECIALS.length + initial.size + cont.size;
    const opts: TrainVocabOptions = { vocabSize: base + 5 + (seed % 7) * 15, minFrequency: 1 + (seed % 3), doLowerCase: seed % 5 !== 0 };
    const want = naiveTrain(texts, opts);
    const got = trainVocab({ texts }, opts);
    assert.deepEqual(got.tokens, want, `seed ${seed}`);
    assert.equal(got.stats.alphabet, initial.size + cont.size, `seed ${seed}`);
    assert.equal(got.stats.merges, got.tokens.length - base, `seed ${seed}`);
    assert.equal(new Set(got.tokens).size, got.tokens.length, `seed ${seed}`);
  }
});

test("special tokens come first, in order; a custom list is honoured and not repeated", () => {
  const { tokens, vocab } = trainVocab({ texts: LINES }, { vocabSize: 200 });
  assert.deepEqual(tokens.slice(0, 5), SPECIALS);
  assert.equal(vocab.unkId, 1);
  const custom = ["[UNK]", "[CLS]", "[SEP]", "the", "a", "[unused0]"];
  // "the" and "a" are also learned from the text (as a merge and as an alphabet character)
  const t2 = trainVocab({ texts: LINES }, { vocabSize: 200, specialTokens: custom, minFrequency: 1 }).tokens;
  assert.deepEqual(t2.slice(0, custom.length), custom);
  assert.equal(t2.length, 200);
  assert.equal(new Set(t2).size, t2.length, "custom special tokens also learned again");
  assert.equal(t2.indexOf("the"), 3);
  assert.equal(t2.indexOf("a"), 4);
});

test("no duplicates, and alphabet then merges in the documented order", () => {
  for (const vocabSize of [150, 400, 5000]) {
    const { tokens, stats } = trainVocab({ texts: LINES }, { vocabSize });
    assert.equal(new Set(tokens).size, tokens.length, `vocabSize ${vocabSize}`);
    const { initial, cont } = alphabetOf(LINES);
    const alphabet = tokens.slice(5, 5 + stats.alphabet);
    const cp = (t: string) => t.replace(/^##/, "").codePointAt(0)!;
    const byCp = (x: string, y: string) => cp(x) - cp(y);
    assert.deepEqual(alphabet, [...[...initial].sort(byCp), ...[...cont].sort(byCp)]);
    for (const t of tokens.slice(5 + stats.alphabet)) assert.ok([...t.replace(/^##/, "")].length >= 2, t);
  }
});

test("vocabSize is met exactly when the corpus allows, and not exceeded when it runs out of pairs", () => {
  const { initial, cont } = alphabetOf(LINES);
  const base = 5 + initial.size + cont.size;
  for (const extra of [0, 1, 37]) {
    const r = trainVocab({ texts: LINES }, { vocabSize: base + extra });
    assert.equal(r.tokens.length, base + extra);
    assert.equal(r.stats.merges, extra);
  }
  // runs out: with the default minFrequency 2 it stops early
  const out = trainVocab({ texts: LINES }, { vocabSize: 100000 });
  assert.ok(out.tokens.length < 100000 && out.tokens.length > base, `${out.tokens.length}`);
  // with minFrequency 1 it merges until every distinct word is a single token
  const all = trainVocab({ texts: LINES }, { vocabSize: 100000, minFrequency: 1 });
  const words = new Set(LINES.flatMap((l) => new BasicTokenizer().tokenize(l)));
  for (const w of words) assert.ok(all.vocab.has(w), `${w} is not a whole token`);
  assert.ok(all.tokens.length < 100000);
  // a higher minFrequency learns fewer tokens
  const strict = trainVocab({ texts: LINES }, { vocabSize: 100000, minFrequency: 5 });
  assert.ok(strict.tokens.length < out.tokens.length);
});

test("an alphabet bigger than vocabSize is an error that says how many are needed", () => {
  const { initial, cont } = alphabetOf(LINES);
  const needed = 5 + initial.size + cont.size;
  assert.throws(
    () => trainVocab({ texts: LINES }, { vocabSize: needed - 1 }),
    (e: unknown) =>
      e instanceof BertLabError &&
      e.code === "VOCAB_SIZE_TOO_SMALL" &&
      e.message.includes(`at least ${needed}`) &&
      e.message.includes("raise vocabSize"),
  );
  assert.equal(trainVocab({ texts: LINES }, { vocabSize: needed }).tokens.length, needed);
  // and the options are checked up front
  assert.throws(() => new VocabTrainer({ vocabSize: 0 }), /vocabSize must be an integer/);
  assert.throws(() => new VocabTrainer({ vocabSize: 100, specialTokens: ["[PAD]"] }), /must include "\[UNK\]"/);
  assert.throws(() => new VocabTrainer({ vocabSize: 100, specialTokens: ["[UNK]", "[UNK]"] }), /twice/);
  assert.throws(() => new VocabTrainer({ vocabSize: 100, minFrequency: 0 }), /minFrequency must be a number of at least 1/);
});

test("lower-cased and cased training differ as BertTokenizer's option does", () => {
  const lower = trainVocab({ texts: LINES }, { vocabSize: 400 });
  const cased = trainVocab({ texts: LINES }, { vocabSize: 400, doLowerCase: false });
  assert.ok(!lower.tokens.slice(5).some((t) => /[A-ZÀ-ÖØ-Þ]/.test(t)), "upper case in an uncased vocab");
  assert.ok(!lower.tokens.some((t) => /[éèûëïñÜ]/.test(t)), "accents in an uncased vocab");
  assert.ok(lower.vocab.has("##e") && lower.vocab.has("u"));
  for (const t of ["T", "H", "Z", "N", "Ü", "##é", "##è", "##û", "##ñ", "##ï"]) assert.ok(cased.vocab.has(t), `cased vocab lacks ${t}`);
  assert.notDeepEqual(cased.tokens, lower.tokens);
  assertRoundTrip(cased.tokens, LINES, false);
  assertRoundTrip(lower.tokens, LINES, true);
  // the cased tokenizer with the cased vocab keeps "The" and "the" apart
  const tok = new BertTokenizer(cased.vocab, { doLowerCase: false });
  assert.equal(tok.decode(tok.tokenizeToIds("The the")), "The the");
});

test("a Chinese text trains: every CJK character is a token of its own", () => {
  const { tokens, vocab } = trainVocab({ texts: ZH.split("\n") }, { vocabSize: 500 });
  const cjk = /\p{Script=Han}/u;
  const hanChars = new Set([...ZH].filter((c) => cjk.test(c)));
  for (const c of hanChars) assert.ok(vocab.has(c), `${c} missing`);
  assert.ok(!tokens.some((t) => [...t].filter((c) => cjk.test(c)).length > 1), "a token with two CJK characters");
  assert.ok(!tokens.some((t) => t.startsWith("##") && cjk.test(t)), "CJK characters are always word-initial");
  const tok = new BertTokenizer(vocab);
  const line = ZH.split("\n")[0];
  assert.deepEqual(tok.tokenize(line).filter((t) => cjk.test(t)), [...line].filter((c) => cjk.test(c)));
  assertRoundTrip(tokens, ZH.split("\n"), true);
});

test("round trip: every line of the training text decodes to its basic tokens, no [UNK]", () => {
  const { initial, cont } = alphabetOf(LINES);
  const base = 5 + initial.size + cont.size;
  for (const vocabSize of [base, base + 30, base + 200, 5000]) {
    const { tokens } = trainVocab({ texts: [TEXT] }, { vocabSize });
    assertRoundTrip(tokens, LINES, true);
  }
  // the small vocabulary really splits words, so the ## pieces are exercised
  const small = new BertTokenizer(trainVocab({ texts: [TEXT] }, { vocabSize: base + 30 }).vocab);
  assert.ok(small.tokenize(LINES[0]).some((t) => t.startsWith("##")));
});

test("frequent words become single tokens", () => {
  const { initial, cont } = alphabetOf(LINES);
  const { vocab, tokens } = trainVocab({ texts: [TEXT] }, { vocabSize: 5 + initial.size + cont.size + 40 });
  const tok = new BertTokenizer(vocab);
  assert.deepEqual(tok.tokenize("the"), ["the"]);
  assert.deepEqual(tok.tokenize("The keeper"), ["the", "keeper"]);
  // "the" (24 times) is learned before "keeper" (6 times), which comes before rarer words
  assert.ok(tokens.indexOf("the") < tokens.indexOf("keeper"));
  assert.ok(tok.tokenize("lighthouse").length > 1, "a word seen once became a token: frequency ignored?");
});

test("words over 200 characters are not learned from (BERT makes them [UNK])", () => {
  const long = "ж".repeat(201);
  const { vocab } = trainVocab({ texts: [TEXT, long, long] }, { vocabSize: 400 });
  assert.ok(!vocab.has("ж") && !vocab.has("##ж"));
  const tok = new BertTokenizer(vocab);
  assert.deepEqual(tok.tokenize(`the ${long}`), ["the", "[UNK]"]);
});

test("addFile streams a file (blocks, lines, multi-byte characters across block edges) like addText", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vocab-trainer-"));
  try {
    // > 2 MiB, so the 1 MiB blocks cut through lines and through multi-byte characters
    const lines: string[] = [];
    let bytes = 0;
    for (let i = 0; bytes < 2.2 * 2 ** 20; i++) {
      const line = `${LINES[i % LINES.length]} ${i % 97}${Array.from("é中😀").slice(0, 1 + (i % 3)).join("")}`;
      lines.push(line);
      bytes += Buffer.byteLength(line) + 1;
    }
    const text = lines.join("\n") + "\nlast line ʬʭ, without a newline";
    const file = path.join(dir, "corpus.txt");
    fs.writeFileSync(file, text);
    const opts = { vocabSize: 600 };
    const fromText = trainVocab({ texts: [text] }, opts);
    const trainer = new VocabTrainer(opts);
    trainer.addFile(file);
    const fromFile = trainer.finish();
    assert.deepEqual(fromFile.tokens, fromText.tokens);
    assert.equal(fromFile.stats.bytes, fs.statSync(file).size);
    assert.equal(fromFile.stats.words, fromText.stats.words);
    assert.ok(fromFile.vocab.has("ʬ") && fromFile.vocab.has("##ʭ"), "the last line, after the last newline, was not read");

    // maxBytes: only the lines that end within the limit
    const limit = Buffer.byteLength(lines.slice(0, 3).join("\n") + "\n") + 5;
    const part = new VocabTrainer(opts);
    part.addFile(file, { maxBytes: limit });
    assert.equal(part.finish().stats.bytes, limit - 5);

    assert.throws(
      () => new VocabTrainer(opts).addFile(path.join(dir, "missing.txt")),
      (e: unknown) => e instanceof BertLabError && e.code === "CORPUS_NOT_FOUND" && e.message.includes("missing.txt"),
    );
    assert.throws(() => new VocabTrainer(opts).addFile(dir), (e: unknown) => e instanceof BertLabError && e.code === "CORPUS_IS_DIR");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("onProgress reports both phases and ends at the vocabulary's size", () => {
  const events: { phase: string; done: number; total: number }[] = [];
  const { tokens } = trainVocab({ texts: LINES }, { vocabSize: 300, onProgress: (p) => events.push({ ...p }) });
  const merges = events.filter((e) => e.phase === "merge");
  assert.ok(merges.length >= 1 && merges.length < 50, `${merges.length} merge events: not throttled?`);
  assert.deepEqual(merges[merges.length - 1], { phase: "merge", done: tokens.length, total: 300 });
});

const WIKI = "data/corpus/wikitext-2/valid.txt";

test("wikitext-2 valid: a 2000-token vocab round-trips 500 of its lines", needsShared(WIKI), () => {
  const file = sharedPath(WIKI);
  const { tokens, vocab, stats } = trainVocab({ files: [file] }, { vocabSize: 2000 });
  assert.equal(tokens.length, 2000);
  assert.equal(stats.bytes, fs.statSync(file).size);
  const lines = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim().length > 0);
  const stride = Math.max(1, Math.floor(lines.length / 500));
  const sample = lines.filter((_, i) => i % stride === 0).slice(0, 500);
  assert.equal(sample.length, 500);
  assertRoundTrip(tokens, sample, true);
  assert.deepEqual(new BertTokenizer(vocab).tokenize("the"), ["the"]);
});
