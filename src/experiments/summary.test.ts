// The arithmetic behind an experiment's table: cells over seeds, the noise rule, the paper's
// direction, the ordering line, the scales' overrides, and the plans each recipe makes.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseLayerChoice } from "../finetuning/layer-choice";
import { PAPER_TABLE5, PAPER_TABLE7, PAPER_TABLE8 } from "./paper";
import { recipePlan, Plan, NO_PRETRAINING } from "./recipes";
import { resolveScale, SCALES } from "./scales";
import { cellOf, cellText, compareCells, sampleSd, Score, summarize } from "./summary";
import { DownstreamTask, findTasks, FoundTasks } from "./tasks";
import { tableRows } from "./report";

const task = (key: string, level: DownstreamTask["level"] = "sentence"): DownstreamTask => ({ key, title: key.toUpperCase(), level, metric: level === "sentence" ? "accuracy" : "f1", data: { task: "sst2" } });
const found = (keys: string[], token = ["wnut17"]): FoundTasks => ({ sentence: keys.map((k) => task(k)), token: token.map((k) => task(k, "token")), span: [], missing: [], source: "test" });

test("cells: mean and the sample standard deviation over seeds; one seed has no sd", () => {
  const c = cellOf([{ row: "a", column: "x", seed: 2, value: 80 }, { row: "a", column: "x", seed: 1, value: 82 }, { row: "a", column: "x", seed: 3, value: 84 }]);
  assert.deepEqual(c.values, [82, 80, 84]); // seed order
  assert.equal(c.mean, 82);
  assert.equal(c.sd, 2); // √((0 + 4 + 4) / 2)
  assert.equal(cellText(c), "82.0 ± 2.0");
  assert.ok(Number.isNaN(sampleSd([5])));
  assert.equal(cellText(cellOf([{ row: "a", column: "x", seed: 1, value: 70.25 }])), "70.3");
  assert.equal(cellText(undefined), "—");
});

test("the noise rule: a difference counts when larger than twice its standard error", () => {
  const a = cellOf([80, 81, 82].map((value, i) => ({ row: "a", column: "x", seed: i, value })));
  const b = cellOf([84, 85, 86].map((value, i) => ({ row: "b", column: "x", seed: i, value })));
  const big = compareCells(b, a); // +4 ± √(1/3 + 1/3) = 0.816
  assert.equal(big.difference, 4);
  assert.ok(Math.abs(big.standardError - Math.sqrt(2 / 3)) < 1e-12);
  assert.equal(big.significance, "larger");
  const c = cellOf([80.5, 81.5, 82.5].map((value, i) => ({ row: "c", column: "x", seed: i, value })));
  assert.equal(compareCells(c, a).significance, "within"); // +0.5 < 1.63
  assert.equal(compareCells(cellOf([{ row: "d", column: "x", seed: 0, value: 90 }]), a).significance, "unknown");
});

function plan(): Plan {
  return recipePlan("table5", resolveScale("tiny", { seeds: 2 }), found(["mnli", "sst2"], ["wnut17"]));
}

test("summarize: per-cell values, the paper's direction beside ours, and the ordering of rows", () => {
  const p = plan();
  const scores: Score[] = [];
  const level: Record<string, number> = { "BERT (MLM + NSP)": 80, "No NSP": 79, "LTR & No NSP": 70, "+ BiLSTM": 72, [NO_PRETRAINING]: 60 };
  for (const row of Object.keys(level)) for (const column of ["mnli", "sst2", "wnut17"]) for (const seed of [1, 2]) scores.push({ row, column, seed, value: level[row] + (seed === 1 ? 0.5 : -0.5) });
  const s = summarize(p, scores);
  assert.equal(s.cells["No NSP"].mnli.mean, 79);
  assert.equal(s.planned, p.evals.length);
  assert.equal(s.done, scores.length);
  const ltr = s.comparisons.find((c) => c.row === "LTR & No NSP" && c.column === "mnli")!;
  assert.equal(ltr.difference, -10);
  assert.equal(ltr.paperDifference, -2.3); // 82.1 − 84.4
  assert.equal(ltr.sameDirection, true);
  assert.equal(ltr.significance, "larger");
  assert.match(ltr.verdict, /−10\.0, larger than the noise .*the paper: −2\.3, same direction/);
  const bilstm = s.comparisons.find((c) => c.row === "+ BiLSTM" && c.column === "mnli")!;
  assert.equal(bilstm.sameDirection, true); // 82.1 − 84.4 = −2.3 and ours −8
  // a column the paper does not have: no paper difference
  assert.equal(s.comparisons.find((c) => c.column === "wnut17")!.paperDifference, null);
  assert.match(s.ordering!, /ours: BERT \(MLM \+ NSP\) \(80\.0\) > No NSP \(79\.0\) > \+ BiLSTM \(72\.0\) > LTR & No NSP \(70\.0\); the paper: BERT \(MLM \+ NSP\) \(88\.1\)/);
  const rows = tableRows(p, s);
  assert.equal(rows[0]["MNLI (accuracy)"], "80.0 ± 0.7");
  assert.equal(rows[0]["paper: MNLI-m (Acc)"], 84.4);
  assert.equal(rows[0]["paper: QNLI (Acc)"], 88.4, "the paper's columns we have no task for stand beside ours");
  assert.equal(rows[4].row, `${NO_PRETRAINING} (ours only)`);
  assert.equal(rows[4]["paper: MNLI-m (Acc)"], "—");
});

test("plans: the same pre-training serves LTR and + BiLSTM; every table has a no-pre-training floor; counts per seed", () => {
  const tiny = resolveScale("tiny");
  const t5 = recipePlan("table5", tiny, found(["mrpc", "sst2"]));
  assert.equal(t5.pretrains.length, 3 * 3); // three objectives × three seeds
  assert.equal(t5.evals.length, 3 * (4 * 3 + 3)); // (4 rows + the floor) × 3 tasks, per seed
  const bilstm = t5.evals.filter((e) => e.row === "+ BiLSTM");
  assert.ok(bilstm.every((e) => e.method.kind === "finetune" && e.method.bilstm === tiny.bilstmUnits && e.pretrain!.startsWith("ltr-no-nsp")));
  assert.deepEqual(new Set(t5.pretrains.map((p) => p.objective)), new Set(["mlm+nsp", "mlm", "ltr"]));
  assert.ok(t5.evals.filter((e) => e.row === NO_PRETRAINING).every((e) => e.pretrain === null));
  assert.equal(new Set(t5.evals.map((e) => e.id)).size, t5.evals.length, "ids are unique");

  const t8 = recipePlan("table8", tiny, found(["mrpc", "sst2"]));
  assert.equal(t8.pretrains.length, 6 * 3);
  assert.deepEqual(t8.pretrains.filter((p) => p.seed === 1).map((p) => [p.ratios.mask, p.ratios.same, p.ratios.random]), PAPER_TABLE8.rows.map((r) => [r.mask, r.same, r.random]));
  assert.equal(t8.columns[0].task.key, "sst2", "SST-2 stands in for MNLI when MNLI is missing");
  assert.ok(t8.evals.filter((e) => e.column === "ner_feature").every((e) => e.method.kind === "feature-based" && e.method.layers === "concat:-1,-2"));

  const t7 = recipePlan("table7", tiny, found(["sst2"], ["conll2003", "wnut17"]));
  assert.equal(t7.columns[0].task.key, "conll2003");
  assert.equal(t7.pretrains.length, 3);
  assert.equal(t7.evals.length, 3 * 8);

  const f5 = recipePlan("figure5", resolveScale("tiny", { pretrainSteps: 100 }), found(["qnli", "sst2"]));
  assert.deepEqual(f5.steps, [25, 50, 75, 100]);
  assert.equal(f5.columns[0].task.key, "qnli");
  assert.ok(f5.pretrains.every((p) => p.saveEvery === 25));
  assert.throws(() => recipePlan("table9", tiny, found(["sst2"])), /unknown experiment "table9" — choose one of table5, table7, table8, figure5/);
  assert.throws(() => recipePlan("table8", tiny, found([], [])), /no sentence-level task/);
});

test("the paper's tables are consistent: Table 8's ratios sum to 1 and name their row; Table 7's layers parse; Table 5 has every column", () => {
  for (const r of PAPER_TABLE8.rows) {
    assert.ok(Math.abs(r.mask + r.same + r.random - 1) < 1e-12, r.row);
    assert.equal(r.row, `${Math.round(r.mask * 100)}% / ${Math.round(r.same * 100)}% / ${Math.round(r.random * 100)}%`);
  }
  for (const r of PAPER_TABLE7.rows) if (r.layers) assert.doesNotThrow(() => parseLayerChoice(r.layers!), r.row);
  for (const r of PAPER_TABLE5.rows) assert.deepEqual(Object.keys(r.scores), Object.keys(PAPER_TABLE5.columns), r.row);
});

test("scales: overrides apply one field at a time and are checked; warmup keeps its share", () => {
  const s = resolveScale("tiny", { pretrainSteps: 1600, seeds: 5, maxTrainExamples: null });
  assert.equal(s.pretrain.steps, 1600);
  assert.equal(s.pretrain.warmupSteps, (1600 * SCALES.tiny.pretrain.warmupSteps) / SCALES.tiny.pretrain.steps);
  assert.equal(s.seeds, 5);
  assert.equal(s.finetune.maxTrainExamples, null);
  assert.equal(s.finetune.maxDevExamples, SCALES.tiny.finetune.maxDevExamples);
  assert.throws(() => resolveScale("huge"), /unknown scale "huge" — choose one of micro, tiny, mini, small/);
  assert.throws(() => resolveScale("tiny", { seeds: 0 }), /seeds must be an integer ≥ 1, got 0/);
  assert.throws(() => resolveScale("tiny", { finetuneLearningRate: -1 }), /fine-tuning learning rate must be a positive number/);
});

test("tasks: a GLUE_DIR-style folder is searched for each task's training file; what is missing is said", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "glue-dir-"));
  try {
    fs.mkdirSync(path.join(dir, "SST-2"));
    fs.writeFileSync(path.join(dir, "SST-2", "train.tsv"), "sentence\tlabel\n");
    fs.mkdirSync(path.join(dir, "conll2003"));
    fs.writeFileSync(path.join(dir, "conll2003", "eng.train"), "");
    const t = findTasks({ data: dir }, path.join(dir, "work"));
    assert.deepEqual(t.sentence.map((x) => x.key), ["sst2"]);
    assert.deepEqual(t.sentence[0].data, { task: "sst2", data: path.join(dir, "SST-2") });
    assert.deepEqual(t.token.map((x) => x.key), ["conll2003"]);
    assert.ok(t.missing.some((m) => m.key === "mnli" && m.why === `no MNLI/train.tsv in ${dir}`));
    assert.ok(t.missing.some((m) => m.key === "squad"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
