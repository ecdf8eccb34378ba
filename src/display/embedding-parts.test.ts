import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { embeddingParts } from "./embedding-parts";
import { embeddingsView } from "./embeddings-view";
import { BertModel, disposeOutput } from "../model/bert-model";
import { bertConfig } from "../model/config";
import { trainVocab } from "../tokenization/vocab-trainer";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { embeddedCorpusPath } from "../cli/embedded";

function setup(): { tok: BertTokenizer; model: BertModel } {
  const tok = new BertTokenizer(trainVocab({ files: [embeddedCorpusPath()] }, { vocabSize: 300, doLowerCase: true }).vocab, { doLowerCase: true });
  const config = bertConfig("tiny", { vocabSize: tok.vocab.size, hiddenSize: 48, numAttentionHeads: 4, intermediateSize: 96, maxPositionEmbeddings: 64 });
  return { tok, model: new BertModel(config, { seed: 7 }) };
}

const maxDiff = (a: number[][], b: number[][]) => Math.max(...a.map((r, i) => Math.max(...r.map((x, j) => Math.abs(x - b[i][j])))));

test("embeddingParts: the table rows, their sum, and LayerNorm(sum) = the model's own embedding output", async () => {
  await tf.setBackend("cpu");
  const { tok, model } = setup();
  // LayerNorm's γ, β are 1 and 0 at init: give them values so the check means something
  model.embeddings.layerNorm.gamma.assign(tf.tidy(() => tf.add(1, tf.mul(0.1, tf.sin(tf.range(0, 48))))));
  model.embeddings.layerNorm.beta.assign(tf.tidy(() => tf.mul(0.05, tf.cos(tf.range(0, 48)))));
  const before = tf.memory().numTensors;
  const p = embeddingParts(model, tok, "the cat sat on the mat", "it purred");
  assert.equal(tf.memory().numTensors, before, "embeddingParts leaked tensors");
  const enc = tok.encode("the cat sat on the mat", "it purred");
  assert.deepEqual(p.tokens, enc.tokens);
  assert.deepEqual(p.segments, enc.tokenTypeIds);
  assert.deepEqual(p.inputIds, enc.inputIds);
  assert.ok(p.segments.includes(1) && p.segments[0] === 0);
  const T = p.tokens.length;
  const word = model.embeddings.word.arraySync() as number[][];
  const type = model.embeddings.tokenType.arraySync() as number[][];
  const pos = model.embeddings.position.arraySync() as number[][];
  p.inputIds.forEach((id, i) => {
    assert.deepEqual(p.token[i], word[id], `token row ${i}`);
    assert.deepEqual(p.segment[i], type[p.segments[i]], `segment row ${i}`);
    assert.deepEqual(p.position[i], pos[i], `position row ${i}`);
  });
  assert.ok(maxDiff(p.sum, p.token.map((r, i) => r.map((x, j) => x + p.segment[i][j] + p.position[i][j]))) < 1e-6);
  const out = model.forward({ inputIds: [p.inputIds], tokenTypeIds: [p.segments] }, { outputHiddenStates: true });
  const embedded = (out.hiddenStates[0].arraySync() as number[][][])[0];
  disposeOutput(out);
  assert.equal(embedded.length, T);
  const d = maxDiff(p.normed, embedded);
  assert.ok(d < 1e-5, `LayerNorm(sum) differs from the model's embedding output by ${d}`);
  assert.ok(maxDiff(p.sum, embedded) > 0.1, "the check can tell sum from LayerNorm(sum)");
  const v = embeddingsView(p);
  assert.equal(v.distinctRows.segment, 2);
  assert.equal(v.distinctRows.position, T);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test("embeddingParts: one text, truncation to maxLength, no leaks on a bad input", async () => {
  await tf.setBackend("cpu");
  const { tok, model } = setup();
  const p = embeddingParts(model, tok, "the cat sat on the mat and the dog sat on the log", undefined, { maxLength: 8 });
  assert.equal(p.tokens.length, 8);
  assert.ok(p.segments.every((s) => s === 0));
  assert.equal(embeddingsView(p).distinctRows.segment, 1);
  const before = tf.memory().numTensors;
  const long = Array.from({ length: 80 }, () => "cat").join(" ");
  assert.throws(() => embeddingParts(model, tok, long, undefined, { maxLength: 100 }), /exceeds maxPositionEmbeddings 64/);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(embeddingParts(model, tok, long).tokens.length, 64, "default maxLength: the model's positions");
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});
