/**
 * BertModel: embeddings, the encoder stack and the pooler (HF names without the `bert.`
 * prefix; BertForPreTraining and the task models use it with the prefix).
 * Legend: B batch, T tokens, H hidden, A heads, L layers.
 *
 * @example
 *   const model = new BertModel(bertConfig("tiny"), { seed: 1 });
 *   const out = model.forward({ inputIds: [[101, 7592, 102]] }, { outputAttentions: true });
 *   console.log(out.lastHiddenState.shape, out.attentions.length); // prints: [ 1, 3, 128 ] 2
 *   disposeOutput(out);
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../util/rng";
import type { RandomSource } from "../util/random-source";
import { additiveMask } from "./attention";
import { BertConfig, countParams, validateConfig } from "./config";
import { Dense } from "./dense";
import { RunContext } from "./dropout";
import { Embeddings } from "./embeddings";
import { EncoderLayer } from "./encoder-layer";
import { BertInput, prepareInputs } from "./inputs";
import { ParamStore } from "./params";
import { FromPretrainedOptions, modelFromFolder, savePretrainedFolder } from "./weights/pretrained";
import type { LoadReport } from "./weights/state-dict";
import { DISPLAY } from "../display/mime";
import { modelSummary } from "../display/model-summary";

export interface ForwardOptions {
  /** dropout on; default false (eval mode) */
  training?: boolean;
  /** return every layer's attention probabilities [B, A, T, T] */
  outputAttentions?: boolean;
  /** return every hidden state [B, T, H], the embedding output first */
  outputHiddenStates?: boolean;
  /** left-to-right attention (the LTR ablation): each token sees only those before it (default: the config's isDecoder) */
  causal?: boolean;
  /** dropout seeds; default the model's own generator */
  rng?: RandomSource;
}

/** What BertModel.forward returns; the caller owns the tensors (disposeOutput frees them). */
export interface BertModelOutput {
  lastHiddenState: tf.Tensor3D; // [B, T, H]
  pooledOutput: tf.Tensor2D; // [B, H]
  hiddenStates: tf.Tensor3D[]; // L + 1 of [B, T, H] when asked, else empty
  attentions: tf.Tensor4D[]; // L of [B, A, T, T] when asked, else empty
}

export interface ModelOptions {
  /** seed of the initial weights (truncated normal, σ = initializerRange) */
  seed?: number;
  /** "bert." inside BertForPreTraining and task models, "" for a bare BertModel */
  prefix?: string;
  /** share parameters with a wrapping model */
  store?: ParamStore;
}

export class BertModel {
  readonly config: BertConfig;
  readonly store: ParamStore;
  readonly embeddings: Embeddings;
  readonly layers: EncoderLayer[];
  readonly pooler: Dense;
  private readonly rng: Rng;

  constructor(config: BertConfig, options: ModelOptions = {}) {
    this.config = validateConfig({ ...config });
    const prefix = options.prefix ?? "";
    this.store = options.store ?? new ParamStore(options.seed ?? 0);
    this.rng = new Rng((options.seed ?? 0) + 1);
    this.embeddings = new Embeddings(this.store, prefix, this.config);
    this.layers = [];
    for (let l = 0; l < this.config.numHiddenLayers; l++) {
      this.layers.push(new EncoderLayer(this.store, `${prefix}encoder.layer.${l}.`, this.config));
    }
    const H = this.config.hiddenSize;
    this.pooler = new Dense(this.store, `${prefix}pooler.dense`, H, H, this.config.initializerRange);
  }

  forward(input: BertInput, options: ForwardOptions = {}): BertModelOutput {
    const t = prepareInputs(input, this.config);
    try {
      return this.forwardTensors(t.inputIds, t.tokenTypeIds, t.attentionMask, options);
    } finally {
      tf.dispose([t.inputIds, t.tokenTypeIds, t.attentionMask]);
    }
  }

  /** forward on int32 tensors [B, T] (no checks: for training loops that prepared them). */
  forwardTensors(inputIds: tf.Tensor2D, tokenTypeIds: tf.Tensor2D, attentionMask: tf.Tensor2D, options: ForwardOptions = {}): BertModelOutput {
    const ctx: RunContext = { training: options.training ?? false, rng: options.rng ?? this.rng };
    const causal = options.causal ?? this.config.isDecoder ?? false;
    return tf.tidy(() => {
      const mask = additiveMask(attentionMask, causal); // [B, 1, T|1, T]
      let h = this.embeddings.apply(inputIds, tokenTypeIds, ctx); // [B, T, H]
      const hiddenStates: tf.Tensor3D[] = options.outputHiddenStates ? [h] : [];
      const attentions: tf.Tensor4D[] = [];
      for (const layer of this.layers) {
        const r = layer.apply(h, mask, ctx);
        h = r.output;
        if (options.outputHiddenStates) hiddenStates.push(h);
        if (options.outputAttentions) attentions.push(r.probs);
      }
      const pooledOutput = tf.tanh(this.pooler.apply(causal ? lastToken(h, attentionMask) : firstToken(h))) as tf.Tensor2D;
      return { lastHiddenState: h, pooledOutput, hiddenStates, attentions };
    });
  }

  /** Parameter counts: this model's variables, and what the config implies. */
  countParams(): { model: number; pretraining: number } {
    return countParams(this.config);
  }

  /** Loads an HF folder into a bare BertModel (heads in the checkpoint are ignored, and listed). */
  static fromPretrained(dir: string, options: FromPretrainedOptions = {}): { model: BertModel; report: LoadReport; vocabPath: string | null } {
    return modelFromFolder(dir, (config) => new BertModel(config, { seed: options.seed }), options);
  }

  /** Writes an HF folder of a bare BertModel (names without the `bert.` prefix). */
  savePretrained(dir: string, options: { vocabText?: string } = {}): void {
    savePretrainedFolder(dir, this.store, this.config, { architecture: "BertModel", ...options });
  }

  dispose(): void {
    this.store.dispose();
  }

  /** Shows the per-module parameter table in a notebook (show(model), Deno). */
  [DISPLAY]() { return modelSummary(this)[DISPLAY](); }
}

/** [B, T, H] → [B, H]: the [CLS] token, which BERT pools. */
function firstToken(h: tf.Tensor3D): tf.Tensor2D {
  return tf.squeeze(tf.slice(h, [0, 0, 0], [-1, 1, -1]), [1]) as tf.Tensor2D;
}

/**
 * [B, T, H] → [B, H]: each row's last unpadded token (its final [SEP]). A left-to-right
 * model's [CLS] sees only itself, so it pools the one token that has seen the whole input,
 * as OpenAI GPT classifies from its last token (Radford et al. 2018, §3.2).
 */
function lastToken(h: tf.Tensor3D, attentionMask: tf.Tensor2D): tf.Tensor2D {
  const T = h.shape[1];
  const last = tf.sub(tf.sum(tf.cast(attentionMask, "int32"), 1), tf.scalar(1, "int32")); // [B]
  const pick = tf.oneHot(last, T); // [B, T]
  return tf.sum(tf.mul(h, tf.expandDims(tf.cast(pick, "float32"), 2)), 1) as tf.Tensor2D;
}

/** Disposes every tensor in a forward pass's output. */
export function disposeOutput(output: object): void {
  tf.dispose(output as tf.TensorContainer);
}
