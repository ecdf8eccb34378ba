// A training run with the native kernels gives the loss curve it gives without them (dropout
// on: both draw the same masks), and keeps tf.memory().numTensors flat.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { nativeStatus, setNativeEnabled } from "./native";
import { nativeOpsActive } from "./native-kernels";
import { initBackend } from "./select";
import { BertForPreTraining, PretrainingInput } from "../model/bert-for-pretraining";
import { bertConfig } from "../model/config";
import { BertAdamW } from "../training/adamw";
import { trainingStep } from "../training/step";
import { Rng } from "../util/rng";

const status = nativeStatus();
const needsNative = { skip: !status.loaded && process.env.CI !== "true" ? `native kernels not available: ${status.reason}` : false };

function batch(rng: Rng, B: number, T: number, V: number): PretrainingInput {
  const inputIds = Array.from({ length: B }, () => Array.from({ length: T }, () => rng.randint(5, V - 1)));
  return {
    inputIds,
    maskedLmLabels: inputIds.map((ids) => ids.map((id) => (rng.random() < 0.2 ? id : -100))),
    nextSentenceLabel: Array.from({ length: B }, () => rng.randint(0, 1)),
  };
}

/** 12 steps of MLM + NSP with AdamW from fixed seeds: the loss and gradient norm of each step. */
function run(native: boolean): { losses: number[]; norms: number[]; tensors: number[] } {
  setNativeEnabled(native);
  assert.equal(nativeOpsActive(), native);
  const config = bertConfig("tiny", { vocabSize: 700, numHiddenLayers: 2 });
  const model = new BertForPreTraining(config, { seed: 4 });
  const optimizer = new BertAdamW();
  const data = new Rng(5);
  const dropout = new Rng(6);
  const losses: number[] = [];
  const norms: number[] = [];
  const tensors: number[] = [];
  for (let step = 0; step < 12; step++) {
    const b = batch(data, 6, 24, config.vocabSize);
    const r = trainingStep({ params: model.store.vars, losses: () => model.loss(b, { training: true, rng: dropout }), optimizer, lr: 1e-3 });
    losses.push(r.loss);
    norms.push(r.gradNorm);
    tensors.push(tf.memory().numTensors);
  }
  optimizer.dispose();
  model.dispose();
  return { losses, norms, tensors };
}

test("pre-training: the same loss curve with and without the native kernels; numTensors flat", needsNative, async () => {
  await initBackend({ prefer: "wasm", quiet: true });
  if (!nativeStatus().active) assert.fail(`the native kernels must be active under CI: ${nativeStatus().reason}`);
  const before = tf.memory().numTensors;
  const on = run(true);
  const off = run(false);
  setNativeEnabled(true);
  assert.equal(tf.memory().numTensors, before, "nothing left behind by either run");
  assert.deepEqual(new Set(on.tensors.slice(1)).size, 1, `numTensors per step with native kernels: ${on.tensors}`);
  assert.ok(on.losses[11] < on.losses[0] - 0.5, `the loss falls: ${on.losses.map((l) => l.toFixed(3))}`);
  on.losses.forEach((l, i) => {
    const rel = Math.abs(l - off.losses[i]) / Math.abs(off.losses[i]);
    assert.ok(rel < 1e-4, `step ${i + 1}: loss ${l} with, ${off.losses[i]} without (relative ${rel.toExponential(2)})`);
    const relNorm = Math.abs(on.norms[i] - off.norms[i]) / off.norms[i];
    assert.ok(relNorm < 1e-3, `step ${i + 1}: gradient norm ${on.norms[i]} with, ${off.norms[i]} without`);
  });
});
