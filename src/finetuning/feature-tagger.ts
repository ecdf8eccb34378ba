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

/** Glorot & Bengio (2010) uniform: ±√(6 / (in + out)). */
function glorot(rng: ParamStore["rng"], inSize: number, outSize: number, count: number): Float32Array {
  const limit = Math.sqrt(6 / (inSize + outSize));
  return Float32Array.from({ length: count }, () => (2 * rng.random() - 1) * limit);
}

/** An [n, n] orthogonal matrix (Saxe et al. 2014): Gram–Schmidt on Gaussian columns. */
function orthogonal(rng: ParamStore["rng"], n: number): Float64Array {
  const q = new Float64Array(n * n); // column j at q[r·n + j]
  for (let j = 0; j < n; j++) {
    for (;;) {
      const v = Float64Array.from({ length: n }, () => rng.normal());
      for (let i = 0; i < j; i++) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += q[r * n + i] * v[r];
        for (let r = 0; r < n; r++) v[r] -= dot * q[r * n + i];
      }
      const norm = Math.hypot(...v);
      if (norm < 1e-6) continue; // (almost) dependent: draw again
      for (let r = 0; r < n; r++) q[r * n + j] = v[r] / norm;
      break;
    }
  }
  return q;
}

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
      const h = s.hiddenSize;
      for (let l = 0; l < s.lstmLayers; l++) {
        for (const dir of ["forward", "backward"]) {
          const name = `lstm.${l}.${dir}`;
          // each gate's block initialised on its own, as Keras' LSTM does
          const wih = new Float32Array(inSize * 4 * h);
          const whh = new Float32Array(h * 4 * h);
          for (let g = 0; g < 4; g++) {
            const a = glorot(rng, inSize, h, inSize * h);
            for (let r = 0; r < inSize; r++) for (let c = 0; c < h; c++) wih[r * 4 * h + g * h + c] = a[r * h + c];
            const q = orthogonal(rng, h);
            for (let r = 0; r < h; r++) for (let c = 0; c < h; c++) whh[r * 4 * h + g * h + c] = q[r * h + c];
          }
          const bias = new Float32Array(4 * h).fill(1, h, 2 * h); // forget gate 1 (Jozefowicz et al. 2015)
          this.store.add(`${name}.weight_ih`, [inSize, 4 * h], wih);
          this.store.add(`${name}.weight_hh`, [h, 4 * h], whh);
          this.store.add(`${name}.bias`, [4 * h], bias);
        }
        inSize = 2 * h;
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
      const [B, W] = mask.shape;
      const m = tf.reshape(tf.cast(mask, "float32"), [B, W, 1]);
      const keep = tf.unstack(m, 1); // W of [B, 1]
      const hold = tf.unstack(tf.sub(1, m), 1);
      let h: tf.Tensor3D = x;
      for (let l = 0; l < this.settings.lstmLayers; l++) {
        h = tf.concat([this.direction(h, keep, hold, `lstm.${l}.forward`, false), this.direction(h, keep, hold, `lstm.${l}.backward`, true)], 2); // [B, W, 2h]
      }
      return h;
    });
  }

  /** One direction of one layer: x [B, W, I] → [B, W, h]. */
  private direction(x: tf.Tensor3D, keep: tf.Tensor[], hold: tf.Tensor[], name: string, reverse: boolean): tf.Tensor3D {
    const [B, W, I] = x.shape;
    const h = this.settings.hiddenSize;
    const whh = this.store.get(`${name}.weight_hh`); // [h, 4h]
    // the input's share of every gate, for all steps in one product
    const fromInput = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [B * W, I]), this.store.get(`${name}.weight_ih`)), this.store.get(`${name}.bias`)), [B, W, 4 * h]);
    const steps = tf.unstack(fromInput, 1); // W of [B, 4h]
    let hPrev: tf.Tensor = tf.zeros([B, h]);
    let cPrev: tf.Tensor = tf.zeros([B, h]);
    const outputs: tf.Tensor[] = new Array(W);
    for (let k = 0; k < W; k++) {
      const t = reverse ? W - 1 - k : k;
      const [i, f, g, o] = tf.split(tf.add(steps[t], tf.matMul(hPrev, whh)), 4, 1); // each [B, h]: the gates from one product
      const c = tf.add(tf.mul(tf.sigmoid(f), cPrev), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      const hNew = tf.mul(tf.sigmoid(o), tf.tanh(c));
      // a masked step keeps the state as it was: m·new + (1−m)·old is exact for m ∈ {0, 1}
      cPrev = tf.add(tf.mul(keep[t], c), tf.mul(hold[t], cPrev));
      hPrev = tf.add(tf.mul(keep[t], hNew), tf.mul(hold[t], hPrev));
      outputs[t] = tf.mul(keep[t], hNew);
    }
    return tf.stack(outputs, 1) as tf.Tensor3D; // [B, W, h]
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
