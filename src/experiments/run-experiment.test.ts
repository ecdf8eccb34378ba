// Every recipe end to end at the micro scale (seconds: its numbers mean nothing): the runs, the
// table, the charts, results.json; an interrupted experiment resumes where it stopped; a folder
// refuses other settings; no tensor is left behind. CLI: `bert-lab experiment`.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { ensureBackend } from "../backend/select";
import { runCli } from "../cli/run-cli.test.helper";
import { tempFolders } from "../util/temp-folders.test.helper";
import { needsShared, sharedPath } from "../util/shared-folder";
import { noteInterrupt } from "../util/kernel-interrupt";
import { RECIPES } from "./recipes";
import { runExperiment, RunEvent } from "./run-experiment";

const tmp = tempFolders();

const cli = runCli;

for (const recipe of RECIPES) {
  test(`${recipe} at the micro scale: every planned run finishes, and the table, chart, report and results are written`, async () => {
    await ensureBackend();
    const before = tf.memory().numTensors;
    const outDir = tmp(`exp-${recipe}`);
    const r = await runExperiment({ recipe, scale: "micro", outDir });
    assert.equal(r.complete, true);
    assert.equal(tf.memory().numTensors, before, "no tensor left behind by a whole experiment");
    const evals = Object.values(r.results.runs).filter((x) => x.kind === "eval");
    const pretrains = Object.values(r.results.runs).filter((x) => x.kind === "pretrain");
    assert.equal(evals.length, r.plan.evals.length);
    assert.equal(pretrains.length, r.plan.pretrains.length);
    for (const e of evals) {
      assert.ok(e.kind === "eval" && Number.isFinite(e.value) && e.value >= -100 && e.value <= 100, `${e.id}: ${JSON.stringify(e)}`);
      assert.ok(!fs.existsSync(path.join(outDir, "finetune", e.id, "best")), "fine-tuned models are not kept by default");
    }
    // every run's settings are in results.json
    for (const p of pretrains) assert.ok(p.kind === "pretrain" && p.settings.steps === r.scale.pretrain.steps && p.settings.learningRate === r.scale.pretrain.learningRate && p.settings.seed === p.seed);
    for (const e of evals) {
      assert.ok(e.kind === "eval");
      assert.equal(e.settings.seed, e.seed);
      assert.equal(e.settings.learningRate, e.method.kind === "feature-based" ? r.scale.featureBased.learningRate : r.scale.finetune.learningRate);
      assert.equal(e.settings.outDir, undefined);
    }
    // every row and column of the plan has its cell
    for (const row of r.plan.rows) for (const col of r.plan.columns) {
      if (r.plan.evals.some((e) => e.row === row.name && e.column === col.key)) assert.ok(r.summary.cells[row.name]?.[col.key], `${row.name} × ${col.key}`);
    }
    const saved = JSON.parse(fs.readFileSync(path.join(outDir, "results.json"), "utf8"));
    assert.deepEqual(Object.keys(saved.runs).sort(), Object.keys(r.results.runs).sort());
    const md = fs.readFileSync(path.join(outDir, "table.md"), "utf8");
    for (const row of r.plan.rows) assert.ok(md.includes(row.name), `table.md names ${row.name}`);
    assert.match(md, /paper: /);
    const charts = recipe === "figure5" ? ["figure5.svg"] : ["scores.svg", "differences.svg"];
    for (const c of charts) {
      const svg = fs.readFileSync(path.join(outDir, c), "utf8");
      assert.match(svg, /^<svg/);
      assert.ok((svg.match(/<path/g) ?? []).length > 3, `${c} has marks`);
    }
    const html = fs.readFileSync(path.join(outDir, "report.html"), "utf8");
    assert.ok(!/<script|https?:\/\/(?!www\.w3\.org)/.test(html.replace(/xmlns(:\w+)?="[^"]*"/g, "")), "report.html loads nothing");
    if (recipe === "figure5") {
      const steps = new Set(evals.map((e) => (e.kind === "eval" ? e.step : null)));
      assert.deepEqual([...steps].sort(), [0, 2, 4], "checkpoints along pre-training, and step 0");
    }
    if (recipe === "table5") {
      // the LTR model is fine-tuned causally: its checkpoint says is_decoder
      const cfg = JSON.parse(fs.readFileSync(path.join(outDir, "pretrain", "ltr-no-nsp-seed1", "checkpoint-4", "config.json"), "utf8"));
      assert.equal(cfg.is_decoder, true);
    }
  });
}

test("an interrupted experiment resumes: finished runs are skipped, the rest run, the results are the same shape", async () => {
  await ensureBackend();
  const outDir = tmp("exp-resume");
  const controller = new AbortController();
  const events: RunEvent[] = [];
  const first = await runExperiment({
    recipe: "table8", scale: "micro", outDir, signal: controller.signal,
    onRun: (e) => {
      events.push(e);
      if (e.phase === "end" && e.index === 3) controller.abort(); // after the first pre-training and two evaluations
    },
  });
  assert.equal(first.complete, false);
  const done = Object.keys(first.results.runs);
  assert.equal(done.length, 3);
  const stamps = done.map((id) => first.results.runs[id].finishedAt);
  const table = fs.readFileSync(path.join(outDir, "table.md"), "utf8");
  assert.match(table, /2 of \d+ evaluations done/);

  const again: RunEvent[] = [];
  const second = await runExperiment({ recipe: "table8", scale: "micro", outDir, onRun: (e) => void again.push(e) });
  assert.equal(second.complete, true);
  assert.deepEqual(again.filter((e) => e.phase === "skip").map((e) => e.id), done);
  assert.deepEqual(done.map((id) => second.results.runs[id].finishedAt), stamps, "finished runs were not run again");
  assert.equal(Object.keys(second.results.runs).length, second.plan.evals.length + second.plan.pretrains.length);

  await assert.rejects(runExperiment({ recipe: "table8", scale: "micro", outDir, overrides: { seeds: 2 } }), /holds a table8 experiment with other settings \(scale differ\) — use another --out, or delete that folder/);
  fs.writeFileSync(path.join(outDir, "results.json"), "{ half");
  await assert.rejects(runExperiment({ recipe: "table8", scale: "micro", outDir }), /results\.json cannot be read as JSON .* restore it, or delete the folder to start over/);
});

test("a notebook's interrupt between two runs stops the experiment there, with the finished run kept", async () => {
  await ensureBackend();
  const outDir = tmp("exp-kernel-stop");
  const r = await runExperiment({ recipe: "table7", scale: "micro", outDir, onRun: (e) => void (e.phase === "end" && e.index === 1 && noteInterrupt()) });
  assert.equal(r.complete, false);
  assert.deepEqual(Object.keys(r.results.runs), ["bert-mlm-nsp-seed1"]);
});

test("bert-lab experiment: --plan lists the runs; a micro run prints the table; bad input is named", async () => {
  const outDir = tmp("exp-cli");
  const plan = await cli(["experiment", "table5", "--scale", "micro", "--out", outDir, "--plan"]);
  assert.equal(plan.code, 0, plan.err);
  assert.match(plan.out, /Table 5: ablation over the pre-training tasks at scale micro: 3 pre-training runs of 4 steps/);
  assert.match(plan.out, /evaluate {2}bilstm\/wordnet4-bilstm-seed1 {2}\(ltr-no-nsp-seed1\)/);
  assert.ok(!fs.existsSync(outDir) || fs.readdirSync(outDir).length === 0, "--plan writes nothing");
  const only = await cli(["experiment", "table5", "--scale", "micro", "--out", outDir, "--plan", "--tasks", "wordnet4"]);
  assert.equal(only.code, 0, only.err);
  assert.match(only.out, /3 pre-training runs of 4 steps \(tiny, 4 × 24\), 5 evaluations/, "--plan honours --tasks");
  const run = await cli(["experiment", "table7", "--scale", "micro", "--out", outDir]);
  assert.equal(run.code, 0, run.err);
  assert.match(run.out, /\| Concat Last Four Hidden \| [\d.]+ \| 96\.1 \|/);
  assert.match(run.out, /done after \d+s — .*report\.html/);
  assert.match(run.err, /\[1\/\d+\] pre-train BERT \(MLM \+ NSP\), seed 1/);
  const bad = await cli(["experiment", "table6", "--out", outDir]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /unknown experiment "table6" — choose one of table5, table7, table8, figure5/);
  const missing = await cli(["experiment", "table5", "--out", outDir, "--from", path.join(outDir, "nowhere")]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.err, /--from .*nowhere: no such folder/);
});

test("table5 with a GLUE_DIR-style --data folder holding SST-2 and SQuAD: both become columns, SQuAD scored by F1 in percent, no BiLSTM span head", needsShared("data/squad/dev-v1.1.json"), async () => {
  await ensureBackend();
  const data = tmp("exp-data");
  const squad = JSON.parse(fs.readFileSync(sharedPath("data/squad/dev-v1.1.json"), "utf8"));
  const small = { version: squad.version, data: squad.data.slice(0, 1).map((a: { title: string; paragraphs: unknown[] }) => ({ title: a.title, paragraphs: a.paragraphs.slice(0, 2) })) };
  fs.mkdirSync(path.join(data, "squad"));
  for (const f of ["train-v1.1.json", "dev-v1.1.json"]) fs.writeFileSync(path.join(data, "squad", f), JSON.stringify(small));
  fs.mkdirSync(path.join(data, "SST-2"));
  const sst = (file: string, n: number) => fs.readFileSync(sharedPath(`data/glue/SST-2/${file}`), "utf8").split("\n").slice(0, n).join("\n") + "\n";
  fs.writeFileSync(path.join(data, "SST-2", "train.tsv"), sst("train.tsv", 41));
  fs.writeFileSync(path.join(data, "SST-2", "dev.tsv"), sst("dev.tsv", 21));
  const r = await runExperiment({ recipe: "table5", scale: "micro", data, outDir: tmp("exp-squad") });
  assert.equal(r.complete, true);
  assert.deepEqual(r.plan.columns.map((c) => c.key), ["sst2", "squad"]);
  const squadScores = Object.values(r.results.runs).flatMap((x) => (x.kind === "eval" && x.task === "squad" ? [x] : []));
  assert.equal(squadScores.length, 4, "BERT, No NSP, LTR and No pre-training; no + BiLSTM on SQuAD");
  for (const x of squadScores) assert.ok(x.value >= 0 && x.value <= 100 && x.value === x.metrics.f1, JSON.stringify(x.metrics));
  assert.match(fs.readFileSync(path.join(r.outDir, "table.md"), "utf8"), /"\+ BiLSTM" is not run on SQuAD/);
});
