/**
 * SQuAD v1.1 answers from start and end logits (paper §4.2): per question, the n-best span
 * search over its windows and the projection of the winning word pieces back onto the
 * original passage text. The algorithm is that of google-research/bert run_squad.py, written
 * afresh (write_predictions, get_final_text); the windows come from squad-features.ts.
 * Legend: N windows (features), T tokens (maxSeqLength).
 *
 * @example
 *   const p = squadPredictions(dev, features, startLogits, endLogits);
 *   p.answers["56be4db0acb8001400a502ec"] // → "Denver Broncos" (a fine-tuned model)
 */
import type { SquadExample } from "../data/squad";
import { BasicTokenizer } from "../tokenization/basic-tokenizer";
import { isPySpace } from "../tokenization/char-classes";
import { BertLabError } from "../util/errors";
import { positiveInt, SquadFeatures } from "./squad-features";

/** Python's " ".join(s.split()): runs of whitespace become one space, none at the ends. */
const pyCollapse = (s: string) => Array.from(s, (c) => (isPySpace(c.codePointAt(0)!) ? " " : c)).join("").split(" ").filter(Boolean).join(" ");

const basicTokenizers = new Map<boolean, BasicTokenizer>();

/**
 * run_squad.py's get_final_text: the part of `origText` (the predicted words, joined by
 * spaces) that the normalized `predText` stands for. The basic tokenizer's output of
 * origText and origText itself, both without spaces, are aligned character by character;
 * where that fails (not found, or the lengths differ, e.g. accents written as combining
 * marks) origText comes back whole. Positions count code points, as Python's do.
 *
 * @example
 *   getFinalText("steve smith", "Steve Smith's", true) // → "Steve Smith"
 *   getFinalText("1 , 000", "1,000", true)            // → "1,000"
 */
export function getFinalText(predText: string, origText: string, doLowerCase: boolean): string {
  let basic = basicTokenizers.get(doLowerCase);
  if (!basic) basicTokenizers.set(doLowerCase, (basic = new BasicTokenizer({ doLowerCase })));
  const tokText = basic.tokenize(origText).join(" ");
  const found = tokText.indexOf(predText);
  if (found < 0) return origText;
  const start = Array.from(tokText.slice(0, found)).length; // as code points
  const end = start + Array.from(predText).length - 1;
  const strip = (chars: string[]) => {
    const kept: string[] = [];
    const nsToS: number[] = [];
    const sToNs = new Map<number, number>();
    chars.forEach((c, i) => {
      if (c === " ") return;
      sToNs.set(i, kept.length);
      nsToS.push(i);
      kept.push(c);
    });
    return { kept, nsToS, sToNs };
  };
  const origChars = Array.from(origText);
  const orig = strip(origChars);
  const tok = strip(Array.from(tokText));
  if (orig.kept.length !== tok.kept.length) return origText;
  const nsStart = tok.sToNs.get(start);
  const nsEnd = tok.sToNs.get(end);
  if (nsStart === undefined || nsEnd === undefined) return origText;
  return origChars.slice(orig.nsToS[nsStart], orig.nsToS[nsEnd] + 1).join("");
}

export interface SquadPredictionOptions {
  /** start and end candidates per window, and answers kept per question (default 20) */
  nBestSize?: number;
  /** longest answer in pieces (default 30) */
  maxAnswerLength?: number;
  /** as the tokenizer that made the features (the default) */
  doLowerCase?: boolean;
}

export interface SquadCandidate {
  text: string;
  /** softmax of start + end logit over the n-best list */
  probability: number;
  startLogit: number;
  endLogit: number;
}

export interface SquadPredictions {
  /** question id → best answer, ready for squadScores */
  answers: Record<string, string>;
  /** question id → the n-best answers, best first */
  nbest: Record<string, SquadCandidate[]>;
}

/** The n positions of the highest logits of one window, highest first (ties: lower position first, as Python's stable sort). */
function bestIndexes(logits: ArrayLike<number>, offset: number, T: number, n: number): number[] {
  const idx = Array.from({ length: T }, (_, i) => i);
  idx.sort((a, b) => logits[offset + b] - logits[offset + a] || a - b);
  return idx.slice(0, n);
}

/**
 * Answers from start and end logits (row-major [N·T], as the features), as run_squad.py's
 * write_predictions: per window the nBestSize best starts × ends; a pair counts if both lie
 * in the passage, the start's window is its max-context one, end ≥ start and it spans at most
 * maxAnswerLength pieces; the pairs of all windows ranked by start + end logit, mapped back to
 * the original text (getFinalText), duplicates dropped; "empty" when no pair is valid.
 *
 * @example
 *   const { startLogits, endLogits } = task.predictLogits(features); // or any model's, [N·T] each
 *   const p = squadPredictions(dev, features, startLogits, endLogits);
 *   p.answers["56be4db0acb8001400a502ec"] // → "Denver Broncos" (a fine-tuned model)
 *   p.nbest["56be4db0acb8001400a502ec"][0] // → { text: "Denver Broncos", probability: 0.97…, startLogit: …, endLogit: … }
 *   squadScores(p.answers, dev)           // → { exact_match: …, f1: …, unanswered: [] }
 */
export function squadPredictions(
  examples: readonly SquadExample[],
  features: SquadFeatures,
  startLogits: ArrayLike<number>,
  endLogits: ArrayLike<number>,
  options: SquadPredictionOptions = {},
): SquadPredictions {
  const { nBestSize = 20, maxAnswerLength = 30, doLowerCase = features.doLowerCase } = options;
  positiveInt("nBestSize", nBestSize, 1);
  positiveInt("maxAnswerLength", maxAnswerLength, 1);
  const { N, T } = features;
  if (examples.length !== features.exampleIds.length || examples.some((x, i) => x.id !== features.exampleIds[i])) {
    throw new BertLabError("FEATURES_MISMATCH", `squadPredictions: the features were made from other examples (${features.exampleIds.length} vs ${examples.length}) — pass the same examples to squadFeatures and squadPredictions`);
  }
  for (const [name, l] of [["startLogits", startLogits], ["endLogits", endLogits]] as const) {
    if (l.length !== N * T) throw new BertLabError("BAD_LOGITS", `squadPredictions: ${name} has ${l.length} values but the features need N·T = ${N}·${T} = ${N * T} (row-major [windows, maxSeqLength])`);
  }
  const byExample: number[][] = examples.map(() => []);
  for (let n = 0; n < N; n++) byExample[features.exampleIndex[n]].push(n);
  const answers: Record<string, string> = {};
  const nbest: Record<string, SquadCandidate[]> = {};

  examples.forEach((ex, e) => {
    const prelim: { n: number; s: number; e: number; startLogit: number; endLogit: number }[] = [];
    for (const n of byExample[e]) {
      const row = n * T;
      const ends = bestIndexes(endLogits, row, T, nBestSize);
      for (const s of bestIndexes(startLogits, row, T, nBestSize)) {
        for (const t of ends) {
          if (s >= features.lengths[n] || t >= features.lengths[n]) continue;
          if (features.tokenToWord[row + s] < 0 || features.tokenToWord[row + t] < 0) continue; // not in the passage
          if (!features.maxContext[row + s]) continue;
          if (t < s || t - s + 1 > maxAnswerLength) continue;
          prelim.push({ n, s, e: t, startLogit: startLogits[row + s], endLogit: endLogits[row + t] });
        }
      }
    }
    prelim.sort((a, b) => b.startLogit + b.endLogit - (a.startLogit + a.endLogit)); // stable, as Python's sorted
    const doc = features.docs[e];
    const seen = new Set<string>();
    const list: Omit<SquadCandidate, "probability">[] = [];
    for (const p of prelim) {
      if (list.length >= nBestSize) break;
      const row = p.n * T;
      const pieces = Array.from(features.inputIds.subarray(row + p.s, row + p.e + 1), (id) => features.vocabTokens[id]);
      // run_squad.py: glue the ## pieces back to their words
      const tokText = pyCollapse(pieces.join(" ").replaceAll(" ##", "").replaceAll("##", ""));
      const origText = doc.words.slice(features.tokenToWord[row + p.s], features.tokenToWord[row + p.e] + 1).join(" ");
      const text = getFinalText(tokText, origText, doLowerCase);
      if (seen.has(text)) continue;
      seen.add(text);
      list.push({ text, startLogit: p.startLogit, endLogit: p.endLogit });
    }
    if (list.length === 0) list.push({ text: "empty", startLogit: 0, endLogit: 0 }); // run_squad.py's nonce answer
    const scores = list.map((c) => c.startLogit + c.endLogit);
    const top = Math.max(...scores);
    const exps = scores.map((s) => Math.exp(s - top));
    const sum = exps.reduce((a, b) => a + b, 0);
    nbest[ex.id] = list.map((c, i) => ({ ...c, probability: exps[i] / sum }));
    answers[ex.id] = list[0].text;
  });
  return { answers, nbest };
}
