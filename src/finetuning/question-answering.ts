/**
 * Span question answering on SQuAD v1.1 (paper §4.2): [CLS] question [SEP] passage [SEP]
 * through BERT, one linear layer gives every token a start and an end logit, and the answer
 * is the best valid span. The algorithm is that of google-research/bert run_squad.py, written
 * afresh: sliding windows over long passages (convert_examples_to_features), the "max
 * context" rule (_check_is_max_context), answer pieces tightened to the annotated text
 * (_improve_answer_span), n-best span search and the projection of word pieces back onto
 * the original text (write_predictions, get_final_text).
 * Legend: N windows (features), B batch, T tokens (maxSeqLength), H hidden.
 *
 * @example
 *   const model = new BertForQuestionAnswering(config, { seed: 1 });
 *   const task = questionAnsweringTask(model, tokenizer, train.examples, dev.examples, { batchSize: 32 });
 *   await train(task, { steps: 2 * task.stepsPerEpoch, learningRate: 3e-5, warmupSteps: … });
 *   task.evaluate!() // → { f1: 88.5…, exact_match: 80.8… } for BERT-base (the paper's Table 2)
 */
import * as tf from "@tensorflow/tfjs-core";
import { answerWordSpan, SquadDocTokens, squadDocTokens, SquadExample } from "../data/squad";
import type { RunContext } from "../model/dropout";
import { sparseSoftmaxCrossEntropy } from "../model/losses";
import type { BertForQuestionAnswering } from "../model/task-models";
import { loadFolderInto, readPretrainedFolder, savePretrainedFolder } from "../model/weights/pretrained";
import { BasicTokenizer } from "../tokenization/basic-tokenizer";
import type { BertTokenizer } from "../tokenization/bert-tokenizer";
import { isPySpace } from "../tokenization/char-classes";
import type { TrainTask } from "../training/trainer";
import { BertLabError } from "../util/errors";
import { Rng } from "../util/rng";
import { EpochBatches, EpochBatchesState, gatherRows } from "./epoch-batches";
import { squadScores } from "./metrics";

// ───────────────────────────────────────── features ─────────────────────────────────────────

export interface SquadFeatureOptions {
  /** window length in pieces, [CLS] question [SEP] passage [SEP] (run_squad default 384) */
  maxSeqLength?: number;
  /** pieces between the starts of two windows (default 128) */
  docStride?: number;
  /** the question is cut to this many pieces (default 64) */
  maxQueryLength?: number;
  /** label each window with the first answer's start and end (default false) */
  training?: boolean;
}

/** One example's passage: its whitespace words and their word pieces. */
export interface SquadDoc {
  /** run_squad.py's doc_tokens (squadDocTokens) */
  words: string[];
  /** the word pieces of all words, in order (all_doc_tokens), and their ids */
  pieces: string[];
  pieceIds: Int32Array;
  /** [pieces]: the word each piece came from (tok_to_orig_index) */
  pieceToWord: Int32Array;
  /** [words]: the first piece of each word (orig_to_tok_index; the next word's when it has none) */
  wordToPiece: Int32Array;
}

/** Windows of all examples, padded to T: row-major [N·T] arrays, like the other tasks' encoders. */
export interface SquadFeatures {
  N: number;
  T: number;
  inputIds: Int32Array;
  tokenTypeIds: Int32Array;
  attentionMask: Int32Array;
  /** [N]: real tokens in each window */
  lengths: Int32Array;
  /** [N]: the example (index into the examples given) and its window number */
  exampleIndex: Int32Array;
  windowIndex: Int32Array;
  /** [N·T]: for a passage piece, its word in the example's doc (token_to_orig_map); −1 elsewhere */
  tokenToWord: Int32Array;
  /** [N·T]: 1 where this window is the piece's max-context window (token_is_max_context) */
  maxContext: Uint8Array;
  /** [N]: answer start and end positions in each window, 0 and 0 ([CLS]) when the answer is not all inside; null unless training */
  startPositions: Int32Array | null;
  endPositions: Int32Array | null;
  /** per example given */
  docs: SquadDoc[];
  exampleIds: string[];
  /** training: ids of examples left out because their answer is not in their words (run_squad.py: "Could not find answer") */
  skipped: string[];
  /** id → token, to read windows back as text */
  vocabTokens: readonly string[];
  doLowerCase: boolean;
}

/** A window over the passage pieces (run_squad.py's DocSpan). */
export interface DocWindow {
  start: number;
  length: number;
}

/**
 * run_squad.py's sliding windows: each holds up to maxTokensForDoc pieces, the next starts
 * min(length, docStride) later, and the last one reaches the end.
 *
 * @example
 *   docWindows(20, 7, 3) // → starts 0, 3, 6, 9, 12 (length 7) and 15 (length 5)
 */
export function docWindows(numPieces: number, maxTokensForDoc: number, docStride: number): DocWindow[] {
  const out: DocWindow[] = [];
  for (let start = 0; start < numPieces; ) {
    const length = Math.min(numPieces - start, maxTokensForDoc);
    out.push({ start, length });
    if (start + length === numPieces) break;
    start += Math.min(length, docStride);
  }
  return out;
}

/**
 * The window that gives passage piece `position` the most context (_check_is_max_context):
 * score = min(pieces on the left, pieces on the right) + 0.01 · window length; the first
 * wins a tie. −1 when no window holds it.
 *
 * @example
 *   maxContextWindow(docWindows(20, 7, 3), 8) // → 2 (window 6…12: 2 left, 4 right)
 */
export function maxContextWindow(windows: readonly DocWindow[], position: number): number {
  let best = -1;
  let bestScore = -Infinity;
  windows.forEach((w, i) => {
    const end = w.start + w.length - 1;
    if (position < w.start || position > end) return;
    const score = Math.min(position - w.start, end - position) + 0.01 * w.length;
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return best;
}

/**
 * _improve_answer_span: the narrowest piece span inside [start, end] whose pieces, joined by
 * spaces, are the answer's own pieces ("(1895-1943)." → "1895"); else [start, end] as given.
 */
export function improveAnswerSpan(pieces: readonly string[], start: number, end: number, answerPieces: readonly string[]): { start: number; end: number } {
  const target = answerPieces.join(" ");
  for (let s = start; s <= end; s++) {
    for (let e = end; e >= s; e--) if (pieces.slice(s, e + 1).join(" ") === target) return { start: s, end: e };
  }
  return { start, end };
}

const positiveInt = (name: string, v: number, min: number) => {
  if (!Number.isInteger(v) || v < min) throw new BertLabError("BAD_OPTION", `${name} must be an integer ≥ ${min}, got ${v}`);
};

/**
 * Windows of every example as run_squad.py's convert_examples_to_features builds them. With
 * `training`, the first answer labels each window; examples whose answer text is not in their
 * words are skipped (listed in `skipped`), as run_squad.py does.
 *
 * @example
 *   const f = squadFeatures(tokenizer, dev.examples.slice(0, 10), { maxSeqLength: 384 });
 *   f.N                                    // → 10 (one window each: these passages fit)
 *   tokenizer.decode(Array.from(f.inputIds.subarray(0, 13))) // → "[CLS] which nfl team represented the afc at super bowl 50 ? [SEP]"
 */
export function squadFeatures(tokenizer: BertTokenizer, examples: readonly SquadExample[], options: SquadFeatureOptions = {}): SquadFeatures {
  const { maxSeqLength: T = 384, docStride = 128, maxQueryLength = 64, training = false } = options;
  positiveInt("maxSeqLength", T, 1);
  positiveInt("docStride", docStride, 1);
  positiveInt("maxQueryLength", maxQueryLength, 1);
  // as run_squad.py validate_flags_or_throw: room for [CLS], [SEP], [SEP] and at least one passage piece
  if (T <= maxQueryLength + 3) throw new BertLabError("BAD_OPTION", `maxSeqLength (${T}) must be greater than maxQueryLength (${maxQueryLength}) + 3 — raise maxSeqLength or lower maxQueryLength`);
  const vocabTokens = tokenizer.vocab.tokens;
  const cls = tokenizer.vocab.requireId("[CLS]");
  const sep = tokenizer.vocab.requireId("[SEP]");
  const docCache = new Map<string, { doc: SquadDoc; words: SquadDocTokens }>();
  const rows: { ids: number[]; types: number[]; toWord: number[]; max: number[]; example: number; window: number; start: number; end: number }[] = [];
  const docs: SquadDoc[] = [];
  const skipped: string[] = [];

  examples.forEach((ex, e) => {
    let cached = docCache.get(ex.context);
    if (!cached) {
      const words = squadDocTokens(ex.context);
      const ids: number[] = [];
      const pieceToWord: number[] = [];
      const wordToPiece = new Int32Array(words.docTokens.length);
      words.docTokens.forEach((w, i) => {
        wordToPiece[i] = ids.length;
        for (const id of tokenizer.tokenizeToIds(w)) {
          pieceToWord.push(i);
          ids.push(id);
        }
      });
      const pieces = ids.map((id) => vocabTokens[id]);
      cached = { doc: { words: words.docTokens, pieces, pieceIds: Int32Array.from(ids), pieceToWord: Int32Array.from(pieceToWord), wordToPiece }, words };
      docCache.set(ex.context, cached);
    }
    const doc = cached.doc;
    docs.push(doc);
    let answerStart = -1;
    let answerEnd = -1;
    if (training) {
      const answer = ex.answers[0];
      if (!answer) throw new BertLabError("NO_ANSWER", `training example ${ex.id} has no answer — SQuAD v1.1 training needs one per question`);
      const span = answerWordSpan(cached.words, answer);
      if (!span.recoverable) return void skipped.push(ex.id);
      answerStart = doc.wordToPiece[span.startWord];
      answerEnd = span.endWord < doc.words.length - 1 ? doc.wordToPiece[span.endWord + 1] - 1 : doc.pieces.length - 1;
      ({ start: answerStart, end: answerEnd } = improveAnswerSpan(doc.pieces, answerStart, answerEnd, tokenizer.tokenize(answer.text)));
    }
    const query = tokenizer.tokenizeToIds(ex.question).slice(0, maxQueryLength);
    const windows = docWindows(doc.pieces.length, T - query.length - 3, docStride); // −3: [CLS], [SEP], [SEP]
    const offset = query.length + 2; // where the passage starts in a window
    const bestWindow = Array.from(doc.pieces, (_, i) => maxContextWindow(windows, i));
    windows.forEach((w, k) => {
      const ids = [cls, ...query, sep];
      const types = ids.map(() => 0);
      const toWord = ids.map(() => -1);
      const max = ids.map(() => 0);
      for (let i = w.start; i < w.start + w.length; i++) {
        ids.push(doc.pieceIds[i]);
        types.push(1);
        toWord.push(doc.pieceToWord[i]);
        max.push(bestWindow[i] === k ? 1 : 0);
      }
      ids.push(sep);
      types.push(1);
      toWord.push(-1);
      max.push(0);
      // an answer not wholly inside the window points at [CLS] (run_squad.py, v1.1)
      const inside = answerStart >= w.start && answerEnd <= w.start + w.length - 1;
      rows.push({ ids, types, toWord, max, example: e, window: k, start: inside ? answerStart - w.start + offset : 0, end: inside ? answerEnd - w.start + offset : 0 });
    });
  });

  const N = rows.length;
  const out: SquadFeatures = {
    N,
    T,
    inputIds: new Int32Array(N * T),
    tokenTypeIds: new Int32Array(N * T),
    attentionMask: new Int32Array(N * T),
    lengths: new Int32Array(N),
    exampleIndex: new Int32Array(N),
    windowIndex: new Int32Array(N),
    tokenToWord: new Int32Array(N * T).fill(-1),
    maxContext: new Uint8Array(N * T),
    startPositions: training ? new Int32Array(N) : null,
    endPositions: training ? new Int32Array(N) : null,
    docs,
    exampleIds: examples.map((x) => x.id),
    skipped,
    vocabTokens,
    doLowerCase: tokenizer.doLowerCase,
  };
  rows.forEach((r, n) => {
    out.inputIds.set(r.ids, n * T);
    out.tokenTypeIds.set(r.types, n * T);
    out.attentionMask.fill(1, n * T, n * T + r.ids.length);
    out.tokenToWord.set(r.toWord, n * T);
    out.maxContext.set(r.max, n * T);
    out.lengths[n] = r.ids.length;
    out.exampleIndex[n] = r.example;
    out.windowIndex[n] = r.window;
    if (out.startPositions && out.endPositions) {
      out.startPositions[n] = r.start;
      out.endPositions[n] = r.end;
    }
  });
  return out;
}

// ─────────────────────────────────────── predictions ───────────────────────────────────────

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

// ────────────────────────────────────────── task ──────────────────────────────────────────

export interface QuestionAnsweringOptions {
  batchSize: number;
  /** default 384 */
  maxSeqLength?: number;
  /** default 128 */
  docStride?: number;
  /** default 64 */
  maxQueryLength?: number;
  /** seeds the order of the windows in each epoch */
  seed?: number;
  /** default 20 */
  nBestSize?: number;
  /** default 30 */
  maxAnswerLength?: number;
}

export type QuestionAnsweringTask = TrainTask<{ rows: Int32Array }> & {
  /** batches per pass over the training windows (run_squad.py counts its epochs in questions: slightly fewer steps) */
  stepsPerEpoch: number;
  trainFeatures: SquadFeatures;
  devFeatures: SquadFeatures;
  /** start and end logits of every window, row-major [N·T] (dropout off) */
  predictLogits(features: SquadFeatures): { startLogits: Float32Array; endLogits: Float32Array };
  /** question id → predicted answer text */
  predictAnswers(examples: readonly SquadExample[]): Record<string, string>;
};

/**
 * The training task: shuffled epochs over the training windows, loss (CE(start) + CE(end)) / 2
 * over all T positions (run_squad.py's compute_loss), and evaluation on `dev` with the official
 * SQuAD v1.1 exact match and F1 (percent) against all its gold answers.
 */
export function questionAnsweringTask(
  model: BertForQuestionAnswering,
  tokenizer: BertTokenizer,
  train: readonly SquadExample[],
  dev: readonly SquadExample[],
  options: QuestionAnsweringOptions,
): QuestionAnsweringTask {
  const featureOptions = { maxSeqLength: options.maxSeqLength ?? 384, docStride: options.docStride ?? 128, maxQueryLength: options.maxQueryLength ?? 64 };
  const predictionOptions = { nBestSize: options.nBestSize ?? 20, maxAnswerLength: options.maxAnswerLength ?? 30 };
  const B = options.batchSize;
  positiveInt("batchSize", B, 1);
  if (featureOptions.maxSeqLength > model.config.maxPositionEmbeddings) {
    throw new BertLabError("BAD_OPTION", `maxSeqLength ${featureOptions.maxSeqLength} is longer than the model's ${model.config.maxPositionEmbeddings} positions (maxPositionEmbeddings) — lower maxSeqLength`);
  }
  if (train.length === 0) throw new BertLabError("NO_EXAMPLES", "no training questions");
  const trainSet = squadFeatures(tokenizer, train, { ...featureOptions, training: true });
  if (trainSet.N === 0) throw new BertLabError("NO_EXAMPLES", `none of the ${train.length} training questions has an answer found in its passage's words`);
  const devSet = squadFeatures(tokenizer, dev, featureOptions);
  const batches = new EpochBatches(trainSet.N, B, options.seed ?? 0);
  const starts = trainSet.startPositions!;
  const ends = trainSet.endPositions!;

  /** start and end logits [B, T] of the rows (the caller disposes them) */
  const logitsOf = (set: SquadFeatures, rows: Int32Array, ctx: RunContext) =>
    tf.tidy(() => {
      const pick = (a: Int32Array) => gatherRows(a, set.T, rows);
      const base = model.bert.forwardTensors(pick(set.inputIds), pick(set.tokenTypeIds), pick(set.attentionMask), { training: ctx.training, rng: ctx.rng });
      const logits = model.qaOutputs.apply(base.lastHiddenState); // [B, T, 2]; no dropout here, as run_squad.py
      const [start, end] = tf.unstack(logits, 2) as tf.Tensor2D[]; // [B, T] each
      return { start, end };
    });

  const predictLogits = (set: SquadFeatures) => {
    const startLogits = new Float32Array(set.N * set.T);
    const endLogits = new Float32Array(set.N * set.T);
    for (let i = 0; i < set.N; i += B) {
      const rows = Int32Array.from({ length: Math.min(B, set.N - i) }, (_, k) => i + k);
      const { start, end } = logitsOf(set, rows, { training: false, rng: new Rng(0) });
      startLogits.set(start.dataSync(), i * set.T);
      endLogits.set(end.dataSync(), i * set.T);
      tf.dispose([start, end]);
    }
    return { startLogits, endLogits };
  };

  const answersFor = (examples: readonly SquadExample[], set: SquadFeatures) => {
    const { startLogits, endLogits } = predictLogits(set);
    return squadPredictions(examples, set, startLogits, endLogits, predictionOptions).answers;
  };

  return {
    params: model.store.vars,
    stepsPerEpoch: batches.perEpoch,
    trainFeatures: trainSet,
    devFeatures: devSet,
    predictLogits,
    predictAnswers: (examples) => answersFor(examples, examples === dev ? devSet : squadFeatures(tokenizer, examples, featureOptions)),
    nextBatch: () => [{ rows: batches.next() }],
    loss(batch, ctx) {
      const ys = Array.from(batch.rows, (r) => starts[r]);
      const ye = Array.from(batch.rows, (r) => ends[r]);
      let startCorrect = 0;
      let endCorrect = 0;
      const loss = tf.tidy(() => {
        const { start, end } = logitsOf(trainSet, batch.rows, ctx);
        const ps = tf.argMax(start, 1).dataSync();
        const pe = tf.argMax(end, 1).dataSync();
        ys.forEach((y, k) => (startCorrect += ps[k] === y ? 1 : 0));
        ye.forEach((y, k) => (endCorrect += pe[k] === y ? 1 : 0));
        return tf.div(tf.add(sparseSoftmaxCrossEntropy(start, ys), sparseSoftmaxCrossEntropy(end, ye)), 2) as tf.Scalar;
      });
      return { loss, stats: { windows: batch.rows.length, startCorrect, endCorrect } };
    },
    tokens: (batch) => batch.rows.reduce((s, r) => s + trainSet.lengths[r], 0),
    metrics: (sums): Record<string, number> => ({
      start_accuracy: sums.windows ? sums.startCorrect / sums.windows : 0,
      end_accuracy: sums.windows ? sums.endCorrect / sums.windows : 0,
    }),
    evaluate:
      dev.length > 0
        ? () => {
            const s = squadScores(answersFor(dev, devSet), dev);
            return { f1: s.f1, exact_match: s.exact_match }; // f1 first: the headline
          }
        : undefined,
    dataState: () => batches.getState(),
    restoreDataState: (state) => batches.setState(state as EpochBatchesState),
    epoch: () => batches.epoch,
    saveModel: (dir) => savePretrainedFolder(dir, model.store, model.config, { architecture: "BertForQuestionAnswering", vocabText: tokenizer.vocab.toText() }),
    loadModel(dir) {
      loadFolderInto(model.store, readPretrainedFolder(dir), { log: () => {} });
    },
  };
}
