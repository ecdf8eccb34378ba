import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { ensureBackend } from "../backend/select";
import { bertConfig, configFromHf, configToHf, labelsFromHf, labelsToHf } from "../model/config";
import { BertForPreTraining } from "../model/bert-for-pretraining";
import { BertForSequenceClassification, BertForTokenClassification } from "../model/task-models";
import { readPretrainedFolder, savePretrainedFolder, setFolderLabels } from "../model/weights/pretrained";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { BertLabError } from "../util/errors";
import { tempFolders } from "../util/temp-folders.test.helper";
import { loadSentenceClassifier, loadTokenClassifier, predictSentences, predictTags, SentencePrediction, splitWords, TagPrediction } from "./predict";

const tmp = tempFolders();
const WORDS = ["good", "bad", "film", "the", "a", "very", "eu", "rejects", "german", "call", "to", "boycott", "british", "lamb", "hi", "bob", "un", "##known", ".", ",", "!", "?"];
const vocab = new Vocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ...WORDS]);
const tokenizer = new BertTokenizer(vocab);
const config = bertConfig("tiny", { vocabSize: vocab.size, maxPositionEmbeddings: 64 });
const H = config.hiddenSize;
const softmax = (xs: number[]) => {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};
/** Output k of the classifier is constant: a zero kernel and the given bias. */
function setBias(model: BertForSequenceClassification | BertForTokenClassification, bias: number[]): void {
  tf.tidy(() => {
    model.classifier.kernel.assign(tf.zeros([H, bias.length]));
    model.classifier.bias.assign(tf.tensor1d(bias));
  });
}
const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("config.json's id2label / label2id / problem_type: written as HF does, read back in index order, ignored by configFromHf", () => {
  const hf = labelsToHf(["zeta", "alpha"], "single_label_classification");
  assert.deepEqual(hf, { id2label: { "0": "zeta", "1": "alpha" }, label2id: { zeta: 0, alpha: 1 }, problem_type: "single_label_classification" });
  assert.deepEqual(labelsFromHf({ id2label: { "1": "b", "0": "a", "2": "c" } }), { labels: ["a", "b", "c"], problemType: null });
  assert.deepEqual(labelsFromHf({}), { labels: null, problemType: null });
  assert.throws(() => labelsFromHf({ id2label: { "0": "a", "2": "c" } }, "x/config.json"), (e: unknown) => e instanceof BertLabError && /x\/config\.json: id2label has key "2": keys must be 0…1/.test(e.message));
  assert.throws(() => labelsFromHf({ id2label: { "0": 5 } }), /maps 0 to 5, not a name/);
  const c = bertConfig("tiny", { vocabSize: 100 });
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify({ ...configToHf(c), ...hf }))), c, "the config itself is unchanged by the label fields");
});

test("predictSentences: classes named by the given labels in index order (not sorted), scores the softmax; a regression gives { value }", async () => {
  await ensureBackend();
  const start = tf.memory().numTensors;
  const model = new BertForSequenceClassification(config, 3, { seed: 1 });
  const clf = { model, tokenizer, labels: ["zeta", "alpha", "mid"] };
  setBias(model, [2, 0.5, -1]);
  const inputs = ["good film", ["the film", "very bad"] as const, { text: "a", textPair: "b" }];
  const expected = softmax([2, 0.5, -1]);
  const first = await predictSentences(clf, inputs);
  assert.equal(first.length, 3);
  for (const p of first) {
    assert.equal(p.label, "zeta");
    assert.equal(p.index, 0);
    close(p.score!, expected[0]);
    assert.deepEqual(Object.keys(p.scores!), ["zeta", "alpha", "mid"]);
    close(p.scores!.mid, expected[2]);
  }
  setBias(model, [-1, 0.5, 2]);
  const [last] = await predictSentences(clf, "good film");
  assert.equal(last.label, "mid", "the third output is the third label");
  assert.equal(last.index, 2);
  // with the trained head's weights random, each score is the softmax of that text's own logits
  const other = new BertForSequenceClassification(config, 3, { seed: 7 });
  const texts = ["good film", "the bad film", "hi"];
  const got = await predictSentences({ model: other, tokenizer, labels: null }, texts);
  texts.forEach((t, i) => {
    const e = tokenizer.encode(t);
    const out = other.forward({ inputIds: [e.inputIds] });
    const want = softmax(Array.from(out.logits.dataSync()));
    tf.dispose(out as unknown as tf.TensorContainer);
    const k = want.indexOf(Math.max(...want));
    assert.equal(got[i].label, `LABEL_${k}`, "no names: HF's LABEL_k");
    close(got[i].score!, want[k]);
  });
  const reg = new BertForSequenceClassification(config, 1, { seed: 2 });
  setBias(reg, [0.75]);
  const values = await predictSentences({ model: reg, tokenizer, labels: null }, ["good", "bad film"]);
  assert.deepEqual(values.map((v) => v.label), [undefined, undefined]);
  values.forEach((v) => close(v.value!, 0.75));
  for (const m of [model, other, reg]) m.dispose();
  assert.equal(tf.memory().numTensors, start, "nothing left once the models are disposed");
});

test("batches give what one-by-one gives (padding is masked), and numTensors is flat", async () => {
  await ensureBackend();
  const model = new BertForSequenceClassification(config, 2, { seed: 3 });
  const tagger = new BertForTokenClassification(config, 3, { seed: 4 });
  const clf = { model, tokenizer, labels: ["neg", "pos"] };
  const tag = { model: tagger, tokenizer, labels: ["O", "B-PER", "I-PER"] };
  const texts = ["good", "the very very bad film .", ["a film", "a good film , very good"] as const, "hi bob !", "unknown boycott of british lamb", "the"];
  const before = tf.memory().numTensors;
  const batched = await predictSentences(clf, texts, { batchSize: 4 });
  const single: SentencePrediction[] = [];
  for (const t of texts) single.push(...(await predictSentences(clf, [t], { batchSize: 1 })));
  const sentences = ["EU rejects German call", "hi", "the very very bad film , to boycott british lamb ."];
  const tagsBatched = await predictTags(tag, sentences, { batchSize: 3 });
  const tagsSingle: TagPrediction[] = [];
  for (const s of sentences) tagsSingle.push(...(await predictTags(tag, [s], { batchSize: 1 })));
  assert.equal(tf.memory().numTensors, before, "no tensor left behind");
  batched.forEach((p, i) => {
    assert.equal(p.label, single[i].label, `input ${i}`);
    close(p.score!, single[i].score!);
  });
  tagsBatched.forEach((s, i) => {
    assert.deepEqual(s.words.map((w) => w.tag), tagsSingle[i].words.map((w) => w.tag), `sentence ${i}`);
    s.words.forEach((w, j) => close(w.score, tagsSingle[i].words[j].score));
  });
  model.dispose();
  tagger.dispose();
});

test("predictTags: each word's tag by id2label, entities with their text, words past maxSeqLength unscored", async () => {
  await ensureBackend();
  const tagger = new BertForTokenClassification(config, 4, { seed: 5 });
  const tag = { model: tagger, tokenizer, labels: ["O", "B-PER", "I-PER", "B-LOC"] };
  setBias(tagger, [0, 1, 3, 0]); // I-PER everywhere: one entity over the whole sentence
  const [s] = await predictTags(tag, "Hi,  Bob!");
  assert.deepEqual(s.words.map((w) => [w.word, w.tag, w.start, w.end]), [["Hi", "I-PER", 0, 2], [",", "I-PER", 2, 3], ["Bob", "I-PER", 5, 8], ["!", "I-PER", 8, 9]]);
  close(s.words[0].score, softmax([0, 1, 3, 0])[2]);
  assert.deepEqual(s.entities, [{ type: "PER", start: 0, end: 4, text: "Hi,  Bob!" }]);
  setBias(tagger, [0, 1, 0, 3]); // B-LOC everywhere: every word its own entity
  const [w] = await predictTags(tag, [["EU", "rejects", "German"]]);
  assert.deepEqual(w.entities.map((e) => e.text), ["EU", "rejects", "German"]);
  assert.equal(w.words[0].start, undefined, "words given as words have no place in a text");
  const [cut] = await predictTags(tag, ["hi bob the film"], { maxSeqLength: 4 }); // [CLS] hi bob [SEP]
  assert.deepEqual(cut.words.map((x) => x.tag), ["B-LOC", "B-LOC", "O", "O"]);
  assert.deepEqual(cut.words.map((x) => x.score).slice(2), [0, 0]);
  assert.equal(cut.unscored, 2);
  assert.deepEqual(splitWords("It's 3.5 — ok"), [
    { word: "It", start: 0, end: 2 }, { word: "'", start: 2, end: 3 }, { word: "s", start: 3, end: 4 },
    { word: "3", start: 5, end: 6 }, { word: ".", start: 6, end: 7 }, { word: "5", start: 7, end: 8 },
    { word: "—", start: 9, end: 10 }, { word: "ok", start: 11, end: 13 },
  ]);
  await assert.rejects(predictTags(tag, [42 as unknown as string]), /sentence 0 is neither a string nor an array of words/);
  tagger.dispose();
});

test("a folder: loaded with its id2label, the same predictions, disposed after; folders without a classifier or names are refused", async () => {
  await ensureBackend();
  const model = new BertForSequenceClassification(config, 3, { seed: 6 });
  const dir = tmp("predict-clf");
  savePretrainedFolder(dir, model.store, model.config, { architecture: "BertForSequenceClassification", vocabText: vocab.toText(), labels: ["zeta", "alpha", "mid"], problemType: "single_label_classification" });
  const texts = ["good film", "bad", ["the film", "a film"] as const];
  const fromModel = await predictSentences({ model, tokenizer, labels: ["zeta", "alpha", "mid"] }, texts);
  const before = tf.memory().numTensors;
  const fromFolder = await predictSentences(dir, texts);
  assert.equal(tf.memory().numTensors, before, "the folder's model is disposed after");
  assert.deepEqual(fromFolder.map((p) => p.label), fromModel.map((p) => p.label));
  fromFolder.forEach((p, i) => close(p.score!, fromModel[i].score!));
  const loaded = loadSentenceClassifier(dir);
  assert.deepEqual(loaded.labels, ["zeta", "alpha", "mid"]);
  assert.equal(loaded.problemType, "single_label_classification");
  assert.equal(loaded.tokenizer.doLowerCase, true, "no tokenizer_config.json: uncased");
  loaded.dispose();
  fs.writeFileSync(path.join(dir, "tokenizer_config.json"), JSON.stringify({ do_lower_case: false }));
  const cased = loadSentenceClassifier(dir);
  assert.equal(cased.tokenizer.doLowerCase, false, "the folder's tokenizer_config.json says cased");
  cased.dispose();
  fs.rmSync(path.join(dir, "tokenizer_config.json"));
  model.dispose();

  const tagger = new BertForTokenClassification(config, 2, { seed: 8 });
  const tagDir = tmp("predict-tagger");
  savePretrainedFolder(tagDir, tagger.store, tagger.config, { architecture: "BertForTokenClassification", vocabText: vocab.toText() });
  assert.throws(() => loadTokenClassifier(tagDir), (e: unknown) => e instanceof BertLabError && e.code === "NO_LABELS" && /config\.json has no id2label.*bert-lab finetune/.test(e.message));
  setFolderLabels(tagDir, ["O", "B-LOC"]);
  assert.deepEqual(readPretrainedFolder(tagDir).labels, ["O", "B-LOC"]);
  const json = JSON.parse(fs.readFileSync(path.join(tagDir, "config.json"), "utf8"));
  assert.equal(json.hidden_size, H, "the other fields are kept");
  assert.deepEqual(json.label2id, { O: 0, "B-LOC": 1 });
  const [s] = await predictTags(tagDir, ["EU rejects"]);
  assert.ok(s.words.every((w) => w.tag === "O" || w.tag === "B-LOC"));
  tagger.dispose();

  const base = new BertForPreTraining(config, { seed: 9 });
  const baseDir = tmp("predict-base");
  base.savePretrained(baseDir, { vocabText: vocab.toText() });
  base.dispose();
  await assert.rejects(predictSentences(baseDir, ["good"]), /no trained classifier \(classifier\.bias missing\)/);
  setFolderLabels(dir, ["a", "b"]);
  assert.throws(() => loadSentenceClassifier(dir), /id2label names 2 classes but the classifier has 3 outputs/);
});
