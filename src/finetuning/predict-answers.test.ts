import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { ensureBackend } from "../backend/select";
import { BertForPreTraining } from "../model/bert-for-pretraining";
import { bertConfig } from "../model/config";
import { BertForQuestionAnswering } from "../model/task-models";
import { savePretrainedFolder } from "../model/weights/pretrained";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { BertLabError } from "../util/errors";
import { tempFolders } from "../util/temp-folders.test.helper";
import { predictAnswers, QuestionInput } from "./predict-answers";
import { questionAnsweringTask } from "./question-answering";

const tmp = tempFolders();
const WORDS = ["the", "film", "was", "lovely", "paris", "quiet", "smith", "visited", "on", "monday", "who", "where", "did", "go", ".", "?"];
const vocab = new Vocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ...WORDS]);
const tokenizer = new BertTokenizer(vocab);
const config = bertConfig("tiny", { vocabSize: vocab.size, maxPositionEmbeddings: 64 });
const H = config.hiddenSize;

/**
 * A model whose logits are known: every sublayer's output projection is zero, so each layer
 * passes LayerNorm(its input) on; the position and segment embeddings are zero, and every word
 * embedding is zero but two: "smith" = e0 − e1 and "paris" = e2 − e3. After LayerNorm those
 * are ±√(H/2) = ±8 there, every other token 0. qa_outputs reads dimension 0 as the start
 * logit and 2 as the end: 8 at each "smith" (start) and each "paris" (end), 0 elsewhere.
 */
function knownModel(): BertForQuestionAnswering {
  const model = new BertForQuestionAnswering(config, { seed: 3 });
  tf.tidy(() => {
    const words = new Float32Array(vocab.size * H);
    const smith = vocab.requireId("smith");
    const paris = vocab.requireId("paris");
    words.set([1, -1], smith * H);
    words.set([1, -1], paris * H + 2);
    for (const [name, v] of model.store.vars) {
      if (name === "bert.embeddings.word_embeddings.weight") v.assign(tf.tensor2d(words, [vocab.size, H]));
      else if (/(position|token_type)_embeddings|attention\.output\.dense|layer\.\d+\.output\.dense|qa_outputs/.test(name)) v.assign(tf.zerosLike(v));
    }
    const qa = new Float32Array(H * 2);
    qa[0 * 2 + 0] = 1; // start ← dimension 0
    qa[2 * 2 + 1] = 1; // end ← dimension 2
    model.qaOutputs.kernel.assign(tf.tensor2d(qa, [H, 2]));
  });
  return model;
}

// "Paris" first comes before "Smith": a span ending there would end before it starts
const CONTEXT = "The film 🎬 was lovely.  Paris was quiet.\n\nSmith   visited\tParis on Monday .";
const START = CONTEXT.indexOf("Smith");
const END = CONTEXT.lastIndexOf("Paris") + "Paris".length;

test("predictAnswers: the span of the known logits, its text as run_squad.py gives it, its place in the passage (UTF-16, the passage's own spacing), the n best", async () => {
  await ensureBackend();
  const model = knownModel();
  const qa = { model, tokenizer };
  const before = tf.memory().numTensors;
  const [a] = await predictAnswers(qa, { question: "Who visited Paris?", context: CONTEXT }, { maxQueryLength: 16 });
  assert.equal(a.answer, "Smith visited Paris", "start at smith (8), end at the paris after it (8): words joined by single spaces, case kept");
  assert.deepEqual([a.start, a.end], [START, END]);
  assert.equal(CONTEXT.slice(a.start, a.end), "Smith   visited\tParis", "where it is, as the passage spaces it");
  // the n best: 16 for the answer, 8 for spans with one of the two, softmax over the list
  const scores = a.nbest.map((c) => c.startLogit + c.endLogit);
  assert.ok(Math.abs(scores[0] - 16) < 1e-4, `top score ${scores[0]}`);
  assert.ok(scores.slice(1).every((s) => s <= 8 + 1e-4), "every other span has at most one of the two");
  const z = scores.reduce((s, x) => s + Math.exp(x - scores[0]), 0);
  assert.ok(Math.abs(a.score - 1 / z) < 1e-6, `score ${a.score} is the softmax over the n best`);
  assert.equal(a.nbest.length, 20, "nBestSize 20 by default");
  a.nbest.forEach((c) => {
    assert.ok(c.start >= 0 && c.end > c.start, `${c.text} located`);
    assert.equal(CONTEXT.slice(c.start, c.end).split(/\s+/).join(" "), c.text, `${c.text} is where it says`);
  });
  assert.equal(tf.memory().numTensors, before, "nothing left behind");

  // windows of 24 pieces, 4 apart: the same answer through the max-context rule, in a batch with
  // a passage without "smith" and an empty one (no window: no valid span)
  const inputs: QuestionInput[] = [
    { question: "who visited paris ?", context: CONTEXT },
    { question: "where did smith go ?", context: "the film was lovely . smith visited paris on monday ." },
    { question: "where ?", context: "the film was quiet . paris was lovely ." },
    { question: "who ?", context: "" },
  ];
  const options = { maxSeqLength: 24, docStride: 4, maxQueryLength: 8, batchSize: 3, nBestSize: 5 };
  const got = await predictAnswers(qa, inputs, options);
  assert.deepEqual(got.map((p) => [p.answer, p.start, p.end]), [
    ["Smith visited Paris", START, END],
    ["smith visited paris", 22, 41],
    ["the film was quiet . paris", 0, 26], // every start 0: the first passage piece wins the tie (Python's stable sort), then "paris"
    ["", -1, -1],
  ]);
  assert.ok(got[3].score === 0 && got[3].nbest.length === 0, "no valid span: no answer");
  // the answers are those of the training task's own prediction path (what evaluate scores)
  const examples = inputs.slice(0, 3).map((x, i) => ({ id: `q${i}`, title: "", question: x.question, context: x.context, answers: [{ text: "paris", start: x.context.toLowerCase().indexOf("paris") }] }));
  const task = questionAnsweringTask(model, tokenizer, examples, examples, { ...options, batchSize: 2 });
  assert.deepEqual(Object.values(task.predictAnswers(examples)), got.slice(0, 3).map((p) => p.answer));
  assert.equal(tf.memory().numTensors, before);

  // a folder: loaded, the same answers, disposed
  const dir = tmp("qa-folder");
  savePretrainedFolder(dir, model.store, model.config, { architecture: "BertForQuestionAnswering", vocabText: vocab.toText() });
  const fromFolder = await predictAnswers(dir, inputs, options);
  assert.deepEqual(fromFolder.map((p) => [p.answer, p.start, p.end]), got.map((p) => [p.answer, p.start, p.end]));
  assert.equal(tf.memory().numTensors, before, "the folder's model is disposed after");
  model.dispose();

  await assert.rejects(predictAnswers(qa, [{ question: 42 } as unknown as QuestionInput]), /input 0 is not \{ question, context \}/);
  await assert.rejects(predictAnswers(qa, inputs, { maxSeqLength: 128 }), /maxSeqLength must be an integer up to the model's 64 positions, got 128/);
  await assert.rejects(predictAnswers(qa, inputs, { maxSeqLength: 32 }), /maxSeqLength \(32\) must be greater than maxQueryLength \(64\) \+ 3/);
  const base = new BertForPreTraining(config, { seed: 9 });
  const baseDir = tmp("qa-base");
  base.savePretrained(baseDir, { vocabText: vocab.toText() });
  base.dispose();
  await assert.rejects(predictAnswers(baseDir, inputs, options), (e: unknown) => e instanceof BertLabError && e.code === "NOT_FINE_TUNED" && /no trained span head \(qa_outputs missing\)/.test(e.message));
});
