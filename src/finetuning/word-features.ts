/**
 * Each word's features from a frozen BERT, for the feature-based approach (paper §5.3,
 * Table 7): the sentences are encoded as fine-tuning encodes them (each word's first piece),
 * run once in eval mode, and the hidden states of the layer choice (layer-choice.ts) at each
 * word's first piece are kept.
 * Legend: N sentences, T tokens, H hidden, L encoder layers, S stored states per word (L + 1
 * for "weighted", else 1), F feature size (H, or k·H for a concatenation of k layers),
 * M words with a position.
 *
 * @example
 *   const f = extractWordFeatures(bert, tokenizer, sentences, { labels, layers: "-1", maxSeqLength: 128 });
 *   f.values[0].length; // words of sentence 0 × 1 × H
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BertModel } from "../model/bert-model";
import type { BertTokenizer } from "../tokenization/bert-tokenizer";
import { asChoice, LayerChoice, layerChoiceText, layerSlots } from "./layer-choice";
import { encodeTagged, TaggedSentence } from "./token-classification";

/** Each word's features, from a frozen BERT. */
export interface WordFeatures {
  /** the layer choice, canonical text */
  layers: string;
  /** S: states kept per word (L + 1 for "weighted", else 1: combined at extraction) */
  slices: number;
  /** F: numbers per state */
  size: number;
  /** per sentence: [words, S, F] row-major; zeros for a word without a position */
  values: Float32Array[];
  /** per sentence, per word: the label index, or −1 where the word got no position (predicted "O") */
  labels: Int32Array[];
  /** per sentence, per word: its first piece's position in the encoded sentence, or −1 */
  firstPiece: Int32Array[];
}

export interface ExtractWordOptions {
  labels: readonly string[];
  layers: LayerChoice | string;
  maxSeqLength: number;
  /** sentences per forward pass (default 16) */
  batchSize?: number;
}

/**
 * Runs the frozen model (eval mode: no dropout) over the sentences, encoded as fine-tuning
 * encodes them (encodeTagged: each word's first piece), and keeps each word's features.
 * Memory: words × S × F floats (BERT-base, "weighted": 13 × 768 per word).
 *
 * @example
 *   const f = extractWordFeatures(bert, tokenizer, sentences, { labels, layers: "-1", maxSeqLength: 128 });
 *   f.values[0].length; // words of sentence 0 × 1 × H
 */
export function extractWordFeatures(bert: BertModel, tokenizer: BertTokenizer, sentences: readonly TaggedSentence[], options: ExtractWordOptions): WordFeatures {
  const choice = asChoice(options.layers);
  const L = bert.config.numHiddenLayers;
  const H = bert.config.hiddenSize;
  const slots = layerSlots(choice, L);
  const S = choice.kind === "weighted" ? L + 1 : 1;
  const F = choice.kind === "concat" ? slots.length * H : H;
  const enc = encodeTagged(tokenizer, sentences, options.labels, options.maxSeqLength);
  const T = enc.T;
  const out: WordFeatures = { layers: layerChoiceText(choice), slices: S, size: F, values: [], labels: [], firstPiece: enc.firstPiece };
  enc.firstPiece.forEach((first, n) => {
    out.values.push(new Float32Array(first.length * S * F));
    out.labels.push(Int32Array.from(first, (p) => (p < 0 ? -1 : enc.labels[n * T + p])));
  });
  const batch = options.batchSize ?? 16;
  for (let start = 0; start < enc.N; start += batch) {
    const rows = Array.from({ length: Math.min(batch, enc.N - start) }, (_, k) => start + k);
    const Tb = Math.max(...rows.map((r) => enc.lengths[r])); // the chunk's longest: padding beyond it changes nothing
    const picks: number[] = []; // k·Tb + first piece, for each word with a position
    const owners: [number, number][] = []; // (sentence, word) of each pick
    rows.forEach((r, k) => enc.firstPiece[r].forEach((p, w) => p >= 0 && (picks.push(k * Tb + p), owners.push([r, w]))));
    if (picks.length === 0) continue;
    const ids = new Int32Array(rows.length * Tb);
    const mask = new Int32Array(rows.length * Tb);
    rows.forEach((r, k) => {
      ids.set(enc.inputIds.subarray(r * T, r * T + Tb), k * Tb);
      mask.set(enc.attentionMask.subarray(r * T, r * T + Tb), k * Tb);
    });
    const picked = tf.tidy(() => {
      const idsT = tf.tensor2d(ids, [rows.length, Tb], "int32");
      const hs = bert.forwardTensors(idsT, tf.zerosLike(idsT), tf.tensor2d(mask, [rows.length, Tb], "int32"), { outputHiddenStates: true, training: false }).hiddenStates;
      const chosen = slots.map((s) => hs[s]); // each [b, Tb, H]
      // sum: combined now; concat and weighted: side by side on the last axis, layer-major
      const x = choice.kind === "sum" ? tf.addN(chosen) : chosen.length === 1 ? chosen[0] : tf.concat(chosen, 2); // [b, Tb, S·F]
      return tf.gather(tf.reshape(x, [rows.length * Tb, S * F]), tf.tensor1d(picks, "int32")); // [M, S·F]
    });
    const data = picked.dataSync() as Float32Array;
    picked.dispose();
    owners.forEach(([n, w], j) => out.values[n].set(data.subarray(j * S * F, (j + 1) * S * F), w * S * F));
  }
  return out;
}
