import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { BertForPreTraining } from "../model/bert-for-pretraining";
import { bertConfig } from "../model/config";
import { ensureBackend } from "../backend/select";
import { Vocab } from "../tokenization/vocab";
import { needsShared, sharedPath } from "../util/shared-folder";
import { tempFolders } from "../util/temp-folders.test.helper";
import { tinyPretrainedFolder, tsvRows, writeConll2003 } from "../finetuning/synthetic-tasks.test.helper";
import { main } from "./main";

const tmp = tempFolders();

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const stdout = new Writable({ write: (c, _e, cb) => ((out += c), cb()) });
  const stderr = new Writable({ write: (c, _e, cb) => ((err += c), cb()) });
  const code = await main(argv, { stdin: process.stdin, stdout, stderr });
  return { code, out, err };
}

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

test("finetune / evaluate: squad is not built yet, unknown tasks and misplaced options are named", async () => {
  let r = await run(["finetune", "--task", "squad", "--model", "tiny", "--out", tmp("x")]);
  assert.equal(r.code, 2);
  assert.match(r.err, /task squad is not supported here yet \(SQuAD is coming\)/);
  r = await run(["finetune", "--task", "glue", "--model", "tiny", "--out", tmp("x")]);
  assert.match(r.err, /unknown task "glue" — choose one of sst2.*conll2003, tsv/);
  r = await run(["evaluate", "--task", "squad", "--model", tmp("x")]);
  assert.match(r.err, /task squad is not supported here yet/);
  r = await run(["finetune", "--task", "sst2", "--text-column", "review", "--train", "a.tsv", "--model", "tiny", "--out", tmp("x")]);
  assert.equal(r.code, 2);
  assert.match(r.err, /--train, --text-column are for --task tsv; task sst2 reads its own files/);
  r = await run(["evaluate", "--task", "wnut17", "--split", "train", "--model", tmp("x")]);
  assert.match(r.err, /--split must be dev or test/);
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
