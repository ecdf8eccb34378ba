// The benchmark metrics against values worked out by hand (the arithmetic is in the
// comments), then — where CPython is there — against the official SQuAD v1.1 functions run
// live. The hand-computed values are the proof.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BertLabError } from "../util/errors";
import { findPython, needsPython } from "../util/find-python";
import {
  accuracy,
  averageRanks,
  f1Binary,
  glueMetrics,
  matthewsCorrelation,
  pearson,
  seqevalScores,
  spearman,
  squadExactMatch,
  squadF1,
  squadNormalize,
  squadScores,
} from "./metrics";

function close(actual: number, expected: number, what: string, tol = 1e-12) {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} ≠ ${expected}`);
}

function throwsCode(fn: () => unknown, code: string, part: string | RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BertLabError, String(e));
    assert.equal(e.code, code, e.message);
    if (typeof part === "string") assert.ok(e.message.includes(part), `${JSON.stringify(part)} in: ${e.message}`);
    else assert.match(e.message, part);
    return true;
  });
}

// ───────────────────────────── accuracy, F1, MCC ─────────────────────────────

test("accuracy: the fraction of exact matches", () => {
  // pairs (1,1) ✓ (0,1) ✗ (1,1) ✓ (1,0) ✗ → 2/4
  assert.equal(accuracy([1, 0, 1, 1], [1, 1, 1, 0]), 0.5);
  assert.equal(accuracy(["a", "b", "c"], ["a", "b", "c"]), 1);
  assert.equal(accuracy([0, 0, 0], [1, 1, 1]), 0);
});

test("f1Binary: precision, recall and F1 of class 1 from the counts", () => {
  // preds [1,1,0,0] vs labels [1,0,1,0]: TP=1 (idx 0), FP=1 (idx 1), FN=1 (idx 2)
  // P = 1/2, R = 1/2, F1 = 2·TP/(2·TP+FP+FN) = 2/4
  assert.deepEqual(f1Binary([1, 1, 0, 0], [1, 0, 1, 0]), { precision: 0.5, recall: 0.5, f1: 0.5 });
  // preds [1,1,1,0,0] vs labels [1,0,0,1,0]: TP=1, predicted 3, actual 2
  // P = 1/3, R = 1/2, F1 = 2·1/(3+2) = 0.4 (= 2·(1/3)(1/2)/(1/3+1/2) = (1/3)/(5/6))
  const r = f1Binary([1, 1, 1, 0, 0], [1, 0, 0, 1, 0]);
  assert.equal(r.precision, 1 / 3);
  assert.equal(r.recall, 0.5);
  close(r.f1, 0.4, "f1");
  // positive = 0 on the same data: TP (both 0) = 1 (idx 4), predicted 0: 2, actual 0: 3
  // P = 1/2, R = 1/3, F1 = 2/(2+3) = 0.4
  const r0 = f1Binary([1, 1, 1, 0, 0], [1, 0, 0, 1, 0], 0);
  assert.deepEqual([r0.precision, r0.recall], [0.5, 1 / 3]);
  close(r0.f1, 0.4, "f1 of class 0");
});

test("f1Binary: no positive predictions → precision 0 (0/0, zero_division=0), recall 0, F1 0", () => {
  // labels have 2 positives, predictions none: TP=0, predicted=0 → P = 0/0 := 0; R = 0/2 = 0; F1 = 0/(0+2) = 0
  assert.deepEqual(f1Binary([0, 0, 0], [1, 0, 1]), { precision: 0, recall: 0, f1: 0 });
  // no positives anywhere: every ratio is 0/0 := 0
  assert.deepEqual(f1Binary([0, 0], [0, 0]), { precision: 0, recall: 0, f1: 0 });
  // all positive predictions on no positive labels: P = 0/2, R = 0/0 := 0
  assert.deepEqual(f1Binary([1, 1], [0, 0]), { precision: 0, recall: 0, f1: 0 });
});

test("f1Binary: more than two labels, or a missing positive label among two, is an error", () => {
  throwsCode(() => f1Binary([0, 1, 2], [0, 1, 1]), "BAD_METRIC_INPUT", "3 distinct labels");
  throwsCode(() => f1Binary([2, 3], [3, 2]), "BAD_METRIC_INPUT", "positive label 1");
});

test("Matthews correlation: a 2×2 confusion matrix worked out", () => {
  // labels [1,1,1,1,0,0,0,0,0,0], preds [1,1,1,0,1,1,0,0,0,0]
  //                 pred 1   pred 0
  //   label 1       TP=3     FN=1
  //   label 0       FP=2     TN=4
  // MCC = (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (12 − 2)/√(5·4·6·5) = 10/√600
  // sklearn's general form gives the same: n = 10, correct c = 7, t = (4, 6), p = (5, 5):
  //   (c·n − Σt·p) / √((n² − Σp²)(n² − Σt²)) = (70 − 50)/√((100 − 50)(100 − 52)) = 20/√2400 = 10/√600
  const labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const preds = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0];
  close(matthewsCorrelation(preds, labels), 10 / Math.sqrt(600), "mcc"); // 0.408248290463863
  // symmetric in its arguments
  close(matthewsCorrelation(labels, preds), 10 / Math.sqrt(600), "mcc swapped");
});

test("Matthews correlation: perfect 1, inverted −1, constant predictor 0", () => {
  const labels = [1, 0, 1, 1, 0];
  // perfect: TP=3, TN=2, FP=FN=0 → 6/√(3·3·2·2) = 1
  assert.equal(matthewsCorrelation(labels, labels), 1);
  // inverted: TP=TN=0, FP=2, FN=3 → (0 − 6)/√(2·3·3·2) = −1
  assert.equal(matthewsCorrelation([0, 1, 0, 0, 1], labels), -1);
  // constant: all 1 → TN+FN = 0, denominator 0 → 0 (sklearn); also all 0
  assert.equal(matthewsCorrelation([1, 1, 1, 1, 1], labels), 0);
  assert.equal(matthewsCorrelation([0, 0, 0, 0, 0], labels), 0);
  // constant labels too (n² − Σt² = 25 − 25 = 0)
  assert.equal(matthewsCorrelation([1, 0, 1, 0, 1], [1, 1, 1, 1, 1]), 0);
});

test("Matthews correlation: three classes by sklearn's general formula", () => {
  // labels [0,0,1,1,2,2], preds [0,1,1,1,2,0]
  // correct c = 4 (idx 0, 2, 3, 4); n = 6; t = (2, 2, 2); p = (2, 3, 1)  [class 0 predicted at idx 0, 5]
  // Σt·p = 4 + 6 + 2 = 12; cov(yt, yp) = 4·6 − 12 = 12
  // n² − Σp² = 36 − (4 + 9 + 1) = 22; n² − Σt² = 36 − 12 = 24 → MCC = 12/√528
  close(matthewsCorrelation([0, 1, 1, 1, 2, 0], [0, 0, 1, 1, 2, 2]), 12 / Math.sqrt(528), "mcc"); // 0.5222329678670935
  // label values are only names: the same with strings
  close(matthewsCorrelation(["a", "b", "b", "b", "c", "a"], ["a", "a", "b", "b", "c", "c"]), 12 / Math.sqrt(528), "mcc strings");
});

test("different lengths and empty inputs are errors that say so", () => {
  throwsCode(() => accuracy([1, 0], [1]), "BAD_METRIC_INPUT", "2 predictions but 1 labels");
  throwsCode(() => f1Binary([], []), "BAD_METRIC_INPUT", "empty");
  throwsCode(() => matthewsCorrelation([1], [1, 0]), "BAD_METRIC_INPUT", "1 predictions but 2 labels");
  throwsCode(() => pearson([1, 2, 3], [1, 2]), "BAD_METRIC_INPUT", "3 x but 2 y");
  throwsCode(() => spearman([], []), "BAD_METRIC_INPUT", "empty");
  throwsCode(() => pearson([1], [2]), "BAD_METRIC_INPUT", "at least 2 points");
  throwsCode(() => pearson([1, NaN], [2, 3]), "BAD_METRIC_INPUT", "x[1] is NaN");
  throwsCode(() => spearman([1, 2], [2, Infinity]), "BAD_METRIC_INPUT", "y[1] is Infinity");
});

// ───────────────────────────── Pearson, Spearman ─────────────────────────────

test("Pearson: worked out from the centred vectors", () => {
  // x = [1,2,3] (mean 2) → [−1, 0, 1]; y = [2,4,7] (mean 13/3) → [−7/3, −1/3, 8/3]
  // Σxy = 7/3 + 0 + 8/3 = 5; Σx² = 2; Σy² = (49 + 1 + 64)/9 = 114/9
  // r = 5/√(2·114/9) = 15/√228
  close(pearson([1, 2, 3], [2, 4, 7]), 15 / Math.sqrt(228), "r"); // 0.9933992677987828
  // exact lines: ±1 up to rounding (the normalised vectors' dot product, as SciPy computes it)
  close(pearson([1, 2, 3], [10, 20, 30]), 1, "line up", 1e-15);
  close(pearson([1, 2, 3], [3, 2, 1]), -1, "line down", 1e-15);
  assert.ok(pearson([0, 1e-300, 2e-300], [5, 6, 7]) <= 1); // clipped to [−1, 1]
});

test("Pearson and Spearman with ties: average ranks by hand", () => {
  const x = [10, 20, 20, 30, 40];
  const y = [1, 3, 2, 2, 5];
  // Pearson on the values: mean x = 24 → [−14, −4, −4, 6, 16]; mean y = 2.6 → [−1.6, 0.4, −0.6, −0.6, 2.4]
  // Σxy = 22.4 − 1.6 + 2.4 − 3.6 + 38.4 = 58; Σx² = 196+16+16+36+256 = 520; Σy² = 2.56+0.16+0.36+0.36+5.76 = 9.2
  // r = 58/√(520·9.2) = 58/√4784
  close(pearson(x, y), 58 / Math.sqrt(4784), "pearson"); // 0.8385...
  // ranks of x: 10→1, the two 20s share (2+3)/2 = 2.5, 30→4, 40→5      → [1, 2.5, 2.5, 4, 5]
  // ranks of y: 1→1, the two 2s (idx 2, 3) share 2.5, 3→4, 5→5         → [1, 4, 2.5, 2.5, 5]
  assert.deepEqual(averageRanks(x), [1, 2.5, 2.5, 4, 5]);
  assert.deepEqual(averageRanks(y), [1, 4, 2.5, 2.5, 5]);
  // both rank means are 3: centred [−2, −0.5, −0.5, 1, 2] and [−2, 1, −0.5, −0.5, 2]
  // Σ = 4 − 0.5 + 0.25 − 0.5 + 4 = 7.25; Σx² = Σy² = 4 + 0.25 + 0.25 + 1 + 4 = 9.5 → ρ = 7.25/9.5 = 29/38
  close(spearman(x, y), 29 / 38, "spearman"); // 0.7631578947368421
  // no ties: [1,2,3,4] vs [1,3,2,4]: 1 − 6Σd²/(n(n²−1)) = 1 − 6·2/60 = 0.8
  close(spearman([1, 2, 3, 4], [1, 3, 2, 4]), 0.8, "spearman, no ties");
  // monotone but not linear: ρ = 1, r < 1
  close(spearman([1, 2, 3, 4], [1, 4, 9, 100]), 1, "monotone", 1e-15);
  assert.deepEqual(averageRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  assert.deepEqual(averageRanks([7, 7, 7]), [2, 2, 2]);
});

test("Pearson and Spearman of a constant input are NaN, as SciPy's", () => {
  assert.ok(Number.isNaN(pearson([3, 3, 3], [1, 2, 3])));
  assert.ok(Number.isNaN(pearson([1, 2, 3], [0.5, 0.5, 0.5])));
  assert.ok(Number.isNaN(spearman([1, 2, 3], [4, 4, 4])));
});

// ───────────────────────────── GLUE ─────────────────────────────

test("glueMetrics: each task reports its benchmark metrics by name", () => {
  const preds = [1, 1, 0, 0];
  const labels = [1, 0, 1, 0];
  // TP=1, FP=1, FN=1, TN=1: accuracy 2/4, F1 = 2/4, MCC = (1·1 − 1·1)/√(2·2·2·2) = 0
  assert.deepEqual(glueMetrics("cola", preds, labels), { mcc: 0 });
  for (const task of ["sst2", "mnli", "qnli", "rte"] as const) assert.deepEqual(glueMetrics(task, preds, labels), { accuracy: 0.5 });
  assert.deepEqual(glueMetrics("mrpc", preds, labels), { f1: 0.5, accuracy: 0.5 });
  // [1,1,1,0] vs [1,0,1,0]: TP = 2 (idx 0, 2), FP = 1 (idx 1), FN = 0 → F1 = 2·2/(2·2+1+0) = 0.8; accuracy 3/4
  assert.deepEqual(glueMetrics("qqp", [1, 1, 1, 0], labels), { f1: 0.8, accuracy: 0.75 });
  const stsb = glueMetrics("stsb", [1, 2, 3], [2, 4, 7]);
  assert.deepEqual(Object.keys(stsb), ["pearson", "spearman"]);
  close(stsb.pearson, 15 / Math.sqrt(228), "pearson");
  close(stsb.spearman, 1, "spearman", 1e-15);
  throwsCode(() => glueMetrics("wnli" as never, preds, labels), "BAD_OPTION", "unknown task");
  // MNLI's three classes go through accuracy fine; MRPC refuses them
  assert.deepEqual(glueMetrics("mnli", [0, 1, 2], [0, 2, 2]), { accuracy: 2 / 3 });
  throwsCode(() => glueMetrics("mrpc", [0, 1, 2], [0, 2, 2]), "BAD_METRIC_INPUT", "distinct labels");
});

// ───────────────────────────── seqeval ─────────────────────────────

test("seqeval: exact match scores 1 everywhere", () => {
  const tags = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG"]];
  assert.deepEqual(seqevalScores(tags, tags), {
    precision: 1,
    recall: 1,
    f1: 1,
    perType: {
      LOC: { precision: 1, recall: 1, f1: 1, support: 1 },
      ORG: { precision: 1, recall: 1, f1: 1, support: 1 },
      PER: { precision: 1, recall: 1, f1: 1, support: 1 },
    },
  });
});

test("seqeval: a boundary error is one false positive and one false negative", () => {
  // true PER[0,2) LOC[3,4); predicted PER[0,1) LOC[3,4)
  // TP = 1 (LOC), predicted 2, true 2 → P = R = F1 = 1/2; PER: 0/1, 0/1 → 0
  const r = seqevalScores([["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "O", "O", "B-LOC"]]);
  assert.deepEqual([r.precision, r.recall, r.f1], [0.5, 0.5, 0.5]);
  assert.deepEqual(r.perType.PER, { precision: 0, recall: 0, f1: 0, support: 1 });
  assert.deepEqual(r.perType.LOC, { precision: 1, recall: 1, f1: 1, support: 1 });
  // a too-long prediction: true PER[0,2) LOC[3,4) ORG[5,6); predicted PER[0,2) LOC[3,5)
  // TP = 1, predicted 2, true 3 → P = 1/2, R = 1/3, F1 = 2·(1/6)/(5/6) = 0.4
  const s = seqevalScores([["B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG"]], [["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O"]]);
  assert.deepEqual([s.precision, s.recall], [0.5, 1 / 3]);
  close(s.f1, 0.4, "f1");
});

test("seqeval: a type error; micro average over entities, not the mean of the types", () => {
  // true PER×3, LOC×1; predicted PER×3 (all right), ORG×1 where LOC is
  // TP = 3, predicted 4, true 4 → micro P = R = F1 = 3/4 (the macro mean of the types would be 1/3)
  const r = seqevalScores(
    [["B-PER", "O", "B-PER", "O", "B-PER", "O", "B-LOC"]],
    [["B-PER", "O", "B-PER", "O", "B-PER", "O", "B-ORG"]],
  );
  assert.deepEqual([r.precision, r.recall, r.f1], [0.75, 0.75, 0.75]);
  assert.deepEqual(Object.keys(r.perType), ["LOC", "ORG", "PER"]); // every type seen, sorted
  assert.deepEqual(r.perType.LOC, { precision: 0, recall: 0, f1: 0, support: 1 });
  assert.deepEqual(r.perType.ORG, { precision: 0, recall: 0, f1: 0, support: 0 }); // predicted only: 0/1, 0/0 := 0
  assert.deepEqual(r.perType.PER, { precision: 1, recall: 1, f1: 1, support: 3 });
  // nothing right at all
  const t = seqevalScores([["B-PER", "I-PER"]], [["B-ORG", "I-ORG"]]);
  assert.deepEqual([t.precision, t.recall, t.f1], [0, 0, 0]);
});

test("seqeval: a stray I- opens an entity (default mode), also after another type and at a sentence start", () => {
  // I-LOC after O opens LOC[1,3): the same entity as B-LOC I-LOC → correct
  let r = seqevalScores([["O", "B-LOC", "I-LOC", "O"]], [["O", "I-LOC", "I-LOC", "O"]]);
  assert.deepEqual([r.precision, r.recall, r.f1], [1, 1, 1]);
  // I-LOC after B-PER closes PER and opens LOC: PER[0,1) LOC[1,2), both correct
  r = seqevalScores([["B-PER", "B-LOC", "O"]], [["B-PER", "I-LOC", "O"]]);
  assert.deepEqual([r.precision, r.recall, r.f1], [1, 1, 1]);
  // sentences do not run into each other: the I-PER opening sentence 2 is a new PER[0,1)
  r = seqevalScores([["O", "B-PER"], ["B-PER", "O"]], [["O", "B-PER"], ["I-PER", "O"]]);
  assert.deepEqual([r.precision, r.recall, r.f1], [1, 1, 1]);
  // a stray I- inside an O region is a false positive: predicted PER[0,1) LOC[2,3), true PER[0,1)
  // P = 1/2, R = 1/1, F1 = 2·(1/2)/(3/2) = 2/3
  r = seqevalScores([["B-PER", "O", "O"]], [["B-PER", "O", "I-LOC"]]);
  assert.deepEqual([r.precision, r.recall], [0.5, 1]);
  close(r.f1, 2 / 3, "f1");
});

test("seqeval: no entities anywhere → 0 (zero_division); mismatched shapes and bad tags are errors", () => {
  assert.deepEqual(seqevalScores([["O", "O"]], [["O", "O"]]), { precision: 0, recall: 0, f1: 0, perType: {} });
  throwsCode(() => seqevalScores([["O"]], [["O"], ["O"]]), "BAD_METRIC_INPUT", "2 predicted sentences but 1 true sentences");
  throwsCode(() => seqevalScores([["O", "B-PER"]], [["O"]]), "BAD_METRIC_INPUT", "sentence 0 has 2 true tags but 1 predicted");
  throwsCode(() => seqevalScores([], []), "BAD_METRIC_INPUT", "empty");
  throwsCode(() => seqevalScores([["X-PER"]], [["O"]]), "BAD_TAG", "X-PER");
});

// ───────────────────────────── SQuAD v1.1 ─────────────────────────────

test("SQuAD normalisation: lower, drop ASCII punctuation, drop whole-word articles, collapse spaces", () => {
  assert.equal(squadNormalize("The Cat!"), "cat");
  assert.equal(squadNormalize("  an apple-a-day. "), "appleaday"); // punctuation goes first, so "a" is no longer a word
  assert.equal(squadNormalize("state-of-the-art"), "stateoftheart");
  assert.equal(squadNormalize("Theater, another AN a"), "theater another"); // only whole words
  assert.equal(squadNormalize("Alzheimer's  disease"), "alzheimers disease");
  assert.equal(squadNormalize("«Cat» — 3½"), "«cat» — 3½"); // string.punctuation is ASCII only
  assert.equal(squadNormalize("éa the café"), "éa café"); // Python's \b is Unicode: "éa" is one word
  assert.equal(squadNormalize("cat\u00a0dog\tfish"), "cat dog fish"); // str.split() splits on NBSP
  assert.equal(squadNormalize("cat\u200bdog"), "cat\u200bdog"); // …but not on a zero-width space
  assert.equal(squadNormalize("cat\x85dog\x1cfish"), "cat dog fish"); // NEL and U+001C are Python whitespace (not JS \s)
  assert.equal(squadNormalize("cat\ufeffdog"), "cat\ufeffdog"); // the BOM is JS \s but not Python whitespace
  assert.equal(squadNormalize("The a an!"), "");
});

test("SQuAD exact match: after normalisation, best over the ground truths", () => {
  assert.equal(squadExactMatch("The Cat!", ["cat"]), 1);
  assert.equal(squadExactMatch("the cats", ["cat"]), 0);
  assert.equal(squadExactMatch("Dog.", ["blue cat", "red dog barked", "dog"]), 1);
  // both normalise to "": equal strings
  assert.equal(squadExactMatch("The a an!", ["an, the."]), 1);
});

test("SQuAD F1: token overlap worked out", () => {
  // "the big red dog" → [big, red, dog]; "red dog barked" → [red, dog, barked]
  // common 2: P = 2/3, R = 2/3, F1 = 2·(4/9)/(4/3) = 2/3
  close(squadF1("the big red dog", ["red dog barked"]), 2 / 3, "f1");
  // max over truths: "red dog" vs "blue cat": 0; vs "red dog barked": P = 2/2, R = 2/3 → 2·(2/3)/(5/3) = 0.8;
  // vs "dog": P = 1/2, R = 1 → 2·(1/2)/(3/2) = 2/3 → max 0.8
  close(squadF1("red dog", ["blue cat", "red dog barked", "dog"]), 0.8, "max f1");
  // counts, not sets: [dog, dog, dog] vs [dog, cat]: common min(3, 1) = 1 → P = 1/3, R = 1/2 → 2·(1/6)/(5/6) = 0.4
  close(squadF1("dog dog dog", ["dog cat"]), 0.4, "repeated tokens");
  assert.equal(squadF1("The Cat!", ["cat"]), 1);
  assert.equal(squadF1("the", ["cat"]), 0);
  // only articles and punctuation on both sides: no common token → 0 in v1.1 (though EM is 1)
  assert.equal(squadF1("The a an!", ["an, the."]), 0);
  throwsCode(() => squadF1("cat", []), "BAD_METRIC_INPUT", "no ground-truth answers");
  throwsCode(() => squadExactMatch("cat", []), "BAD_METRIC_INPUT", "no ground-truth answers");
});

test("SQuAD dataset scores: 100 × the means; an unanswered question scores 0", () => {
  const examples = [
    { id: "q1", answers: [{ text: "cat" }, { text: "a black cat" }] },
    { id: "q2", answers: [{ text: "red dog barked" }] },
    { id: "q3", answers: [{ text: "anything" }] },
  ];
  // q1: EM 1, F1 1; q2: EM 0, F1 2/3; q3: no prediction → 0, 0; "q9" is not a question: ignored
  // EM = 100·1/3, F1 = 100·(5/3)/3 = 500/9
  const r = squadScores({ q1: "The Cat", q2: "the big red dog", q9: "cat" }, examples);
  close(r.exact_match, 100 / 3, "EM");
  close(r.f1, 500 / 9, "F1");
  assert.deepEqual(r.unanswered, ["q3"]);
  const all = squadScores({ q1: "cat", q2: "red dog barked", q3: "Anything." }, examples);
  assert.deepEqual(all, { exact_match: 100, f1: 100, unanswered: [] });
  throwsCode(() => squadScores({}, []), "BAD_METRIC_INPUT", "no examples");
  throwsCode(() => squadScores({ q: "x" }, [{ id: "q", answers: [] }]), "BAD_METRIC_INPUT", "example q has no answers");
});

// ───────────────────────────── live cross-checks ─────────────────────────────

/** The functions of the official SQuAD v1.1 evaluate-v1.1.py, verbatim (standard library only). */
const SQUAD_V11 = String.raw`
from collections import Counter
import string, re, json, sys

def normalize_answer(s):
    def remove_articles(text):
        return re.sub(r'\b(a|an|the)\b', ' ', text)
    def white_space_fix(text):
        return ' '.join(text.split())
    def remove_punc(text):
        exclude = set(string.punctuation)
        return ''.join(ch for ch in text if ch not in exclude)
    def lower(text):
        return text.lower()
    return white_space_fix(remove_articles(remove_punc(lower(s))))

def f1_score(prediction, ground_truth):
    prediction_tokens = normalize_answer(prediction).split()
    ground_truth_tokens = normalize_answer(ground_truth).split()
    common = Counter(prediction_tokens) & Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    f1 = (2 * precision * recall) / (precision + recall)
    return f1

def exact_match_score(prediction, ground_truth):
    return (normalize_answer(prediction) == normalize_answer(ground_truth))

pairs = json.load(sys.stdin)
print(json.dumps([[normalize_answer(p), normalize_answer(t), float(exact_match_score(p, t)), float(f1_score(p, t))] for p, t in pairs]))
`;

test("SQuAD: the same as the official evaluate-v1.1.py functions run in CPython", needsPython(), () => {
  const strings = [
    "The Cat!", "cat", "the big red dog", "red dog barked", "  an apple-a-day. ", "state-of-the-art", "Theater, another AN a",
    "Alzheimer's  disease", "«Cat» — 3½", "éa the café", "cat\u00a0dog\tfish", "cat\u200bdog", "The a an!", "",
    "ΣΟΦΟΣ the", "İstanbul a", "x\u0301a the", "_a a_ the", "1a a1 ٣a", "dog dog dog", "dog cat", "ǅa Aa",
    "the\x1cend", "line\x85break", "bom\ufeffthe", "ß STRASSE", "a.b.c", "the the the", "An", "THE END.",
  ];
  const pairs: [string, string][] = [];
  for (const p of strings) for (const t of strings) pairs.push([p, t]);
  const res = spawnSync(findPython() ?? "python3", ["-c", SQUAD_V11], { input: JSON.stringify(pairs), encoding: "utf8" });
  assert.equal(res.status, 0, res.stderr);
  const want = JSON.parse(res.stdout) as [string, string, number, number][];
  assert.equal(want.length, pairs.length);
  pairs.forEach(([p, t], i) => {
    const [np, nt, em, f1] = want[i];
    assert.equal(squadNormalize(p), np, `normalize ${JSON.stringify(p)}`);
    assert.equal(squadNormalize(t), nt, `normalize ${JSON.stringify(t)}`);
    assert.equal(squadExactMatch(p, [t]), em, `EM ${JSON.stringify(p)} vs ${JSON.stringify(t)}`);
    assert.equal(squadF1(p, [t]), f1, `F1 ${JSON.stringify(p)} vs ${JSON.stringify(t)}`);
  });
});
