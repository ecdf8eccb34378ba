// A notebook's first cell may build a model before anyone awaits initBackend(): that must work
// (on cpu), and the training entry points then move to the best backend.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { BertForPreTraining, bertConfig, disposeOutput, ensureBackend } from "../index";

test("a model made before initBackend works on cpu; ensureBackend then moves to the best backend", async () => {
  delete process.env.BERT_LAB_BACKEND;
  const model = new BertForPreTraining(bertConfig("tiny", { vocabSize: 30, maxPositionEmbeddings: 16 }), { seed: 1 });
  assert.equal(tf.getBackend(), "cpu", "tensors made before any choice land on cpu (not on a wasm backend still starting)");
  const before = model.forward({ inputIds: [[1, 2, 3]] });
  const a = Array.from(before.nspLogits.dataSync());
  disposeOutput(before);
  const chosen = await ensureBackend();
  assert.equal(chosen, "wasm", "the best backend here");
  const after = model.forward({ inputIds: [[1, 2, 3]] });
  const b = Array.from(after.nspLogits.dataSync());
  disposeOutput(after);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-4, `same outputs after the move: ${a} vs ${b}`));
  model.dispose();
});
