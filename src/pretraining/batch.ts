/**
 * Instances → the padded integer arrays a training step feeds the model, for each objective.
 * Legend: B batch, T tokens (maxSeqLength), M predicted positions.
 *
 * @example
 *   const batch = collateBatch(instances, tokenizer.vocab, { maxSeqLength: 128, objective: "mlm+nsp" });
 *   batch.inputIds.length === batch.B * batch.T // → true
 */
import { BertLabError } from "../util/errors";
import type { TrainingInstance } from "./instances";
import type { Objective } from "./objectives";

/** What collateBatch needs of a vocabulary. */
export interface TokenIds {
  readonly ids: ReadonlyMap<string, number>;
}

export interface PretrainingBatch {
  B: number;
  T: number;
  /** [B·T] row-major; padding is 0 ([PAD]) */
  inputIds: Int32Array;
  tokenTypeIds: Int32Array;
  /** 1 for real tokens, 0 for padding */
  attentionMask: Int32Array;
  /** [M] flat positions b·T + t the loss is computed at (masked positions, or every position for ltr) */
  lmPositions: Int32Array;
  /** [M] the token id to predict there */
  lmLabels: Int32Array;
  /** [B] 0 = IsNext, 1 = NotNext (used only by the mlm+nsp objective) */
  nspLabels: Int32Array;
  /** real (non-padding) tokens in the batch, for tokens/s */
  tokens: number;
}

export interface CollateOptions {
  maxSeqLength: number;
  objective: Objective;
}

/**
 * Pads every instance to maxSeqLength (one shape for every step: kernels are compiled once).
 * mlm / mlm+nsp predict the masked positions; ltr predicts token t+1 at every position t but
 * the last real one (the instance must be unmasked: a left-to-right LM sees no [MASK]).
 */
export function collateBatch(instances: readonly TrainingInstance[], vocab: TokenIds, options: CollateOptions): PretrainingBatch {
  const B = instances.length;
  const T = options.maxSeqLength;
  if (B === 0) throw new BertLabError("EMPTY_BATCH", "a batch needs at least one instance");
  const inputIds = new Int32Array(B * T);
  const tokenTypeIds = new Int32Array(B * T);
  const attentionMask = new Int32Array(B * T);
  const nspLabels = new Int32Array(B);
  const positions: number[] = [];
  const labels: number[] = [];
  let tokens = 0;
  const id = (token: string, where: string): number => {
    const i = vocab.ids.get(token);
    if (i === undefined) throw new BertLabError("TOKEN_NOT_IN_VOCAB", `token ${JSON.stringify(token)} (${where}) is not in the vocabulary: were the instances made with another vocab.txt?`);
    return i;
  };
  instances.forEach((inst, b) => {
    const n = inst.tokens.length;
    if (n > T) throw new BertLabError("INSTANCE_TOO_LONG", `an instance has ${n} tokens, more than --max-seq-length ${T}: make the instances with the same max length`);
    if (inst.segmentIds.length !== n) throw new BertLabError("BAD_INSTANCE", `an instance has ${n} tokens but ${inst.segmentIds.length} segment ids`);
    const row = b * T;
    for (let t = 0; t < n; t++) {
      inputIds[row + t] = id(inst.tokens[t], `instance ${b}, position ${t}`);
      tokenTypeIds[row + t] = inst.segmentIds[t];
      attentionMask[row + t] = 1;
    }
    tokens += n;
    nspLabels[b] = inst.isRandomNext ? 1 : 0;
    if (options.objective === "ltr") {
      if (inst.maskedLmPositions.length > 0) throw new BertLabError("MASKED_LTR", "the ltr objective needs unmasked instances (a left-to-right LM never sees [MASK]): make them with masking \"none\"");
      for (let t = 0; t + 1 < n; t++) {
        positions.push(row + t);
        labels.push(inputIds[row + t + 1]);
      }
    } else {
      inst.maskedLmPositions.forEach((p, k) => {
        if (!(p >= 0 && p < n)) throw new BertLabError("BAD_INSTANCE", `masked position ${p} is outside the instance's ${n} tokens`);
        positions.push(row + p);
        labels.push(id(inst.maskedLmLabels[k], `label at position ${p}`));
      });
    }
  });
  return { B, T, inputIds, tokenTypeIds, attentionMask, lmPositions: Int32Array.from(positions), lmLabels: Int32Array.from(labels), nspLabels, tokens };
}
