/**
 * The task model of the feature-based approach (paper §5.3: a BiLSTM before the
 * classification layer, trained on frozen BERT features): ELMo's scalar mix (Peters et al.
 * 2018) for "weighted" features, stacked BiLSTM layers (gates as PyTorch's nn.LSTM) and a
 * linear classifier — or the classifier alone — with its settings, and saving and loading
 * (tagger.safetensors, tagger.json).
 * Legend: B batch, W words (padded), S stored states per word, F feature size, h LSTM units
 * per direction, K labels.
 *
 * @example
 *   const tagger = loadFeatureTagger("runs/wnut-fb/best");
 *   tagger.settings.layers; // e.g. "concat:-1,-2,-3,-4"
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { addBiLstm, biLstm, glorot } from "../model/bilstm";
import { ParamStore } from "../model/params";
import { readSafetensors, writeSafetensors } from "../model/weights/safetensors";
import { writeFileAtomic } from "../util/atomic-write";
import { BertLabError } from "../util/errors";

export type TaggerKind = "bilstm" | "linear";
export const TAGGER_KINDS: readonly TaggerKind[] = ["bilstm", "linear"];

/** What a tagger is; tagger.json holds it. */
export interface TaggerSettings {
  tagger: TaggerKind;
  /** the layer choice, canonical text */
  layers: string;
  /** S and F of its input features */
  slices: number;
  featureSize: number;
  /** LSTM units per direction and stacked BiLSTM layers (0 for "linear") */
  hiddenSize: number;
  lstmLayers: number;
  labels: string[];
}

const TAGGER_FORMAT = "bert-lab-feature-tagger";

/**
 * The task model on frozen features: the scalar mix (for "weighted"), then a BiLSTM (gates
 * i, f, g, o as PyTorch's nn.LSTM; kernels [in, out] so x·W needs no transpose) and a linear
 * classifier, or the classifier alone. Parameters, HF-style names:
 * `scalar_mix.{weights,gamma}`, `lstm.N.{forward,backward}.{weight_ih,weight_hh,bias}`,
 * `classifier.{weight,bias}`.
 *
 * @example
 *   const tagger = new FeatureTagger({ tagger: "bilstm", layers: "-1", slices: 1, featureSize: 128, hiddenSize: 64, lstmLayers: 1, labels: ["O", "B-X"] }, 1);
 *   tagger.logits(x, mask).shape; // [B, W, 2]
 */
export class FeatureTagger {
  readonly store: ParamStore;
  readonly settings: TaggerSettings;

  constructor(settings: TaggerSettings, seed = 0) {
    const s = checkSettings(settings);
    this.settings = s;
    this.store = new ParamStore(seed);
    const rng = this.store.rng;
    if (s.slices > 1) {
      this.store.add("scalar_mix.weights", [s.slices], new Float32Array(s.slices)); // softmax → equal weights at first
      this.store.add("scalar_mix.gamma", [1], new Float32Array([1]));
    }
    let inSize = s.featureSize;
    if (s.tagger === "bilstm") {
      for (let l = 0; l < s.lstmLayers; l++) {
        addBiLstm(this.store, `lstm.${l}`, inSize, s.hiddenSize);
        inSize = 2 * s.hiddenSize;
      }
    }
    const K = s.labels.length;
    this.store.add("classifier.weight", [inSize, K], glorot(rng, inSize, K, inSize * K));
    this.store.add("classifier.bias", [K], new Float32Array(K));
  }

  /** x [B, W, S, F] → [B, W, F]: γ · Σ_s softmax(w)_s · x_s for "weighted" (ELMo, Peters et al. 2018, eq. 1), else the one state. */
  mix(x: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, W, S, F] = x.shape;
      if (S === 1) return tf.reshape(x, [B, W, F]) as tf.Tensor3D;
      const weights = tf.reshape(tf.softmax(this.store.get("scalar_mix.weights")), [1, 1, S, 1]);
      return tf.mul(tf.sum(tf.mul(x, weights), 2), this.store.get("scalar_mix.gamma")) as tf.Tensor3D; // [B, W, F]
    });
  }

  /** The BiLSTM's outputs [B, W, 2h], forward and backward side by side; a masked word (mask 0) is skipped and outputs zeros. */
  encode(x: tf.Tensor3D, mask: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      let h: tf.Tensor3D = x;
      for (let l = 0; l < this.settings.lstmLayers; l++) h = biLstm(this.store, `lstm.${l}`, h, mask).outputs; // [B, W, 2h]
      return h;
    });
  }

  /** features [B, W, S, F] and the word mask [B, W] → logits [B, W, K] (the caller disposes). */
  logits(x: tf.Tensor4D, mask: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, W] = mask.shape;
      let h: tf.Tensor3D = this.mix(x);
      if (this.settings.tagger === "bilstm") h = this.encode(h, mask);
      const w = this.store.get("classifier.weight"); // [I, K]
      const y = tf.add(tf.matMul(tf.reshape(h, [B * W, w.shape[0]]), w), this.store.get("classifier.bias")); // [B·W, K]
      return tf.reshape(y, [B, W, this.settings.labels.length]) as tf.Tensor3D;
    });
  }

  /** Writes tagger.safetensors (these names and layouts) and tagger.json (the settings, and `extra`). */
  save(dir: string, extra: Record<string, unknown> = {}): void {
    fs.mkdirSync(dir, { recursive: true });
    const tensors = new Map([...this.store.vars].map(([name, v]) => [name, { shape: v.shape, data: Float32Array.from(v.dataSync() as Float32Array) }]));
    writeSafetensors(path.join(dir, "tagger.safetensors"), tensors, { format: TAGGER_FORMAT });
    const json = { format: TAGGER_FORMAT, version: 1, ...this.settings, ...extra, layout: "kernels [in, out] (x·W); LSTM gates i, f, g, o" };
    writeFileAtomic(path.join(dir, "tagger.json"), JSON.stringify(json, null, 2) + "\n");
  }

  /** Loads weights written by save(); the folder's settings must be these. */
  loadWeights(dir: string): void {
    const saved = readTaggerSettings(dir);
    const differs = (Object.keys(this.settings) as (keyof TaggerSettings)[]).filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(this.settings[k]));
    if (differs.length > 0) {
      const what = differs.map((k) => `${k}: ${JSON.stringify(saved[k])} there, ${JSON.stringify(this.settings[k])} here`).join("; ");
      throw new BertLabError("TAGGER_MISMATCH", `the tagger in ${dir} was made for other settings (${what}) — load it with the settings it was trained with`);
    }
    const file = path.join(dir, "tagger.safetensors");
    const tensors = readSafetensors(file).tensors;
    for (const [name, v] of this.store.vars) {
      const t = tensors.get(name);
      if (!t || t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
        throw new BertLabError("BAD_TAGGER", `${file}: ${t ? `${name} is [${t.shape}], expected [${v.shape}]` : `no tensor ${name}`} — the file does not fit tagger.json`);
      }
    }
    for (const [name, v] of this.store.vars) {
      const value = tf.tensor(tensors.get(name)!.data, v.shape, "float32");
      v.assign(value);
      value.dispose(); // the variable keeps its own copy
    }
  }

  dispose(): void {
    this.store.dispose();
  }
}

function checkSettings(s: TaggerSettings): TaggerSettings {
  const bad = (what: string) => new BertLabError("BAD_OPTION", `tagger: ${what}`);
  if (!TAGGER_KINDS.includes(s.tagger)) throw bad(`unknown tagger "${s.tagger}" — choose ${TAGGER_KINDS.join(" or ")}`);
  const positive = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw bad(`${name} must be an integer ≥ 1, got ${v}`);
  };
  positive("slices", s.slices);
  positive("featureSize", s.featureSize);
  if (s.tagger === "bilstm") {
    positive("hiddenSize", s.hiddenSize);
    positive("lstmLayers", s.lstmLayers);
  }
  if (!Array.isArray(s.labels) || s.labels.length < 1 || !s.labels.every((l) => typeof l === "string")) throw bad("labels must be a non-empty list of tag names");
  if (typeof s.layers !== "string") throw bad("layers must be a layer choice's text");
  const lstm = s.tagger === "bilstm";
  return { ...s, hiddenSize: lstm ? s.hiddenSize : 0, lstmLayers: lstm ? s.lstmLayers : 0, labels: [...s.labels] };
}

/** The settings in a tagger folder's tagger.json. */
export function readTaggerSettings(dir: string): TaggerSettings {
  const file = path.join(dir, "tagger.json");
  if (!fs.existsSync(file)) throw new BertLabError("MODEL_NOT_FOUND", `no tagger.json in ${dir} — pass a folder written by a feature-based task (its best/ or a checkpoint)`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new BertLabError("BAD_TAGGER", `cannot read ${file}: ${(e as Error).message}`);
  }
  if (json.format !== TAGGER_FORMAT) throw new BertLabError("BAD_TAGGER", `${file} is not a bert-lab feature tagger (format ${JSON.stringify(json.format)})`);
  const { tagger, layers, slices, featureSize, hiddenSize, lstmLayers, labels } = json as unknown as TaggerSettings;
  return { tagger, layers, slices, featureSize, hiddenSize, lstmLayers, labels };
}

/** A tagger from a folder written by save() (or a feature-based task's saveModel). */
export function loadFeatureTagger(dir: string): FeatureTagger {
  const tagger = new FeatureTagger(readTaggerSettings(dir));
  try {
    tagger.loadWeights(dir);
  } catch (e) {
    tagger.dispose();
    throw e;
  }
  return tagger;
}
