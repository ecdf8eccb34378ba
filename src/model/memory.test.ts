// tfjs memory: a forward + backward + optimizer step leaves tf.memory().numTensors unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { BertAdamW } from "../training/adamw";
import { trainingStep } from "../training/step";
import { BertForPreTraining } from "./bert-for-pretraining";
import { bertConfig } from "./config";
import { Rng } from "../util/rng";

test("training steps (dropout on, gradient accumulation, clipping, AdamW) keep numTensors flat", async () => {
  await tf.setBackend("cpu");
  const config = bertConfig("tiny", { vocabSize: 60, hiddenSize: 32, numAttentionHeads: 4, intermediateSize: 64, maxPositionEmbeddings: 16 });
  const model = new BertForPreTraining(config, { seed: 1 });
  const optimizer = new BertAdamW();
  const rng = new Rng(5);
  const batch = {
    inputIds: [[2, 10, 4, 11, 3, 12, 13, 3], [2, 14, 15, 4, 3, 16, 3, 0]],
    tokenTypeIds: [[0, 0, 0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 1, 1, 0]],
    attentionMask: [[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 0]],
    maskedLmLabels: [[-100, -100, 20, -100, -100, -100, -100, -100], [-100, -100, -100, 30, -100, -100, -100, -100]],
    nextSentenceLabel: [0, 1],
  };
  const step = () =>
    trainingStep({
      params: model.store.vars,
      losses: [() => model.loss(batch, { training: true, rng }), () => model.loss(batch, { training: true, rng })],
      optimizer,
      lr: 1e-3,
    });
  step(); // the optimizer creates its slots on the first step
  const before = tf.memory().numTensors;
  const losses: number[] = [];
  for (let i = 0; i < 5; i++) losses.push(step().loss);
  assert.equal(tf.memory().numTensors, before, "tensors leaked by a training step");
  assert.ok(losses.every(Number.isFinite));
  assert.ok(losses[4] < losses[0], `the loss goes down on a repeated batch: ${losses.join(", ")}`);
  optimizer.dispose();
  model.dispose();
});

test("disposing a model frees every tensor and byte it made", async () => {
  await tf.setBackend("cpu");
  const before = tf.memory();
  const model = new BertForPreTraining(bertConfig("tiny", { vocabSize: 100 }), { seed: 2 });
  assert.ok(tf.memory().numTensors > before.numTensors);
  model.dispose();
  assert.equal(tf.memory().numTensors, before.numTensors);
  assert.equal(tf.memory().numBytes, before.numBytes);
});
