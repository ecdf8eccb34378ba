/**
 * BertForPreTraining: BERT with the masked-LM and next-sentence heads (paper §3.1), HF
 * names `bert.…` and `cls.…`. Legend: B batch, T tokens, H hidden, V vocab, M labelled.
 *
 * @example
 *   const model = new BertForPreTraining(bertConfig("tiny"), { seed: 1 });
 *   const out = model.forward({
 *     inputIds: [[101, 7592, 103, 102]],
 *     maskedLmLabels: [[-100, -100, 2088, -100]],   // only position 2 is predicted
 *     nextSentenceLabel: [0],                        // 0 = IsNext, 1 = NotNext
 *   });
 *   console.log(out.totalLoss?.dataSync()[0] > 0);  // prints: true
 *   disposeOutput(out);
 */
import * as tf from "@tensorflow/tfjs-core";
import { BertLabError } from "../util/errors";
import { BertModel, BertModelOutput, ForwardOptions, ModelOptions } from "./bert-model";
import { BertConfig, countParams, readConfig } from "./config";
import { MlmHead, NspHead } from "./heads";
import { BertInput, IntMatrix, prepareInputs } from "./inputs";
import { sparseSoftmaxCrossEntropy } from "./losses";
import { ParamStore, tidyObject } from "./params";
import { FromPretrainedOptions, modelFromFolder, savePretrainedFolder } from "./weights/pretrained";
import { HostTensor, LoadReport, loadStateDict } from "./weights/state-dict";
import { readSafetensors } from "./weights/safetensors";
import { DISPLAY } from "../display/mime";
import { modelSummary } from "../display/model-summary";

/** Label −100 marks a position the MLM does not predict (HF / torch ignore_index). */
export const IGNORE_INDEX = -100;

export interface PretrainingInput extends BertInput {
  /** [B, T]: the original token id where a position was masked, −100 elsewhere */
  maskedLmLabels?: IntMatrix;
  /** [B]: 0 = B follows A (IsNext), 1 = B is random (NotNext) */
  nextSentenceLabel?: readonly number[] | tf.Tensor1D;
}

export interface PretrainingOptions extends ForwardOptions {
  /** compute MLM logits at every position (default true); false: only where labelled (training) */
  allMlmLogits?: boolean;
}

export interface PretrainingOutput extends BertModelOutput {
  /** [B, T, V] when allMlmLogits */
  mlmLogits?: tf.Tensor3D;
  nspLogits: tf.Tensor2D; // [B, 2]
  /** mean cross-entropy over the labelled positions of the whole batch */
  mlmLoss?: tf.Scalar;
  /** mean cross-entropy over the batch */
  nspLoss?: tf.Scalar;
  /** mlmLoss + nspLoss (either alone when only its labels are given) */
  totalLoss?: tf.Scalar;
}

export class BertForPreTraining {
  readonly config: BertConfig;
  readonly store: ParamStore;
  readonly bert: BertModel;
  readonly mlm: MlmHead;
  readonly nsp: NspHead;

  constructor(config: BertConfig, options: Omit<ModelOptions, "prefix" | "store"> = {}) {
    this.store = new ParamStore(options.seed ?? 0);
    this.bert = new BertModel(config, { ...options, prefix: "bert.", store: this.store });
    this.config = this.bert.config;
    this.mlm = new MlmHead(this.store, this.config, this.bert.embeddings.word);
    this.nsp = new NspHead(this.store, this.config);
  }

  forward(input: PretrainingInput, options: PretrainingOptions = {}): PretrainingOutput {
    const t = prepareInputs(input, this.config);
    const [B, T] = t.inputIds.shape;
    const labelled = input.maskedLmLabels ? labelledPositions(input.maskedLmLabels, B, T, this.config.vocabSize) : null;
    const nspLabels = input.nextSentenceLabel ? nextSentenceLabels(input.nextSentenceLabel, B) : null;
    try {
      return tidyObject(() => {
        const base = this.bert.forwardTensors(t.inputIds, t.tokenTypeIds, t.attentionMask, options);
        const out: PretrainingOutput = { ...base, nspLogits: this.nsp.apply(base.pooledOutput) };
        const H = this.config.hiddenSize;
        if (options.allMlmLogits ?? true) out.mlmLogits = this.mlm.apply(base.lastHiddenState) as tf.Tensor3D;
        if (labelled && labelled.positions.length > 0) {
          const at = tf.tensor1d(labelled.positions, "int32");
          const logits = out.mlmLogits
            ? (tf.gather(tf.reshape(out.mlmLogits, [B * T, this.config.vocabSize]), at) as tf.Tensor2D) // [M, V]
            : (this.mlm.apply(tf.gather(tf.reshape(base.lastHiddenState, [B * T, H]), at)) as tf.Tensor2D);
          out.mlmLoss = sparseSoftmaxCrossEntropy(logits, labelled.labels);
        } else if (labelled) {
          out.mlmLoss = tf.scalar(0); // nothing masked in this batch
        }
        if (nspLabels) out.nspLoss = sparseSoftmaxCrossEntropy(out.nspLogits, nspLabels);
        if (out.mlmLoss && out.nspLoss) out.totalLoss = tf.add(out.mlmLoss, out.nspLoss) as tf.Scalar;
        else out.totalLoss = out.mlmLoss ?? out.nspLoss;
        return out;
      });
    } finally {
      tf.dispose([t.inputIds, t.tokenTypeIds, t.attentionMask]);
    }
  }

  /** The training loss (MLM logits only where labelled), for tf.variableGrads. */
  loss(input: PretrainingInput, options: ForwardOptions = {}): tf.Scalar {
    return tf.tidy(() => {
      const out = this.forward(input, { ...options, allMlmLogits: false });
      if (!out.totalLoss) throw new BertLabError("NO_LABELS", "loss() needs maskedLmLabels and/or nextSentenceLabel");
      return out.totalLoss;
    });
  }

  countParams(): { model: number; pretraining: number } {
    return countParams(this.config);
  }

  /**
   * Loads an HF folder (config.json, model.safetensors): BertForPreTraining checkpoints,
   * or a bare BertModel's (then the heads are initialised, and you are told so).
   *
   * @example
   *   const { model, report, vocabPath } = BertForPreTraining.fromPretrained("checkpoints/tiny");
   */
  static fromPretrained(dir: string, options: FromPretrainedOptions = {}): { model: BertForPreTraining; report: LoadReport; vocabPath: string | null } {
    return modelFromFolder(dir, (config) => new BertForPreTraining(config, { seed: options.seed }), options);
  }

  /** A config.json and a .safetensors file given separately (e.g. `bert-lab forward`). */
  static fromFiles(configPath: string, weightsPath: string, options: FromPretrainedOptions = {}): { model: BertForPreTraining; report: LoadReport } {
    const model = new BertForPreTraining(readConfig(configPath), { seed: options.seed });
    try {
      const tensors = readSafetensors(weightsPath).tensors as Map<string, HostTensor>;
      return { model, report: loadStateDict(model.store, tensors, weightsPath) };
    } catch (e) {
      model.dispose();
      throw e;
    }
  }

  /** Writes an HF folder that transformers' BertForPreTraining.from_pretrained loads as it is. */
  savePretrained(dir: string, options: { vocabText?: string } = {}): void {
    savePretrainedFolder(dir, this.store, this.config, { architecture: "BertForPreTraining", ...options });
  }

  dispose(): void {
    this.store.dispose();
  }

  /** Shows the per-module parameter table in a notebook (show(model), Deno). */
  [DISPLAY]() { return modelSummary(this)[DISPLAY](); }
}

function labelledPositions(labels: IntMatrix, B: number, T: number, V: number): { positions: Int32Array; labels: Int32Array } {
  const rows = labels instanceof tf.Tensor ? (labels.arraySync() as number[][]) : (labels as number[][]);
  if (rows.length !== B || rows.some((r) => r.length !== T)) {
    throw new BertLabError("BAD_INPUT", `maskedLmLabels must have the shape of inputIds [${B}][${T}]`);
  }
  const positions: number[] = [];
  const ys: number[] = [];
  rows.forEach((r, b) =>
    r.forEach((y, t) => {
      if (y === IGNORE_INDEX) return;
      if (!Number.isInteger(y) || y < 0 || y >= V) {
        throw new BertLabError("BAD_INPUT", `maskedLmLabels[${b}][${t}] = ${y} is neither −100 nor a token id (0..${V - 1})`);
      }
      positions.push(b * T + t);
      ys.push(y);
    }),
  );
  return { positions: Int32Array.from(positions), labels: Int32Array.from(ys) };
}

function nextSentenceLabels(labels: readonly number[] | tf.Tensor1D, B: number): Int32Array {
  const ys = labels instanceof tf.Tensor ? Array.from(labels.dataSync()) : Array.from(labels);
  if (ys.length !== B || ys.some((y) => y !== 0 && y !== 1)) {
    throw new BertLabError("BAD_INPUT", `nextSentenceLabel must be ${B} values of 0 (IsNext) or 1 (NotNext), got ${JSON.stringify(ys)}`);
  }
  return Int32Array.from(ys);
}
