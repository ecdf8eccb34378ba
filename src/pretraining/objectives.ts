/**
 * The pre-training objectives of the paper's Table 5, as switches on one encoder:
 *   "mlm+nsp"  BERT: masked LM + next-sentence prediction
 *   "mlm"      No NSP: masked LM only
 *   "ltr"      LTR & No NSP: a left-to-right LM — causal attention mask, predict the next
 *              token at every position, no NSP (like OpenAI GPT, on BERT's encoder)
 * Legend: B batch, T tokens, H hidden, V vocab, M predicted positions.
 *
 * @example
 *   const { loss, stats } = pretrainingLoss(model, batch, "mlm+nsp", { training: true, rng });
 *   console.log(stats.mlmLoss, stats.mlmCorrect / stats.mlmCount);
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BertForPreTraining } from "../model/bert-for-pretraining";
import { sparseSoftmaxCrossEntropy } from "../model/losses";
import type { RandomSource } from "../util/random-source";
import { BertLabError } from "../util/errors";
import type { PretrainingBatch } from "./batch";

export type Objective = "mlm+nsp" | "mlm" | "ltr";
export const OBJECTIVES: readonly Objective[] = ["mlm+nsp", "mlm", "ltr"];

export function checkObjective(name: string): Objective {
  if (!(OBJECTIVES as readonly string[]).includes(name)) {
    throw new BertLabError("UNKNOWN_OBJECTIVE", `unknown objective "${name}" — choose one of ${OBJECTIVES.join(", ")} (mlm+nsp = BERT, mlm = No NSP, ltr = left-to-right LM)`);
  }
  return name as Objective;
}

/** Whether the objective trains the next-sentence head. */
export const usesNsp = (o: Objective): boolean => o === "mlm+nsp";

/** Numbers read back from one batch's forward pass (sums, so micro-batches add up). */
export interface ObjectiveStats {
  /** mean LM cross-entropy over the predicted positions (masked ones; every one for ltr) */
  mlmLoss: number;
  mlmCorrect: number;
  mlmCount: number;
  /** mean NSP cross-entropy over the batch (0 with nspCount 0 when NSP is off) */
  nspLoss: number;
  nspCorrect: number;
  nspCount: number;
}

export interface ObjectiveContext {
  /** dropout on (training) or off (evaluation) */
  training: boolean;
  /** where dropout seeds come from */
  rng?: RandomSource;
}

/**
 * The objective's loss for one batch, as a scalar to differentiate (inside
 * tf.variableGrads), and its statistics read back synchronously. The LM head is applied only
 * at the M predicted positions: [M, V] logits, never [B, T, V].
 */
export function pretrainingLoss(
  model: BertForPreTraining,
  batch: PretrainingBatch,
  objective: Objective,
  ctx: ObjectiveContext,
): { loss: tf.Scalar; stats: ObjectiveStats } {
  const { B, T } = batch;
  const H = model.config.hiddenSize;
  const stats: ObjectiveStats = { mlmLoss: 0, mlmCorrect: 0, mlmCount: 0, nspLoss: 0, nspCorrect: 0, nspCount: 0 };
  const loss = tf.tidy(() => {
    const ids = tf.tensor2d(batch.inputIds, [B, T], "int32");
    const types = tf.tensor2d(batch.tokenTypeIds, [B, T], "int32");
    const mask = tf.tensor2d(batch.attentionMask, [B, T], "int32");
    const out = model.bert.forwardTensors(ids, types, mask, { training: ctx.training, rng: ctx.rng, causal: objective === "ltr" });
    const parts: tf.Scalar[] = [];
    const M = batch.lmPositions.length;
    if (M > 0) {
      const hidden = tf.gather(tf.reshape(out.lastHiddenState, [B * T, H]), tf.tensor1d(batch.lmPositions, "int32")); // [M, H]
      const logits = model.mlm.apply(hidden) as tf.Tensor2D; // [M, V]
      const lmLoss = sparseSoftmaxCrossEntropy(logits, batch.lmLabels);
      parts.push(lmLoss);
      stats.mlmLoss = lmLoss.dataSync()[0];
      stats.mlmCorrect = countCorrect(logits, batch.lmLabels);
      stats.mlmCount = M;
    }
    if (usesNsp(objective)) {
      const nspLogits = model.nsp.apply(out.pooledOutput); // [B, 2]
      const nspLoss = sparseSoftmaxCrossEntropy(nspLogits, batch.nspLabels);
      parts.push(nspLoss);
      stats.nspLoss = nspLoss.dataSync()[0];
      stats.nspCorrect = countCorrect(nspLogits, batch.nspLabels);
      stats.nspCount = B;
    }
    if (parts.length === 0) return tf.scalar(0); // nothing to predict in this batch
    return (parts.length === 1 ? parts[0] : tf.add(parts[0], parts[1])) as tf.Scalar;
  });
  return { loss, stats };
}

function countCorrect(logits: tf.Tensor2D, labels: Int32Array): number {
  const predicted = tf.argMax(logits, 1).dataSync();
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) n++;
  return n;
}
