/**
 * The feature-based approach for NER (paper §5.3, Table 7): BERT stays frozen; the hidden
 * states at each word's first piece are extracted once, and a small tagger is trained on
 * them — a BiLSTM before a linear classifier, as the paper, or a linear classifier alone.
 * Legend: N sentences, B batch, W words (padded), T tokens, H hidden, L encoder layers,
 * S stored states per word (L + 1 for "weighted", else 1), F feature size (H, or k·H for a
 * concatenation of k layers), h LSTM units per direction, K labels, M labelled words.
 *
 * @example
 *   const task = featureBasedTask(bert, tokenizer, train, dev, { labels, layers: "concat-last-4", tagger: "bilstm", batchSize: 32, maxSeqLength: 128 });
 *   await train(task, { steps: 3 * task.stepsPerEpoch, learningRate: 1e-3 });
 *   task.evaluate!(); // { f1: …, precision: …, recall: } on dev, as fine-tuning reports it
 *
 * One file for the layer choices, the extraction, the tagger, the task and its end-to-end run,
 * so that the whole approach reads in one place (it is longer than the house's ~300 lines).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { ensureBackend } from "../backend/select";
import { BertModel } from "../model/bert-model";
import { BertConfig, bertConfig, PresetName, PRESETS } from "../model/config";
import { sparseSoftmaxCrossEntropy } from "../model/losses";
import { ParamStore } from "../model/params";
import { modelFromFolder } from "../model/weights/pretrained";
import { readSafetensors, writeSafetensors } from "../model/weights/safetensors";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { BERT_NO_DECAY } from "../training/adamw";
import { TrainResult, TrainTask } from "../training/trainer";
import { writeFileAtomic } from "../util/atomic-write";
import { writeFolderAtomic } from "../util/atomic-folder";
import { BertLabError } from "../util/errors";
import { EpochBatches, EpochBatchesState } from "./epoch-batches";
import { trainAndFree } from "./finetune-common";
import { FinetuneOptions, FinetuneResult, loadNerTask, TOKEN_TASKS, TokenTaskName } from "./finetune";
import { seqevalScores } from "./metrics";
import { encodeTagged, TaggedSentence } from "./token-classification";

// ───────────────────────────────────────── layer choices ─────────────────────────────────────────

/** A layer as extract_features.py's --layers names it: Python-style into the L encoder layers, or the embedding output. */
export type LayerIndex = number | "embeddings";

/** Which hidden states become a word's features (Table 7's rows). */
export type LayerChoice =
  | { kind: "single"; layer: LayerIndex }
  | { kind: "sum"; layers: LayerIndex[] }
  | { kind: "concat"; layers: LayerIndex[] }
  /** all L + 1 states (embeddings included), mixed by learned softmax weights × γ (ELMo's scalar mix) */
  | { kind: "weighted" };

/** Table 7's row names, as aliases. */
const ALIASES: Record<string, string> = {
  last: "-1",
  "second-to-last": "-2",
  "sum-last-4": "sum:-1,-2,-3,-4",
  "concat-last-4": "concat:-1,-2,-3,-4",
  "weighted-all": "weighted",
};

export const LAYER_CHOICE_FORMS =
  '"embeddings", a layer such as "-1" or "-2" (Python-style into the encoder layers), "sum:-1,-2,-3,-4", "concat:-1,-2,-3,-4", "weighted", ' +
  'or Table 7\'s names "last", "second-to-last", "sum-last-4", "concat-last-4", "weighted-all"';

/**
 * The feature-based rows of Table 7 (BERT-base, CoNLL-2003 dev F1, arXiv 1810.04805 v2) and
 * the layer choice each one is here. The paper's "Weighted Sum Last Four Hidden" is a plain
 * sum (earlier versions of the paper label it "Sum Last Four Hidden"); its "Weighted Sum All
 * 12 Layers" is the learned mix, which here, as ELMo's, also weighs the embedding output.
 */
export const TABLE7_CHOICES: readonly { row: string; layers: string; paperDevF1: number }[] = [
  { row: "Embeddings", layers: "embeddings", paperDevF1: 91.0 },
  { row: "Second-to-Last Hidden", layers: "-2", paperDevF1: 95.6 },
  { row: "Last Hidden", layers: "-1", paperDevF1: 94.9 },
  { row: "Weighted Sum Last Four Hidden", layers: "sum:-1,-2,-3,-4", paperDevF1: 95.9 },
  { row: "Concat Last Four Hidden", layers: "concat:-1,-2,-3,-4", paperDevF1: 96.1 },
  { row: "Weighted Sum All 12 Layers", layers: "weighted", paperDevF1: 95.5 },
];

/**
 * Reads a layer choice.
 *
 * @example
 *   parseLayerChoice("concat-last-4"); // { kind: "concat", layers: [-1, -2, -3, -4] }
 *   parseLayerChoice("-2");            // { kind: "single", layer: -2 }
 */
export function parseLayerChoice(text: string): LayerChoice {
  const bad = (why: string) => new BertLabError("BAD_LAYER_CHOICE", `layer choice ${JSON.stringify(text)}: ${why} — use ${LAYER_CHOICE_FORMS}`);
  if (typeof text !== "string") throw bad("not a string");
  const t = ALIASES[text.trim().toLowerCase()] ?? text.trim().toLowerCase();
  const index = (s: string): LayerIndex => {
    const x = s.trim();
    if (x === "embeddings") return "embeddings";
    if (!/^[+-]?\d+$/.test(x)) throw bad(`${JSON.stringify(x)} is not a layer`);
    return Number(x);
  };
  if (t === "weighted") return { kind: "weighted" };
  const m = /^(sum|concat):(.*)$/.exec(t);
  if (m) {
    const layers = m[2].split(",").map(index);
    if (new Set(layers).size !== layers.length) throw bad("a layer is listed twice");
    return { kind: m[1] as "sum" | "concat", layers };
  }
  if (t === "" || t.includes(",") || t.includes(":")) throw bad("unknown form");
  return { kind: "single", layer: index(t) };
}

/** The canonical text of a choice (what parseLayerChoice reads back; recorded in tagger.json and eval.json). */
export function layerChoiceText(choice: LayerChoice): string {
  if (choice.kind === "weighted") return "weighted";
  if (choice.kind === "single") return String(choice.layer);
  return `${choice.kind}:${choice.layers.join(",")}`;
}

const asChoice = (c: LayerChoice | string): LayerChoice => (typeof c === "string" ? parseLayerChoice(c) : parseLayerChoice(layerChoiceText(c)));

/** The hidden states a choice reads (0 = the embedding output, l = encoder layer l), checked against the model's L layers. */
export function layerSlots(choice: LayerChoice, L: number): number[] {
  const slot = (index: LayerIndex) => {
    if (index === "embeddings") return 0;
    if (!Number.isInteger(index) || index < -L || index >= L) {
      throw new BertLabError("BAD_LAYER", `layer ${index} does not exist: the model has ${L} layers (use ${-L}..${L - 1}, or "embeddings")`);
    }
    return (index < 0 ? L + index : index) + 1;
  };
  if (choice.kind === "weighted") return Array.from({ length: L + 1 }, (_, i) => i);
  const slots = choice.kind === "single" ? [slot(choice.layer)] : choice.layers.map(slot);
  if (new Set(slots).size !== slots.length) throw new BertLabError("BAD_LAYER", `${layerChoiceText(choice)} names one layer twice (the model has ${L} layers)`);
  return slots;
}

// ───────────────────────────────────────── extraction ─────────────────────────────────────────

/** Each word's features, from a frozen BERT. */
export interface WordFeatures {
  /** the layer choice, canonical text */
  layers: string;
  /** S: states kept per word (L + 1 for "weighted", else 1: combined at extraction) */
  slices: number;
  /** F: numbers per state */
  size: number;
  /** per sentence: [words, S, F] row-major; zeros for a word without a position */
  values: Float32Array[];
  /** per sentence, per word: the label index, or −1 where the word got no position (predicted "O") */
  labels: Int32Array[];
  /** per sentence, per word: its first piece's position in the encoded sentence, or −1 */
  firstPiece: Int32Array[];
}

export interface ExtractWordOptions {
  labels: readonly string[];
  layers: LayerChoice | string;
  maxSeqLength: number;
  /** sentences per forward pass (default 16) */
  batchSize?: number;
}

/**
 * Runs the frozen model (eval mode: no dropout) over the sentences, encoded as fine-tuning
 * encodes them (encodeTagged: each word's first piece), and keeps each word's features.
 * Memory: words × S × F floats (BERT-base, "weighted": 13 × 768 per word).
 *
 * @example
 *   const f = extractWordFeatures(bert, tokenizer, sentences, { labels, layers: "-1", maxSeqLength: 128 });
 *   f.values[0].length; // words of sentence 0 × 1 × H
 */
export function extractWordFeatures(bert: BertModel, tokenizer: BertTokenizer, sentences: readonly TaggedSentence[], options: ExtractWordOptions): WordFeatures {
  const choice = asChoice(options.layers);
  const L = bert.config.numHiddenLayers;
  const H = bert.config.hiddenSize;
  const slots = layerSlots(choice, L);
  const S = choice.kind === "weighted" ? L + 1 : 1;
  const F = choice.kind === "concat" ? slots.length * H : H;
  const enc = encodeTagged(tokenizer, sentences, options.labels, options.maxSeqLength);
  const T = enc.T;
  const out: WordFeatures = { layers: layerChoiceText(choice), slices: S, size: F, values: [], labels: [], firstPiece: enc.firstPiece };
  enc.firstPiece.forEach((first, n) => {
    out.values.push(new Float32Array(first.length * S * F));
    out.labels.push(Int32Array.from(first, (p) => (p < 0 ? -1 : enc.labels[n * T + p])));
  });
  const batch = options.batchSize ?? 16;
  for (let start = 0; start < enc.N; start += batch) {
    const rows = Array.from({ length: Math.min(batch, enc.N - start) }, (_, k) => start + k);
    const Tb = Math.max(...rows.map((r) => enc.lengths[r])); // the chunk's longest: padding beyond it changes nothing
    const picks: number[] = []; // k·Tb + first piece, for each word with a position
    const owners: [number, number][] = []; // (sentence, word) of each pick
    rows.forEach((r, k) => enc.firstPiece[r].forEach((p, w) => p >= 0 && (picks.push(k * Tb + p), owners.push([r, w]))));
    if (picks.length === 0) continue;
    const ids = new Int32Array(rows.length * Tb);
    const mask = new Int32Array(rows.length * Tb);
    rows.forEach((r, k) => {
      ids.set(enc.inputIds.subarray(r * T, r * T + Tb), k * Tb);
      mask.set(enc.attentionMask.subarray(r * T, r * T + Tb), k * Tb);
    });
    const picked = tf.tidy(() => {
      const idsT = tf.tensor2d(ids, [rows.length, Tb], "int32");
      const hs = bert.forwardTensors(idsT, tf.zerosLike(idsT), tf.tensor2d(mask, [rows.length, Tb], "int32"), { outputHiddenStates: true, training: false }).hiddenStates;
      const chosen = slots.map((s) => hs[s]); // each [b, Tb, H]
      // sum: combined now; concat and weighted: side by side on the last axis, layer-major
      const x = choice.kind === "sum" ? tf.addN(chosen) : chosen.length === 1 ? chosen[0] : tf.concat(chosen, 2); // [b, Tb, S·F]
      return tf.gather(tf.reshape(x, [rows.length * Tb, S * F]), tf.tensor1d(picks, "int32")); // [M, S·F]
    });
    const data = picked.dataSync() as Float32Array;
    picked.dispose();
    owners.forEach(([n, w], j) => out.values[n].set(data.subarray(j * S * F, (j + 1) * S * F), w * S * F));
  }
  return out;
}

// ───────────────────────────────────────── the tagger ─────────────────────────────────────────

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

// ───────────────────────────────────────── the task ─────────────────────────────────────────

export interface FeatureTaskOptions {
  labels: readonly string[];
  layers: LayerChoice | string;
  /** default "bilstm" (the paper's task model) */
  tagger?: TaggerKind;
  /** LSTM units per direction (default 128: the paper does not say; small enough for a CPU) */
  hiddenSize?: number;
  /** stacked BiLSTM layers (default 1; the paper's is 2) */
  lstmLayers?: number;
  batchSize: number;
  maxSeqLength: number;
  seed?: number;
  /** sentences per BERT forward pass during extraction (default batchSize) */
  extractBatchSize?: number;
  /** recorded in tagger.json (which BERT the features came from) */
  bertName?: string;
}

export type FeatureTask = TrainTask<{ rows: Int32Array }> & {
  stepsPerEpoch: number;
  tagger: FeatureTagger;
  trainFeatures: WordFeatures;
  devFeatures: WordFeatures;
  /** each sentence's predicted tags, one per word ("O" where a word got no position); sentences are run through BERT first */
  predictTags(input: WordFeatures | readonly TaggedSentence[]): string[][];
  /** frees the tagger (BERT stays the caller's) */
  dispose(): void;
};

/** The rows' features as a padded batch: x [B, W, S, F], mask [B, W], labels (−1 padding / no position). */
function batchOf(f: WordFeatures, rows: ArrayLike<number>): { x: tf.Tensor4D; mask: tf.Tensor2D; labels: Int32Array; W: number } {
  const B = rows.length;
  const SF = f.slices * f.size;
  let W = 1;
  for (let k = 0; k < B; k++) W = Math.max(W, f.labels[rows[k]].length);
  const x = new Float32Array(B * W * SF);
  const mask = new Float32Array(B * W);
  const labels = new Int32Array(B * W).fill(-1);
  for (let k = 0; k < B; k++) {
    const r = rows[k];
    x.set(f.values[r], k * W * SF);
    f.labels[r].forEach((y, w) => {
      labels[k * W + w] = y;
      mask[k * W + w] = y >= 0 ? 1 : 0; // a word with no position is skipped like padding
    });
  }
  return { x: tf.tensor4d(x, [B, W, f.slices, f.size]), mask: tf.tensor2d(mask, [B, W]), labels, W };
}

/**
 * NER on frozen BERT features as a TrainTask: features are extracted once here (BERT is never
 * updated: `params` holds only the tagger's variables, the scalar mix included); batches are
 * sentences, the loss is the cross-entropy over real words, evaluate() scores dev with
 * seqeval's entity F1; saveModel writes tagger.safetensors + tagger.json.
 *
 * @example
 *   const task = featureBasedTask(bert, tokenizer, train, dev, { labels, layers: "-2", tagger: "linear", batchSize: 32, maxSeqLength: 128 });
 *   Object.keys(Object.fromEntries(task.params)); // ["classifier.weight", "classifier.bias"]
 */
export function featureBasedTask(
  bert: BertModel,
  tokenizer: BertTokenizer,
  trainSet: readonly TaggedSentence[],
  dev: readonly TaggedSentence[],
  options: FeatureTaskOptions,
): FeatureTask {
  if (trainSet.length === 0) throw new BertLabError("NO_EXAMPLES", "no training sentences");
  const B = options.batchSize;
  if (!Number.isInteger(B) || B < 1) throw new BertLabError("BAD_OPTION", `batchSize must be an integer ≥ 1, got ${B}`);
  const choice = asChoice(options.layers);
  layerSlots(choice, bert.config.numHiddenLayers); // a layer the model lacks: an error before any work
  const labels = [...options.labels];
  const extract = (sentences: readonly TaggedSentence[]) =>
    extractWordFeatures(bert, tokenizer, sentences, { labels, layers: choice, maxSeqLength: options.maxSeqLength, batchSize: options.extractBatchSize ?? B });
  const trainFeatures = extract(trainSet);
  const devFeatures = extract(dev);
  const seed = options.seed ?? 0;
  const kind = options.tagger ?? "bilstm";
  const tagger = new FeatureTagger(
    { tagger: kind, layers: trainFeatures.layers, slices: trainFeatures.slices, featureSize: trainFeatures.size, hiddenSize: options.hiddenSize ?? 128, lstmLayers: options.lstmLayers ?? 1, labels },
    seed,
  );
  const batches = new EpochBatches(trainFeatures.values.length, B, seed);

  const predictTags = (input: WordFeatures | readonly TaggedSentence[]): string[][] => {
    const f = Array.isArray(input) ? extract(input as readonly TaggedSentence[]) : (input as WordFeatures);
    const out: string[][] = [];
    for (let i = 0; i < f.values.length; i += B) {
      const rows = Array.from({ length: Math.min(B, f.values.length - i) }, (_, k) => i + k);
      const b = batchOf(f, rows);
      const best = tf.tidy(() => tf.argMax(tagger.logits(b.x, b.mask), 2));
      const ids = best.dataSync() as Int32Array;
      tf.dispose([best, b.x, b.mask]);
      rows.forEach((r, k) => out.push(Array.from(f.labels[r], (y, w) => (y < 0 ? "O" : labels[ids[k * b.W + w]]))));
    }
    return out;
  };

  return {
    params: tagger.store.vars,
    stepsPerEpoch: batches.perEpoch,
    tagger,
    trainFeatures,
    devFeatures,
    predictTags,
    nextBatch: () => [{ rows: batches.next() }],
    loss(batch) {
      const b = batchOf(trainFeatures, batch.rows);
      const positions: number[] = [];
      const y: number[] = [];
      b.labels.forEach((l, i) => l >= 0 && (positions.push(i), y.push(l)));
      let correct = 0;
      const loss = tf.tidy(() => {
        if (positions.length === 0) return tf.scalar(0);
        const logits = tf.gather(tf.reshape(tagger.logits(b.x, b.mask), [-1, labels.length]), tf.tensor1d(positions, "int32")) as tf.Tensor2D; // [M, K]
        const predicted = tf.argMax(logits, 1).dataSync();
        y.forEach((v, i) => (correct += predicted[i] === v ? 1 : 0));
        return sparseSoftmaxCrossEntropy(logits, y);
      });
      tf.dispose([b.x, b.mask]);
      return { loss, stats: { words: y.length, correct } };
    },
    tokens: (batch) => batch.rows.reduce((s, r) => s + trainFeatures.labels[r].reduce((n, l) => n + (l >= 0 ? 1 : 0), 0), 0),
    metrics: (sums): Record<string, number> => ({ word_accuracy: sums.words ? sums.correct / sums.words : 0 }),
    evaluate:
      dev.length > 0
        ? () => {
            const s = seqevalScores(dev.map((d) => [...d.tags]), predictTags(devFeatures));
            return { f1: s.f1, precision: s.precision, recall: s.recall }; // f1 first: the headline
          }
        : undefined,
    dataState: () => batches.getState(),
    restoreDataState: (state) => batches.setState(state as EpochBatchesState),
    epoch: () => batches.epoch,
    saveModel: (dir) => tagger.save(dir, options.bertName === undefined ? {} : { bert: options.bertName }),
    loadModel: (dir) => tagger.loadWeights(dir),
    dispose: () => tagger.dispose(),
  };
}

// ───────────────────────────────────────── end to end ─────────────────────────────────────────

export interface FeatureBasedOptions extends FinetuneOptions {
  /** which hidden states (default "-1", the last layer; Table 7's best is "concat-last-4") */
  layers?: LayerChoice | string;
  /** default "bilstm" */
  tagger?: TaggerKind;
  /** LSTM units per direction (default 128) and BiLSTM layers (default 1) */
  hiddenSize?: number;
  lstmLayers?: number;
}

export interface FeatureBasedResult extends FinetuneResult {
  layers: string;
  tagger: TaggerKind;
}

/**
 * Table 7's experiment on an NER task: a frozen BERT (an HF folder, or a preset with random
 * weights and --vocab), features extracted once, a tagger trained with BERT's AdamW and
 * schedule — lr 1e-3 by default: a freshly initialised tagger needs a larger step than
 * fine-tuning's 2e-5 — dev entity F1 after every epoch, the best tagger in outDir/best
 * (tagger.safetensors, tagger.json) and outDir/eval.json.
 *
 * @example
 *   const r = await finetuneFeatureBased({ task: "wnut17", from: "../shared/data", model: "runs/tiny/checkpoint-2000", outDir: "runs/wnut-fb", layers: "concat-last-4" });
 *   r.best; // { epoch: 3, step: …, metrics: { f1: …, precision: …, recall: … } }
 */
export async function finetuneFeatureBased(options: FeatureBasedOptions): Promise<FeatureBasedResult> {
  const log = options.log ?? (() => {});
  const t0 = performance.now();
  const epochs = options.epochs ?? 3;
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 1) throw new BertLabError("BAD_OPTION", `epochs must be an integer ≥ 1, got ${epochs}`);
  if (!(TOKEN_TASKS as readonly string[]).includes(options.task)) {
    throw new BertLabError("UNKNOWN_TASK", `the feature-based approach is for NER: task must be one of ${TOKEN_TASKS.join(", ")}, got "${options.task}" — fine-tune sentence tasks with finetune`);
  }
  const choice = asChoice(options.layers ?? "-1");
  const kind = options.tagger ?? "bilstm";
  if (!TAGGER_KINDS.includes(kind)) throw new BertLabError("BAD_OPTION", `unknown tagger "${kind}" — choose ${TAGGER_KINDS.join(" or ")}`);
  if (options.model in PRESETS && !options.vocab) {
    throw new BertLabError("MISSING_OPTION", `a preset (${options.model}) starts from random weights and needs --vocab vocab.txt`);
  }
  const seed = options.seed ?? 42;
  const data = await loadNerTask({ ...options, task: options.task as TokenTaskName, log });
  await ensureBackend();

  // BERT: "bert." names load both a bare BertModel folder and a pre-training or task folder
  const make = (config: BertConfig) => new BertModel(config, { seed, prefix: "bert." });
  let bert: BertModel;
  let vocab: Vocab;
  if (options.model in PRESETS) {
    vocab = Vocab.fromFile(options.vocab!);
    bert = make(bertConfig(options.model as PresetName, { vocabSize: vocab.size }));
    log(`model: ${options.model} with random weights (the no-pre-training baseline), frozen`);
  } else {
    const loaded = modelFromFolder(options.model, make, { seed, log: () => {} });
    bert = loaded.model;
    const vocabPath = options.vocab ?? loaded.vocabPath;
    if (!vocabPath) {
      bert.dispose();
      throw new BertLabError("MISSING_OPTION", `${options.model} has no vocab.txt: pass --vocab`);
    }
    vocab = Vocab.fromFile(vocabPath);
    if (vocab.size !== bert.config.vocabSize) {
      bert.dispose();
      throw new BertLabError("VOCAB_CONFIG_MISMATCH", `${vocabPath} has ${vocab.size} tokens but the model's vocab_size is ${bert.config.vocabSize}`);
    }
    const missing = loaded.report.initialized.filter((n) => !n.startsWith("bert.pooler.")); // the pooler is never a feature
    log(`model: ${options.model} (${loaded.report.loaded.length} tensors loaded), frozen` + (missing.length ? `; not in the folder, left random: ${missing.slice(0, 4).join(", ")}${missing.length > 4 ? ", …" : ""}` : ""));
  }
  let task: FeatureTask | null = null;
  let result: TrainResult | null = null;
  try {
    const tokenizer = new BertTokenizer(vocab, { doLowerCase: !options.cased });
    const cut = <T>(xs: T[], n?: number) => (n ? xs.slice(0, n) : xs);
    const trainSet = cut(data.train, options.maxTrainExamples);
    const devSet = cut(data.dev, options.maxDevExamples);
    const layers = layerChoiceText(choice);
    const tx = performance.now();
    task = featureBasedTask(bert, tokenizer, trainSet, devSet, {
      labels: data.labels,
      layers: choice,
      tagger: kind,
      hiddenSize: options.hiddenSize,
      lstmLayers: options.lstmLayers,
      batchSize,
      maxSeqLength: options.maxSeqLength ?? 128,
      seed,
      bertName: options.model,
    });
    const t = task;
    log(`${options.task}: features (${layers}) of ${trainSet.length} training and ${devSet.length} dev sentences in ${((performance.now() - tx) / 1000).toFixed(1)} s; a ${kind} tagger, ${epochs} epochs of ${t.stepsPerEpoch} steps`);
    const steps = epochs * t.stepsPerEpoch;
    const bestDir = path.join(options.outDir, "best");
    let best: FinetuneResult["best"] = null;
    const headline = (m: Record<string, number>) => Object.values(m)[0];
    // trainAndFree: the optimizer's moments are freed also when the loss diverges (train() throws, no result)
    result = await trainAndFree(t, {
      steps,
      learningRate: options.learningRate ?? 1e-3,
      warmupSteps: Math.trunc(steps * 0.1),
      seed,
      outDir: options.outDir,
      evalEvery: t.stepsPerEpoch,
      saveEvery: 0,
      keepCheckpoints: 1,
      logEvery: options.logEvery ?? Math.max(1, Math.round(t.stepsPerEpoch / 10)),
      signal: options.signal,
      // the scalar mix is a softmax over layers and a scale: no weight decay, as ELMo
      optimizer: { excludeFromWeightDecay: (name) => BERT_NO_DECAY.test(name) || name.startsWith("scalar_mix.") },
      run: { task: options.task, model: options.model, batchSize, epochs, layers, tagger: kind },
      callbacks: {
        ...options.callbacks,
        async onEval(record) {
          const metrics: Record<string, number> = {};
          for (const [k, v] of Object.entries(record)) if (k !== "step") metrics[k.replace(/^eval_/, "")] = v;
          if (!best || headline(metrics) > headline(best.metrics)) {
            best = { epoch: Math.round(record.step / t.stepsPerEpoch), step: record.step, metrics };
            writeFolderAtomic(bestDir, (dir) => t.saveModel(dir));
          }
          await options.callbacks?.onEval?.(record);
        },
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const b = best as FinetuneResult["best"];
    const record = { task: options.task, metric: b?.metrics ?? {}, epoch: b?.epoch ?? 0, step: b?.step ?? 0, seconds, layers, tagger: kind };
    writeFileAtomic(path.join(options.outDir, "eval.json"), JSON.stringify(record, null, 2) + "\n");
    return { task: options.task, best: b, evals: result.evals, result, bestDir, labels: data.labels, seconds, layers, tagger: kind };
  } finally {
    // the tagger's best weights are on disk
    task?.dispose();
    bert.dispose();
  }
}
