/**
 * Evaluation metrics exactly as the benchmarks define them, so a number printed here can be
 * put next to a published one:
 *
 * - GLUE (its reference code and Hugging Face's `glue` metric call scikit-learn and SciPy):
 *   accuracy (`sklearn.metrics.accuracy_score`), F1 of the positive class 1 for MRPC and QQP
 *   (`sklearn.metrics.f1_score`, average="binary", pos_label=1), Matthews correlation for
 *   CoLA (`sklearn.metrics.matthews_corrcoef`), Pearson and Spearman for STS-B
 *   (`scipy.stats.pearsonr`, `scipy.stats.spearmanr`: Pearson of average ranks).
 * - NER: entity-level precision / recall / F1 in seqeval's default (conlleval-compatible)
 *   mode, micro-averaged over entities (`seqeval.metrics.f1_score`, `classification_report`).
 * - SQuAD v1.1: exact match and token F1 after the official answer normalisation
 *   (evaluate-v1.1.py: `normalize_answer`, `f1_score`, `exact_match_score`, `evaluate`).
 *
 * Per-example scores are fractions in [0, 1] (as scikit-learn returns them); only
 * `squadScores` is in percent, as the official SQuAD script prints it.
 * Inputs of different lengths, or empty inputs, are a BertLabError naming the problem.
 */
import { BertLabError } from "../util/errors";
import { entitySpans } from "../data/conll";

type Label = number | string | boolean;

/** Throws unless both arrays are non-empty and of the same length. */
function checkPair(name: string, a: readonly unknown[], b: readonly unknown[], aName = "predictions", bName = "labels"): void {
  if (!Array.isArray(a) || !Array.isArray(b)) throw new BertLabError("BAD_METRIC_INPUT", `${name}: ${aName} and ${bName} must be arrays`);
  if (a.length !== b.length) {
    throw new BertLabError("BAD_METRIC_INPUT", `${name}: ${a.length} ${aName} but ${b.length} ${bName} — they must pair up one to one`);
  }
  if (a.length === 0) throw new BertLabError("BAD_METRIC_INPUT", `${name}: no ${aName} and ${bName} (empty arrays): nothing to score`);
}

function checkFinite(name: string, xs: readonly number[], what: string): void {
  xs.forEach((x, i) => {
    if (typeof x !== "number" || !Number.isFinite(x)) throw new BertLabError("BAD_METRIC_INPUT", `${name}: ${what}[${i}] is ${String(x)}, not a finite number`);
  });
}

// ───────────────────────────────────────── classification ─────────────────────────────────────────

/**
 * The fraction of predictions equal to their label (sklearn.metrics.accuracy_score).
 *
 * @example
 *   accuracy([1, 0, 1, 1], [1, 1, 1, 0]) // → 0.5
 */
export function accuracy<T extends Label>(predictions: readonly T[], labels: readonly T[]): number {
  checkPair("accuracy", predictions, labels);
  let right = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] === labels[i]) right++;
  return right / predictions.length;
}

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Precision, recall and F1 of one positive class, as sklearn.metrics.precision_recall_fscore_support
 * with average="binary", pos_label=`positive` and zero_division=0: a ratio whose denominator
 * is 0 (no positive predictions, no positive labels) is 0, where sklearn's default also gives 0
 * but warns. F1 is computed as sklearn ≥ 1.3 does, 2·TP / (2·TP + FP + FN).
 * GLUE reports this F1, with positive = 1, for MRPC and QQP.
 *
 * As in sklearn, labels other than `positive` are all "negative", but more than two distinct
 * values in predictions and labels together — or two that do not include `positive` — is an
 * error (sklearn: "Target is multiclass but average='binary'" / "pos_label=… is not a valid label").
 *
 * @example
 *   f1Binary([1, 1, 0, 0], [1, 0, 1, 0]) // → { precision: 0.5, recall: 0.5, f1: 0.5 }
 *   f1Binary([0, 0], [1, 0])             // → { precision: 0, recall: 0, f1: 0 } (no positive predictions)
 */
export function f1Binary<T extends Label>(predictions: readonly T[], labels: readonly T[], positive: T = 1 as T): PrecisionRecallF1 {
  checkPair("f1Binary", predictions, labels);
  const present = new Set<Label>([...predictions, ...labels]);
  if (present.size > 2) {
    throw new BertLabError("BAD_METRIC_INPUT", `f1Binary: ${present.size} distinct labels (${[...present].slice(0, 10).map((v) => JSON.stringify(v)).join(", ")}): binary F1 needs at most 2 — use accuracy or a per-class F1`);
  }
  if (present.size === 2 && !present.has(positive)) {
    throw new BertLabError("BAD_METRIC_INPUT", `f1Binary: the positive label ${JSON.stringify(positive)} is not among the labels present (${[...present].map((v) => JSON.stringify(v)).join(", ")})`);
  }
  let tp = 0;
  let predicted = 0;
  let actual = 0;
  for (let i = 0; i < predictions.length; i++) {
    const p = predictions[i] === positive;
    const t = labels[i] === positive;
    if (p) predicted++;
    if (t) actual++;
    if (p && t) tp++;
  }
  return {
    precision: predicted === 0 ? 0 : tp / predicted,
    recall: actual === 0 ? 0 : tp / actual,
    f1: predicted + actual === 0 ? 0 : (2 * tp) / (predicted + actual),
  };
}

/**
 * The Matthews correlation coefficient (CoLA's metric), binary or multiclass, with
 * sklearn.metrics.matthews_corrcoef's general formula (Gorodkin's R_K) on the confusion
 * matrix C (rows: labels, columns: predictions), n samples, c = trace(C) correct,
 * t_k = row sums, p_k = column sums:
 *
 *   MCC = (c·n − Σ t_k·p_k) / √((n² − Σ p_k²) · (n² − Σ t_k²))
 *
 * For two classes this is (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)). When the
 * denominator is 0 — all predictions, or all labels, one class — it is 0, as in sklearn.
 *
 * @example
 *   matthewsCorrelation([1, 0, 1, 0], [1, 0, 1, 0]) // → 1
 *   matthewsCorrelation([0, 1, 0, 1], [1, 0, 1, 0]) // → -1
 *   matthewsCorrelation([1, 1, 1, 1], [1, 0, 1, 0]) // → 0 (constant predictor)
 */
export function matthewsCorrelation<T extends Label>(predictions: readonly T[], labels: readonly T[]): number {
  checkPair("matthewsCorrelation", predictions, labels);
  const n = predictions.length;
  const t = new Map<Label, number>(); // label counts (row sums)
  const p = new Map<Label, number>(); // prediction counts (column sums)
  let correct = 0;
  for (let i = 0; i < n; i++) {
    t.set(labels[i], (t.get(labels[i]) ?? 0) + 1);
    p.set(predictions[i], (p.get(predictions[i]) ?? 0) + 1);
    if (predictions[i] === labels[i]) correct++;
  }
  let tp = 0; // Σ t_k·p_k over the classes
  for (const [k, tk] of t) tp += tk * (p.get(k) ?? 0);
  let pp = 0;
  for (const pk of p.values()) pp += pk * pk;
  let tt = 0;
  for (const tk of t.values()) tt += tk * tk;
  const covYtYp = correct * n - tp;
  const covYpYp = n * n - pp;
  const covYtYt = n * n - tt;
  if (covYpYp * covYtYt === 0) return 0;
  return covYtYp / Math.sqrt(covYtYt * covYpYp);
}

// ───────────────────────────────────────── correlation ─────────────────────────────────────────

/**
 * The Pearson correlation coefficient (STS-B), computed as scipy.stats.pearsonr does:
 * centre both, scale each by its norm, take the dot product, clip to [−1, 1].
 * A constant x or y has no correlation: NaN, as scipy (which also warns ConstantInputWarning);
 * fewer than 2 points, or a non-finite value, is an error.
 *
 * @example
 *   pearson([1, 2, 3], [2, 4, 7]) // → 0.9933992677987828
 */
export function pearson(x: readonly number[], y: readonly number[]): number {
  checkPair("pearson", x, y, "x", "y");
  checkFinite("pearson", x, "x");
  checkFinite("pearson", y, "y");
  return pearsonOf(x, y, "pearson");
}

function pearsonOf(x: readonly number[], y: readonly number[], name: string): number {
  const n = x.length;
  if (n < 2) throw new BertLabError("BAD_METRIC_INPUT", `${name}: needs at least 2 points, got ${n}`);
  if (x.every((v) => v === x[0]) || y.every((v) => v === y[0])) return NaN;
  const mean = (v: readonly number[]) => v.reduce((s, a) => s + a, 0) / n;
  const mx = mean(x);
  const my = mean(y);
  const xm = x.map((v) => v - mx);
  const ym = y.map((v) => v - my);
  // scaled by the largest magnitude, as LAPACK's nrm2 behind scipy.linalg.norm: no under- or overflow
  const norm = (v: number[]) => {
    const scale = v.reduce((m, a) => Math.max(m, Math.abs(a)), 0);
    return scale * Math.sqrt(v.reduce((s, a) => s + (a / scale) ** 2, 0));
  };
  const nx = norm(xm);
  const ny = norm(ym);
  let r = 0;
  for (let i = 0; i < n; i++) r += (xm[i] / nx) * (ym[i] / ny);
  return Math.max(-1, Math.min(1, r));
}

/**
 * Ranks 1…n, tied values sharing the mean of their ranks (scipy.stats.rankdata, method="average").
 *
 * @example
 *   averageRanks([10, 20, 20, 5]) // → [2, 3.5, 3.5, 1]
 */
export function averageRanks(values: readonly number[]): number[] {
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + 1 + j + 1) / 2; // positions i…j hold ranks i+1…j+1
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

/**
 * Spearman's rank correlation (STS-B), as scipy.stats.spearmanr: the Pearson correlation of
 * the average ranks (ties share the mean of their ranks). NaN when x or y is constant.
 *
 * @example
 *   spearman([1, 2, 3, 4], [1, 3, 2, 4]) // → 0.8
 */
export function spearman(x: readonly number[], y: readonly number[]): number {
  checkPair("spearman", x, y, "x", "y");
  checkFinite("spearman", x, "x");
  checkFinite("spearman", y, "y");
  return pearsonOf(averageRanks(x), averageRanks(y), "spearman");
}

// ───────────────────────────────────────── GLUE ─────────────────────────────────────────

export type GlueTask = "cola" | "sst2" | "mrpc" | "stsb" | "qqp" | "mnli" | "qnli" | "rte";

/**
 * The metrics GLUE reports for a task, by name (Wang et al. 2019, Table 1; the same as
 * Hugging Face's `glue` metric): CoLA { mcc }; SST-2, MNLI, QNLI, RTE { accuracy };
 * MRPC, QQP { f1, accuracy } (F1 of class 1); STS-B { pearson, spearman } on the scores.
 *
 * @example
 *   glueMetrics("mrpc", [1, 1, 0, 0], [1, 0, 1, 0]) // → { f1: 0.5, accuracy: 0.5 }
 *   glueMetrics("stsb", [1.0, 2.5, 4.0], [0.8, 3.0, 3.9]) // → { pearson: 0.97191…, spearman: 1 (up to rounding) }
 */
export function glueMetrics(task: GlueTask, predictions: readonly number[], labels: readonly number[]): Record<string, number> {
  switch (task) {
    case "cola":
      return { mcc: matthewsCorrelation(predictions, labels) };
    case "sst2":
    case "mnli":
    case "qnli":
    case "rte":
      return { accuracy: accuracy(predictions, labels) };
    case "mrpc":
    case "qqp":
      return { f1: f1Binary(predictions, labels, 1).f1, accuracy: accuracy(predictions, labels) };
    case "stsb":
      return { pearson: pearson(predictions, labels), spearman: spearman(predictions, labels) };
    default:
      throw new BertLabError("BAD_OPTION", `glueMetrics: unknown task ${JSON.stringify(task)} — one of cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte`);
  }
}

// ───────────────────────────────────────── NER (seqeval) ─────────────────────────────────────────

export interface EntityScores extends PrecisionRecallF1 {
  /** how many true entities of this type */
  support: number;
}

export interface SeqevalScores extends PrecisionRecallF1 {
  /** per entity type, sorted by type */
  perType: Record<string, EntityScores>;
}

/** P, R, F1 as seqeval computes them: ratios with a zero denominator are 0, F1 = 2PR/(P+R). */
function prf(tp: number, predicted: number, actual: number): PrecisionRecallF1 {
  const precision = predicted === 0 ? 0 : tp / predicted;
  const recall = actual === 0 ? 0 : tp / actual;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/**
 * Entity-level precision, recall and F1 as seqeval's default mode computes them
 * (seqeval.metrics.precision_score / recall_score / f1_score, average="micro", and the
 * rows of classification_report): an entity counts as correct only if its type, first and
 * last token all match a true entity; a boundary error is therefore one false positive and
 * one false negative. Entities are read with `entitySpans` (src/data/conll.ts), seqeval's
 * get_entities rules for IOB tags: B-X opens an entity, and so does an I-X that does not
 * follow an X token (a stray I- after O or after another type). Micro-averaged over all
 * entities; `perType` lists every type seen in either sequence. Ratios with a zero
 * denominator are 0 (seqeval's zero_division default, which also warns).
 *
 * @example
 *   seqevalScores([["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "I-PER", "O", "B-ORG"]])
 *   // → { precision: 0.5, recall: 0.5, f1: 0.5, perType: { LOC: {0,0,0, support 1}, ORG: {0,0,0, support 0}, PER: {1,1,1, support 1} } }
 */
export function seqevalScores(trueTags: readonly (readonly string[])[], predTags: readonly (readonly string[])[]): SeqevalScores {
  checkPair("seqevalScores", predTags, trueTags, "predicted sentences", "true sentences");
  const counts = new Map<string, { tp: number; predicted: number; actual: number }>();
  const count = (type: string) => {
    let c = counts.get(type);
    if (!c) counts.set(type, (c = { tp: 0, predicted: 0, actual: 0 }));
    return c;
  };
  trueTags.forEach((truth, s) => {
    const pred = predTags[s];
    if (!Array.isArray(truth as unknown) || !Array.isArray(pred as unknown)) throw new BertLabError("BAD_METRIC_INPUT", `seqevalScores: sentence ${s} is not an array of tags on both sides`);
    if (truth.length !== pred.length) {
      throw new BertLabError("BAD_METRIC_INPUT", `seqevalScores: sentence ${s} has ${truth.length} true tags but ${pred.length} predicted — one tag per token on both sides`);
    }
    const key = (e: { type: string; start: number; end: number }) => `${e.start}:${e.end}:${e.type}`;
    const trueSpans = entitySpans(truth);
    const gold = new Set(trueSpans.map(key));
    for (const e of trueSpans) count(e.type).actual++;
    for (const e of entitySpans(pred)) {
      const c = count(e.type);
      c.predicted++;
      if (gold.has(key(e))) c.tp++;
    }
  });
  let tp = 0;
  let predicted = 0;
  let actual = 0;
  const perType: Record<string, EntityScores> = {};
  for (const type of [...counts.keys()].sort()) {
    const c = counts.get(type)!;
    tp += c.tp;
    predicted += c.predicted;
    actual += c.actual;
    perType[type] = { ...prf(c.tp, c.predicted, c.actual), support: c.actual };
  }
  return { ...prf(tp, predicted, actual), perType };
}

// ───────────────────────────────────────── SQuAD v1.1 ─────────────────────────────────────────

/** Python's string.punctuation: the 32 ASCII punctuation characters. */
const PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
/**
 * `\b(a|an|the)\b` with Python 3's Unicode word boundaries: a word character is one for which
 * str.isalnum() holds (letters and numbers, not combining marks) or "_". JavaScript's own \b
 * is ASCII-only, which would strip the "a" of "éa".
 */
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;
/** What Python's str.split() splits on (str.isspace): unlike JS \s, \x1c–\x1f and \x85 but not \ufeff. */
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

function pySplit(text: string): string[] {
  return text.split(PY_WHITESPACE).filter((t) => t !== "");
}

/**
 * The official SQuAD v1.1 answer normalisation (evaluate-v1.1.py, normalize_answer): lower
 * case, remove the characters of string.punctuation, remove the articles a, an, the as whole
 * words, then collapse whitespace (split and join with single spaces).
 *
 * @example
 *   squadNormalize("The Cat!")            // → "cat"
 *   squadNormalize("  an apple-a-day. ")  // → "appleaday"
 */
export function squadNormalize(text: string): string {
  let s = text.toLowerCase();
  s = [...s].filter((ch) => !PUNCTUATION.has(ch)).join("");
  s = s.replace(ARTICLES, " ");
  return pySplit(s).join(" ");
}

function checkTruths(name: string, truths: readonly string[]): void {
  if (!Array.isArray(truths as unknown) || truths.length === 0) {
    throw new BertLabError("BAD_METRIC_INPUT", `${name}: no ground-truth answers — SQuAD v1.1 scores a prediction against at least one (the official script fails on max() of nothing)`);
  }
}

/**
 * 1 if the normalised prediction equals some normalised ground truth, else 0
 * (exact_match_score, maximised over the ground truths as metric_max_over_ground_truths).
 * Two strings that both normalise to "" match.
 *
 * @example
 *   squadExactMatch("The Cat!", ["cat"])     // → 1
 *   squadExactMatch("a cat", ["dog", "Cat"]) // → 1
 */
export function squadExactMatch(prediction: string, truths: readonly string[]): number {
  checkTruths("squadExactMatch", truths);
  const p = squadNormalize(prediction);
  return truths.some((t) => squadNormalize(t) === p) ? 1 : 0;
}

/** evaluate-v1.1.py f1_score: bag-of-tokens overlap; 0 when no token is shared (also when both are empty). */
function squadF1One(prediction: string, truth: string): number {
  const p = pySplit(squadNormalize(prediction));
  const t = pySplit(squadNormalize(truth));
  const left = new Map<string, number>();
  for (const w of t) left.set(w, (left.get(w) ?? 0) + 1);
  let same = 0; // Σ min(count in p, count in t): Counter(p) & Counter(t)
  for (const w of p) {
    const k = left.get(w) ?? 0;
    if (k > 0) {
      same++;
      left.set(w, k - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / p.length;
  const recall = same / t.length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * The SQuAD v1.1 token F1 of a prediction: the best over the ground truths of the F1 of the
 * normalised tokens' multiset overlap (evaluate-v1.1.py f1_score). No shared token gives 0 —
 * even when both normalise to "" (the v1.1 script; SQuAD 2.0's scores that case 1).
 *
 * @example
 *   squadF1("the big red dog", ["red dog barked"]) // → 0.6666666666666666 (P = R = 2/3)
 */
export function squadF1(prediction: string, truths: readonly string[]): number {
  checkTruths("squadF1", truths);
  return Math.max(...truths.map((t) => squadF1One(prediction, t)));
}

export interface SquadExample {
  id: string;
  answers: readonly { text: string }[];
}

export interface SquadScores {
  /** percent: 100 × mean exact match over all examples */
  exact_match: number;
  /** percent: 100 × mean F1 over all examples */
  f1: number;
  /** ids of examples with no prediction, scored 0 (the official script prints "Unanswered question … will receive score 0.") */
  unanswered: string[];
}

/**
 * Dataset scores as the official evaluate-v1.1.py `evaluate` computes them: every example
 * counts; one without a prediction scores 0 on both (its id is listed in `unanswered`
 * rather than printed); predictions for ids not in `examples` are ignored; both scores are
 * 100 × the mean.
 *
 * @example
 *   squadScores({ q1: "The Cat", q2: "the big red dog" },
 *               [{ id: "q1", answers: [{ text: "cat" }] }, { id: "q2", answers: [{ text: "red dog barked" }] }])
 *   // → { exact_match: 50, f1: 83.33333333333333, unanswered: [] }
 */
export function squadScores(predictions: Readonly<Record<string, string>>, examples: readonly SquadExample[]): SquadScores {
  if (!Array.isArray(examples as unknown) || examples.length === 0) throw new BertLabError("BAD_METRIC_INPUT", "squadScores: no examples: nothing to score");
  let em = 0;
  let f1 = 0;
  const unanswered: string[] = [];
  for (const ex of examples) {
    if (!Object.prototype.hasOwnProperty.call(predictions, ex.id)) {
      unanswered.push(ex.id);
      continue;
    }
    const truths = ex.answers.map((a) => a.text);
    if (truths.length === 0) throw new BertLabError("BAD_METRIC_INPUT", `squadScores: example ${ex.id} has no answers — SQuAD v1.1 needs at least one per question`);
    const prediction = predictions[ex.id];
    em += squadExactMatch(prediction, truths);
    f1 += squadF1(prediction, truths);
  }
  return { exact_match: (100 * em) / examples.length, f1: (100 * f1) / examples.length, unanswered };
}
