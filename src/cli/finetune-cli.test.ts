import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { BertForPreTraining } from "../model/bert-for-pretraining";
import { bertConfig } from "../model/config";
import { ensureBackend } from "../backend/select";
import { Vocab } from "../tokenization/vocab";
import { needsShared, sharedPath } from "../util/shared-folder";
import { tempFolders } from "../util/temp-folders.test.helper";
import { syntheticVocab, tinyPretrainedFolder, tsvRows, writeConll2003 } from "../finetuning/synthetic-tasks.test.helper";
import { readSquad } from "../data/squad";
import { squadScores } from "../finetuning/metrics";
import { runCli } from "./run-cli.test.helper";

const tmp = tempFolders();

const run = runCli;

test("finetune then evaluate (SST-2 slice --from the mirror): eval.json, the best model, the same metric again", needsShared("data/glue/SST-2"), async () => {
  await ensureBackend();
  const vocab = Vocab.fromFile(sharedPath("data/vocab/bert-base-uncased/vocab.txt"));
  const base = tmp("ft-base");
  const m = new BertForPreTraining(bertConfig("tiny", { vocabSize: vocab.size }), { seed: 5 });
  m.savePretrained(base, { vocabText: vocab.toText() });
  m.dispose();
  const out = tmp("ft-out");
  const common = ["--task", "sst2", "--from", sharedPath("data"), "--max-seq-length", "32", "--max-dev-examples", "40"];
  const ft = await run(["finetune", ...common, "--model", base, "--out", out, "--epochs", "1", "--batch-size", "16", "--max-train-examples", "48"]);
  assert.equal(ft.code, 0, ft.err);
  const line = JSON.parse(ft.out.trim());
  assert.equal(line.task, "sst2");
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, "eval.json"), "utf8")).metric, line.metric);
  const ev = await run(["evaluate", ...common, "--model", path.join(out, "best")]);
  assert.equal(ev.code, 0, ev.err);
  assert.deepEqual(JSON.parse(ev.out.trim()).metric, line.metric, "evaluate reproduces the best model's dev metric");
  const notTuned = await run(["evaluate", ...common, "--model", base]);
  assert.equal(notTuned.code, 2);
  assert.match(notTuned.err, /no trained classifier/);
});

test("finetune / evaluate: unknown tasks and misplaced options are named; squad without a training file; --feature-based only for NER", async () => {
  let r = await run(["finetune", "--task", "glue", "--model", "tiny", "--out", tmp("x")]);
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown task "glue" — choose one of sst2.*conll2003, squad, tsv/);
  r = await run(["finetune", "--task", "sst2", "--text-column", "review", "--train", "a.tsv", "--model", "tiny", "--out", tmp("x")]);
  assert.equal(r.code, 2);
  assert.match(r.err, /--train, --text-column are for --task tsv \(--train and --dev also for squad\); task sst2 reads its own files from --data DIR or --from DIR/);
  r = await run(["finetune", "--task", "squad", "--label-column", "2", "--train", "a.json", "--model", "tiny", "--out", tmp("x")]);
  assert.match(r.err, /--label-column is for --task tsv; task squad reads its own files from --train\/--dev FILE, --data DIR or --from DIR/);
  r = await run(["finetune", "--task", "rte", "--doc-stride", "64", "--model", "tiny", "--out", tmp("x")]);
  assert.match(r.err, /--doc-stride is for --task squad, not rte/);
  r = await run(["evaluate", "--task", "wnut17", "--split", "train", "--model", tmp("x")]);
  assert.match(r.err, /--split must be dev or test/);
  r = await run(["evaluate", "--task", "sst2", "--predictions", "p.json", "--model", tmp("x")]);
  assert.match(r.err, /--predictions is for --task squad/);
  r = await run(["evaluate", "--task", "squad", "--split", "test", "--dev", "d.json", "--model", tmp("x")]);
  assert.match(r.err, /split test is for the NER tasks/);
  // the mirror has SQuAD's dev set only: with --from and no --train, say so before any work
  const mirror = tmp("squad-mirror");
  r = await run(["finetune", "--task", "squad", "--from", mirror, "--model", "tiny", "--vocab", "v.txt", "--out", tmp("x")]);
  assert.equal(r.code, 2);
  assert.match(r.err, /task squad needs its training file: SQuAD's train-v1\.1\.json is not in the mirror \(.* holds only the dev set, squad-v1\.1-dev\) — pass --train FILE .*the dev file will do as --train too, with --max-train-examples N/);
  r = await run(["finetune", "--task", "squad", "--model", "tiny", "--vocab", "v.txt", "--out", tmp("x")]);
  assert.match(r.err, /task squad needs its data: --train FILE --dev FILE, or --data DIR holding train-v1\.1\.json and dev-v1\.1\.json/);
  r = await run(["finetune", "--task", "squad", "--data", mirror, "--model", "tiny", "--vocab", "v.txt", "--out", tmp("x")]);
  assert.match(r.err, /squad-mirror[^ ]* has no train-v1\.1\.json — put SQuAD v1\.1's train-v1\.1\.json and dev-v1\.1\.json there, or pass the file \(--train FILE\)/);
  for (const task of ["sst2", "squad"]) {
    r = await run(["finetune", "--task", task, "--data", mirror, "--feature-based", "-1", "--model", "tiny", "--out", tmp("x")]);
    assert.equal(r.code, 2);
    assert.match(r.err, new RegExp(`--feature-based is for NER \\(wnut17, conll2003\\): task ${task} fine-tunes the whole model — drop --feature-based`));
  }
  r = await run(["finetune", "--task", "wnut17", "--data", mirror, "--tagger", "linear", "--model", "tiny", "--out", tmp("x")]);
  assert.match(r.err, /--tagger is for the feature-based approach: add --feature-based LAYERS/);
  r = await run(["evaluate", "--task", "mrpc", "--bert", "b", "--model", tmp("x")]);
  assert.match(r.err, /--bert is for a feature-based NER tagger/);
});

test("finetune --task tsv end to end on a tiny TSV (a text column by name, labels from train), evaluate gives back its metrics; bad rows are named or skipped", async () => {
  await ensureBackend();
  const base = tinyPretrainedFolder(tmp("cli-tsv-base"), 21);
  const data = tmp("cli-tsv");
  fs.writeFileSync(path.join(data, "train.tsv"), ["id\treview\tverdict", ...tsvRows(24).map((r, i) => `${i}\t${r}`)].join("\n") + "\n");
  fs.writeFileSync(path.join(data, "dev.tsv"), ["id\treview\tverdict", ...tsvRows(10, { offset: 500 }).map((r, i) => `${i}\t${r}`)].join("\n") + "\n");
  const cols = ["--text-column", "review", "--label-column", "-1", "--max-seq-length", "32"];
  const out = tmp("cli-tsv-out");
  const ft = await run(["finetune", "--task", "tsv", "--train", path.join(data, "train.tsv"), "--dev", path.join(data, "dev.tsv"), ...cols, "--model", base, "--out", out, "--epochs", "2", "--batch-size", "8", "--learning-rate", "1e-3"]);
  assert.equal(ft.code, 0, ft.err);
  assert.match(ft.err, /train\.tsv: 24 examples; header row \(a column is chosen by name\); text "review", label "verdict"/);
  const line = JSON.parse(ft.out.trim());
  assert.deepEqual(Object.keys(line.metric), ["accuracy", "f1"], "two classes: accuracy and F1");
  const config = JSON.parse(fs.readFileSync(path.join(out, "best", "config.json"), "utf8"));
  assert.deepEqual(config.id2label, { "0": "neg", "1": "pos" });
  assert.deepEqual(config.label2id, { neg: 0, pos: 1 });
  const ev = await run(["evaluate", "--task", "tsv", "--model", path.join(out, "best"), "--dev", path.join(data, "dev.tsv"), ...cols]);
  assert.equal(ev.code, 0, ev.err);
  assert.deepEqual(JSON.parse(ev.out.trim()), { task: "tsv", metric: line.metric, examples: 10 });

  const bad = path.join(data, "bad.tsv");
  fs.writeFileSync(bad, "id\treview\tverdict\n0\ta great film\tpos\n1\ta dull film\n2\tthe grim day\tneg\n");
  const stopped = await run(["evaluate", "--task", "tsv", "--model", path.join(out, "best"), "--dev", bad, ...cols]);
  assert.equal(stopped.code, 2);
  assert.match(stopped.err, /bad\.tsv:3: expected 3 tab-separated columns \(id, review, verdict\), found 2 — a column is missing — fix the row, or skip bad rows \(--skip-bad-rows/);
  const skipped = await run(["evaluate", "--task", "tsv", "--model", path.join(out, "best"), "--dev", bad, ...cols, "--skip-bad-rows"]);
  assert.equal(skipped.code, 0, skipped.err);
  assert.deepEqual([JSON.parse(skipped.out).examples, JSON.parse(skipped.out).skipped], [2, 1]);
  const missing = await run(["finetune", "--task", "tsv", "--train", path.join(data, "train.tsv"), "--dev", path.join(data, "dev.tsv"), "--text-column", "body", "--model", base, "--out", tmp("x")]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /no column named "body" for the text in the header \(id, review, verdict\)/);
});

test("finetune --bilstm: the BiLSTM head is in best/ (config.json says so) and evaluate reloads it to the same metric; it is refused where it does not apply", async () => {
  await ensureBackend();
  const base = tinyPretrainedFolder(tmp("cli-bilstm-base"), 23);
  const data = tmp("cli-bilstm");
  fs.writeFileSync(path.join(data, "train.tsv"), ["review\tverdict", ...tsvRows(24)].join("\n") + "\n");
  fs.writeFileSync(path.join(data, "dev.tsv"), ["review\tverdict", ...tsvRows(10, { offset: 500 })].join("\n") + "\n");
  const files = ["--train", path.join(data, "train.tsv"), "--dev", path.join(data, "dev.tsv"), "--max-seq-length", "32"];
  const out = tmp("cli-bilstm-out");
  const ft = await run(["finetune", "--task", "tsv", ...files, "--model", base, "--out", out, "--epochs", "1", "--batch-size", "8", "--learning-rate", "1e-3", "--bilstm", "6"]);
  assert.equal(ft.code, 0, ft.err);
  assert.match(ft.err, /tensors loaded, 8 new/, "the classifier (2) and the BiLSTM (2 directions × 3) start from random weights");
  const config = JSON.parse(fs.readFileSync(path.join(out, "best", "config.json"), "utf8"));
  assert.equal(config.bilstm_hidden_size, 6);
  const ev = await run(["evaluate", "--task", "tsv", "--model", path.join(out, "best"), "--dev", path.join(data, "dev.tsv"), "--max-seq-length", "32"]);
  assert.equal(ev.code, 0, ev.err);
  assert.deepEqual(JSON.parse(ev.out.trim()).metric, JSON.parse(ft.out.trim()).metric);
  const fb = await run(["finetune", "--task", "wnut17", "--data", data, "--model", base, "--out", tmp("x"), "--feature-based", "-1", "--bilstm", "6"]);
  assert.equal(fb.code, 2);
  assert.match(fb.err, /--bilstm is for fine-tuning; with --feature-based the tagger is a BiLSTM already/);
  const zero = await run(["finetune", "--task", "tsv", ...files, "--model", base, "--out", tmp("y"), "--bilstm", "0"]);
  assert.notEqual(zero.code, 0);
  assert.match(zero.err, /bilstm must be a positive number of units per direction, got 0/);
});

test("finetune --task conll2003 on a folder in CoNLL-2003's format; evaluate prints seqeval's f1, precision, recall and per-type scores, also on test", async () => {
  await ensureBackend();
  const data = writeConll2003(tmp("cli-conll"));
  const out = tmp("cli-conll-out");
  const ft = await run(["finetune", "--task", "conll2003", "--data", data, "--model", tinyPretrainedFolder(tmp("cli-conll-base"), 22), "--out", out, "--epochs", "1", "--batch-size", "8", "--max-seq-length", "32", "--learning-rate", "1e-3"]);
  assert.equal(ft.code, 0, ft.err);
  const line = JSON.parse(ft.out.trim());
  assert.deepEqual(Object.keys(line.metric), ["f1", "precision", "recall"]);
  const ev = await run(["evaluate", "--task", "conll2003", "--data", data, "--model", path.join(out, "best"), "--max-seq-length", "32"]);
  assert.equal(ev.code, 0, ev.err);
  const got = JSON.parse(ev.out.trim());
  assert.deepEqual(got.metric, line.metric, "the best epoch's dev scores again");
  assert.ok(Object.keys(got.perType).every((t) => ["LOC", "ORG", "PER"].includes(t)), `entity types: ${Object.keys(got.perType)}`);
  assert.equal(got.perType.LOC.support, 8);
  const onTest = await run(["evaluate", "--task", "conll2003", "--data", data, "--model", path.join(out, "best"), "--split", "test"]);
  assert.equal(onTest.code, 0, onTest.err);
  assert.equal(JSON.parse(onTest.out).split, "test");
  // a NER folder must name its tags
  const json = JSON.parse(fs.readFileSync(path.join(out, "best", "config.json"), "utf8"));
  delete json.id2label;
  fs.writeFileSync(path.join(out, "best", "config.json"), JSON.stringify(json));
  const unnamed = await run(["evaluate", "--task", "conll2003", "--data", data, "--model", path.join(out, "best")]);
  assert.equal(unnamed.code, 2);
  assert.match(unnamed.err, /config\.json has no id2label.*bert-lab finetune/);
  const absent = await run(["finetune", "--task", "conll2003", "--data", tmp("cli-conll-empty"), "--model", "tiny", "--vocab", "v.txt", "--out", tmp("x")]);
  assert.equal(absent.code, 2);
  assert.match(absent.err, /CoNLL-2003 not found: looked for eng\.train \+ eng\.testa, or train\.txt \+ valid\.txt/);
});

test("finetune then evaluate WNUT-17 (a slice --from the mirror): evaluate reads the tags from best/config.json and gives back the dev F1", needsShared("data/ner/wnut17"), async () => {
  await ensureBackend();
  const out = tmp("cli-wnut-out");
  const common = ["--task", "wnut17", "--from", sharedPath("data"), "--max-seq-length", "32", "--max-dev-examples", "24"];
  const ft = await run(["finetune", ...common, "--model", tinyPretrainedFolder(tmp("cli-wnut-base"), 23), "--out", out, "--epochs", "1", "--batch-size", "16", "--max-train-examples", "32"]);
  assert.equal(ft.code, 0, ft.err);
  const line = JSON.parse(ft.out.trim());
  const ev = await run(["evaluate", ...common, "--model", path.join(out, "best")]);
  assert.equal(ev.code, 0, ev.err);
  const got = JSON.parse(ev.out.trim());
  assert.deepEqual(got.metric, line.metric);
  assert.equal(got.examples, 24);
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, "best", "config.json"), "utf8")).id2label["0"], "O");
});

const SQUAD_DEV = "data/squad/dev-v1.1.json";
const UNCASED = "data/vocab/bert-base-uncased/vocab.txt";
const bothShared = (a: string, b: string) => (needsShared(a).skip ? needsShared(a) : needsShared(b));

test("finetune --task squad end to end (16 dev questions as train and dev): eval.json's F1 and EM, predictions.json with every question, evaluate --from the mirror gives them back", bothShared(SQUAD_DEV, UNCASED), async () => {
  await ensureBackend();
  const vocab = Vocab.fromFile(sharedPath(UNCASED));
  const base = tmp("squad-base");
  const m = new BertForPreTraining(bertConfig("tiny", { vocabSize: vocab.size, maxPositionEmbeddings: 128 }), { seed: 7 });
  m.savePretrained(base, { vocabText: vocab.toText() });
  m.dispose();
  const dev = sharedPath(SQUAD_DEV);
  const out = tmp("squad-out");
  const settings = ["--max-seq-length", "96", "--doc-stride", "48", "--max-query-length", "24", "--n-best-size", "5", "--max-answer-length", "12", "--batch-size", "16"];
  const before = tf.memory().numTensors;
  const ft = await run(["finetune", "--task", "squad", "--train", dev, "--dev", dev, "--max-train-examples", "16", "--max-dev-examples", "16", ...settings, "--model", base, "--out", out, "--epochs", "2", "--learning-rate", "1e-3"]);
  assert.equal(ft.code, 0, ft.err);
  assert.equal(tf.memory().numTensors, before, "finetune --task squad leaves no tensor behind");
  assert.match(ft.err, /squad: 16 training questions \(\d+ windows\), 16 dev \(\d+ windows\); 2 epochs of \d+ steps/);
  const line = JSON.parse(ft.out.trim());
  assert.deepEqual(Object.keys(line.metric), ["f1", "exact_match"], "F1 first: the headline that picks the best epoch");
  const evalJson = JSON.parse(fs.readFileSync(path.join(out, "eval.json"), "utf8"));
  assert.equal(evalJson.task, "squad");
  assert.deepEqual(evalJson.metric, line.metric);
  assert.ok(line.metric.f1 >= 0 && line.metric.f1 <= 100 && line.metric.exact_match <= line.metric.f1);
  const ids = readSquad(dev).examples.slice(0, 16).map((e) => e.id);
  const predictions = JSON.parse(fs.readFileSync(path.join(out, "predictions.json"), "utf8"));
  assert.deepEqual(Object.keys(predictions).sort(), [...ids].sort(), "an answer for every dev question");
  assert.ok(Object.values(predictions).every((a) => typeof a === "string" && a.length > 0));
  const nbest = JSON.parse(fs.readFileSync(path.join(out, "nbest_predictions.json"), "utf8"));
  assert.deepEqual(Object.keys(nbest).sort(), [...ids].sort());
  for (const id of ids) {
    assert.ok(nbest[id].length >= 1 && nbest[id].length <= 5, "at most --n-best-size answers");
    assert.deepEqual(Object.keys(nbest[id][0]), ["text", "probability", "start_logit", "end_logit"], "run_squad.py's fields");
    assert.equal(nbest[id][0].text, predictions[id], "the best of the n-best is the prediction");
  }
  // the F1 of predictions.json, by the official metric, is eval.json's
  assert.equal(squadScores(predictions, readSquad(dev).examples.slice(0, 16)).f1, evalJson.metric.f1);
  const config = JSON.parse(fs.readFileSync(path.join(out, "best", "config.json"), "utf8"));
  assert.deepEqual(config.architectures, ["BertForQuestionAnswering"]);

  const answers = path.join(out, "again.json");
  const ev = await run(["evaluate", "--task", "squad", "--from", sharedPath("data"), "--max-dev-examples", "16", ...settings, "--model", path.join(out, "best"), "--predictions", answers]);
  assert.equal(ev.code, 0, ev.err);
  assert.deepEqual(JSON.parse(ev.out.trim()), { task: "squad", metric: evalJson.metric, examples: 16 }, "evaluate reproduces eval.json");
  assert.deepEqual(JSON.parse(fs.readFileSync(answers, "utf8")), predictions, "and the answers of predictions.json");
  assert.equal(tf.memory().numTensors, before, "evaluate leaves no tensor behind");
  const untrained = await run(["evaluate", "--task", "squad", "--dev", dev, "--max-dev-examples", "4", ...settings, "--model", base]);
  assert.equal(untrained.code, 2);
  assert.match(untrained.err, /has no trained span head \(qa_outputs missing\): use a folder written by bert-lab finetune --task squad/);
});

test("finetune --feature-based on a WNUT-17 slice: a frozen BERT, a BiLSTM tagger in best/, eval.json; evaluate finds the BERT through tagger.json (or --bert) and gives back the F1", needsShared("data/ner/wnut17"), async () => {
  await ensureBackend();
  const base = tinyPretrainedFolder(tmp("cli-fb-base"), 24);
  const out = tmp("cli-fb-out");
  const common = ["--task", "wnut17", "--from", sharedPath("data"), "--max-seq-length", "32", "--max-dev-examples", "24", "--batch-size", "16"];
  const before = tf.memory().numTensors;
  // a relative --model: tagger.json records it as an absolute path
  const ft = await run(["finetune", ...common, "--model", path.relative(process.cwd(), base), "--out", out, "--epochs", "2", "--max-train-examples", "32", "--feature-based", "concat:-1,-2", "--tagger-hidden", "8"]);
  assert.equal(ft.code, 0, ft.err);
  assert.equal(tf.memory().numTensors, before, "BERT, the tagger and the optimizer are freed");
  const line = JSON.parse(ft.out.trim());
  assert.deepEqual(Object.keys(line.metric), ["f1", "precision", "recall"]);
  assert.equal(line.layers, "concat:-1,-2");
  assert.equal(line.tagger, "bilstm");
  const metrics = fs.readFileSync(path.join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(metrics.find((r) => r.lr !== undefined).lr, 1e-3, "lr 1e-3 by default in the feature-based approach (no warmup: 4 steps)");
  assert.deepEqual(fs.readdirSync(path.join(out, "best")).sort(), ["tagger.json", "tagger.safetensors"]);
  const taggerJson = JSON.parse(fs.readFileSync(path.join(out, "best", "tagger.json"), "utf8"));
  assert.equal(taggerJson.bert, base, "the BERT folder, absolute");
  assert.equal(taggerJson.hiddenSize, 8);
  const evalJson = JSON.parse(fs.readFileSync(path.join(out, "eval.json"), "utf8"));
  assert.deepEqual(evalJson.metric, line.metric);
  assert.equal(evalJson.layers, "concat:-1,-2");

  const ev = await run(["evaluate", ...common, "--model", path.join(out, "best")]);
  assert.equal(ev.code, 0, ev.err);
  const got = JSON.parse(ev.out.trim());
  assert.deepEqual(got.metric, line.metric, "the best epoch's dev F1 again");
  assert.equal(got.examples, 24);
  // moved away from its BERT: named, and --bert finds it
  const moved = tmp("cli-fb-moved");
  for (const f of ["tagger.json", "tagger.safetensors"]) fs.copyFileSync(path.join(out, "best", f), path.join(moved, f));
  fs.writeFileSync(path.join(moved, "tagger.json"), JSON.stringify({ ...taggerJson, bert: path.join(moved, "gone") }));
  const lost = await run(["evaluate", ...common, "--model", moved]);
  assert.equal(lost.code, 2);
  assert.match(lost.err, /the tagger's BERT folder .*gone \(named in .*tagger\.json\) has no config\.json — pass --bert DIR/);
  const found = await run(["evaluate", ...common, "--model", moved, "--bert", base]);
  assert.equal(found.code, 0, found.err);
  assert.deepEqual(JSON.parse(found.out.trim()).metric, line.metric);
  // another BERT's features do not fit the tagger
  const other = tmp("cli-fb-other");
  const wide = new BertForPreTraining(bertConfig("tiny", { vocabSize: syntheticVocab().size, hiddenSize: 64, numAttentionHeads: 2, intermediateSize: 128, maxPositionEmbeddings: 64 }), { seed: 1 });
  wide.savePretrained(other, { vocabText: syntheticVocab().toText() });
  wide.dispose();
  const mismatch = await run(["evaluate", ...common, "--model", moved, "--bert", other]);
  assert.equal(mismatch.code, 2);
  assert.match(mismatch.err, /was made for other settings \(featureSize: 256 there, 128 here\)/);
  assert.equal(tf.memory().numTensors, before, "evaluate frees BERT and the tagger, also on an error");
});
