// attentionOf: runs a BertModel once on a sentence (pair) and returns its attention as plain
// numbers (AttentionInput), ready for attentionHeatmap, headView and modelView. The only
// attention picture helper that touches tfjs; every tensor it makes is disposed.
import type { BertModel } from "../model/bert-model";
import { disposeOutput } from "../model/bert-model";
import type { BertTokenizer } from "../tokenization/bert-tokenizer";
import { BertLabError } from "../util/errors";
import type { AttentionInput } from "./attention-input";

export interface AttentionOfOptions {
  /** truncate the pair to this many tokens, specials included; default the model's maxPositionEmbeddings */
  maxLength?: number;
}

/**
 * The attention of every layer and head for one text (or text pair).
 *
 * @example
 *   const att = attentionOf(model, tokenizer, "the cat sat on the mat", "it purred");
 *   att.tokens      // ["[CLS]", "the", "cat", …, "[SEP]", "it", "pu", "##rred", "[SEP]"]
 *   att.attention.length, att.attention[0].length // layers, heads
 *   headView(att)
 */
export function attentionOf(model: BertModel, tokenizer: BertTokenizer, textA: string, textB?: string, options: AttentionOfOptions = {}): AttentionInput {
  if (typeof textA !== "string" || (textB !== undefined && typeof textB !== "string")) {
    throw new BertLabError("BAD_INPUT", `attentionOf: textA (and textB, if given) must be strings, got ${typeof textA}${textB === undefined ? "" : ` and ${typeof textB}`}`);
  }
  const limit = model.config.maxPositionEmbeddings;
  const maxLength = options.maxLength ?? limit;
  if (!Number.isInteger(maxLength) || maxLength > limit) {
    throw new RangeError(`attentionOf: maxLength ${maxLength} must be an integer of at most ${limit} (the model's maxPositionEmbeddings)`);
  }
  const enc = tokenizer.encode(textA, textB ?? null, { maxLength });
  const out = model.forward({ inputIds: [enc.inputIds], tokenTypeIds: [enc.tokenTypeIds], attentionMask: [enc.attentionMask] }, { outputAttentions: true });
  try {
    const attention = out.attentions.map((t) => (t.arraySync() as number[][][][])[0]);
    return textB === undefined ? { tokens: enc.tokens, attention } : { tokens: enc.tokens, segments: enc.tokenTypeIds, attention };
  } finally {
    disposeOutput(out);
  }
}
