/**
 * Fill-mask: what a pre-trained BERT guesses for each [MASK] in a text — the masked-LM head's
 * softmax at that position, its top k tokens, and the text with each guess filled in (as HF's
 * `pipeline("fill-mask")`). Legend: B batch, T tokens, H hidden, V vocab, M masks.
 *
 * "[MASK]" is found as a literal in the text before tokenizing (BERT's basic tokenizer alone
 * would split it into "[", "mask", "]"); the pieces between masks are tokenized as usual.
 *
 * @example
 *   const { model, vocabPath } = BertForPreTraining.fromPretrained("models/bert-base-uncased");
 *   const tok = BertTokenizer.fromFile(vocabPath!);
 *   const [mask] = fillMask(model, tok, "the capital of france is [MASK].", { topK: 3 });
 *   console.log(mask.candidates.map((c) => `${c.token} ${c.score.toFixed(2)}`).join(", "));
 *   // prints: paris 0.42, lille 0.05, lyon 0.04   (the model's own numbers)
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BertForPreTraining } from "../model/bert-for-pretraining";
import { disposeOutput } from "../model/bert-model";
import type { BertTokenizer } from "../tokenization/bert-tokenizer";
import { SPECIAL_TOKENS } from "../tokenization/vocab";
import { BertLabError } from "../util/errors";

/** The literal that marks a blank in the text. */
export const MASK_LITERAL = SPECIAL_TOKENS.mask;

export interface FillMaskOptions {
  /** candidates per mask (default 5; at most the vocabulary size) */
  topK?: number;
  /** a second text (segment B); it may hold masks too */
  pair?: string;
}

export interface FillMaskBatchOptions {
  /** candidates per mask (default 5) */
  topK?: number;
  /** texts per forward pass (default 16) */
  batchSize?: number;
}

export interface FillMaskCandidate {
  /** the vocabulary token, e.g. "paris" or "##s" */
  token: string;
  id: number;
  /** softmax probability over the whole vocabulary at this position */
  score: number;
  /** the text with this token in this mask's place (decoded: ## pieces joined, other masks kept) */
  sequence: string;
}

export interface FillMaskResult {
  /** token index of the mask in the model input ([CLS] is 0) */
  position: number;
  /** best first */
  candidates: FillMaskCandidate[];
}

/** A text made ready for fill-mask: ids with the mask id in each blank. */
export interface FillMaskEncoding {
  inputIds: number[];
  tokenTypeIds: number[];
  /** token indices of the masks, in order */
  maskPositions: number[];
  /** where segment A's pieces end (exclusive) and segment B's begin, for decoding */
  segments: { start: number; end: number }[];
}

/**
 * Tokenizes a text (and pair) with "[MASK]" as the mask token: [CLS] A [SEP] (B [SEP]).
 * Throws when there is no mask or the result is longer than the model's positions.
 */
export function encodeForFillMask(model: BertForPreTraining, tokenizer: BertTokenizer, text: string, pair?: string | null): FillMaskEncoding {
  if (typeof text !== "string" || (pair !== undefined && pair !== null && typeof pair !== "string")) {
    throw new BertLabError("BAD_INPUT", `fillMask expects a string (and an optional string pair), got ${typeof text}`);
  }
  const vocab = tokenizer.vocab;
  const maskId = vocab.requireId(SPECIAL_TOKENS.mask);
  const cls = vocab.requireId(SPECIAL_TOKENS.cls);
  const sep = vocab.requireId(SPECIAL_TOKENS.sep);
  const pieces = (s: string): number[] =>
    s.split(MASK_LITERAL).flatMap((part, i) => (i === 0 ? tokenizer.tokenizeToIds(part) : [maskId, ...tokenizer.tokenizeToIds(part)]));
  const inputIds: number[] = [cls];
  const tokenTypeIds: number[] = [0];
  const segments: { start: number; end: number }[] = [];
  const add = (ids: number[], type: number) => {
    const start = inputIds.length;
    inputIds.push(...ids, sep);
    tokenTypeIds.push(...ids.map(() => type), type);
    segments.push({ start, end: start + ids.length });
  };
  add(pieces(text), 0);
  if (pair !== undefined && pair !== null) add(pieces(pair), 1);
  const maskPositions = inputIds.flatMap((id, i) => (id === maskId ? [i] : []));
  if (maskPositions.length === 0) {
    throw new BertLabError(
      "NO_MASK",
      `no ${MASK_LITERAL} in ${JSON.stringify(shorten(text))}${pair ? " or its pair" : ""} — write ${MASK_LITERAL} (upper case, with the brackets) where the model should guess a word`,
    );
  }
  const max = model.config.maxPositionEmbeddings;
  if (inputIds.length > max) {
    throw new BertLabError(
      "TOO_LONG",
      `${JSON.stringify(shorten(text))} is ${inputIds.length} tokens with [CLS] and [SEP], ${inputIds.length - max} more than the model's ${max} positions (max_position_embeddings) — shorten the text`,
    );
  }
  if (vocab.size > model.config.vocabSize) {
    const bad = inputIds.find((id) => id >= model.config.vocabSize);
    if (bad !== undefined) {
      throw new BertLabError(
        "VOCAB_MISMATCH",
        `the vocab (${vocab.size} tokens, ${vocab.source}) is larger than the model's vocab_size ${model.config.vocabSize}: token ${JSON.stringify(vocab.token(bad))} has id ${bad} — use the vocab.txt the model was trained with`,
      );
    }
  }
  return { inputIds, tokenTypeIds, maskPositions, segments };
}

/**
 * Top-k guesses for every [MASK] in a text, in order of position. Eval mode (no dropout);
 * leaves no tensors behind.
 *
 * @example
 *   fillMask(model, tok, "[MASK] is the capital of [MASK].", { topK: 2 })
 *   // → [{ position: 1, candidates: [{ token: "paris", id, score, sequence: "paris is the capital of [MASK]." }, …] },
 *   //    { position: 6, candidates: [...] }]
 */
export function fillMask(model: BertForPreTraining, tokenizer: BertTokenizer, text: string, options: FillMaskOptions = {}): FillMaskResult[] {
  const topK = checkTopK(options.topK);
  return fillMaskEncoded(model, tokenizer, [encodeForFillMask(model, tokenizer, text, options.pair)], { topK })[0];
}

/**
 * fillMask for many texts (or {text, pair}), `batchSize` at a time, padded with [PAD] and an
 * attention mask; results in the order of the texts.
 */
export function fillMaskBatch(
  model: BertForPreTraining,
  tokenizer: BertTokenizer,
  texts: readonly (string | { text: string; pair?: string | null })[],
  options: FillMaskBatchOptions = {},
): FillMaskResult[][] {
  checkTopK(options.topK);
  const encodings = texts.map((t, i) => {
    try {
      return typeof t === "string" ? encodeForFillMask(model, tokenizer, t) : encodeForFillMask(model, tokenizer, t.text, t.pair);
    } catch (e) {
      if (e instanceof BertLabError && texts.length > 1) throw new BertLabError(e.code, `text ${i + 1} of ${texts.length}: ${e.message}`);
      throw e;
    }
  });
  return fillMaskEncoded(model, tokenizer, encodings, options);
}

/** The model part of fillMaskBatch, on encodings from encodeForFillMask. */
export function fillMaskEncoded(
  model: BertForPreTraining,
  tokenizer: BertTokenizer,
  encodings: readonly FillMaskEncoding[],
  options: FillMaskBatchOptions = {},
): FillMaskResult[][] {
  const topKAsked = checkTopK(options.topK);
  const batchSize = options.batchSize ?? 16;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new BertLabError("BAD_OPTION", `batchSize must be a positive integer, got ${batchSize}`);
  }
  const V = model.config.vocabSize;
  // a vocab.txt shorter than the model's vocab_size (padded embeddings): guess only real tokens
  const usable = Math.min(V, tokenizer.vocab.size);
  const topK = Math.min(topKAsked, usable);
  const padId = tokenizer.vocab.padId ?? 0;
  const results: FillMaskResult[][] = [];
  for (let from = 0; from < encodings.length; from += batchSize) {
    const chunk = encodings.slice(from, from + batchSize);
    const T = Math.max(...chunk.map((e) => e.inputIds.length));
    const padded = (row: number[], fill: number) => [...row, ...new Array<number>(T - row.length).fill(fill)];
    const flat: number[] = []; // b * T + position of every mask, in order
    chunk.forEach((e, b) => e.maskPositions.forEach((p) => flat.push(b * T + p)));
    const { values, indices } = tf.tidy(() => {
      const out = model.forward(
        {
          inputIds: chunk.map((e) => padded(e.inputIds, padId)),
          tokenTypeIds: chunk.map((e) => padded(e.tokenTypeIds, 0)),
          attentionMask: chunk.map((e) => padded(e.inputIds.map(() => 1), 0)),
        },
        { training: false, allMlmLogits: false },
      );
      const H = model.config.hiddenSize;
      const hidden = tf.gather(tf.reshape(out.lastHiddenState, [chunk.length * T, H]), tf.tensor1d(flat, "int32")); // [M, H]
      disposeOutput(out);
      const logits = model.mlm.apply(hidden) as tf.Tensor2D; // [M, V]
      const probs = tf.softmax(logits); // over the whole vocabulary
      const best = tf.topk(usable < V ? tf.slice(probs, [0, 0], [-1, usable]) : probs, topK);
      return { values: best.values.dataSync() as Float32Array, indices: best.indices.dataSync() as Int32Array };
    });
    let m = 0;
    for (const e of chunk) {
      results.push(
        e.maskPositions.map((position) => {
          const candidates: FillMaskCandidate[] = [];
          for (let k = 0; k < topK; k++) {
            const id = indices[m * topK + k];
            candidates.push({ token: tokenizer.vocab.token(id), id, score: values[m * topK + k], sequence: filledSequence(tokenizer, e, position, id) });
          }
          m++;
          return { position, candidates };
        }),
      );
    }
  }
  return results;
}

function checkTopK(topK: number | undefined): number {
  const k = topK ?? 5;
  if (!Number.isInteger(k) || k < 1) {
    throw new BertLabError("BAD_TOP_K", `topK must be a whole number of at least 1, got ${k}`);
  }
  return k;
}

/** The text (and pair, after " [SEP] ") with `id` at `position`; other masks stay [MASK]. */
function filledSequence(tokenizer: BertTokenizer, e: FillMaskEncoding, position: number, id: number): string {
  const ids = e.inputIds.slice();
  ids[position] = id;
  return e.segments.map((s) => cleanUpSpaces(tokenizer.decode(ids.slice(s.start, s.end)))).join(" [SEP] ");
}

/** HF's clean_up_tokenization: no space before punctuation and English contractions. */
export function cleanUpSpaces(text: string): string {
  const pairs: [string, string][] = [
    [" .", "."], [" ?", "?"], [" !", "!"], [" ,", ","], [" ' ", "'"],
    [" n't", "n't"], [" 'm", "'m"], [" 's", "'s"], [" 've", "'ve"], [" 're", "'re"],
  ];
  return pairs.reduce((s, [from, to]) => s.split(from).join(to), text);
}

function shorten(text: string): string {
  return text.length > 60 ? text.slice(0, 57) + "…" : text;
}
