import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import type { RunContext } from "../model/dropout";
import { readSafetensors, writeSafetensors } from "../model/weights/safetensors";
import { Rng } from "../util/rng";
import { latestCheckpoint, listCheckpoints } from "./checkpoint";
import { METRICS_FILE, train, TrainingDivergedError, TrainOptions, TrainTask } from "./trainer";
import { tempFolders } from "../util/temp-folders.test.helper";
import { noteInterrupt } from "../util/kernel-interrupt";

/** Linear regression y = x·w* with noise from dropout-like jitter: small, but every part of a real task. */
interface Batch {
  x: Float32Array;
  y: Float32Array;
  n: number;
}

const D = 4;
const TRUE_W = [0.5, -1, 2, 0.25];

function regressionTask(options: { nanAt?: number; seed?: number } = {}): TrainTask<Batch> & { w: tf.Variable; calls: number } {
  const w = tf.variable(tf.zeros([D, 1]), true, `w_${Math.random()}`);
  const data = new Rng(options.seed ?? 7);
  let calls = 0;
  const task = {
    w,
    get calls() {
      return calls;
    },
    params: new Map([["w", w]]),
    nextBatch(): Batch[] {
      const n = 8;
      const x = new Float32Array(n * D);
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < D; j++) {
          x[i * D + j] = data.normal();
          s += x[i * D + j] * TRUE_W[j];
        }
        y[i] = s;
      }
      return [{ x, y, n }];
    },
    loss(b: Batch, ctx: RunContext) {
      calls += 1;
      const jitter = ctx.rng.random() * 1e-3; // uses the dropout RNG, so resume must restore it
      const loss = tf.tidy(() => {
        const pred = tf.matMul(tf.tensor2d(b.x, [b.n, D]), w);
        const l = tf.add(tf.mean(tf.square(tf.sub(pred, tf.tensor2d(b.y, [b.n, 1])))), jitter) as tf.Scalar;
        return options.nanAt !== undefined && calls === options.nanAt ? (tf.mul(l, NaN) as tf.Scalar) : l;
      });
      return { loss, stats: { count: b.n } };
    },
    tokens: (b: Batch) => b.n,
    metrics: (sums: Record<string, number>, n: number) => ({ examples_per_batch: sums.count / n }),
    evaluate: () => ({ distance: Math.hypot(...Array.from(w.dataSync()).map((v, i) => v - TRUE_W[i])) }),
    dataState: () => data.getstate(),
    restoreDataState: (s: unknown) => data.setstate(s as ReturnType<Rng["getstate"]>),
    saveModel(dir: string) {
      writeSafetensors(path.join(dir, "model.safetensors"), { w: { shape: [D, 1], data: w.dataSync() as Float32Array } });
    },
    loadModel(dir: string) {
      const t = readSafetensors(path.join(dir, "model.safetensors")).tensors.get("w")!;
      w.assign(tf.tensor2d(t.data, [D, 1]));
    },
  };
  return task;
}

const made = tempFolders();
const tmp = () => made("trainer");
const base: TrainOptions = { steps: 30, learningRate: 0.05, warmupSteps: 3, logEvery: 1, optimizer: { weightDecay: 0 } };

test("train: loss falls, history and metrics.jsonl agree, eval at the end", async () => {
  const out = tmp();
  const task = regressionTask();
  const logged: number[] = [];
  const r = await train(task, { ...base, outDir: out, logEvery: 5, callbacks: { onLog: (rec) => void logged.push(rec.step) } });
  assert.equal(r.stopped, "completed");
  assert.equal(r.step, 30);
  assert.deepEqual(logged, [5, 10, 15, 20, 25, 30]);
  assert.ok(r.history[5].loss < r.history[0].loss / 4, `loss should fall: ${r.history.map((h) => h.loss)}`);
  assert.equal(r.history[0].examples_per_batch, 8, "task metrics are averaged over micro-batches");
  const lines = fs.readFileSync(path.join(out, METRICS_FILE), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.slice(0, 6), r.history.map((h) => JSON.parse(JSON.stringify(h))));
  assert.ok("eval_distance" in lines[6] && lines[6].step === 30, "an eval line at the end");
  for (const key of ["step", "loss", "lr", "grad_norm", "tokens_per_second", "seconds", "epoch"]) assert.ok(key in lines[0], key);
  assert.deepEqual(listCheckpoints(out).map((c) => c.step), [30]);
  task.w.dispose();
});

test("train: an abort stops at a step boundary with a checkpoint; resume continues exactly", async () => {
  const full = regressionTask();
  const a = await train(full, { ...base });
  const out = tmp();
  const first = regressionTask();
  const controller = new AbortController();
  const r1 = await train(first, {
    ...base,
    outDir: out,
    signal: controller.signal,
    callbacks: { onStep: (s) => void (s.step === 11 && controller.abort()) },
  });
  assert.equal(r1.stopped, "interrupted");
  assert.equal(r1.step, 11);
  assert.equal(latestCheckpoint(out)?.step, 11, "an interrupt saves a checkpoint");
  first.w.dispose();
  const second = regressionTask({ seed: 999 }); // wrong data seed: resume must restore the data position
  const r2 = await train(second, { ...base, outDir: out, resume: true });
  assert.equal(r2.startedFrom, 11);
  assert.deepEqual(r2.history.map((h) => h.loss), a.history.map((h) => h.loss), "losses after the resume equal the uninterrupted run's");
  assert.deepEqual(Array.from(second.w.dataSync()), Array.from(full.w.dataSync()));
  const lines = fs.readFileSync(path.join(out, METRICS_FILE), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.filter((l) => "loss" in l).map((l) => l.step), Array.from({ length: 30 }, (_, i) => i + 1), "metrics.jsonl has each step once");
  full.w.dispose();
  second.w.dispose();
});

test("train: a kernel interrupt (noteInterrupt) stops the run at the next step; an earlier one does not", async () => {
  noteInterrupt(); // before the run: must not stop it
  const task = regressionTask();
  const r = await train(task, { ...base, callbacks: { onStep: (s) => void (s.step === 7 && noteInterrupt()) } });
  assert.equal(r.stopped, "interrupted");
  assert.equal(r.step, 7);
  task.w.dispose();
});

test("train: continueFrom resumes in memory (a notebook after an interrupt)", async () => {
  const full = regressionTask();
  const a = await train(full, base);
  const task = regressionTask();
  const controller = new AbortController();
  const r1 = await train(task, { ...base, signal: controller.signal, callbacks: { onStep: (s) => void (s.step === 4 && controller.abort()) } });
  assert.equal(r1.stopped, "interrupted");
  const r2 = await train(task, { ...base, continueFrom: r1 });
  assert.equal(r2.step, 30);
  assert.deepEqual(r2.history.map((h) => h.loss), a.history.map((h) => h.loss));
  full.w.dispose();
  task.w.dispose();
});

test("train: a NaN loss stops with a clear error, applies nothing, keeps the last good checkpoint", async () => {
  const out = tmp();
  const task = regressionTask({ nanAt: 6 });
  let before: number[] = [];
  await assert.rejects(
    train(task, { ...base, outDir: out, saveEvery: 2, callbacks: { onStep: (s) => void (s.step === 5 && (before = Array.from(task.w.dataSync()))) } }),
    (e: unknown) => {
      assert.ok(e instanceof TrainingDivergedError);
      assert.equal(e.code, "NON_FINITE_LOSS");
      assert.match(e.message, /NaN.*step 6.*checkpoint-4.*intact.*learning rate/s);
      assert.equal(e.result.step, 5);
      return true;
    },
  );
  assert.deepEqual(Array.from(task.w.dataSync()), before, "the NaN step changed no parameter");
  assert.deepEqual(listCheckpoints(out).map((c) => c.step), [2, 4]);
  task.w.dispose();
});

test("train: keeps the last K checkpoints; refuses to overwrite a run; refuses a resume with other settings", async () => {
  const out = tmp();
  const task = regressionTask();
  await train(task, { ...base, steps: 10, outDir: out, saveEvery: 2, keepCheckpoints: 2, run: { lr: 0.05 } });
  assert.deepEqual(listCheckpoints(out).map((c) => c.step), [8, 10]);
  await assert.rejects(train(task, { ...base, steps: 12, outDir: out }), /already holds a run.*--resume/);
  await assert.rejects(train(task, { ...base, steps: 12, outDir: out, resume: true, run: { lr: 0.1 } }), (e: unknown) => {
    assert.equal((e as { code: string }).code, "RESUME_MISMATCH");
    assert.match((e as Error).message, /lr: 0.05 then, 0.1 now/);
    return true;
  });
  task.w.dispose();
});

test("train: yields to the event loop between steps, and keeps numTensors flat", async () => {
  const task = regressionTask();
  let stepsWhenTimerFired = -1;
  let done = 0;
  setImmediate(() => (stepsWhenTimerFired = done));
  const counts: number[] = [];
  await train(task, {
    ...base,
    steps: 50,
    callbacks: {
      onStep: (s) => {
        done = s.step;
        counts.push(tf.memory().numTensors);
      },
    },
  });
  assert.ok(stepsWhenTimerFired >= 1 && stepsWhenTimerFired < 50, `a timer set before training ran during it (after step ${stepsWhenTimerFired})`);
  assert.equal(counts[49], counts[2], `numTensors must stay flat: ${counts[2]} at step 3, ${counts[49]} at step 50`);
  task.w.dispose();
});

test("train: bad options are named", async () => {
  const task = regressionTask();
  await assert.rejects(train(task, { ...base, steps: 0 }), /steps must be an integer ≥ 1/);
  await assert.rejects(train(task, { ...base, learningRate: NaN }), /learningRate/);
  await assert.rejects(train(task, { ...base, logEvery: 1.5 }), /logEvery/);
  task.w.dispose();
});
