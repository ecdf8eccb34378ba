/**
 * The named scales an experiment runs at: the model size, the pre-training budget and data, the
 * fine-tuning recipe and the number of seeds — fixed by the scale so that every variant of a
 * table gets the same data and compute, and overridable one field at a time.
 *
 *   micro  seconds: the tests' end-to-end check that a recipe runs (numbers mean nothing)
 *   tiny   CPU, minutes per run: BERT-tiny (2 layers, 128 hidden) on 64-token sequences
 *   mini   CPU hours or a GPU: BERT-mini (4 layers, 256 hidden) on 128-token sequences
 *   small  a GPU: BERT-small (4 layers, 512 hidden), longer pre-training, full task data
 *
 * The paper's own setting (BERT-Base, 1M steps of 256 × 512 tokens) is far beyond all of them;
 * see each table's note for what that means for reading the results.
 *
 * @example
 *   const s = resolveScale("tiny", { seeds: 5, pretrainSteps: 2000 });
 *   s.pretrain.steps; // 2000
 */
import type { PresetName } from "../model/config";
import { BertLabError } from "../util/errors";

export const SCALE_NAMES = ["micro", "tiny", "mini", "small"] as const;
export type ScaleName = (typeof SCALE_NAMES)[number];

export interface Scale {
  name: ScaleName;
  summary: string;
  /** the model preset */
  model: PresetName;
  /** WordPiece vocabulary trained on the pre-training corpus */
  vocabSize: number;
  /** at most this many bytes of the corpus are read to train the vocabulary */
  vocabBytes: number;
  pretrain: { steps: number; batchSize: number; maxSeqLength: number; learningRate: number; warmupSteps: number };
  finetune: { epochs: number; learningRate: number; batchSize: number; maxSeqLength: number; maxTrainExamples: number | null; maxDevExamples: number | null };
  /** SQuAD's windows (question + passage): run_squad.py's 384 / 64 / 128 scaled down */
  squad: { maxSeqLength: number; maxQueryLength: number; docStride: number };
  /** the feature-based approach's tagger (paper: two 768-unit BiLSTM layers) */
  featureBased: { epochs: number; learningRate: number; hiddenSize: number; lstmLayers: number };
  /** units per direction of Table 5's "+ BiLSTM" head */
  bilstmUnits: number;
  /** seeds per cell */
  seeds: number;
  /** Figure 5: checkpoints along pre-training that are fine-tuned (evenly spaced, the last at the end) */
  figure5Points: number;
}

export const SCALES: Readonly<Record<ScaleName, Scale>> = {
  micro: {
    name: "micro",
    summary: "seconds — checks that a recipe runs end to end; its numbers mean nothing",
    model: "tiny",
    vocabSize: 600,
    vocabBytes: 400_000,
    pretrain: { steps: 4, batchSize: 4, maxSeqLength: 24, learningRate: 1e-3, warmupSteps: 1 },
    finetune: { epochs: 1, learningRate: 3e-4, batchSize: 8, maxSeqLength: 24, maxTrainExamples: 16, maxDevExamples: 16 },
    squad: { maxSeqLength: 48, maxQueryLength: 16, docStride: 16 },
    featureBased: { epochs: 1, learningRate: 1e-3, hiddenSize: 8, lstmLayers: 1 },
    bilstmUnits: 8,
    seeds: 1,
    figure5Points: 2,
  },
  tiny: {
    name: "tiny",
    summary: "CPU, minutes per run — BERT-tiny (2 × 128), 64-token sequences, a few thousand examples per task",
    model: "tiny",
    vocabSize: 4000,
    vocabBytes: 20_000_000,
    // measured here (WordNet-4, 1,500 examples): pre-training at lr 1e-3 collapses to the unigram
    // guess and fine-tunes worse than random weights (38 % vs 42 %); 3e-4 for 800 steps gives 65 %;
    // fine-tuning at 3e-4 lets random weights catch up (79 %), 1e-4 shows what pre-training taught
    pretrain: { steps: 600, batchSize: 32, maxSeqLength: 64, learningRate: 3e-4, warmupSteps: 60 },
    finetune: { epochs: 2, learningRate: 1e-4, batchSize: 32, maxSeqLength: 64, maxTrainExamples: 2000, maxDevExamples: 500 },
    squad: { maxSeqLength: 128, maxQueryLength: 32, docStride: 64 },
    featureBased: { epochs: 3, learningRate: 1e-3, hiddenSize: 64, lstmLayers: 1 },
    bilstmUnits: 64,
    seeds: 3,
    figure5Points: 4,
  },
  mini: {
    name: "mini",
    summary: "CPU hours or a GPU — BERT-mini (4 × 256), 128-token sequences, up to 20,000 examples per task",
    model: "mini",
    vocabSize: 8000,
    vocabBytes: 50_000_000,
    pretrain: { steps: 10_000, batchSize: 64, maxSeqLength: 128, learningRate: 5e-4, warmupSteps: 1000 },
    finetune: { epochs: 3, learningRate: 1e-4, batchSize: 32, maxSeqLength: 128, maxTrainExamples: 20_000, maxDevExamples: 2000 },
    squad: { maxSeqLength: 256, maxQueryLength: 64, docStride: 128 },
    featureBased: { epochs: 3, learningRate: 1e-3, hiddenSize: 128, lstmLayers: 1 },
    bilstmUnits: 128,
    seeds: 3,
    figure5Points: 5,
  },
  small: {
    name: "small",
    summary: "a GPU — BERT-small (4 × 512), 128-token sequences, 100,000 pre-training steps, every training example",
    model: "small",
    vocabSize: 16_000,
    vocabBytes: 200_000_000,
    pretrain: { steps: 100_000, batchSize: 128, maxSeqLength: 128, learningRate: 2e-4, warmupSteps: 10_000 },
    finetune: { epochs: 3, learningRate: 5e-5, batchSize: 32, maxSeqLength: 128, maxTrainExamples: null, maxDevExamples: null },
    squad: { maxSeqLength: 384, maxQueryLength: 64, docStride: 128 },
    featureBased: { epochs: 4, learningRate: 1e-3, hiddenSize: 256, lstmLayers: 2 },
    bilstmUnits: 256,
    seeds: 3,
    figure5Points: 5,
  },
};

/** What a user may override, one field each (the CLI's options). */
export interface ScaleOverrides {
  seeds?: number;
  pretrainSteps?: number;
  pretrainBatchSize?: number;
  pretrainLearningRate?: number;
  maxSeqLength?: number;
  finetuneEpochs?: number;
  finetuneLearningRate?: number;
  maxTrainExamples?: number | null;
  maxDevExamples?: number | null;
}

/** The scale with the overrides applied, each checked. */
export function resolveScale(name: string, overrides: ScaleOverrides = {}): Scale {
  if (!(SCALE_NAMES as readonly string[]).includes(name)) {
    throw new BertLabError("UNKNOWN_SCALE", `unknown scale "${name}" — choose one of ${SCALE_NAMES.join(", ")} (${SCALE_NAMES.map((n) => `${n}: ${SCALES[n].summary}`).join("; ")})`);
  }
  const base = SCALES[name as ScaleName];
  const int = (what: string, v: number | undefined, min: number, fallback: number): number => {
    if (v === undefined) return fallback;
    if (!Number.isInteger(v) || v < min) throw new BertLabError("BAD_OPTION", `${what} must be an integer ≥ ${min}, got ${v}`);
    return v;
  };
  const positive = (what: string, v: number | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    if (!(typeof v === "number" && v > 0 && Number.isFinite(v))) throw new BertLabError("BAD_OPTION", `${what} must be a positive number, got ${v}`);
    return v;
  };
  const limit = (what: string, v: number | null | undefined, fallback: number | null): number | null => (v === undefined ? fallback : v === null ? null : int(what, v, 1, 0));
  const steps = int("pretrain steps", overrides.pretrainSteps, 1, base.pretrain.steps);
  const maxSeqLength = int("max sequence length", overrides.maxSeqLength, 8, base.pretrain.maxSeqLength);
  return {
    ...base,
    pretrain: {
      steps,
      batchSize: int("pretrain batch size", overrides.pretrainBatchSize, 1, base.pretrain.batchSize),
      maxSeqLength,
      learningRate: positive("pretrain learning rate", overrides.pretrainLearningRate, base.pretrain.learningRate),
      // warmup keeps its share of the steps when the steps change
      warmupSteps: overrides.pretrainSteps === undefined ? base.pretrain.warmupSteps : Math.round((steps * base.pretrain.warmupSteps) / base.pretrain.steps),
    },
    finetune: {
      ...base.finetune,
      maxSeqLength,
      epochs: int("fine-tuning epochs", overrides.finetuneEpochs, 1, base.finetune.epochs),
      learningRate: positive("fine-tuning learning rate", overrides.finetuneLearningRate, base.finetune.learningRate),
      maxTrainExamples: limit("max train examples", overrides.maxTrainExamples, base.finetune.maxTrainExamples),
      maxDevExamples: limit("max dev examples", overrides.maxDevExamples, base.finetune.maxDevExamples),
    },
    seeds: int("seeds", overrides.seeds, 1, base.seeds),
  };
}
