/**
 * BERT's masked-LM corruption (paper §3.1, create_pretraining_data.py
 * create_masked_lm_predictions): choose ~15 % of the positions ([CLS]/[SEP] never), and
 * replace each chosen token by [MASK] 80 % of the time, a random token 10 %, itself 10 %.
 * With whole-word masking the ## pieces of a word are chosen together.
 */
import { pyRound } from "../util/py-round";
import type { RandomSource } from "../util/random-source";

/** Shares of the chosen positions: [MASK], a random vocabulary token, unchanged. */
export interface ReplacementRatios {
  mask: number;
  random: number;
  same: number;
}

/** BERT §3.1: 80 % [MASK], 10 % random, 10 % unchanged. */
export const BERT_RATIOS: ReplacementRatios = { mask: 0.8, random: 0.1, same: 0.1 };

export interface MaskingOptions {
  /** share of tokens to predict (BERT: 0.15) */
  maskedLmProb: number;
  /** at most this many per sequence (BERT: 20 at length 128) */
  maxPredictionsPerSeq: number;
  /** group a word's ## pieces (whole-word masking) */
  wholeWordMask?: boolean;
  ratios?: ReplacementRatios;
  /** the vocabulary in id order, for random replacements */
  vocabWords: readonly string[];
}

export type Replacement = "mask" | "random" | "same";

export interface MaskedSequence {
  /** the tokens with the chosen positions replaced */
  tokens: string[];
  /** chosen positions, ascending */
  positions: number[];
  /** the original tokens at those positions (what the model must predict) */
  labels: string[];
  /** what happened at each chosen position */
  replacements: Replacement[];
}

/**
 * Masks one sequence exactly as create_masked_lm_predictions does (same random draws in the
 * same order, so with PyRandom and the default ratios the result is the original's).
 */
export function maskTokens(tokens: readonly string[], options: MaskingOptions, rng: RandomSource): MaskedSequence {
  const ratios = options.ratios ?? BERT_RATIOS;
  const candidates: number[][] = [];
  tokens.forEach((t, i) => {
    if (t === "[CLS]" || t === "[SEP]") return;
    if (options.wholeWordMask && candidates.length >= 1 && t.startsWith("##")) candidates[candidates.length - 1].push(i);
    else candidates.push([i]);
  });
  rng.shuffle(candidates);
  const output = tokens.slice();
  // as the original: int(round(len(tokens) * masked_lm_prob)), Python's half-to-even round
  const numToPredict = Math.min(options.maxPredictionsPerSeq, Math.max(1, pyRound(tokens.length * options.maskedLmProb)));
  const chosen: { index: number; label: string; how: Replacement }[] = [];
  const covered = new Set<number>();
  // the second draw decides between unchanged and random: 0.5 for 10 %/10 %, as the original
  const sameShare = ratios.same + ratios.random > 0 ? ratios.same / (ratios.same + ratios.random) : 0;
  for (const group of candidates) {
    if (chosen.length >= numToPredict) break;
    if (chosen.length + group.length > numToPredict) continue;
    if (group.some((i) => covered.has(i))) continue;
    for (const index of group) {
      covered.add(index);
      let how: Replacement;
      if (rng.random() < ratios.mask) {
        how = "mask";
        output[index] = "[MASK]";
      } else if (rng.random() < sameShare) {
        how = "same";
      } else {
        how = "random";
        output[index] = options.vocabWords[rng.randint(0, options.vocabWords.length - 1)];
      }
      chosen.push({ index, label: tokens[index], how });
    }
  }
  chosen.sort((a, b) => a.index - b.index);
  return {
    tokens: output,
    positions: chosen.map((c) => c.index),
    labels: chosen.map((c) => c.label),
    replacements: chosen.map((c) => c.how),
  };
}

/** Realised masking rates over many sequences: what §3.1 promises, measured. */
export interface MaskingReport {
  /** tokens that could be chosen (not [CLS]/[SEP]) */
  candidates: number;
  selected: number;
  /** selected / candidates (≈ maskedLmProb, less where maxPredictionsPerSeq caps it) */
  selectedRate: number;
  /** shares of the selected: replaced by [MASK], by a random token, left unchanged */
  maskRate: number;
  randomRate: number;
  sameRate: number;
}

export function maskingReport(sequences: readonly { original: readonly string[]; masked: MaskedSequence }[]): MaskingReport {
  let candidates = 0;
  let selected = 0;
  const counts = { mask: 0, random: 0, same: 0 };
  for (const s of sequences) {
    candidates += s.original.filter((t) => t !== "[CLS]" && t !== "[SEP]").length;
    selected += s.masked.positions.length;
    for (const r of s.masked.replacements) counts[r]++;
  }
  const share = (n: number) => (selected ? n / selected : 0);
  return {
    candidates,
    selected,
    selectedRate: candidates ? selected / candidates : 0,
    maskRate: share(counts.mask),
    randomRate: share(counts.random),
    sameRate: share(counts.same),
  };
}

/** What a pre-training instance records about its masking (TrainingInstance has these). */
export interface MaskedInstance {
  tokens: readonly string[];
  maskedLmPositions: readonly number[];
  maskedLmLabels: readonly string[];
  replacements: readonly Replacement[];
}

/** One chosen position of one instance: what was there, what the model sees, what happened. */
export interface MaskingDecision {
  instance: number;
  position: number;
  original: string;
  shown: string;
  how: Replacement;
}

/**
 * maskingReport for pre-training instances (a batch, or a whole corpus's): the originals are
 * the instances' tokens with the labels put back.
 *
 * @example
 *   const r = instancesMaskingReport(instances);
 *   console.log(r.selectedRate.toFixed(3), r.maskRate.toFixed(2)); // prints e.g.: 0.150 0.80
 */
export function instancesMaskingReport(instances: readonly MaskedInstance[]): MaskingReport {
  return maskingReport(
    instances.map((inst) => {
      const original = inst.tokens.slice();
      inst.maskedLmPositions.forEach((p, k) => (original[p] = inst.maskedLmLabels[k]));
      const masked: MaskedSequence = {
        tokens: inst.tokens.slice(),
        positions: inst.maskedLmPositions.slice(),
        labels: inst.maskedLmLabels.slice(),
        replacements: inst.replacements.slice(),
      };
      return { original, masked };
    }),
  );
}

/** Every chosen position of every instance, one row each: a table for a notebook. */
export function maskingDecisions(instances: readonly MaskedInstance[]): MaskingDecision[] {
  const rows: MaskingDecision[] = [];
  instances.forEach((inst, i) =>
    inst.maskedLmPositions.forEach((p, k) =>
      rows.push({ instance: i, position: p, original: inst.maskedLmLabels[k], shown: inst.tokens[p], how: inst.replacements[k] }),
    ),
  );
  return rows;
}
