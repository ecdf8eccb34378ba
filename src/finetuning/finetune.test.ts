import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { ensureBackend } from "../backend/select";
import { BertForPreTraining } from "../model/bert-for-pretraining";
import { bertConfig } from "../model/config";
import { BertForSequenceClassification, BertForTokenClassification } from "../model/task-models";
import { modelFromFolder } from "../model/weights/pretrained";
import { Vocab } from "../tokenization/vocab";
import { needsShared, sharedPath } from "../util/shared-folder";
import { tempFolders } from "../util/temp-folders.test.helper";
import { finetune } from "./finetune";

const tmp = tempFolders();
const VOCAB = "data/vocab/bert-base-uncased/vocab.txt";

/** A tiny BertForPreTraining saved as an HF folder with BERT's uncased vocab: what finetune starts from. */
function pretrainedFolder(seed: number): string {
  const vocab = Vocab.fromFile(sharedPath(VOCAB));
  const dir = tmp(`finetune-base-${seed}`);
  const base = new BertForPreTraining(bertConfig("tiny", { vocabSize: vocab.size }), { seed });
  base.savePretrained(dir, { vocabText: vocab.toText() });
  base.dispose();
  return dir;
}

test("finetune SST-2 (a slice, fetched --from the mirror) from a pre-trained folder: eval each epoch, the best model and eval.json", needsShared("data/glue/SST-2"), async () => {
  await ensureBackend();
  const pretrained = pretrainedFolder(3);
  const out = tmp("finetune-sst2");
  const evals: number[] = [];
  const r = await finetune({
    task: "sst2",
    from: sharedPath("data"),
    model: pretrained,
    outDir: out,
    epochs: 2,
    batchSize: 16,
    maxSeqLength: 32,
    maxTrainExamples: 64,
    maxDevExamples: 48,
    learningRate: 1e-4,
    callbacks: { onEval: (e) => void evals.push(e.step) },
  });
  assert.deepEqual(evals, [4, 8], "an evaluation after each epoch of 4 steps");
  assert.ok(r.best && r.best.metrics.accuracy >= 0 && r.best.metrics.accuracy <= 1);
  const written = JSON.parse(fs.readFileSync(path.join(out, "eval.json"), "utf8"));
  assert.equal(written.task, "sst2");
  assert.deepEqual(Object.keys(written.metric), ["accuracy"]);
  assert.equal(written.metric.accuracy, r.best!.metrics.accuracy);
  assert.ok(fs.existsSync(path.join(out, "metrics.jsonl")));
  const { model, report } = modelFromFolder(r.bestDir, (c) => new BertForSequenceClassification(c, 2), { log: () => {} });
  assert.equal(report.initialized.length, 0, "the best model holds the classifier too");
  model.dispose();
});

test("finetune from a preset: random weights need a vocab; unknown tasks and missing data are named", needsShared(VOCAB), async () => {
  await assert.rejects(finetune({ task: "sst2", data: "/nonexistent", model: "tiny", outDir: tmp("x") }), /needs --vocab/);
  await assert.rejects(finetune({ task: "nope" as "sst2", model: "tiny", vocab: sharedPath(VOCAB), outDir: tmp("x") }), /unknown task "nope"/);
  await assert.rejects(finetune({ task: "rte", model: "tiny", vocab: sharedPath(VOCAB), outDir: tmp("x") }), /needs its data: --data DIR .* or --from DIR/);
});

test("finetune WNUT-17 (a slice --from the mirror): the NER head, entity F1 as the headline, eval.json", needsShared("data/ner/wnut17"), async () => {
  await ensureBackend();
  const pretrained = pretrainedFolder(4);
  const out = tmp("finetune-wnut17");
  const r = await finetune({ task: "wnut17", from: sharedPath("data"), model: pretrained, outDir: out, epochs: 1, batchSize: 16, maxSeqLength: 48, maxTrainExamples: 32, maxDevExamples: 32 });
  const written = JSON.parse(fs.readFileSync(path.join(out, "eval.json"), "utf8"));
  assert.deepEqual(Object.keys(written.metric), ["f1", "precision", "recall"]);
  assert.equal(written.metric.f1, r.best!.metrics.f1);
  const { model, report } = modelFromFolder(r.bestDir, (c) => new BertForTokenClassification(c, 13), { log: () => {} });
  assert.equal(report.initialized.length, 0, "the best model holds the 13-tag classifier");
  model.dispose();
});
