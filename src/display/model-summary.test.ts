import { test } from "node:test";
import assert from "node:assert/strict";
import "@tensorflow/tfjs-backend-cpu";
import { BertModel } from "../model/bert-model";
import { BertForPreTraining } from "../model/bert-for-pretraining";
import { BertForQuestionAnswering, BertForSequenceClassification, BertForTokenClassification } from "../model/task-models";
import { bertConfig, countParams } from "../model/config";
import { bundleOf, checkBundle, isDisplayable } from "./mime";
import { modelSummary, moduleOf } from "./model-summary";

const config = bertConfig("tiny", { vocabSize: 500, maxPositionEmbeddings: 64, numHiddenLayers: 3 });

function everyLayerListed(s: { text: string; html: string }): void {
  for (let l = 0; l < config.numHiddenLayers; l++) {
    assert.match(s.text, new RegExp(`encoder\\.layer\\.${l}\\b`));
    assert.match(s.html, new RegExp(`<td>(bert\\.)?encoder\\.layer\\.${l}</td>`));
  }
}

test("BertForPreTraining: the total equals countParams().pretraining; modules in order; every layer listed", () => {
  const model = new BertForPreTraining(config, { seed: 1 });
  try {
    const s = modelSummary(model);
    assert.equal(s.total, countParams(config).pretraining);
    assert.equal(s.total, model.store.count());
    assert.deepEqual(
      s.modules.map((m) => m.module),
      ["bert.embeddings", "bert.encoder.layer.0", "bert.encoder.layer.1", "bert.encoder.layer.2", "bert.pooler", "cls.predictions", "cls.seq_relationship"],
    );
    const H = config.hiddenSize;
    assert.equal(s.modules[0].params, (500 + 64 + 2) * H + 2 * H);
    assert.equal(s.modules[0].shapes, "[500, 128], [64, 128], [2, 128], [128]×2");
    assert.equal(s.modules[1].tensors, 16);
    assert.ok(Math.abs(s.modules.reduce((a, m) => a + m.share, 0) - 100) < 1e-9);
    everyLayerListed(s);
    assert.match(s.text, /^BertForPreTraining · L=3 H=128 A=2 I=512 · vocab 500 · positions 64 · segments 2 · gelu\n/);
    assert.match(s.text, new RegExp(`total\\s+${countParams(config).pretraining.toLocaleString("en-US")}\\s+100`));
    assert.match(s.text, /tied/);
    const b = checkBundle(bundleOf(model));
    assert.equal(b["text/plain"], s.text, "the model displays itself with its summary");
    assert.equal(b["text/html"], s.html);
  } finally {
    model.dispose();
  }
});

test("BertModel and the task models: totals from the param store, heads as modules", () => {
  const bare = new BertModel(config);
  const seq = new BertForSequenceClassification(config, 3);
  const tok = new BertForTokenClassification(config, 5);
  const qa = new BertForQuestionAnswering(config);
  try {
    const H = config.hiddenSize;
    const base = countParams(config).model;
    const b = modelSummary(bare);
    assert.equal(b.total, base);
    assert.deepEqual(b.modules.map((m) => m.module), ["embeddings", "encoder.layer.0", "encoder.layer.1", "encoder.layer.2", "pooler"]);
    assert.ok(!b.text.includes("tied"));
    everyLayerListed(b);
    assert.equal(modelSummary(seq).total, base + H * 3 + 3);
    assert.equal(modelSummary(tok).total, base + H * 5 + 5);
    const q = modelSummary(qa);
    assert.equal(q.total, base + H * 2 + 2);
    assert.deepEqual(q.modules.at(-1), { module: "qa_outputs", params: 2 * H + 2, share: (100 * (2 * H + 2)) / q.total, shapes: "[128, 2], [2]", tensors: 2 });
    assert.match(modelSummary(seq).text, /^BertForSequenceClassification · /);
    for (const m of [bare, seq, tok, qa]) assert.ok(isDisplayable(m));
  } finally {
    for (const m of [bare, seq, tok, qa]) m.dispose();
  }
});

test("moduleOf groups HF names by prefix", () => {
  assert.equal(moduleOf("bert.encoder.layer.11.output.LayerNorm.weight"), "bert.encoder.layer.11");
  assert.equal(moduleOf("bert.embeddings.word_embeddings.weight"), "bert.embeddings");
  assert.equal(moduleOf("cls.seq_relationship.weight"), "cls.seq_relationship");
  assert.equal(moduleOf("cls.predictions.bias"), "cls.predictions");
  assert.equal(moduleOf("classifier.bias"), "classifier");
  assert.equal(moduleOf("weird"), "weird");
});
