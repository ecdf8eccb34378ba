import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { ensureBackend } from "../backend/select";
import { cachedWordnetCorpus, wordnetTask } from "../data/wordnet";
import { bertConfig } from "../model/config";
import { BertForSequenceClassification } from "../model/task-models";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { trainVocab } from "../tokenization/vocab-trainer";
import { train } from "../training/trainer";
import { encodeExamples, SentenceExample, sequenceClassificationTask } from "./sequence-classification";

const vocab = trainVocab({ files: [cachedWordnetCorpus().path] }, { vocabSize: 3000, doLowerCase: true }).vocab; // as the demo
const tok = new BertTokenizer(vocab);
const wn = wordnetTask();
const examples = (split: typeof wn.train, n: number): SentenceExample[] => split.slice(0, n).map((e) => ({ textA: e.text, label: e.label }));
const config = bertConfig("tiny", { vocabSize: vocab.size });

test("encodeExamples: [CLS] A [SEP] (B [SEP]), padded, truncated to the max length", () => {
  const e = encodeExamples(tok, [{ textA: "a language model", textB: "reads text", label: 1 }, { textA: "the encoder ".repeat(20), label: 0 }], 12);
  assert.equal(e.N, 2);
  const row = (k: number) => Array.from(e.inputIds.subarray(k * 12, (k + 1) * 12));
  assert.equal(row(0)[0], vocab.id("[CLS]"));
  assert.equal(e.lengths[1], 12, "a long text is cut to the max length");
  assert.equal(row(1)[11], vocab.id("[SEP]"));
  const types = Array.from(e.tokenTypeIds.subarray(0, e.lengths[0]));
  assert.ok(types.includes(1) && types[0] === 0, "segment B has type 1");
  assert.deepEqual(Array.from(e.attentionMask.subarray(e.lengths[0], 12)), Array(12 - e.lengths[0]).fill(0), "padding is masked");
  assert.deepEqual(Array.from(e.labels), [1, 0]);
});

test("fine-tuning a classifier (WordNet categories): the loss falls, train accuracy rises, dev is evaluated, numTensors stays flat", async () => {
  await ensureBackend();
  const model = new BertForSequenceClassification(config, wn.labels.length, { seed: 1 });
  const trainSet = examples(wn.train, 8); // small enough to fit in a test's time
  const task = sequenceClassificationTask(model, tok, trainSet, examples(wn.dev, 40), { batchSize: 8, maxSeqLength: 32, seed: 1 });
  const counts: number[] = [];
  // lr 5e-4: at 2e-3 this 8-example run is chaotic (loss spikes, some seeds never recover, with or
  // without dropout); at 5e-4 model seeds 1–4 all reach train accuracy ≥ 0.88 in 60 steps
  const r = await train(task, { steps: 60, learningRate: 5e-4, warmupSteps: 6, logEvery: 10, callbacks: { onStep: () => void counts.push(tf.memory().numTensors) } });
  const first = r.history[0];
  const last = r.history[r.history.length - 1];
  assert.ok(last.loss < 0.6 * first.loss, `loss ${first.loss} → ${last.loss}`);
  assert.ok(last.train_accuracy >= 0.6, `train accuracy ${last.train_accuracy}`);
  assert.equal(r.evals.length, 1);
  assert.ok(r.evals[0].eval_accuracy >= 0 && r.evals[0].eval_accuracy <= 1);
  assert.equal(counts[59], counts[2], `numTensors ${counts[2]} → ${counts[59]}`);
  const predictions = task.predict(encodeExamples(tok, trainSet, 32));
  assert.equal(predictions.filter((p, i) => p === trainSet[i].label).length / trainSet.length >= 0.6, true, "predict agrees with train accuracy");
  model.dispose();
});

test("regression (numLabels 1, as STS-B): squared error falls; metrics can be given", async () => {
  await ensureBackend();
  const model = new BertForSequenceClassification(config, 1, { seed: 2 });
  const data = examples(wn.train, 8).map((e, i) => ({ ...e, textB: "a thing", label: (i % 5) + 0.5 }));
  let seen: number[] = [];
  const task = sequenceClassificationTask(model, tok, data, data, {
    batchSize: 8,
    maxSeqLength: 32,
    metrics: (p, y) => ((seen = p), { mae: p.reduce((s, v, i) => s + Math.abs(v - y[i]), 0) / p.length }),
  });
  const r = await train(task, { steps: 60, learningRate: 2e-3, warmupSteps: 6, logEvery: 10 });
  assert.ok(r.history[r.history.length - 1].loss < 0.6 * r.history[0].loss, r.history.map((h) => h.loss).join(" "));
  assert.equal(seen.length, 8);
  assert.ok(Number.isFinite(r.evals[0].eval_mae));
  model.dispose();
});

test("bad labels are refused with the example named", async () => {
  await ensureBackend();
  const model = new BertForSequenceClassification(config, 2, { seed: 3 });
  assert.throws(() => sequenceClassificationTask(model, tok, [{ textA: "x", label: 2 }], [], { batchSize: 2, maxSeqLength: 8 }), /train example 0 has label 2: expected a class index 0..1/);
  assert.throws(() => sequenceClassificationTask(model, tok, [], [], { batchSize: 2, maxSeqLength: 8 }), /no training examples/);
  model.dispose();
});
