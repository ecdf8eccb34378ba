import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { ensureBackend } from "../backend/select";
import { BertForPreTraining } from "../model/bert-for-pretraining";
import { bertConfig } from "../model/config";
import { BertForSequenceClassification, BertForTokenClassification } from "../model/task-models";
import { modelFromFolder, readPretrainedFolder } from "../model/weights/pretrained";
import { Vocab } from "../tokenization/vocab";
import { needsShared, sharedPath } from "../util/shared-folder";
import { tempFolders } from "../util/temp-folders.test.helper";
import { BertLabError } from "../util/errors";
import { evaluateModel } from "./evaluate";
import { finetuneFeatureBased } from "./feature-based";
import { finetune, loadNerTask } from "./finetune";
import { tinyPretrainedFolder, writeConll2003, writeTsvTask } from "./synthetic-tasks.test.helper";
import { nerFiles } from "./task-data";

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
  assert.deepEqual(fs.readdirSync(out).filter((f) => f.startsWith("checkpoint-")), [], "no trainer checkpoints: best/ is what a fine-tuning run keeps");
  const { model, report } = modelFromFolder(r.bestDir, (c) => new BertForSequenceClassification(c, 2), { log: () => {} });
  assert.equal(report.initialized.length, 0, "the best model holds the classifier too");
  model.dispose();
  assert.deepEqual(readPretrainedFolder(r.bestDir).labels, ["negative", "positive"], "config.json names the classes");
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

test("finetune CoNLL-2003 from a folder of the original files: IOB1 trained as IOB2, entity F1, the tags in best/config.json, evaluate gives it back", async () => {
  await ensureBackend();
  const data = writeConll2003(tmp("conll2003-eng"));
  const out = tmp("finetune-conll2003");
  const r = await finetune({ task: "conll2003", data, model: tinyPretrainedFolder(tmp("conll-base"), 11), outDir: out, epochs: 2, batchSize: 8, maxSeqLength: 32, learningRate: 1e-3 });
  // the files hold only I-LOC / I-ORG and I-PER / B-PER in IOB1: converted, every entity opens with B-
  assert.deepEqual(r.labels, ["O", "B-LOC", "B-ORG", "B-PER", "I-PER"]);
  const folder = readPretrainedFolder(r.bestDir);
  assert.deepEqual(folder.labels, r.labels, "config.json's id2label names each output");
  assert.equal(folder.problemType, null);
  const written = JSON.parse(fs.readFileSync(path.join(out, "eval.json"), "utf8"));
  assert.equal(written.task, "conll2003");
  assert.deepEqual(Object.keys(written.metric), ["f1", "precision", "recall"]);
  const again = await evaluateModel({ task: "conll2003", model: r.bestDir, data, maxSeqLength: 32, batchSize: 8 });
  assert.deepEqual(again.metric, r.best!.metrics, "evaluate on dev reproduces the best epoch's scores");
  // dev (sentences 100–107): a LOC in each, a second person in 102 and 105, an ORG in 102 and 106
  assert.deepEqual([again.perType!.LOC.support, again.perType!.PER.support, again.perType!.ORG.support], [8, 10, 2]);
  const test = await evaluateModel({ task: "conll2003", model: r.bestDir, data, maxSeqLength: 32, split: "test" });
  assert.equal(test.split, "test");
  assert.equal(test.examples, 8);
});

test("CoNLL-2003 --from a mirror's ner/conll2003 (train.txt, valid.txt); absent, the error lists the names looked for", async () => {
  const mirror = tmp("conll-mirror");
  writeConll2003(path.join(mirror, "ner", "conll2003"), "txt");
  const files = await nerFiles("conll2003", { from: mirror });
  assert.equal(path.basename(files.train), "train.txt");
  assert.equal(path.basename(files.dev), "valid.txt");
  const t = await loadNerTask({ task: "conll2003", from: mirror });
  assert.equal(t.train.length, 24);
  assert.equal(t.dev.length, 8);
  const empty = tmp("conll-none");
  await assert.rejects(
    finetune({ task: "conll2003", from: empty, model: "tiny", vocab: "unused", outDir: tmp("x") }),
    (e: unknown) => e instanceof BertLabError && e.code === "DATA_NOT_FOUND" && /looked for eng\.train \+ eng\.testa, or train\.txt \+ valid\.txt/.test(e.message) && e.message.includes(path.join(empty, "ner", "conll2003")) && /--data DIR/.test(e.message),
  );
  await assert.rejects(loadNerTask({ task: "conll2003" }), /task conll2003 needs its data: --data DIR holding eng\.train/);
});

test("finetune a TSV: classes sorted from train, accuracy and macro-F1, the names in best/config.json; a regression by Pearson and Spearman", async () => {
  await ensureBackend();
  const base = tinyPretrainedFolder(tmp("tsv-base"), 12);
  const data = writeTsvTask(tmp("tsv-3"), { classes: 3 });
  const r = await finetune({ task: "tsv", data, model: base, outDir: tmp("finetune-tsv"), epochs: 1, batchSize: 8, maxSeqLength: 32, learningRate: 1e-3 });
  assert.deepEqual(r.labels, ["neg", "neu", "pos"]);
  assert.deepEqual(Object.keys(r.best!.metrics), ["accuracy", "macro_f1"]);
  const folder = readPretrainedFolder(r.bestDir);
  assert.deepEqual(folder.labels, ["neg", "neu", "pos"]);
  assert.equal(folder.problemType, "single_label_classification");
  assert.equal(JSON.parse(fs.readFileSync(path.join(r.bestDir, "tokenizer_config.json"), "utf8")).do_lower_case, true, "uncased, as fine-tuned");
  const again = await evaluateModel({ task: "tsv", model: r.bestDir, dev: path.join(data, "dev.tsv"), maxSeqLength: 32 });
  assert.deepEqual(again.metric, r.best!.metrics);

  const regData = writeTsvTask(tmp("tsv-reg"), { regression: true });
  const reg = await finetune({ task: "tsv", train: path.join(regData, "train.tsv"), dev: path.join(regData, "dev.tsv"), regression: true, model: base, outDir: tmp("finetune-tsv-reg"), epochs: 1, batchSize: 8, maxSeqLength: 32 });
  assert.equal(reg.labels, null);
  assert.deepEqual(Object.keys(reg.best!.metrics), ["pearson", "spearman"]);
  assert.equal(readPretrainedFolder(reg.bestDir).problemType, "regression");
  const { model } = modelFromFolder(reg.bestDir, (c) => new BertForSequenceClassification(c, 1), { log: () => {} });
  assert.equal(model.numLabels, 1);
  model.dispose();
});

test("finetune frees everything it made: tf.memory().numTensors is back where it was (the optimizer's moments included)", async () => {
  await ensureBackend();
  const base = tinyPretrainedFolder(tmp("leak-base"), 13);
  const ner = writeConll2003(tmp("leak-conll"), "eng", { train: 8, dev: 4, test: 4 });
  const tsv = writeTsvTask(tmp("leak-tsv"), { train: 8, dev: 4 });
  const before = tf.memory().numTensors;
  const r = await finetune({ task: "tsv", data: tsv, model: base, outDir: tmp("leak-tsv-out"), epochs: 1, batchSize: 4, maxSeqLength: 16 });
  assert.equal(r.result.step, 2);
  assert.equal(tf.memory().numTensors, before, "a sentence task leaves no tensor behind");
  await finetune({ task: "conll2003", data: ner, model: base, outDir: tmp("leak-ner-out"), epochs: 1, batchSize: 4, maxSeqLength: 16 });
  assert.equal(tf.memory().numTensors, before, "nor does NER");
  // a run that diverges (an infinite learning rate) frees its optimizer too
  await assert.rejects(finetune({ task: "tsv", data: tsv, model: base, outDir: tmp("leak-nan-out"), epochs: 1, batchSize: 4, maxSeqLength: 16, learningRate: 1e30 }), /loss became NaN/);
  assert.equal(tf.memory().numTensors, before, "nor does a run that stopped on a non-finite loss");
  // the feature-based approach: after a run, and after one that diverged
  const fb = { task: "conll2003" as const, data: ner, model: base, epochs: 1, batchSize: 4, maxSeqLength: 16, layers: "-1", tagger: "linear" as const };
  await finetuneFeatureBased({ ...fb, outDir: tmp("leak-fb-out") });
  assert.equal(tf.memory().numTensors, before, "finetuneFeatureBased leaves none either");
  await assert.rejects(finetuneFeatureBased({ ...fb, outDir: tmp("leak-fb-nan"), epochs: 3, learningRate: 1e38 }), /loss became (NaN|Infinity)/);
  assert.equal(tf.memory().numTensors, before, "nor when its loss diverged");
});

test("finetune squad from a preset (random weights and a vocab) on --data DIR (train-v1.1.json, dev-v1.1.json); evaluate on the folder; squad's data errors", needsShared("data/squad/dev-v1.1.json"), async () => {
  await ensureBackend();
  // a small SQuAD file: the dev set's first two paragraphs
  const full = JSON.parse(fs.readFileSync(sharedPath("data/squad/dev-v1.1.json"), "utf8"));
  const small = { version: "1.1", data: [{ ...full.data[0], paragraphs: full.data[0].paragraphs.slice(0, 2) }] };
  const data = tmp("squad-data");
  for (const f of ["train-v1.1.json", "dev-v1.1.json"]) fs.writeFileSync(path.join(data, f), JSON.stringify(small));
  const questions = small.data[0].paragraphs.reduce((n: number, p: { qas: unknown[] }) => n + p.qas.length, 0);
  const before = tf.memory().numTensors;
  const lines: string[] = [];
  const r = await finetune({ task: "squad", data, model: "tiny", vocab: sharedPath(VOCAB), outDir: tmp("squad-preset"), epochs: 1, batchSize: 16, maxSeqLength: 64, docStride: 32, maxQueryLength: 16, log: (l) => void lines.push(l) });
  assert.equal(tf.memory().numTensors, before);
  assert.ok(lines.some((l) => /model: tiny with random weights/.test(l)));
  assert.deepEqual(Object.keys(r.best!.metrics), ["f1", "exact_match"]);
  assert.equal(r.labels, null);
  assert.equal(Object.keys(JSON.parse(fs.readFileSync(r.predictionsFile!, "utf8"))).length, questions);
  const again = await evaluateModel({ task: "squad", model: r.bestDir, data, maxSeqLength: 64, docStride: 32, maxQueryLength: 16, batchSize: 16 });
  assert.deepEqual(again.metric, r.best!.metrics);
  assert.equal(again.examples, questions);
  assert.equal(Object.keys(again.predictions!).length, questions);
  assert.equal(tf.memory().numTensors, before);

  const empty = tmp("squad-none");
  await assert.rejects(finetune({ task: "squad", data: empty, model: "tiny", vocab: "v.txt", outDir: tmp("x") }), /squad-none[^ ]* has no train-v1\.1\.json/);
  await assert.rejects(evaluateModel({ task: "squad", model: r.bestDir, data: empty }), /has no dev-v1\.1\.json — put SQuAD v1\.1's train-v1\.1\.json and dev-v1\.1\.json there, or pass the file \(--dev FILE\)/);
  await assert.rejects(evaluateModel({ task: "squad", model: r.bestDir }), /task squad needs its dev file: --dev FILE/);
  await assert.rejects(finetune({ task: "sst2", data, model: "tiny", vocab: "v.txt", outDir: tmp("x"), docStride: 64 }), /docStride is for task squad, not sst2/);
});
