// Table 5's last two rows need two things of the model: a left-to-right model stays causal when
// fine-tuned (config is_decoder) and pools the one token that has seen the whole input; and a
// BiLSTM can sit between BERT and the classifier (config bilstm_hidden_size), saved and loaded
// with the folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { BertModel, disposeOutput } from "./bert-model";
import { bertConfig, configFromHf, configToHf } from "./config";
import { BertForSequenceClassification, BertForTokenClassification } from "./task-models";
import { biLstm, addBiLstm } from "./bilstm";
import { ParamStore } from "./params";
import { FeatureTagger } from "../finetuning/feature-tagger";
import { modelFromFolder, savePretrainedFolder } from "./weights/pretrained";

const base = bertConfig("tiny", { vocabSize: 50, hiddenSize: 32, numAttentionHeads: 4, intermediateSize: 64, maxPositionEmbeddings: 16 });
const ids = [
  [2, 7, 8, 9, 3, 11, 12, 3],
  [2, 5, 6, 3, 13, 3, 0, 0],
];
const mask = [
  [1, 1, 1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 1, 1, 0, 0],
];
const close = (a: number[], b: number[], tol: number, what: string) => a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= tol, `${what}[${i}]: ${x} vs ${b[i]}`));

test("setup: cpu backend", async () => {
  await tf.setBackend("cpu");
});

test("config: is_decoder and bilstm_hidden_size round-trip through config.json, and are absent unless set", () => {
  assert.ok(!("is_decoder" in configToHf(base)) && !("bilstm_hidden_size" in configToHf(base)));
  const c = { ...base, isDecoder: true, bilstmHiddenSize: 24 };
  const hf = configToHf(c);
  assert.equal(hf.is_decoder, true);
  assert.equal(hf.bilstm_hidden_size, 24);
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(hf))), c);
  assert.throws(() => configFromHf({ ...configToHf(base), bilstm_hidden_size: 0 }), /bilstmHiddenSize/);
  assert.throws(() => configFromHf({ ...configToHf(base), is_decoder: "yes" }), /isDecoder/);
});

test("is_decoder: attention is causal by default, and the pooled output reads each row's last real token", () => {
  const ltr = new BertModel({ ...base, isDecoder: true }, { seed: 5 });
  const a = ltr.forward({ inputIds: ids, attentionMask: mask }, { outputAttentions: true });
  const probs = (a.attentions[0].arraySync() as number[][][][])[0][0];
  for (let i = 0; i < 8; i++) for (let j = i + 1; j < 8; j++) assert.ok(probs[i][j] < 1e-6, `token ${i} sees ${j}`);
  // the pooler applied to the hidden state at position 7 (row 0) and 5 (row 1, two pads)
  const h = a.lastHiddenState.arraySync() as number[][][];
  const lastRows = tf.tensor2d([h[0][7], h[1][5]]);
  const expected = tf.tidy(() => tf.tanh(ltr.pooler.apply(lastRows)).arraySync() as number[][]);
  const pooled = a.pooledOutput.arraySync() as number[][];
  close(pooled[0], expected[0], 1e-5, "row 0");
  close(pooled[1], expected[1], 1e-5, "row 1");
  // causal: false still overrides, and pools [CLS] as BERT does
  const b = ltr.forward({ inputIds: ids, attentionMask: mask }, { causal: false });
  const first = tf.tensor2d([(b.lastHiddenState.arraySync() as number[][][])[0][0]]);
  close((b.pooledOutput.arraySync() as number[][])[0], (tf.tidy(() => tf.tanh(ltr.pooler.apply(first)).arraySync()) as number[][])[0], 1e-5, "cls");
  tf.dispose([lastRows, first]);
  disposeOutput(a);
  disposeOutput(b);
  ltr.dispose();
});

test("biLstm: padded steps are skipped, the summary is the forward state at the last real step and the backward state at the first", () => {
  const store = new ParamStore(3);
  addBiLstm(store, "l", 6, 4);
  const x = tf.randomNormal([2, 5, 6], 0, 1, "float32", 7) as tf.Tensor3D;
  const m = tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], undefined, "int32");
  const { outputs, summary } = biLstm(store, "l", x, m);
  const out = outputs.arraySync() as number[][][];
  const sum = summary.arraySync() as number[][];
  assert.deepEqual(outputs.shape, [2, 5, 8]);
  assert.ok(out[1][3].every((v) => v === 0) && out[1][4].every((v) => v === 0), "padded steps output zeros");
  close(sum[1].slice(0, 4), out[1][2].slice(0, 4), 1e-6, "forward at the last real step");
  close(sum[1].slice(4), out[1][0].slice(4), 1e-6, "backward at the first step");
  // the padded row equals the same row run alone without its padding
  const alone = biLstm(store, "l", tf.slice(x, [1, 0, 0], [1, 3, 6]) as tf.Tensor3D, tf.ones([1, 3], "int32") as tf.Tensor2D);
  close((alone.summary.arraySync() as number[][])[0], sum[1], 1e-5, "unpadded");
  tf.dispose([x, m, outputs, summary, alone.outputs, alone.summary]);
  store.dispose();
});

test("the feature tagger's BiLSTM is the shared module: same parameter names and shapes", () => {
  const tagger = new FeatureTagger({ tagger: "bilstm", layers: "-1", slices: 1, featureSize: 12, hiddenSize: 5, lstmLayers: 2, labels: ["O", "B-X"] }, 1);
  const names = [...tagger.store.vars.keys()];
  for (const n of ["lstm.0.forward.weight_ih", "lstm.0.backward.weight_hh", "lstm.1.forward.bias"]) assert.ok(names.includes(n), n);
  assert.deepEqual(tagger.store.get("lstm.1.forward.weight_ih").shape, [10, 20]);
  tagger.dispose();
});

test("a BiLSTM head: the classifier reads 2 × units, gradients reach BERT through it, and the folder loads back with it", () => {
  const config = { ...base, isDecoder: true, bilstmHiddenSize: 6 };
  const model = new BertForSequenceClassification(config, 3, { seed: 2 });
  assert.deepEqual(model.classifier.kernel.shape, [12, 3]);
  const { value, grads } = tf.variableGrads(() => {
    const out = model.forward({ inputIds: ids, attentionMask: mask }, { training: false });
    const loss = tf.mean(tf.square(out.logits)) as tf.Scalar;
    tf.dispose([out.lastHiddenState, out.pooledOutput]);
    return loss;
  });
  const gradOf = (name: string) => grads[model.store.get(name).name];
  const embeddingGrad = gradOf("bert.embeddings.word_embeddings.weight");
  assert.ok(embeddingGrad && (tf.tidy(() => tf.max(tf.abs(embeddingGrad)).dataSync()[0]) as number) > 0, "a gradient reaches the embeddings");
  assert.ok(gradOf("bilstm.forward.weight_hh"), "the BiLSTM trains");
  tf.dispose([value, ...Object.values(grads)]);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bilstm-head-"));
  try {
    const before = model.forward({ inputIds: ids, attentionMask: mask });
    savePretrainedFolder(dir, model.store, model.config, { architecture: "BertForSequenceClassification" });
    const json = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
    assert.equal(json.bilstm_hidden_size, 6);
    assert.equal(json.is_decoder, true);
    const loaded = modelFromFolder(dir, (c) => new BertForSequenceClassification(c, 3, { seed: 99 }), {});
    assert.equal(loaded.report.initialized.length, 0, `nothing re-initialised: ${loaded.report.initialized.join(", ")}`);
    const after = loaded.model.forward({ inputIds: ids, attentionMask: mask });
    close(Array.from(after.logits.dataSync()), Array.from(before.logits.dataSync()), 1e-5, "logits");
    disposeOutput(before);
    disposeOutput(after);
    loaded.model.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  model.dispose();
});

test("a token classifier with a BiLSTM: one output per token from both directions", () => {
  const model = new BertForTokenClassification({ ...base, bilstmHiddenSize: 4 }, 5, { seed: 1 });
  const out = model.forward({ inputIds: ids, attentionMask: mask });
  assert.deepEqual(out.logits.shape, [2, 8, 5]);
  assert.deepEqual(model.classifier.kernel.shape, [8, 5]);
  disposeOutput(out);
  model.dispose();
});
