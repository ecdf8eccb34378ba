// The port against create_pretraining_data.py's own instances (../shared/golden), and the
// masking rates of a large sample against the configured ratios.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { PyRandom } from "../util/py-random";
import { Rng } from "../util/rng";
import { needsShared, sharedPath } from "../util/shared-folder";
import { documentsFromFiles, documentsFromText } from "../data/documents";
import { createTrainingInstances, instanceToJson } from "./instances";
import { maskingReport, maskTokens } from "./masking";

const CORPUS = "data/corpus/google-bert-sample/sample_text.txt";
const VOCAB = "data/vocab/bert-base-uncased/vocab.txt";

for (const file of ["golden/golden_pretraining_public.json", "golden/golden_pretraining_public_wwm.json"]) {
  test(`instance for instance, token for token: ${file}`, needsShared(file), () => {
    const golden = JSON.parse(fs.readFileSync(sharedPath(file), "utf8"));
    const p = golden.meta.params;
    const tok = BertTokenizer.fromFile(sharedPath(VOCAB), { doLowerCase: p.do_lower_case });
    const docs = documentsFromFiles([sharedPath(CORPUS)], tok);
    const instances = createTrainingInstances(
      docs,
      {
        maxSeqLength: p.max_seq_length,
        dupeFactor: p.dupe_factor,
        shortSeqProb: p.short_seq_prob,
        maskedLmProb: p.masked_lm_prob,
        maxPredictionsPerSeq: p.max_predictions_per_seq,
        wholeWordMask: p.do_whole_word_mask,
        vocabWords: tok.vocab.tokens,
      },
      new PyRandom(p.random_seed),
    );
    assert.equal(instances.length, golden.meta.count);
    instances.forEach((inst, i) => assert.deepEqual(instanceToJson(inst), golden.instances[i], `instance ${i}`));
  });
}

test("realised masking rates: 15 % selected, 80/10/10 — and other ratios — within statistical bounds", () => {
  const vocabWords = Array.from({ length: 1000 }, (_, i) => `w${i}`);
  const rng = new Rng(9);
  for (const ratios of [{ mask: 0.8, random: 0.1, same: 0.1 }, { mask: 0, random: 0.2, same: 0.8 }, { mask: 1, random: 0, same: 0 }]) {
    const seqs = [];
    for (let s = 0; s < 2000; s++) {
      const original = ["[CLS]", ...Array.from({ length: 126 }, () => vocabWords[rng.randint(0, 999)]), "[SEP]"];
      seqs.push({ original, masked: maskTokens(original, { maskedLmProb: 0.15, maxPredictionsPerSeq: 40, vocabWords, ratios }, rng) });
    }
    const r = maskingReport(seqs);
    // 128 tokens · 0.15 = 19.2 → round → 19 per sequence, of 126 candidates
    assert.ok(Math.abs(r.selectedRate - 19 / 126) < 1e-9, `selected ${r.selectedRate}`);
    const n = r.selected;
    const within = (got: number, want: number) => Math.abs(got - want) <= 5 * Math.sqrt((want * (1 - want)) / n) + 1e-12;
    assert.ok(within(r.maskRate, ratios.mask), `mask ${r.maskRate} vs ${ratios.mask}`);
    assert.ok(within(r.randomRate, ratios.random), `random ${r.randomRate} vs ${ratios.random}`);
    assert.ok(within(r.sameRate, ratios.same), `same ${r.sameRate} vs ${ratios.same}`);
    // [CLS]/[SEP] are never chosen; labels are the originals
    for (const s of seqs.slice(0, 50)) {
      assert.ok(!s.masked.positions.includes(0) && !s.masked.positions.includes(127));
      s.masked.positions.forEach((p, k) => assert.equal(s.masked.labels[k], s.original[p]));
    }
  }
});

test("whole-word masking chooses a word's ## pieces together", () => {
  const tokens = ["[CLS]", "un", "##aff", "##able", "dog", "phil", "##am", "##mon", "[SEP]"];
  for (let seed = 0; seed < 50; seed++) {
    const m = maskTokens(tokens, { maskedLmProb: 0.3, maxPredictionsPerSeq: 5, wholeWordMask: true, vocabWords: ["x"] }, new Rng(seed));
    const set = new Set(m.positions);
    for (const [first, ...rest] of [[1, 2, 3], [5, 6, 7]]) assert.ok(rest.every((p) => set.has(p) === set.has(first)), `seed ${seed}: ${m.positions}`);
  }
});

test("documents: blank lines separate documents, empty ones are dropped, lines are stripped", () => {
  const tok = { tokenize: (s: string) => (s ? s.split(" ") : []) };
  const docs = documentsFromText("a b\n  c  \n\n\n\nd\r\ne f\n\n", tok);
  assert.deepEqual(docs, [[["a", "b"], ["c"]], [["d"], ["e", "f"]]]);
});
