/** Model inputs: nested arrays or tensors, checked against the config. Legend: B batch, T tokens. */
import * as tf from "@tensorflow/tfjs-core";
import { BertLabError } from "../util/errors";
import type { BertConfig } from "./config";

export type IntMatrix = tf.Tensor2D | readonly (readonly number[])[];

export interface BertInput {
  inputIds: IntMatrix; // [B, T]
  /** segment ids (0 = sentence A, 1 = B); default all 0 */
  tokenTypeIds?: IntMatrix;
  /** 1 = attend, 0 = padding; default all 1 */
  attentionMask?: IntMatrix;
}

function toRows(name: string, m: IntMatrix): number[][] {
  if (m instanceof tf.Tensor) return m.arraySync() as number[][];
  if (!Array.isArray(m) || m.length === 0 || !m.every((r) => Array.isArray(r))) {
    throw new BertLabError("BAD_INPUT", `${name} must be a non-empty [batch][tokens] array of integers`);
  }
  return m as number[][];
}

/** Checks ids against the config and makes int32 tensors (the caller disposes them). */
export function prepareInputs(input: BertInput, config: BertConfig): { inputIds: tf.Tensor2D; tokenTypeIds: tf.Tensor2D; attentionMask: tf.Tensor2D } {
  const ids = toRows("inputIds", input.inputIds);
  const B = ids.length;
  const T = ids[0].length;
  const check = (name: string, rows: number[][], limit: number, what: string) => {
    if (rows.length !== B || rows.some((r) => r.length !== T)) {
      throw new BertLabError("BAD_INPUT", `${name} must have the shape of inputIds [${B}][${T}]`);
    }
    rows.forEach((r, b) =>
      r.forEach((v, t) => {
        if (!Number.isInteger(v) || v < 0 || v >= limit) {
          throw new BertLabError("BAD_INPUT", `${name}[${b}][${t}] = ${v} is not ${what} (0..${limit - 1})`);
        }
      }),
    );
  };
  if (T === 0 || ids.some((r) => r.length !== T)) throw new BertLabError("BAD_INPUT", "inputIds rows must all have the same, non-zero length");
  if (T > config.maxPositionEmbeddings) {
    throw new BertLabError("BAD_INPUT", `sequence length ${T} exceeds maxPositionEmbeddings ${config.maxPositionEmbeddings} — truncate the input`);
  }
  check("inputIds", ids, config.vocabSize, "a token id of this model's vocabulary");
  const types = input.tokenTypeIds ? toRows("tokenTypeIds", input.tokenTypeIds) : ids.map((r) => r.map(() => 0));
  check("tokenTypeIds", types, config.typeVocabSize, "a segment id");
  const mask = input.attentionMask ? toRows("attentionMask", input.attentionMask) : ids.map((r) => r.map(() => 1));
  check("attentionMask", mask, 2, "0 or 1");
  return {
    inputIds: tf.tensor2d(ids, [B, T], "int32"),
    tokenTypeIds: tf.tensor2d(types, [B, T], "int32"),
    attentionMask: tf.tensor2d(mask, [B, T], "int32"),
  };
}
