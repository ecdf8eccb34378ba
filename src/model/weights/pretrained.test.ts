// HF folders: save → load is bit-identical; the files have the reference names, layouts and
// metadata; bare BertModel checkpoints load into BertForPreTraining with the heads reported;
// bad folders get errors that say what is wrong.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { BertLabError } from "../../util/errors";
import { needsShared, sharedPath } from "../../util/shared-folder";
import { BertModel } from "../bert-model";
import { BertForPreTraining } from "../bert-for-pretraining";
import { bertConfig } from "../config";
import { describeSafetensors, readSafetensors } from "./safetensors";
import { tempFolders } from "../../util/temp-folders.test.helper";

const tmpFolder = tempFolders();

const config = bertConfig("tiny", { vocabSize: 40, hiddenSize: 16, numAttentionHeads: 2, intermediateSize: 32, maxPositionEmbeddings: 12 });
const tmp = () => tmpFolder("pretrained");

test("setup: cpu backend", async () => {
  await tf.setBackend("cpu");
});

test("save → load round trip is bit-identical, with HF layout and metadata", () => {
  const dir = tmp();
  const a = new BertForPreTraining(config, { seed: 11 });
  a.savePretrained(dir, { vocabText: "[PAD]\n[UNK]\n" });
  assert.deepEqual(fs.readdirSync(dir).sort(), ["config.json", "model.safetensors", "vocab.txt"]);
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
  assert.deepEqual(cfg.architectures, ["BertForPreTraining"]);
  assert.equal(cfg.hidden_size, 16);
  const file = readSafetensors(path.join(dir, "model.safetensors"));
  assert.equal(file.metadata.format, "pt", "transformers refuses safetensors without format metadata");
  // Linear weights [out, in] as nn.Linear: intermediate.dense is [I, H]
  assert.deepEqual(file.tensors.get("bert.encoder.layer.0.intermediate.dense.weight")!.shape, [32, 16]);
  assert.ok(!file.tensors.has("cls.predictions.decoder.weight"), "the tied decoder is left out, as HF does");
  const { model: b, report } = BertForPreTraining.fromPretrained(dir, { log: () => {} });
  assert.deepEqual(report.initialized, []);
  for (const [name, v] of a.store.vars) {
    const w = b.store.get(name);
    assert.deepEqual(Buffer.from((w.dataSync() as Float32Array).buffer), Buffer.from((v.dataSync() as Float32Array).buffer), name);
  }
  a.dispose();
  b.dispose();
});

test("the names and shapes written are exactly the reference checkpoint's", { skip: needsShared("golden/bert_public.safetensors").skip }, () => {
  const golden = describeSafetensors(sharedPath("golden/bert_public.safetensors"));
  const cfg = JSON.parse(fs.readFileSync(sharedPath("golden/bert_public_config.json"), "utf8"));
  const { configFromHf } = require("../config") as typeof import("../config");
  const model = new BertForPreTraining(configFromHf(cfg));
  const dir = tmp();
  model.savePretrained(dir);
  const ours = describeSafetensors(path.join(dir, "model.safetensors"));
  assert.deepEqual(
    ours.map((t) => `${t.name} ${t.dtype} [${t.shape}]`),
    golden.map((t) => `${t.name} ${t.dtype} [${t.shape}]`),
  );
  model.dispose();
});

test("a bare BertModel checkpoint loads into BertForPreTraining; the missing heads are named", () => {
  const dir = tmp();
  const bare = new BertModel(config, { seed: 3 });
  bare.savePretrained(dir);
  const names = [...readSafetensors(path.join(dir, "model.safetensors")).tensors.keys()];
  assert.ok(names.includes("embeddings.word_embeddings.weight") && !names.some((n) => n.startsWith("bert.")));
  const messages: string[] = [];
  const { model, report } = BertForPreTraining.fromPretrained(dir, { log: (m) => messages.push(m) });
  assert.ok(report.initialized.includes("cls.predictions.bias") && report.initialized.includes("cls.seq_relationship.weight"));
  assert.ok(!report.initialized.some((n) => n.startsWith("bert.")));
  assert.match(messages.join("\n"), /initialised \(truncated normal\): .*cls\./);
  const w = model.store.get("bert.encoder.layer.1.output.dense.weight").dataSync();
  assert.deepEqual(Array.from(w), Array.from(bare.store.get("encoder.layer.1.output.dense.weight").dataSync()));
  // and the other way: a pre-training checkpoint into a bare model ignores (and lists) the heads
  const dir2 = tmp();
  model.savePretrained(dir2);
  const back = BertModel.fromPretrained(dir2, { log: () => {} });
  assert.ok(back.report.unexpected.includes("cls.predictions.bias"));
  for (const m of [bare, model, back.model]) m.dispose();
});

test("bad folders and mismatched configs are clear errors", () => {
  const code = (fn: () => unknown, c: string, re: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof BertLabError && e.code === c && re.test(e.message));
  code(() => BertForPreTraining.fromPretrained("/nonexistent/model"), "MODEL_NOT_FOUND", /model folder not found/);
  const dir = tmp();
  code(() => BertForPreTraining.fromPretrained(dir), "MODEL_NOT_FOUND", /no config\.json/);
  fs.writeFileSync(path.join(dir, "config.json"), "{}");
  fs.writeFileSync(path.join(dir, "pytorch_model.bin"), "");
  code(() => BertForPreTraining.fromPretrained(dir), "MODEL_NOT_FOUND", /no model\.safetensors .*pytorch_model\.bin/);
  const small = new BertForPreTraining(config);
  const d2 = tmp();
  small.savePretrained(d2);
  const cfg = JSON.parse(fs.readFileSync(path.join(d2, "config.json"), "utf8"));
  cfg.intermediate_size = 48;
  fs.writeFileSync(path.join(d2, "config.json"), JSON.stringify(cfg));
  code(() => BertForPreTraining.fromPretrained(d2), "SHAPE_MISMATCH", /intermediate\.dense\.weight: checkpoint \[32,16\] vs model \[48,16\]/);
  small.dispose();
});
