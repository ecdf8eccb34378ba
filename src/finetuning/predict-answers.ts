/**
 * Answers from a fine-tuned SQuAD model in one notebook line: give questions and their
 * passages, get each answer's text, its probability among the n best, and where it is in
 * the passage. The windows, the span search and the text of each answer are run_squad.py's
 * (squad-features.ts, squad-predictions.ts); this file adds the loading of a folder and the
 * place of each answer in the passage. Legend: N windows, B batch, T tokens (maxSeqLength).
 *
 * @example
 *   const [a] = await predictAnswers("runs/squad/best", [{ question: "Who won Super Bowl 50?", context: "… The Denver Broncos defeated …" }]);
 *   a; // → { answer: "Denver Broncos", score: 0.93, start: 4, end: 18, nbest: [{ text: "Denver Broncos", probability: 0.93, start: 4, end: 18, … }, …] }
 */
import * as tf from "@tensorflow/tfjs-core";
import { ensureBackend } from "../backend/select";
import { SquadExample, squadDocTokens } from "../data/squad";
import { BertForQuestionAnswering } from "../model/task-models";
import { modelFromFolder } from "../model/weights/pretrained";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { BertLabError } from "../util/errors";
import { Rng } from "../util/rng";
import { gatherRows } from "./epoch-batches";
import { folderLowerCase, LoadOptions } from "./predict";
import { squadFeatures, SquadFeatures } from "./squad-features";
import { SquadCandidate, squadPredictions } from "./squad-predictions";

/** A SQuAD model ready to answer: the model and its tokenizer. */
export interface QuestionAnswerer {
  model: BertForQuestionAnswering;
  tokenizer: BertTokenizer;
}

/**
 * Loads a fine-tuned span-QA folder (finetune --task squad's DIR/best, or an HF
 * BertForQuestionAnswering folder with model.safetensors); `dispose()` frees the model.
 *
 * @example
 *   const qa = loadQuestionAnswerer("runs/squad/best");
 *   qa.model.config.hiddenSize; // → 768
 *   qa.dispose();
 */
export function loadQuestionAnswerer(dir: string, options: LoadOptions = {}): QuestionAnswerer & { dir: string; dispose(): void } {
  const { model, report, vocabPath } = modelFromFolder(dir, (c) => new BertForQuestionAnswering(c), { log: () => {} });
  try {
    if (report.initialized.some((n) => n.startsWith("qa_outputs."))) {
      throw new BertLabError("NOT_FINE_TUNED", `${dir} has no trained span head (qa_outputs missing): use a folder written by bert-lab finetune --task squad (DIR/best)`);
    }
    if (report.initialized.length > 0) throw new BertLabError("NOT_FINE_TUNED", `${dir} lacks ${report.initialized.slice(0, 3).join(", ")}${report.initialized.length > 3 ? ", …" : ""}: not a whole BertForQuestionAnswering`);
    if (!vocabPath) throw new BertLabError("VOCAB_NOT_FOUND", `${dir} has no vocab.txt — copy the vocab the model was trained with into the folder`);
    const vocab = Vocab.fromFile(vocabPath);
    if (vocab.size !== model.config.vocabSize) throw new BertLabError("VOCAB_CONFIG_MISMATCH", `${vocabPath} has ${vocab.size} tokens but the model's vocab_size is ${model.config.vocabSize}`);
    const tokenizer = new BertTokenizer(vocab, { doLowerCase: options.cased !== undefined ? !options.cased : folderLowerCase(dir) });
    return { model, tokenizer, dir, dispose: () => model.dispose() };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Start and end logits of every window, row-major [N·T] (dropout off), computed as
 * questionAnsweringTask does (windows in order, B at a time, each padded to T) so that the
 * scores come out the same. `trim`: each batch only as long as its longest window (faster;
 * the positions past it get −1e9, never an answer).
 */
export function questionAnsweringLogits(model: BertForQuestionAnswering, features: SquadFeatures, options: { batchSize?: number; trim?: boolean } = {}): { startLogits: Float32Array; endLogits: Float32Array } {
  const B = options.batchSize ?? 32;
  if (!Number.isInteger(B) || B < 1) throw new BertLabError("BAD_OPTION", `batchSize must be an integer ≥ 1, got ${B}`);
  const { N, T } = features;
  const startLogits = new Float32Array(N * T).fill(-1e9);
  const endLogits = new Float32Array(N * T).fill(-1e9);
  const rng = new Rng(0); // unused with training off
  for (let i = 0; i < N; i += B) {
    const rows = Int32Array.from({ length: Math.min(B, N - i) }, (_, k) => i + k);
    const Tb = options.trim ? Math.max(...Array.from(rows, (r) => features.lengths[r])) : T;
    const pick = (a: Int32Array) => {
      const full = gatherRows(a, T, rows); // [b, T]
      if (Tb === T) return full;
      const cut = tf.slice(full, [0, 0], [rows.length, Tb]) as tf.Tensor2D;
      full.dispose();
      return cut;
    };
    const { start, end } = tf.tidy(() => {
      const base = model.bert.forwardTensors(pick(features.inputIds), pick(features.tokenTypeIds), pick(features.attentionMask), { training: false, rng });
      const [s, e] = tf.unstack(model.qaOutputs.apply(base.lastHiddenState), 2); // [b, Tb] each
      return { start: s, end: e };
    });
    const s = start.dataSync();
    const e = end.dataSync();
    tf.dispose([start, end]);
    rows.forEach((r, k) => {
      startLogits.set(s.subarray(k * Tb, (k + 1) * Tb), r * T);
      endLogits.set(e.subarray(k * Tb, (k + 1) * Tb), r * T);
    });
  }
  return { startLogits, endLogits };
}

/** A question and the passage that holds its answer. */
export interface QuestionInput {
  question: string;
  context: string;
}

export interface AnswerOptions extends LoadOptions {
  /** window length in pieces (default 384 as run_squad.py, or the model's positions if fewer) */
  maxSeqLength?: number;
  /** pieces between the starts of two windows over a long passage (default 128) */
  docStride?: number;
  /** the question is cut to this many pieces (default 64; below maxSeqLength − 3) */
  maxQueryLength?: number;
  /** answers kept per question (default 20) */
  nBestSize?: number;
  /** longest answer in word pieces (default 30) */
  maxAnswerLength?: number;
  /** windows per forward pass (default 32) */
  batchSize?: number;
}

/** One answer: run_squad.py's text and probability, and where it is in the passage. */
export interface AnswerCandidate extends SquadCandidate {
  /** context.slice(start, end) holds the answer (with the passage's own spacing); −1 when no span was valid */
  start: number;
  end: number;
}

export interface AnswerPrediction {
  /** the best answer's text, as run_squad.py writes it (words joined by single spaces); "" when no span was valid */
  answer: string;
  /** its probability among the n best (softmax of start + end logit over them) */
  score: number;
  /** where the answer is: context.slice(start, end); −1 when there is none */
  start: number;
  end: number;
  /** the n best answers, best first */
  nbest: AnswerCandidate[];
}

/** Where each of run_squad.py's whitespace words of a context starts in it (a UTF-16 index). */
function wordStarts(context: string): number[] {
  const starts: number[] = [];
  squadDocTokens(context).charToWord.forEach((w, i) => {
    if (w >= 0 && starts[w] === undefined) starts[w] = i; // whitespace maps to the word before it: a word's first unit comes first
  });
  return starts;
}

/**
 * Where a candidate is: the span whose logits are the candidate's (squadPredictions keeps the
 * logits, not the span), among the spans it could have come from — in the passage, the start
 * in its max-context window, end ≥ start, at most maxAnswerLength pieces — and whose words
 * hold its text; then the text's place in those words, mapped onto the context. −1 when no
 * span fits (run_squad.py's "empty", given when no span was valid).
 */
function locate(
  features: SquadFeatures,
  logits: { startLogits: Float32Array; endLogits: Float32Array },
  windows: readonly number[],
  c: SquadCandidate,
  maxAnswerLength: number,
  starts: readonly number[],
): { start: number; end: number } {
  const { T } = features;
  for (const n of windows) {
    const row = n * T;
    const len = features.lengths[n];
    const words = features.docs[features.exampleIndex[n]].words;
    for (let s = 0; s < len; s++) {
      if (logits.startLogits[row + s] !== c.startLogit || features.tokenToWord[row + s] < 0 || !features.maxContext[row + s]) continue;
      for (let t = s; t < Math.min(len, s + maxAnswerLength); t++) {
        if (logits.endLogits[row + t] !== c.endLogit || features.tokenToWord[row + t] < 0) continue;
        const first = features.tokenToWord[row + s];
        const span = words.slice(first, features.tokenToWord[row + t] + 1);
        const p = span.join(" ").indexOf(c.text);
        if (p < 0) continue;
        // a position in the words joined by single spaces → the same character in the context
        const at = (q: number) => {
          let w = 0;
          while (q >= span[w].length + 1) q -= span[w++].length + 1;
          return starts[first + w] + q;
        };
        return { start: at(p), end: at(p + c.text.length - 1) + 1 };
      }
    }
  }
  return { start: -1, end: -1 };
}

/**
 * The answer to each question in its passage. `source`: a fine-tuned folder (loaded, then
 * disposed) or a loaded `{ model, tokenizer }` (kept). Long passages are read in windows of
 * maxSeqLength with a stride; the best span of all windows wins, as run_squad.py's
 * write_predictions (so the answers are those `evaluate --task squad` scores).
 *
 * @example
 *   const [a] = await predictAnswers("runs/squad/best", { question: "Where is the Eiffel Tower?", context: "The Eiffel Tower is in Paris." });
 *   console.log(a.answer, a.score.toFixed(2), a.start); // prints: Paris 0.97 23
 */
export async function predictAnswers(source: string | QuestionAnswerer, inputs: QuestionInput | readonly QuestionInput[], options: AnswerOptions = {}): Promise<AnswerPrediction[]> {
  const list = (Array.isArray(inputs) ? inputs : [inputs]) as readonly QuestionInput[];
  list.forEach((x, i) => {
    if (!x || typeof x !== "object" || typeof x.question !== "string" || typeof x.context !== "string") {
      throw new BertLabError("BAD_INPUT", `input ${i} is not { question, context } (two strings): ${JSON.stringify(x)?.slice(0, 80)}`);
    }
  });
  if (typeof source === "string") await ensureBackend();
  const qa = typeof source === "string" ? loadQuestionAnswerer(source, options) : source;
  try {
    const { model, tokenizer } = qa;
    const positions = model.config.maxPositionEmbeddings;
    const T = options.maxSeqLength ?? Math.min(384, positions);
    if (!Number.isInteger(T) || T > positions) throw new BertLabError("BAD_OPTION", `maxSeqLength must be an integer up to the model's ${positions} positions, got ${T}`);
    const examples: SquadExample[] = list.map((x, i) => ({ id: String(i), title: "", question: x.question, context: x.context, answers: [] }));
    const features = squadFeatures(tokenizer, examples, { maxSeqLength: T, docStride: options.docStride, maxQueryLength: options.maxQueryLength });
    const logits = questionAnsweringLogits(model, features, { batchSize: options.batchSize, trim: true });
    const maxAnswerLength = options.maxAnswerLength ?? 30;
    const p = squadPredictions(examples, features, logits.startLogits, logits.endLogits, { nBestSize: options.nBestSize, maxAnswerLength });
    const windows: number[][] = examples.map(() => []);
    for (let n = 0; n < features.N; n++) windows[features.exampleIndex[n]].push(n);
    return examples.map((ex, e) => {
      const starts = wordStarts(ex.context);
      const nbest = p.nbest[ex.id].map((c) => ({ ...c, ...locate(features, logits, windows[e], c, maxAnswerLength, starts) }));
      if (nbest.length === 1 && nbest[0].start < 0) return { answer: "", score: 0, start: -1, end: -1, nbest: [] }; // run_squad.py's "empty": no valid span
      return { answer: nbest[0].text, score: nbest[0].probability, start: nbest[0].start, end: nbest[0].end, nbest };
    });
  } finally {
    if (typeof source === "string") (qa as QuestionAnswerer & { dispose(): void }).dispose();
  }
}
