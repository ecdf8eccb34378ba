/**
 * Predictions from a fine-tuned model in one notebook line: the class (or score) of sentences
 * and sentence pairs, the NER tag of every word and the entities they make. Names come from the
 * model folder's config.json (`id2label`, which `finetune` writes). Give a folder (loaded, used,
 * disposed) or a model you have loaded (kept). Inputs go through in batches, each padded to its
 * longest member. Legend: B batch, T tokens, K labels.
 *
 * @example
 *   await predictSentences("runs/sst2/best", ["a gripping, funny film", "dull and far too long"]);
 *   // → [{ label: "positive", index: 1, score: 0.93, scores: { negative: 0.07, positive: 0.93 } }, { label: "negative", … }]
 *   await predictTags("runs/conll2003/best", ["EU rejects German call to boycott British lamb."]);
 *   // → [{ words: [{ word: "EU", tag: "B-ORG", score: 0.98, start: 0, end: 2 }, …],
 *   //      entities: [{ type: "ORG", start: 0, end: 1, text: "EU" }, { type: "MISC", start: 2, end: 3, text: "German" }, …], unscored: 0 }]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { ensureBackend } from "../backend/select";
import { entitySpans } from "../data/conll";
import { disposeOutput } from "../model/bert-model";
import type { BertConfig } from "../model/config";
import { BertForSequenceClassification, BertForTokenClassification } from "../model/task-models";
import { modelFromFolder, PretrainedFolder } from "../model/weights/pretrained";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { BertLabError } from "../util/errors";
import { encodeTagged } from "./token-classification";

/** A sentence classifier (or regressor) ready to predict: the model, its tokenizer, its class names. */
export interface SentenceClassifier {
  model: BertForSequenceClassification;
  tokenizer: BertTokenizer;
  /** class names in index order; null: "LABEL_k" (a regression needs none) */
  labels: readonly string[] | null;
}

/** A token classifier (NER) ready to predict: the model, its tokenizer, its tag names. */
export interface TokenClassifier {
  model: BertForTokenClassification;
  tokenizer: BertTokenizer;
  labels: readonly string[];
}

export interface LoadOptions {
  /** keep case and accents; default: the folder's tokenizer_config.json (do_lower_case), else lower-case */
  cased?: boolean;
}

/** A loaded folder; `dispose()` frees the model's tensors. */
export type Loaded<C> = C & { dir: string; problemType: string | null; dispose(): void };

/** The number of outputs of a folder's classifier: its id2label, else the shape of classifier.bias. */
function classifierSize(folder: PretrainedFolder): number {
  const bias = folder.tensors.get("classifier.bias");
  if (!bias) throw new BertLabError("NOT_FINE_TUNED", `${folder.dir} has no trained classifier (classifier.bias missing): use a folder written by bert-lab finetune (DIR/best)`);
  const k = bias.shape[0];
  if (folder.labels && folder.labels.length !== k) {
    throw new BertLabError("BAD_CONFIG", `${folder.dir}/config.json: id2label names ${folder.labels.length} classes but the classifier has ${k} outputs — fix id2label`);
  }
  return k;
}

function loadFolder<M extends BertForSequenceClassification | BertForTokenClassification>(dir: string, make: (config: BertConfig, numLabels: number) => M, options: LoadOptions) {
  const loaded = modelFromFolder(dir, (config, folder) => make(config, classifierSize(folder)), { log: () => {} });
  const { model, report, vocabPath } = loaded;
  try {
    if (report.initialized.length > 0) {
      throw new BertLabError("NOT_FINE_TUNED", `${dir} has no trained classifier (${report.initialized.join(", ")} missing): use a folder written by bert-lab finetune (DIR/best)`);
    }
    if (!vocabPath) throw new BertLabError("VOCAB_NOT_FOUND", `${dir} has no vocab.txt — copy the vocab the model was trained with into the folder`);
    const vocab = Vocab.fromFile(vocabPath);
    if (vocab.size !== model.config.vocabSize) {
      throw new BertLabError("VOCAB_CONFIG_MISMATCH", `${vocabPath} has ${vocab.size} tokens but the model's vocab_size is ${model.config.vocabSize}`);
    }
    const tokenizer = new BertTokenizer(vocab, { doLowerCase: options.cased !== undefined ? !options.cased : folderLowerCase(dir) });
    return { model, tokenizer, labels: loaded.labels, problemType: loaded.problemType, dir, dispose: () => model.dispose() };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** HF's tokenizer_config.json do_lower_case where the folder has one; else true (uncased). */
export function folderLowerCase(dir: string): boolean {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8")).do_lower_case;
    return typeof v === "boolean" ? v : true;
  } catch {
    return true;
  }
}

/**
 * Loads a fine-tuned sentence classifier folder (finetune's DIR/best, or an HF one with
 * model.safetensors): the number of classes from id2label or the classifier's shape.
 *
 * @example
 *   const c = loadSentenceClassifier("runs/sst2/best");
 *   c.labels; // → ["negative", "positive"]
 *   c.dispose();
 */
export function loadSentenceClassifier(dir: string, options: LoadOptions = {}): Loaded<SentenceClassifier> {
  return loadFolder(dir, (c, k) => new BertForSequenceClassification(c, k), options);
}

/**
 * Loads a fine-tuned NER folder; its config.json must name the tags (id2label).
 *
 * @example
 *   const t = loadTokenClassifier("runs/wnut17/best");
 *   t.labels.length; // → 13
 *   t.dispose();
 */
export function loadTokenClassifier(dir: string, options: LoadOptions = {}): Loaded<TokenClassifier> {
  const t = loadFolder(dir, (c, k) => new BertForTokenClassification(c, k), options);
  if (!t.labels) {
    t.dispose();
    throw new BertLabError(
      "NO_LABELS",
      `${dir}/config.json has no id2label: the tag of each output is unknown — fine-tune with bert-lab finetune (which writes it), or add "id2label": {"0": "O", "1": "B-PER", …} in the training order`,
    );
  }
  return t as Loaded<TokenClassifier>;
}

export interface PredictOptions extends LoadOptions {
  /** inputs per forward pass (default 32) */
  batchSize?: number;
  /** tokens per input, [CLS] and [SEP] included; longer inputs are cut (default 128, or the model's positions if fewer) */
  maxSeqLength?: number;
}

/** A text, a pair as [text, textPair], or { text, textPair }. */
export type SentenceInput = string | readonly [string, string] | { text: string; textPair?: string };

/** A classification: the best class, its softmax probability, and every class's. */
export interface ClassPrediction {
  label: string;
  index: number;
  score: number;
  /** every class's probability, by name */
  scores: Record<string, number>;
  value?: undefined;
}

/** A regression's output (one number, e.g. an STS-B similarity). */
export interface ValuePrediction {
  value: number;
  label?: undefined;
  index?: undefined;
  score?: undefined;
  scores?: undefined;
}

export type SentencePrediction = ClassPrediction | ValuePrediction;

function checkSizes(options: PredictOptions, maxPositions: number): { B: number; L: number } {
  const B = options.batchSize ?? 32;
  const L = options.maxSeqLength ?? Math.min(128, maxPositions);
  if (!Number.isInteger(B) || B < 1) throw new BertLabError("BAD_OPTION", `batchSize must be an integer ≥ 1, got ${B}`);
  if (!Number.isInteger(L) || L < 3 || L > maxPositions) throw new BertLabError("BAD_OPTION", `maxSeqLength must be an integer from 3 to the model's ${maxPositions} positions, got ${L}`);
  return { B, L };
}

function asPair(x: SentenceInput, i: number): { text: string; textPair: string | null } {
  if (typeof x === "string") return { text: x, textPair: null };
  if (Array.isArray(x) && x.length === 2 && typeof x[0] === "string" && typeof x[1] === "string") return { text: x[0], textPair: x[1] };
  const o = x as { text?: unknown; textPair?: unknown };
  if (o && typeof o === "object" && typeof o.text === "string" && (o.textPair === undefined || typeof o.textPair === "string")) return { text: o.text, textPair: (o.textPair as string | undefined) ?? null };
  throw new BertLabError("BAD_INPUT", `input ${i} is not a text, a [text, textPair] pair or { text, textPair }: ${JSON.stringify(x)?.slice(0, 80)}`);
}

/**
 * The class (or value) of each text or text pair. `source`: a fine-tuned folder (loaded, then
 * disposed), or a loaded `{ model, tokenizer, labels }` (not disposed). Classes are named by
 * `labels` (the folder's id2label); without names, "LABEL_k" as HF. A model with one output
 * (problem_type "regression") gives `{ value }`.
 *
 * @example
 *   const [p] = await predictSentences("runs/mrpc/best", [["He said so.", "So he said."]]);
 *   console.log(p.label, p.score.toFixed(2)); // prints: equivalent 0.81
 */
export async function predictSentences(source: string | SentenceClassifier, inputs: SentenceInput | readonly SentenceInput[], options: PredictOptions = {}): Promise<SentencePrediction[]> {
  const list = (typeof inputs === "string" ? [inputs] : (inputs as readonly SentenceInput[])).map(asPair);
  if (typeof source === "string") await ensureBackend();
  const c = typeof source === "string" ? loadSentenceClassifier(source, options) : source;
  try {
    const { model, tokenizer } = c;
    const { B, L } = checkSizes(options, model.config.maxPositionEmbeddings);
    const K = model.numLabels;
    const names = Array.from({ length: K }, (_, k) => c.labels?.[k] ?? `LABEL_${k}`);
    const out: SentencePrediction[] = [];
    for (let i = 0; i < list.length; i += B) {
      const encs = list.slice(i, i + B).map((x) => tokenizer.encode(x.text, x.textPair, { maxLength: L }));
      const T = Math.max(...encs.map((e) => e.inputIds.length));
      const pad = (e: { inputIds: number[] }, row: number[]) => [...row, ...new Array<number>(T - e.inputIds.length).fill(0)];
      const output = model.forward({
        inputIds: encs.map((e) => pad(e, e.inputIds)), // [B, T]
        tokenTypeIds: encs.map((e) => pad(e, e.tokenTypeIds)),
        attentionMask: encs.map((e) => pad(e, e.inputIds.map(() => 1))),
      });
      const values = K === 1 ? output.logits.dataSync() : tf.tidy(() => tf.softmax(output.logits).dataSync()); // [B·K]
      disposeOutput(output);
      encs.forEach((_, b) => {
        if (K === 1) return void out.push({ value: values[b] });
        const row = Array.from(values.subarray(b * K, (b + 1) * K));
        const index = row.indexOf(Math.max(...row));
        out.push({ label: names[index], index, score: row[index], scores: Object.fromEntries(names.map((n, k) => [n, row[k]])) });
      });
    }
    return out;
  } finally {
    if (typeof source === "string") (c as Loaded<SentenceClassifier>).dispose();
  }
}

/** One word of a sentence and the tag the model gave it. */
export interface TaggedWord {
  word: string;
  tag: string;
  /** the tag's softmax probability; 0 for a word the model gave no position */
  score: number;
  /** for a sentence given as a string: the word's place in it, text.slice(start, end) */
  start?: number;
  end?: number;
}

/** An entity: words [start, end) of one type, and its text. */
export interface PredictedEntity {
  type: string;
  start: number;
  end: number;
  /** the sentence's text of the entity (words joined by spaces when given as words) */
  text: string;
}

export interface TagPrediction {
  words: TaggedWord[];
  /** read from the tags as seqeval does (entitySpans) */
  entities: PredictedEntity[];
  /** words given no position ("O", score 0): past maxSeqLength, or without word pieces */
  unscored: number;
}

/** BERT's split of a text into words: whitespace, and every punctuation character on its own. */
const WORD = /[!-/:-@[-`{-~\p{P}]|[^\s!-/:-@[-`{-~\p{P}]+/gu;

/**
 * The words of a text as the basic tokenizer splits them (whitespace, punctuation on its own),
 * with where each is in the text, case kept.
 *
 * @example
 *   splitWords("Hi, Bob!") // → [{ word: "Hi", start: 0, end: 2 }, { word: ",", start: 2, end: 3 }, { word: "Bob", start: 4, end: 7 }, { word: "!", start: 7, end: 8 }]
 */
export function splitWords(text: string): { word: string; start: number; end: number }[] {
  return [...text.matchAll(WORD)].map((m) => ({ word: m[0], start: m.index!, end: m.index! + m[0].length }));
}

/**
 * The NER tag of every word, and the entities. A sentence is a string (split into words as
 * BERT's basic tokenizer does, punctuation apart, with each word's place in the text) or an
 * array of words (as a CoNLL file has them). Give an array of sentences; a single string is one
 * sentence — and `["EU", "rejects"]` is two sentences: one sentence of words is `[["EU", "rejects"]]`.
 * Each word is tagged at its first word piece, as in training.
 *
 * @example
 *   const [s] = await predictTags("runs/wnut17/best", ["Going to see Lady Gaga in Paris"]);
 *   s.entities; // → [{ type: "person", start: 3, end: 5, text: "Lady Gaga" }, { type: "location", start: 6, end: 7, text: "Paris" }]
 */
export async function predictTags(source: string | TokenClassifier, sentences: string | readonly (string | readonly string[])[], options: PredictOptions = {}): Promise<TagPrediction[]> {
  const list = typeof sentences === "string" ? [sentences] : sentences;
  const split = list.map((s, i) => {
    if (typeof s === "string") return { text: s, words: splitWords(s) };
    if (Array.isArray(s) && s.every((w) => typeof w === "string")) return { text: null, words: (s as readonly string[]).map((word) => ({ word, start: undefined, end: undefined })) };
    throw new BertLabError("BAD_INPUT", `sentence ${i} is neither a string nor an array of words: ${JSON.stringify(s)?.slice(0, 80)}`);
  });
  if (typeof source === "string") await ensureBackend();
  const c = typeof source === "string" ? loadTokenClassifier(source, options) : source;
  try {
    const { model, tokenizer, labels } = c;
    if (labels.length !== model.numLabels) throw new BertLabError("LABELS_MISMATCH", `the model has ${model.numLabels} outputs but ${labels.length} labels were given`);
    const { B, L } = checkSizes(options, model.config.maxPositionEmbeddings);
    const K = model.numLabels;
    const out: TagPrediction[] = [];
    for (let i = 0; i < split.length; i += B) {
      const batch = split.slice(i, i + B);
      // encodeTagged's word-by-word pieces; the tags are placeholders (only positions are used)
      const enc = encodeTagged(tokenizer, batch.map((s) => ({ tokens: s.words.map((w) => w.word), tags: s.words.map(() => labels[0]) })), labels, L);
      const T = Math.max(...enc.lengths);
      const rows = (a: Int32Array) => batch.map((_, b) => Array.from(a.subarray(b * L, b * L + T)));
      const ids = rows(enc.inputIds);
      const output = model.forward({ inputIds: ids, attentionMask: rows(enc.attentionMask) }); // logits [B, T, K]
      const probs = tf.tidy(() => tf.softmax(output.logits).dataSync()); // [B·T·K]
      disposeOutput(output);
      batch.forEach((s, b) => {
        let unscored = 0;
        const words = s.words.map((w, j): TaggedWord => {
          const p = enc.firstPiece[b][j];
          const place = s.text !== null ? { start: w.start, end: w.end } : {};
          if (p < 0) {
            unscored++;
            return { word: w.word, tag: "O", score: 0, ...place };
          }
          const row = Array.from(probs.subarray((b * T + p) * K, (b * T + p + 1) * K));
          const k = row.indexOf(Math.max(...row));
          return { word: w.word, tag: labels[k], score: row[k], ...place };
        });
        const entities = entitySpans(words.map((w) => w.tag)).map((e) => ({
          ...e,
          text: s.text !== null ? s.text.slice(words[e.start].start, words[e.end - 1].end) : words.slice(e.start, e.end).map((w) => w.word).join(" "),
        }));
        out.push({ words, entities, unscored });
      });
    }
    return out;
  } finally {
    if (typeof source === "string") (c as Loaded<TokenClassifier>).dispose();
  }
}
