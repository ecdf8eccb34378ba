// maskTokens and maskingReport against what §3.1 (and create_pretraining_data.py) promise,
// measured on large samples: how many positions are chosen (Python's half-to-even round, the
// cap, never [CLS]/[SEP]), what happens to them (the configured [MASK]/random/same shares,
// within binomial bounds, for BERT's ratios and every variant of the paper's Table 8), and that
// whole-word masking keeps a word's ## pieces together.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../util/rng";
import { BERT_RATIOS, instancesMaskingReport, MaskedSequence, maskingDecisions, maskingReport, maskTokens, ReplacementRatios } from "./masking";

const VOCAB = Array.from({ length: 1000 }, (_, i) => `w${i}`);
const VOCAB_SET = new Set(VOCAB);
const isSpecial = (t: string) => t === "[CLS]" || t === "[SEP]";

/** [CLS] A [SEP] B [SEP] of `length` tokens in all, random vocabulary words. */
function sequence(length: number, rng: Rng): string[] {
  const a = rng.randint(1, length - 4); // both segments non-empty
  const word = () => VOCAB[rng.randint(0, VOCAB.length - 1)];
  return ["[CLS]", ...Array.from({ length: a }, word), "[SEP]", ...Array.from({ length: length - 3 - a }, word), "[SEP]"];
}

/** Python 3's round() on a float, written out here (not the library's pyRound): ties to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** create_masked_lm_predictions' count: min(max_predictions_per_seq, max(1, int(round(len · p)))). */
const expectedCount = (length: number, p: number, cap: number) => Math.min(cap, Math.max(1, roundHalfEven(length * p)));

/** |got − want| within k binomial standard errors of n trials (exact when want is 0 or 1). */
function withinBounds(got: number, want: number, n: number, k = 5): boolean {
  return Math.abs(got - want) <= k * Math.sqrt((want * (1 - want)) / n) + 1e-12;
}

/** The invariants every masked sequence satisfies, whatever the ratios. */
function checkSequence(original: readonly string[], m: MaskedSequence, where: string): void {
  assert.equal(m.tokens.length, original.length, where);
  assert.equal(m.labels.length, m.positions.length, where);
  assert.equal(m.replacements.length, m.positions.length, where);
  for (let k = 1; k < m.positions.length; k++) assert.ok(m.positions[k - 1] < m.positions[k], `${where}: positions ascending and distinct`);
  const chosen = new Set(m.positions);
  original.forEach((t, i) => {
    if (!chosen.has(i)) assert.equal(m.tokens[i], t, `${where}: position ${i} was not chosen, so it is unchanged`);
  });
  m.positions.forEach((p, k) => {
    assert.ok(!isSpecial(original[p]), `${where}: [CLS]/[SEP] at ${p} chosen`);
    assert.equal(m.labels[k], original[p], `${where}: the label at ${p} is the original token`);
    const r = m.replacements[k];
    if (r === "mask") assert.equal(m.tokens[p], "[MASK]", `${where}: "mask" at ${p}`);
    else if (r === "same") assert.equal(m.tokens[p], original[p], `${where}: "same" at ${p}`);
    else {
      assert.equal(r, "random", `${where}: replacement kind`);
      assert.ok(VOCAB_SET.has(m.tokens[p]), `${where}: "random" at ${p} holds a vocabulary word, got ${m.tokens[p]}`);
    }
  });
}

// BERT's 80/10/10 and the ablations of Table 8 (MASK / SAME / RND)
const RATIOS: ReplacementRatios[] = [
  BERT_RATIOS,
  { mask: 1, random: 0, same: 0 },
  { mask: 0.8, random: 0, same: 0.2 },
  { mask: 0.8, random: 0.2, same: 0 },
  { mask: 0, random: 0.2, same: 0.8 },
  { mask: 0, random: 0, same: 1 },
];

for (const ratios of RATIOS) {
  test(`realised replacement shares within 5 standard errors of ${JSON.stringify(ratios)}`, () => {
    const rng = new Rng(20240601);
    const counts = { mask: 0, random: 0, same: 0 };
    let selected = 0;
    let randomKeptOriginal = 0; // "random" draws that happened to pick the original token
    for (let s = 0; s < 5000; s++) {
      const original = sequence(rng.randint(20, 128), rng);
      const m = maskTokens(original, { maskedLmProb: 0.15, maxPredictionsPerSeq: 20, vocabWords: VOCAB, ratios }, rng);
      checkSequence(original, m, `${JSON.stringify(ratios)}, sequence ${s}`);
      assert.equal(m.positions.length, expectedCount(original.length, 0.15, 20), `sequence ${s} of length ${original.length}`);
      selected += m.positions.length;
      m.replacements.forEach((r, k) => {
        counts[r]++;
        if (r === "random" && m.tokens[m.positions[k]] === original[m.positions[k]]) randomKeptOriginal++;
      });
    }
    assert.ok(selected > 40000, `a large sample: ${selected}`);
    for (const kind of ["mask", "random", "same"] as const) {
      const rate = counts[kind] / selected;
      assert.ok(withinBounds(rate, ratios[kind], selected), `${kind}: ${rate} vs ${ratios[kind]} over ${selected}`);
    }
    // a random replacement is a uniform draw from 1000 words: it equals the original ~0.1 % of the time
    if (counts.random > 0) assert.ok(withinBounds(randomKeptOriginal / counts.random, 1 / VOCAB.length, counts.random), `random draws equal to the original: ${randomKeptOriginal} of ${counts.random}`);
  });
}

test("random replacements are uniform over the whole vocabulary, first and last word included", () => {
  const vocab = Array.from({ length: 10 }, (_, i) => `w${i}`);
  const rng = new Rng(5);
  const hits = new Map<string, number>(vocab.map((w) => [w, 0]));
  let n = 0;
  for (let s = 0; s < 2000; s++) {
    const original = sequence(64, rng);
    const m = maskTokens(original, { maskedLmProb: 0.15, maxPredictionsPerSeq: 20, vocabWords: vocab, ratios: { mask: 0, random: 1, same: 0 } }, rng);
    for (const p of m.positions) {
      const got = m.tokens[p];
      assert.ok(hits.has(got), `drawn ${got}`);
      hits.set(got, hits.get(got)! + 1);
      n++;
    }
  }
  for (const [w, h] of hits) assert.ok(withinBounds(h / n, 0.1, n), `${w}: ${h} of ${n}`);
});

test("how many are chosen: min(cap, max(1, round_half_even(len · p))) per sequence, never [CLS]/[SEP]; selectedRate agrees", () => {
  // the ties of len · 0.15 (exact doubles): Python's round sends them to the even neighbour
  assert.deepEqual([30, 50, 70, 90, 110].map((n) => roundHalfEven(n * 0.15)), [4, 8, 10, 14, 16]);
  const rng = new Rng(77);
  for (const [p, cap] of [[0.15, 20], [0.15, 12], [0.1, 5], [0.02, 20], [0.5, 40]] as const) {
    const sample: { original: string[]; masked: MaskedSequence }[] = [];
    let expectedSelected = 0;
    let candidates = 0;
    let capped = 0;
    let ties = 0;
    // every length 20..128 three times (ties and capped lengths included), then random ones
    const lengths = [...Array.from({ length: 327 }, (_, i) => 20 + (i % 109)), ...Array.from({ length: 1000 }, () => rng.randint(20, 128))];
    for (const length of lengths) {
      const original = sequence(length, rng);
      const masked = maskTokens(original, { maskedLmProb: p, maxPredictionsPerSeq: cap, vocabWords: VOCAB }, rng);
      const want = expectedCount(length, p, cap);
      assert.equal(masked.positions.length, want, `p ${p}, cap ${cap}, length ${length}`);
      assert.ok(masked.positions.every((i) => i > 0 && !isSpecial(original[i])), `p ${p}: [CLS]/[SEP] never chosen`);
      if (want === cap && roundHalfEven(length * p) > cap) capped++;
      if (length * p - Math.floor(length * p) === 0.5) ties++;
      expectedSelected += want;
      candidates += length - 3;
      sample.push({ original, masked });
    }
    if (p === 0.15) assert.ok(ties > 0, "the sample has half-way lengths");
    if (cap === 12 || cap === 5) assert.ok(capped > 0, "the sample has capped sequences");
    const r = maskingReport(sample);
    assert.equal(r.candidates, candidates);
    assert.equal(r.selected, expectedSelected);
    assert.ok(Math.abs(r.selectedRate - expectedSelected / candidates) < 1e-12, `selectedRate ${r.selectedRate}`);
  }
  // at least one position, even where len · p rounds to 0
  const tiny = maskTokens(["[CLS]", "w1", "w2", "[SEP]", "w3", "[SEP]"], { maskedLmProb: 0.01, maxPredictionsPerSeq: 20, vocabWords: VOCAB }, new Rng(1));
  assert.equal(tiny.positions.length, 1);
  // nothing to choose from: nothing chosen
  assert.equal(maskTokens(["[CLS]", "[SEP]", "[SEP]"], { maskedLmProb: 0.15, maxPredictionsPerSeq: 20, vocabWords: VOCAB }, new Rng(1)).positions.length, 0);
});

test("whole-word masking: every chosen group is a whole word (all its ## pieces), never part of one", () => {
  const rng = new Rng(31);
  let multiPieceChosen = 0;
  for (let s = 0; s < 3000; s++) {
    // words of 1..4 pieces, each segment starting with a word's first piece
    const tokens: string[] = ["[CLS]"];
    const words: number[][] = [];
    let singles = 0;
    for (const segmentWords of [rng.randint(3, 20), rng.randint(3, 20)]) {
      for (let w = 0; w < segmentWords; w++) {
        const pieces = rng.random() < 0.5 ? 1 : rng.randint(2, 4);
        if (pieces === 1) singles++;
        const word: number[] = [];
        for (let k = 0; k < pieces; k++) {
          word.push(tokens.length);
          tokens.push(k === 0 ? `w${rng.randint(0, 999)}` : `##p${rng.randint(0, 99)}`);
        }
        words.push(word);
      }
      tokens.push("[SEP]");
    }
    const cap = 20;
    const m = maskTokens(tokens, { maskedLmProb: 0.15, maxPredictionsPerSeq: cap, wholeWordMask: true, vocabWords: VOCAB }, rng);
    const chosen = new Set(m.positions);
    for (const word of words) {
      const n = word.filter((i) => chosen.has(i)).length;
      assert.ok(n === 0 || n === word.length, `sequence ${s}: word at ${word} partly chosen (${n} of ${word.length}): ${m.positions}`);
      if (n > 1) multiPieceChosen++;
    }
    assert.ok(m.positions.every((i) => !isSpecial(tokens[i])), `sequence ${s}: [CLS]/[SEP] chosen`);
    m.positions.forEach((p, k) => assert.equal(m.labels[k], tokens[p]));
    // a word that would overshoot is skipped, but single-piece words fill up to the count
    const want = expectedCount(tokens.length, 0.15, cap);
    if (singles >= want) assert.equal(m.positions.length, want, `sequence ${s}`);
    else assert.ok(m.positions.length <= want, `sequence ${s}`);
  }
  assert.ok(multiPieceChosen > 1000, `multi-piece words were chosen: ${multiPieceChosen}`);
  // without whole-word masking, pieces are chosen one by one: some word is split
  let split = 0;
  const tokens = ["[CLS]", "un", "##aff", "##able", "phil", "##am", "##mon", "##ous", "[SEP]", "dog", "##s", "[SEP]"];
  for (let seed = 0; seed < 200; seed++) {
    const set = new Set(maskTokens(tokens, { maskedLmProb: 0.3, maxPredictionsPerSeq: 20, vocabWords: VOCAB }, new Rng(seed)).positions);
    if ([[1, 2, 3], [4, 5, 6, 7], [9, 10]].some((w) => w.some((i) => set.has(i)) && !w.every((i) => set.has(i)))) split++;
  }
  assert.ok(split > 50, `pieces chosen alone without whole-word masking: ${split}`);
});

test("whole-word masking, as the original: a ## piece opening segment B joins the last word of A", () => {
  // create_masked_lm_predictions skips [SEP] and appends a ## piece to the previous candidate,
  // whatever lies between them; truncation from the front can leave B starting with ##.
  const tokens = ["[CLS]", "a", "b", "[SEP]", "##c", "d", "[SEP]"];
  let together = 0;
  for (let seed = 0; seed < 100; seed++) {
    const set = new Set(maskTokens(tokens, { maskedLmProb: 0.5, maxPredictionsPerSeq: 3, wholeWordMask: true, vocabWords: VOCAB }, new Rng(seed)).positions);
    assert.equal(set.has(2), set.has(4), `seed ${seed}: ${[...set]}`);
    if (set.has(2)) together++;
  }
  assert.ok(together > 0);
});

test("maskingReport's fields agree with a direct count", () => {
  assert.deepEqual(maskingReport([]), { candidates: 0, selected: 0, selectedRate: 0, maskRate: 0, randomRate: 0, sameRate: 0 });
  const rng = new Rng(3);
  const sample: { original: string[]; masked: MaskedSequence }[] = [];
  for (let s = 0; s < 500; s++) {
    const original = sequence(rng.randint(20, 128), rng);
    const ratios = RATIOS[s % RATIOS.length];
    sample.push({ original, masked: maskTokens(original, { maskedLmProb: 0.15, maxPredictionsPerSeq: 20, vocabWords: VOCAB, ratios }, rng) });
  }
  let candidates = 0;
  let selected = 0;
  let mask = 0;
  let random = 0;
  let same = 0;
  for (const { original, masked } of sample) {
    for (const t of original) if (!isSpecial(t)) candidates++;
    masked.positions.forEach((p, k) => {
      selected++;
      // from the tokens themselves where they tell ([MASK] / a changed token); "same" and a random
      // draw of the original look alike, so those two come from the replacements field
      if (masked.tokens[p] === "[MASK]") mask++;
      else if (masked.tokens[p] !== original[p]) random++;
      else if (masked.replacements[k] === "random") random++;
      else same++;
    });
  }
  const r = maskingReport(sample);
  assert.equal(r.candidates, candidates);
  assert.equal(r.selected, selected);
  assert.equal(r.selectedRate, selected / candidates);
  assert.equal(r.maskRate, mask / selected);
  assert.equal(r.randomRate, random / selected);
  assert.equal(r.sameRate, same / selected);
  assert.ok(Math.abs(r.maskRate + r.randomRate + r.sameRate - 1) < 1e-12);
  assert.ok(r.maskRate > 0 && r.randomRate > 0 && r.sameRate > 0, "the sample mixes all three kinds");
});

test("instancesMaskingReport and maskingDecisions: a corpus's instances, measured (the report a notebook shows)", () => {
  const vocabWords = Array.from({ length: 500 }, (_, i) => `w${i}`);
  const rng = new Rng(31);
  const instances = Array.from({ length: 800 }, () => {
    const original = ["[CLS]", ...Array.from({ length: 60 }, () => vocabWords[rng.randint(0, 499)]), "[SEP]", ...Array.from({ length: 40 }, () => vocabWords[rng.randint(0, 499)]), "[SEP]"];
    const m = maskTokens(original, { maskedLmProb: 0.15, maxPredictionsPerSeq: 20, vocabWords }, rng);
    return { original, inst: { tokens: m.tokens, maskedLmPositions: m.positions, maskedLmLabels: m.labels, replacements: m.replacements } };
  });
  const r = instancesMaskingReport(instances.map((x) => x.inst));
  assert.deepEqual(r, maskingReport(instances.map((x) => ({ original: x.original, masked: { tokens: x.inst.tokens, positions: x.inst.maskedLmPositions, labels: x.inst.maskedLmLabels, replacements: x.inst.replacements } }))));
  assert.ok(Math.abs(r.selectedRate - 15 / 100) < 1e-9, `103 tokens · 0.15 = 15.45 → 15 of 100 candidates: ${r.selectedRate}`);
  const rows = maskingDecisions(instances.map((x) => x.inst));
  assert.equal(rows.length, r.selected);
  for (const row of rows.slice(0, 200)) {
    assert.equal(row.original, instances[row.instance].original[row.position]);
    if (row.how === "mask") assert.equal(row.shown, "[MASK]");
    if (row.how === "same") assert.equal(row.shown, row.original);
  }
  assert.equal(rows.filter((x) => x.how === "mask").length / rows.length, r.maskRate);
});
