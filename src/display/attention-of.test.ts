import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { attentionOf } from "./attention-of";
import { headView } from "./head-view";
import { BertModel } from "../model/bert-model";
import { bertConfig } from "../model/config";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";

const vocab = new Vocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "it", "pur", "##red", "."]);
const tokenizer = new BertTokenizer(vocab, { doLowerCase: true });
const config = bertConfig("tiny", { vocabSize: vocab.tokens.length, hiddenSize: 32, numAttentionHeads: 4, numHiddenLayers: 3, intermediateSize: 64, maxPositionEmbeddings: 16 });

test("attentionOf: layers × heads × T × T rows of softmax weights, segments for a pair, no tensors left", async () => {
  await tf.setBackend("cpu");
  const model = new BertModel(config, { seed: 1 });
  const before = tf.memory().numTensors;
  const att = attentionOf(model, tokenizer, "The cat sat on the mat.", "It purred.");
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
  assert.deepEqual(att.tokens, ["[CLS]", "the", "cat", "sat", "on", "the", "mat", ".", "[SEP]", "it", "pur", "##red", ".", "[SEP]"]);
  assert.deepEqual(att.segments, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  assert.deepEqual([att.attention.length, att.attention[0].length, att.attention[0][0].length, att.attention[0][0][0].length], [3, 4, 14, 14]);
  for (const row of att.attention[2][3]) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.match(headView(att).svg, /segment-boundary/);
  const single = attentionOf(model, tokenizer, "the cat sat");
  assert.equal(single.segments, undefined);
  assert.equal(single.tokens.length, 5);
  assert.equal(attentionOf(model, tokenizer, "the cat sat on the mat", "it purred", { maxLength: 8 }).tokens.length, 8);
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
  assert.throws(() => attentionOf(model, tokenizer, "the cat", undefined, { maxLength: 17 }), /maxLength 17 must be an integer of at most 16/);
  model.dispose();
});
