// embeddingParts: the arrays embeddingsView draws, from a real model — the rows of the three
// embedding tables a (sentence-pair) input looks up, their sum, and LayerNorm(sum), which is
// what the encoder receives (dropout aside). Every tensor made here is disposed.
import * as tf from "@tensorflow/tfjs-core";
import type { BertModel } from "../model/bert-model";
import { prepareInputs } from "../model/inputs";
import type { EncodeOptions } from "../tokenization/bert-tokenizer";
import type { EmbeddingParts } from "./embeddings-view";

/** What embeddingParts needs of a tokenizer: `encode(a, b)` as BertTokenizer has it. */
export interface PairEncoder {
  encode(text: string, pair?: string | null, options?: EncodeOptions): { tokens: string[]; inputIds: number[]; tokenTypeIds: number[] };
}

/** The parts, plus the ids they were looked up with. */
export interface EmbeddingPartsResult extends EmbeddingParts {
  inputIds: number[];
  normed: number[][];
}

/**
 * Looks up the three embeddings of `textA` (and `textB`) in `model`, sums them and applies the
 * embedding LayerNorm. Texts longer than the model's positions are truncated.
 *
 * @example
 *   const parts = embeddingParts(model, tok, "the cat sat", "it purred");
 *   parts.tokens      // ["[CLS]", "the", "cat", "sat", "[SEP]", "it", "pur", "##red", "[SEP]"]
 *   parts.segments    // [0, 0, 0, 0, 0, 1, 1, 1, 1]
 *   embeddingsView(parts)
 */
export function embeddingParts(model: Pick<BertModel, "embeddings" | "config">, tokenizer: PairEncoder, textA: string, textB?: string, options: { maxLength?: number } = {}): EmbeddingPartsResult {
  const enc = tokenizer.encode(textA, textB ?? null, { maxLength: options.maxLength ?? model.config.maxPositionEmbeddings });
  const t = prepareInputs({ inputIds: [enc.inputIds], tokenTypeIds: [enc.tokenTypeIds] }, model.config);
  try {
    const arrays = tf.tidy(() => {
      const { token, segment, position } = model.embeddings.parts(t.inputIds, t.tokenTypeIds);
      const tok = tf.squeeze(token, [0]); // [T, H]
      const seg = tf.squeeze(segment, [0]); // [T, H]
      const sum = tf.add(tf.add(tok, seg), position); // the order the model adds them in
      const normed = model.embeddings.layerNorm.apply(sum);
      return [tok, seg, position, sum, normed].map((x) => x.arraySync() as number[][]);
    });
    const [token, segment, position, sum, normed] = arrays;
    return { tokens: enc.tokens.slice(), segments: enc.tokenTypeIds.slice(), inputIds: enc.inputIds.slice(), token, segment, position, sum, normed };
  } finally {
    tf.dispose([t.inputIds, t.tokenTypeIds, t.attentionMask]);
  }
}
