// Properties of the model a user relies on (cpu backend): eval is deterministic, dropout only
// in training and seeded, padding and causal masks hide what they should, memory stays flat.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Rng } from "../util/rng";
import { BertModel, disposeOutput } from "./bert-model";
import { BertForPreTraining } from "./bert-for-pretraining";
import { bertConfig } from "./config";
import { BertForQuestionAnswering, BertForSequenceClassification, BertForTokenClassification } from "./task-models";

const config = bertConfig("tiny", { vocabSize: 50, hiddenSize: 32, numAttentionHeads: 4, intermediateSize: 64, maxPositionEmbeddings: 16 });
const ids = [
  [2, 7, 8, 9, 3, 11, 12, 3],
  [2, 5, 6, 3, 13, 3, 0, 0],
];
const types = [
  [0, 0, 0, 0, 0, 1, 1, 1],
  [0, 0, 0, 0, 1, 1, 0, 0],
];
const mask = [
  [1, 1, 1, 1, 1, 1, 1, 1],
  [1, 1, 1, 1, 1, 1, 0, 0],
];

test("setup: cpu backend", async () => {
  await tf.setBackend("cpu");
  assert.equal(tf.getBackend(), "cpu");
});

test("forward returns the named outputs with their shapes; eval mode is deterministic", () => {
  const model = new BertModel(config, { seed: 3 });
  const a = model.forward({ inputIds: ids, tokenTypeIds: types, attentionMask: mask }, { outputAttentions: true, outputHiddenStates: true });
  assert.deepEqual(a.lastHiddenState.shape, [2, 8, 32]);
  assert.deepEqual(a.pooledOutput.shape, [2, 32]);
  assert.equal(a.hiddenStates.length, 3);
  assert.equal(a.attentions.length, 2);
  assert.deepEqual(a.attentions[0].shape, [2, 4, 8, 8]);
  // attention rows are distributions, and padding gets (almost) none
  const p = a.attentions[1].arraySync() as number[][][][];
  assert.ok(Math.abs(p[1][2][3].reduce((s, x) => s + x, 0) - 1) < 1e-5);
  assert.ok(p[1][2][3][6] < 1e-4 && p[1][2][3][7] < 1e-4);
  const b = model.forward({ inputIds: ids, tokenTypeIds: types, attentionMask: mask });
  assert.deepEqual(b.lastHiddenState.arraySync(), a.lastHiddenState.arraySync());
  assert.equal(b.attentions.length, 0);
  disposeOutput(a);
  disposeOutput(b);
  model.dispose();
});

test("dropout only in training mode, and seeded", () => {
  const model = new BertModel(config, { seed: 3 });
  const run = (training: boolean, seed: number) => {
    const out = model.forward({ inputIds: ids }, { training, rng: new Rng(seed) });
    const v = out.lastHiddenState.arraySync();
    disposeOutput(out);
    return JSON.stringify(v);
  };
  assert.equal(run(false, 1), run(false, 2));
  assert.notEqual(run(true, 1), run(false, 1));
  assert.equal(run(true, 1), run(true, 1));
  assert.notEqual(run(true, 1), run(true, 2));
  model.dispose();
});

test("padding: changing padded tokens changes nothing at real positions", () => {
  const model = new BertModel(config, { seed: 4 });
  const other = ids.map((r) => r.slice());
  other[1][6] = 40;
  other[1][7] = 41;
  const a = model.forward({ inputIds: ids, attentionMask: mask });
  const b = model.forward({ inputIds: other, attentionMask: mask });
  const ra = (a.lastHiddenState.arraySync() as number[][][])[1].slice(0, 6).flat();
  const rb = (b.lastHiddenState.arraySync() as number[][][])[1].slice(0, 6).flat();
  ra.forEach((x, i) => assert.ok(Math.abs(x - rb[i]) < 1e-5));
  disposeOutput(a);
  disposeOutput(b);
  model.dispose();
});

test("causal mask: a token sees only itself and what precedes it (the left-to-right LM)", () => {
  const model = new BertModel(config, { seed: 5 });
  const later = ids.map((r) => r.slice());
  later[0][6] = 33;
  const a = model.forward({ inputIds: ids }, { causal: true, outputAttentions: true });
  const b = model.forward({ inputIds: later }, { causal: true });
  const ha = (a.lastHiddenState.arraySync() as number[][][])[0];
  const hb = (b.lastHiddenState.arraySync() as number[][][])[0];
  for (let t = 0; t < 6; t++) ha[t].forEach((x, i) => assert.ok(Math.abs(x - hb[t][i]) < 1e-5, `position ${t}`));
  assert.ok(ha[6].some((x, i) => Math.abs(x - hb[6][i]) > 1e-4), "position 6 itself changed");
  const probs = (a.attentions[0].arraySync() as number[][][][])[0][0];
  for (let i = 0; i < 8; i++) for (let j = i + 1; j < 8; j++) assert.ok(probs[i][j] < 1e-6);
  // without the causal mask, position 0 does see position 6
  const c = model.forward({ inputIds: ids });
  const d = model.forward({ inputIds: later });
  assert.ok((c.lastHiddenState.arraySync() as number[][][])[0][0].some((x, i) => Math.abs(x - (d.lastHiddenState.arraySync() as number[][][])[0][0][i]) > 1e-5));
  for (const o of [a, b, c, d]) disposeOutput(o);
  model.dispose();
});

test("pre-training losses: −100 ignored, mean over labelled positions, NSP 0/1", () => {
  const model = new BertForPreTraining(config, { seed: 6 });
  const labels = ids.map((r) => r.map(() => -100));
  labels[0][2] = 8;
  labels[1][1] = 5;
  const out = model.forward({ inputIds: ids, attentionMask: mask, maskedLmLabels: labels, nextSentenceLabel: [0, 1] });
  const logits = out.mlmLogits!.arraySync() as number[][][];
  const ce = (row: number[], y: number) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
    return lse - row[y];
  };
  const mlm = (ce(logits[0][2], 8) + ce(logits[1][1], 5)) / 2;
  assert.ok(Math.abs(out.mlmLoss!.dataSync()[0] - mlm) < 1e-5);
  const nspL = out.nspLogits.arraySync() as number[][];
  const nsp = (ce(nspL[0], 0) + ce(nspL[1], 1)) / 2;
  assert.ok(Math.abs(out.nspLoss!.dataSync()[0] - nsp) < 1e-5);
  assert.ok(Math.abs(out.totalLoss!.dataSync()[0] - mlm - nsp) < 1e-5);
  assert.throws(() => model.forward({ inputIds: ids, maskedLmLabels: [[1, 2]] }), /maskedLmLabels must have the shape/);
  assert.throws(() => model.forward({ inputIds: ids, nextSentenceLabel: [0, 2] }), /nextSentenceLabel must be 2 values of 0 \(IsNext\) or 1 \(NotNext\)/);
  assert.throws(() => model.forward({ inputIds: [[2, 99]] }), /inputIds\[0\]\[1\] = 99 is not a token id/);
  disposeOutput(out);
  model.dispose();
});

test("task heads: sequence, token and span outputs", () => {
  const seq = new BertForSequenceClassification(config, 3, { seed: 1 });
  const tok = new BertForTokenClassification(config, 5, { seed: 1 });
  const qa = new BertForQuestionAnswering(config, { seed: 1 });
  const a = seq.forward({ inputIds: ids });
  const b = tok.forward({ inputIds: ids });
  const c = qa.forward({ inputIds: ids });
  assert.deepEqual(a.logits.shape, [2, 3]);
  assert.deepEqual(b.logits.shape, [2, 8, 5]);
  assert.deepEqual(c.startLogits.shape, [2, 8]);
  assert.deepEqual(c.endLogits.shape, [2, 8]);
  assert.ok(seq.store.vars.has("classifier.weight") && qa.store.vars.has("qa_outputs.bias") && seq.store.vars.has("bert.pooler.dense.weight"));
  for (const o of [a, b, c]) disposeOutput(o);
  for (const m of [seq, tok, qa]) m.dispose();
});

test("parameter count of the variables equals the formula", () => {
  const model = new BertForPreTraining(config);
  assert.equal(model.store.count(), model.countParams().pretraining);
  const bare = new BertModel(config);
  assert.equal(bare.store.count(), bare.countParams().model);
  model.dispose();
  bare.dispose();
});
