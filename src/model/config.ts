/**
 * BertConfig: HF's config.json fields in camelCase, and the published presets.
 *
 * @example
 *   const c = bertConfig("tiny");
 *   console.log(c.hiddenSize, c.numHiddenLayers, c.intermediateSize); // prints: 128 2 512
 */
import * as fs from "node:fs";
import { BertLabError } from "../util/errors";
import { writeFileAtomic } from "../util/atomic-write";

export type HiddenAct = "gelu" | "gelu_new" | "relu" | "tanh" | "silu";
export const HIDDEN_ACTS: readonly HiddenAct[] = ["gelu", "gelu_new", "relu", "tanh", "silu"];

export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  /** "gelu" is the exact erf form (BERT, HF); "gelu_new" the tanh approximation */
  hiddenAct: HiddenAct;
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  initializerRange: number;
  layerNormEps: number;
  padTokenId: number;
  /** HF's is_decoder: left-to-right attention everywhere (a model pre-trained with the LTR objective, Table 5) — absent: false */
  isDecoder?: boolean;
  /** units per direction of a BiLSTM between BERT and a task model's classifier (Table 5's "+ BiLSTM" row) — absent: none */
  bilstmHiddenSize?: number;
}

/** Fields a config.json may carry that are absent from BERT's own (written only when set). */
const OPTIONAL_FIELDS = ["isDecoder", "bilstmHiddenSize"] as const;

const DEFAULTS: BertConfig = {
  vocabSize: 30522,
  hiddenSize: 768,
  numHiddenLayers: 12,
  numAttentionHeads: 12,
  intermediateSize: 3072,
  hiddenAct: "gelu",
  hiddenDropoutProb: 0.1,
  attentionProbsDropoutProb: 0.1,
  maxPositionEmbeddings: 512,
  typeVocabSize: 2,
  initializerRange: 0.02,
  layerNormEps: 1e-12,
  padTokenId: 0,
};

function preset(layers: number, hidden: number, heads: number): BertConfig {
  return { ...DEFAULTS, numHiddenLayers: layers, hiddenSize: hidden, numAttentionHeads: heads, intermediateSize: 4 * hidden };
}

/** The published sizes (Turc et al. 2019 for the small ones; Devlin et al. 2018 for base and large). */
export const PRESETS = {
  tiny: preset(2, 128, 2),
  mini: preset(4, 256, 4),
  small: preset(4, 512, 8),
  medium: preset(8, 512, 8),
  base: preset(12, 768, 12),
  large: preset(24, 1024, 16),
} as const;
export type PresetName = keyof typeof PRESETS;

/** A preset by name, with fields overridden: `bertConfig("tiny", { vocabSize: 8000 })`. */
export function bertConfig(name: PresetName | BertConfig = "base", overrides: Partial<BertConfig> = {}): BertConfig {
  let base: BertConfig;
  if (typeof name === "string") {
    if (!(name in PRESETS)) {
      throw new BertLabError("UNKNOWN_PRESET", `unknown preset "${name}" — choose one of ${Object.keys(PRESETS).join(", ")}`);
    }
    base = PRESETS[name];
  } else {
    base = name;
  }
  return validateConfig({ ...base, ...overrides });
}

const POSITIVE_INTS: (keyof BertConfig)[] = [
  "vocabSize", "hiddenSize", "numHiddenLayers", "numAttentionHeads", "intermediateSize", "maxPositionEmbeddings", "typeVocabSize",
];

/** Checks that a config can work; the error names the field and why. */
export function validateConfig(c: BertConfig, source = "config"): BertConfig {
  const bad = (field: string, why: string): never => {
    throw new BertLabError("BAD_CONFIG", `${source}: ${field} ${why}`);
  };
  for (const f of POSITIVE_INTS) {
    const v = c[f] as unknown;
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) bad(f, `must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (c.hiddenSize % c.numAttentionHeads !== 0) {
    bad("hiddenSize", `(${c.hiddenSize}) must be divisible by numAttentionHeads (${c.numAttentionHeads}): each head gets hiddenSize / heads dimensions`);
  }
  if (!HIDDEN_ACTS.includes(c.hiddenAct)) bad("hiddenAct", `must be one of ${HIDDEN_ACTS.join(", ")}, got ${JSON.stringify(c.hiddenAct)}`);
  for (const f of ["hiddenDropoutProb", "attentionProbsDropoutProb"] as const) {
    const v = c[f];
    if (typeof v !== "number" || !(v >= 0 && v < 1)) bad(f, `must be a probability in [0, 1), got ${JSON.stringify(v)}`);
  }
  if (typeof c.initializerRange !== "number" || !(c.initializerRange > 0)) bad("initializerRange", `must be positive, got ${c.initializerRange}`);
  if (typeof c.layerNormEps !== "number" || !(c.layerNormEps > 0)) bad("layerNormEps", `must be positive, got ${c.layerNormEps}`);
  if (!Number.isInteger(c.padTokenId) || c.padTokenId < 0 || c.padTokenId >= c.vocabSize) {
    bad("padTokenId", `must be an id inside the vocabulary (0..${c.vocabSize - 1}), got ${c.padTokenId}`);
  }
  if (c.isDecoder !== undefined && typeof c.isDecoder !== "boolean") bad("isDecoder", `must be true or false, got ${JSON.stringify(c.isDecoder)}`);
  if (c.bilstmHiddenSize !== undefined && !(Number.isInteger(c.bilstmHiddenSize) && c.bilstmHiddenSize > 0)) {
    bad("bilstmHiddenSize", `must be a positive integer, got ${JSON.stringify(c.bilstmHiddenSize)}`);
  }
  return c;
}

const camelToSnake = (s: string) => s.replace(/[A-Z]/g, (m) => "_" + m.toLowerCase());
const snakeToCamel = (s: string) => s.replace(/_([a-z])/g, (_, m: string) => m.toUpperCase());

/** Reads HF's config.json object (snake_case); unknown fields are kept out, missing ones take BERT's defaults. */
export function configFromHf(json: Record<string, unknown>, source = "config.json"): BertConfig {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new BertLabError("BAD_CONFIG", `${source}: expected a JSON object`);
  }
  const c: Record<string, unknown> = { ...DEFAULTS };
  for (const [k, v] of Object.entries(json)) {
    const key = snakeToCamel(k);
    if ((key in DEFAULTS || (OPTIONAL_FIELDS as readonly string[]).includes(key)) && v !== null) c[key] = v;
  }
  return validateConfig(c as unknown as BertConfig, source);
}

/** HF's config.json object (snake_case), as transformers writes it for BERT. */
export function configToHf(c: BertConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { architectures: ["BertForPreTraining"], model_type: "bert" };
  for (const [k, v] of Object.entries(c)) if (v !== undefined) out[camelToSnake(k)] = v;
  return out;
}

/** The label names of a fine-tuned model and what HF calls its problem type. */
export interface TaskLabels {
  /** id2label in index order (class k's name is labels[k]); null: the config has none */
  labels: string[] | null;
  /** "regression", "single_label_classification", "multi_label_classification"; null: not said */
  problemType: string | null;
}

/**
 * HF's `id2label` / `label2id` (and `problem_type`) for a config.json, so that a fine-tuned
 * folder names its classes: transformers' pipelines and `labelsFromHf` read them back.
 *
 * @example
 *   labelsToHf(["negative", "positive"])
 *   // → { id2label: { "0": "negative", "1": "positive" }, label2id: { negative: 0, positive: 1 } }
 */
export function labelsToHf(labels: readonly string[], problemType?: string | null): Record<string, unknown> {
  const id2label: Record<string, string> = {};
  const label2id: Record<string, number> = {};
  labels.forEach((name, k) => {
    id2label[String(k)] = name;
    label2id[name] = k;
  });
  return { id2label, label2id, ...(problemType ? { problem_type: problemType } : {}) };
}

/**
 * The label names of an HF config.json object: `id2label` read in index order (its keys must
 * be 0…K−1). configFromHf leaves these fields out of BertConfig; this reads them.
 *
 * @example
 *   labelsFromHf({ id2label: { "1": "pos", "0": "neg" } }) // → { labels: ["neg", "pos"], problemType: null }
 */
export function labelsFromHf(json: Record<string, unknown>, source = "config.json"): TaskLabels {
  const problemType = typeof json.problem_type === "string" ? json.problem_type : null;
  const raw = json.id2label;
  if (raw === undefined || raw === null) return { labels: null, problemType };
  const bad = (why: string): never => {
    throw new BertLabError("BAD_CONFIG", `${source}: id2label ${why} — expected {"0": "name", "1": "name", …}, one entry per class`);
  };
  if (typeof raw !== "object" || Array.isArray(raw)) bad(`is not an object`);
  const entries = Object.entries(raw as Record<string, unknown>);
  const labels = new Array<string>(entries.length);
  for (const [key, name] of entries) {
    const k = Number(key);
    if (!/^\d+$/.test(key) || k >= entries.length || labels[k] !== undefined) bad(`has key ${JSON.stringify(key)}: keys must be 0…${entries.length - 1}, each once`);
    if (typeof name !== "string") bad(`maps ${key} to ${JSON.stringify(name)}, not a name`);
    labels[k] = name as string;
  }
  return { labels, problemType };
}

/** The parsed JSON object of a config.json; errors name the file. */
export function readConfigJson(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch (e) {
    throw new BertLabError("CONFIG_NOT_FOUND", `cannot read config ${path}: ${(e as Error).message}`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BertLabError("BAD_CONFIG", `${path} is not valid JSON: ${(e as Error).message}`);
  }
  return json;
}

export function readConfig(path: string): BertConfig {
  return configFromHf(readConfigJson(path), path);
}

export function writeConfig(path: string, c: BertConfig): void {
  writeFileAtomic(path, JSON.stringify(configToHf(c), null, 2) + "\n");
}

/**
 * Parameter counts from the config alone: `model` = BertModel with pooler, `pretraining` =
 * with the MLM and NSP heads (the decoder is tied to the word embeddings: counted once).
 *
 * @example
 *   console.log(countParams(bertConfig("base"))); // prints: { model: 109482240, pretraining: 110106428 }
 */
export function countParams(c: BertConfig): { model: number; pretraining: number } {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const embeddings = (c.vocabSize + c.maxPositionEmbeddings + c.typeVocabSize) * H + 2 * H;
  const layer = 4 * (H * H + H) + 2 * H + (H * I + I) + (I * H + H) + 2 * H;
  const pooler = H * H + H;
  const model = embeddings + c.numHiddenLayers * layer + pooler;
  const mlmHead = H * H + H + 2 * H + c.vocabSize;
  const nspHead = 2 * H + 2;
  return { model, pretraining: model + mlmHead + nspHead };
}
