/**
 * SQuAD v1.1 windows (paper §4.2): each question and its passage become one or more
 * [CLS] question [SEP] passage [SEP] windows of word pieces, padded to T, with the answer's
 * start and end for training. The algorithm is that of google-research/bert run_squad.py,
 * written afresh: sliding windows over long passages (convert_examples_to_features), the "max
 * context" rule (_check_is_max_context) and answer pieces tightened to the annotated text
 * (_improve_answer_span). The answers come back from logits in squad-predictions.ts.
 * Legend: N windows (features), T tokens (maxSeqLength).
 *
 * @example
 *   const f = squadFeatures(tokenizer, dev.examples.slice(0, 10), { maxSeqLength: 384 });
 *   f.N // → 10 (one window each: these passages fit)
 */
import { answerWordSpan, SquadDocTokens, squadDocTokens, SquadExample } from "../data/squad";
import type { BertTokenizer } from "../tokenization/bert-tokenizer";
import { BertLabError } from "../util/errors";

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

/** Throws BAD_OPTION unless `v` is an integer ≥ `min` (the SQuAD options of these files). */
export const positiveInt = (name: string, v: number, min: number) => {
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
