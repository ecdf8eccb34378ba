/**
 * The training loop every run uses — `bert-lab pretrain`, the fine-tuning commands and
 * notebooks: optimizer steps with BERT's schedule and clipping, metrics.jsonl, evaluation,
 * atomic checkpoints with exact resume, a NaN guard, and a yield to the event loop between
 * steps (so a notebook interrupt or Ctrl-C stops it at a step boundary, everything intact).
 *
 * What is trained is a `TrainTask`: parameters, batches, a loss. This file knows nothing of BERT.
 *
 * @example
 *   const result = await train(task, { steps: 1000, learningRate: 1e-4, warmupSteps: 100, outDir: "runs/tiny",
 *     callbacks: { onLog: (r) => console.log(r.step, r.loss) } });
 *   console.log(result.stopped, result.history.at(-1));
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type { RunContext } from "../model/dropout";
import { writeFileAtomic } from "../util/atomic-write";
import { BertLabError } from "../util/errors";
import { keepJsonlUpToStep } from "../util/jsonl";
import { interruptCount } from "../util/kernel-interrupt";
import { Rng, RngState } from "../util/rng";
import { BertAdamW, BertAdamWOptions } from "./adamw";
import {
  latestCheckpoint,
  OPTIMIZER_FILE,
  readOptimizerState,
  removePartialCheckpoints,
  saveCheckpoint,
  TRAINER_STATE_FILE,
  writeOptimizerState,
} from "./checkpoint";
import { linearWarmupDecay, LrSchedule } from "./schedule";
import { trainingStep } from "./step";

/** What a run trains. B is one micro-batch. */
export interface TrainTask<B> {
  /** trainable parameters by name (updated by the optimizer, saved in checkpoints) */
  params: Map<string, tf.Variable>;
  /** the micro-batches of the next step (one, unless the batch is split to fit memory) */
  nextBatch(): B[];
  /** one micro-batch's loss, and numbers to sum until the next log line */
  loss(batch: B, ctx: RunContext): { loss: tf.Scalar; stats: Record<string, number> };
  /** real (non-padding) tokens in a micro-batch */
  tokens(batch: B): number;
  /** summed stats of `n` micro-batches → named metrics for the log (e.g. mlm_loss, mlm_accuracy) */
  metrics(sums: Record<string, number>, n: number): Record<string, number>;
  /** metrics on held-out data, unprefixed (logged as eval_NAME); dropout off */
  evaluate?(): Record<string, number>;
  /** the data position, JSON-serialisable, and its restore */
  dataState(): unknown;
  restoreDataState(state: unknown): void;
  /** passes over the training data so far (fractional) */
  epoch?(): number;
  /** writes config.json, model.safetensors (and vocab.txt) into dir; loadModel reads them */
  saveModel(dir: string): void;
  loadModel(dir: string): void;
}

export interface TrainOptions {
  /** total optimizer steps (a resumed run continues up to this) */
  steps: number;
  /** peak learning rate */
  learningRate: number;
  /** linear warmup steps, then linear decay to 0 at `steps` (BERT's schedule) */
  warmupSteps?: number;
  /** another schedule (step → lr) instead */
  schedule?: LrSchedule;
  /** BertAdamW options (weight decay 0.01, β 0.9/0.999, ε 1e-6, no bias correction by default) */
  optimizer?: BertAdamWOptions;
  /** global-norm clipping (default 1.0; null: off) */
  clipNorm?: number | null;
  /** seeds dropout (default 0) */
  seed?: number;
  /** folder for metrics.jsonl and checkpoint-STEP/ folders; null or absent: write nothing */
  outDir?: string | null;
  /** checkpoint every K steps (0: only at the end and on interrupt) */
  saveEvery?: number;
  /** false: write no checkpoints at all (a fine-tuning run keeps its best model itself); default true */
  checkpoints?: boolean;
  /** checkpoints kept (default 3; 0 keeps all) */
  keepCheckpoints?: number;
  /** a metrics line every K steps (default 10), averaged over them */
  logEvery?: number;
  /** evaluate every K steps (0: only at the end) when the task can evaluate */
  evalEvery?: number;
  /** continue from the newest checkpoint in outDir (a fresh start when there is none) */
  resume?: boolean;
  /** continue in memory from an earlier result (a notebook after an interrupt) */
  continueFrom?: TrainResult;
  /** stops the run at the next step boundary (a checkpoint is saved when outDir is set); an interrupt of the BERT Lab kernel does the same */
  signal?: AbortSignal;
  /** settings recorded in trainer_state.json; a resume with different ones is refused (except steps) */
  run?: Record<string, unknown>;
  callbacks?: TrainCallbacks;
}

export interface StepInfo {
  step: number;
  steps: number;
  loss: number;
  lr: number;
  gradNorm: number;
  /** seconds this step took */
  seconds: number;
  tokens: number;
}

/** One metrics.jsonl line: the interval's means, and the metrics of the task. */
export interface LogRecord {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  grad_norm: number;
  tokens_per_second: number;
  /** training seconds since the run began (across resumes) */
  seconds: number;
  [metric: string]: number;
}

export interface EvalRecord {
  step: number;
  [metric: string]: number;
}

export interface TrainCallbacks {
  onStep?(info: StepInfo): void | Promise<void>;
  onLog?(record: LogRecord): void | Promise<void>;
  onEval?(record: EvalRecord): void | Promise<void>;
  onCheckpoint?(checkpoint: { step: number; dir: string }): void | Promise<void>;
}

export interface TrainResult {
  /** optimizer steps done */
  step: number;
  stopped: "completed" | "interrupted";
  history: LogRecord[];
  evals: EvalRecord[];
  /** the newest checkpoint written or resumed from, or null */
  checkpoint: string | null;
  /** the step this call started from (0, or a checkpoint's) */
  startedFrom: number;
  /** the optimizer, with its moments (pass the result as continueFrom to go on) */
  optimizer: BertAdamW;
  /** internal: what continueFrom needs */
  state: TrainerState;
}

/** trainer_state.json */
export interface TrainerState {
  format: "bert-lab-trainer";
  version: 1;
  step: number;
  epoch: number;
  seconds: number;
  tokens: number;
  dropoutRng: RngState;
  data: unknown;
  /** the unlogged part of the current interval */
  pending: Pending;
  run: Record<string, unknown>;
  history: LogRecord[];
  evals: EvalRecord[];
}

interface Pending {
  steps: number;
  micro: number;
  loss: number;
  gradNorm: number;
  tokens: number;
  seconds: number;
  sums: Record<string, number>;
}

const emptyPending = (): Pending => ({ steps: 0, micro: 0, loss: 0, gradNorm: 0, tokens: 0, seconds: 0, sums: {} });
export const METRICS_FILE = "metrics.jsonl";

/** Loss became NaN or infinite: nothing was updated at that step; `result` is the run so far. */
export class TrainingDivergedError extends BertLabError {
  constructor(message: string, readonly result: TrainResult) {
    super("NON_FINITE_LOSS", message);
  }
}

export async function train<B>(task: TrainTask<B>, options: TrainOptions): Promise<TrainResult> {
  const steps = positiveInt("steps", options.steps);
  const logEvery = positiveInt("logEvery", options.logEvery ?? 10);
  const saveEvery = nonNegativeInt("saveEvery", options.saveEvery ?? 0);
  const evalEvery = nonNegativeInt("evalEvery", options.evalEvery ?? 0);
  const keep = nonNegativeInt("keepCheckpoints", options.keepCheckpoints ?? 3);
  if (!(options.learningRate >= 0) || !Number.isFinite(options.learningRate)) {
    throw new BertLabError("BAD_OPTION", `learningRate must be a finite number ≥ 0, got ${options.learningRate}`);
  }
  const schedule = options.schedule ?? linearWarmupDecay({ peakLr: options.learningRate, warmupSteps: options.warmupSteps ?? 0, totalSteps: steps });
  const outDir = options.outDir ?? null;
  const run = options.run ?? {};
  const cb = options.callbacks ?? {};

  // where to start: a checkpoint, an earlier result, or step 0
  const optimizer = options.continueFrom?.optimizer ?? new BertAdamW(options.optimizer);
  let state: TrainerState;
  let checkpoint: string | null = null;
  if (options.continueFrom) {
    state = structuredClone(options.continueFrom.state);
    checkpoint = options.continueFrom.checkpoint;
  } else {
    state = freshState(options.seed ?? 0, task, run);
    if (outDir) {
      prepareOutDir(outDir, Boolean(options.resume));
      const latest = options.resume ? latestCheckpoint(outDir) : null;
      if (latest) {
        state = restore(task, optimizer, latest.dir, run);
        checkpoint = latest.dir;
        keepJsonlUpToStep(path.join(outDir, METRICS_FILE), state.step); // drop what a killed run wrote after it
      } else {
        writeFileAtomic(path.join(outDir, METRICS_FILE), "");
      }
    }
  }
  const startedFrom = state.step;
  const dropoutRng = new Rng(0);
  dropoutRng.setstate(state.dropoutRng);

  const result = (stopped: TrainResult["stopped"]): TrainResult => {
    state.dropoutRng = dropoutRng.getstate();
    state.data = task.dataState();
    state.epoch = task.epoch?.() ?? 0;
    return { step: state.step, stopped, history: state.history, evals: state.evals, checkpoint, startedFrom, optimizer, state };
  };
  const save = async () => {
    if (!outDir || options.checkpoints === false) return;
    const snapshot = result("completed").state;
    checkpoint = saveCheckpoint(
      outDir,
      state.step,
      (dir) => {
        task.saveModel(dir);
        writeOptimizerState(path.join(dir, OPTIMIZER_FILE), optimizer.getState());
        writeFileAtomic(path.join(dir, TRAINER_STATE_FILE), JSON.stringify(snapshot) + "\n");
      },
      keep,
    );
    await cb.onCheckpoint?.({ step: state.step, dir: checkpoint });
  };
  const evaluate = async () => {
    if (!task.evaluate) return;
    const metrics = task.evaluate();
    const record: EvalRecord = { step: state.step };
    for (const [k, v] of Object.entries(metrics)) record[`eval_${k}`] = v;
    state.evals.push(record);
    if (outDir) fs.appendFileSync(path.join(outDir, METRICS_FILE), JSON.stringify(record) + "\n");
    await cb.onEval?.(record);
  };

  let savedAt = checkpoint ? state.step : -1;
  const interruptsAtStart = interruptCount(); // a kernel interrupt (Jupyter's stop button) stops the run too
  while (state.step < steps) {
    if (options.signal?.aborted || interruptCount() !== interruptsAtStart) {
      if (savedAt !== state.step) await save();
      return result("interrupted");
    }
    const t0 = performance.now();
    const batches = task.nextBatch();
    const ctx: RunContext = { training: true, rng: dropoutRng };
    const stepSums: Record<string, number> = {};
    const lr = schedule(state.step);
    const r = trainingStep({
      params: task.params,
      losses: batches.map((b) => () => {
        const { loss, stats } = task.loss(b, ctx);
        for (const [k, v] of Object.entries(stats)) stepSums[k] = (stepSums[k] ?? 0) + v;
        return loss;
      }),
      optimizer,
      lr,
      clipNorm: options.clipNorm,
      skipNonFinite: true,
    });
    const seconds = (performance.now() - t0) / 1000;
    if (!r.applied) {
      const where = checkpoint ? `the last good checkpoint, ${checkpoint}, is intact` : "no checkpoint was saved yet";
      throw new TrainingDivergedError(
        `loss became ${r.loss} (gradient norm ${r.gradNorm}) at step ${state.step + 1} with learning rate ${lr.toExponential(2)}: training stopped and this step was not applied; ${where}. Lower the learning rate, lengthen the warmup, or check the data.`,
        result("interrupted"),
      );
    }
    const tokens = batches.reduce((s, b) => s + task.tokens(b), 0);
    state.step += 1;
    state.seconds += seconds;
    state.tokens += tokens;
    const p = state.pending;
    p.steps += 1;
    p.micro += batches.length;
    p.loss += r.loss;
    p.gradNorm += r.gradNorm;
    p.tokens += tokens;
    p.seconds += seconds;
    for (const [k, v] of Object.entries(stepSums)) p.sums[k] = (p.sums[k] ?? 0) + v;
    await cb.onStep?.({ step: state.step, steps, loss: r.loss, lr, gradNorm: r.gradNorm, seconds, tokens });

    if (state.step % logEvery === 0 || state.step === steps) {
      const record: LogRecord = {
        step: state.step,
        epoch: task.epoch?.() ?? 0,
        loss: p.loss / p.steps,
        ...task.metrics(p.sums, p.micro),
        lr,
        grad_norm: p.gradNorm / p.steps,
        tokens_per_second: p.seconds > 0 ? p.tokens / p.seconds : 0,
        seconds: state.seconds,
      };
      state.history.push(record);
      state.pending = emptyPending();
      if (outDir) fs.appendFileSync(path.join(outDir, METRICS_FILE), JSON.stringify(record) + "\n");
      await cb.onLog?.(record);
    }
    if (evalEvery > 0 && state.step % evalEvery === 0 && state.step !== steps) await evaluate();
    if (saveEvery > 0 && state.step % saveEvery === 0 && state.step !== steps) {
      await save();
      savedAt = state.step;
    }
    // let the event loop run: a notebook interrupt or a Ctrl-C handler gets its turn here
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (startedFrom < steps || state.evals.length === 0) await evaluate();
  if (savedAt !== state.step) await save();
  return result("completed");
}

function freshState(seed: number, task: TrainTask<unknown>, run: Record<string, unknown>): TrainerState {
  return {
    format: "bert-lab-trainer",
    version: 1,
    step: 0,
    epoch: 0,
    seconds: 0,
    tokens: 0,
    dropoutRng: new Rng(seed).fork("dropout").getstate(),
    data: task.dataState(),
    pending: emptyPending(),
    run,
    history: [],
    evals: [],
  };
}

/** Refuses to overwrite another run's checkpoints unless resuming; removes half-written ones. */
function prepareOutDir(outDir: string, resume: boolean): void {
  try {
    fs.mkdirSync(outDir, { recursive: true });
    fs.accessSync(outDir, fs.constants.W_OK);
  } catch (e) {
    throw new BertLabError("OUT_NOT_WRITABLE", `cannot write to the output folder ${outDir}: ${(e as Error).message} — choose another --out`);
  }
  removePartialCheckpoints(outDir);
  const latest = latestCheckpoint(outDir);
  if (latest && !resume) {
    throw new BertLabError("OUT_HAS_CHECKPOINTS", `${outDir} already holds a run (newest: ${path.basename(latest.dir)}): pass --resume to continue it, or choose another --out`);
  }
}

function restore<B>(task: TrainTask<B>, optimizer: BertAdamW, dir: string, run: Record<string, unknown>): TrainerState {
  let state: TrainerState;
  try {
    state = JSON.parse(fs.readFileSync(path.join(dir, TRAINER_STATE_FILE), "utf8"));
  } catch (e) {
    throw new BertLabError("BAD_CHECKPOINT", `cannot read ${path.join(dir, TRAINER_STATE_FILE)}: ${(e as Error).message}`);
  }
  if (state.format !== "bert-lab-trainer" || state.version !== 1) {
    throw new BertLabError("BAD_CHECKPOINT", `${dir} is not a bert-lab training checkpoint (format ${state.format}, version ${state.version})`);
  }
  const changed = Object.keys({ ...run, ...state.run }).filter((k) => k !== "steps" && JSON.stringify(run[k]) !== JSON.stringify(state.run[k]));
  if (changed.length > 0) {
    const what = changed.map((k) => `${k}: ${JSON.stringify(state.run[k])} then, ${JSON.stringify(run[k])} now`).join("; ");
    throw new BertLabError("RESUME_MISMATCH", `cannot resume ${dir} with different settings (${what}): use the original settings, or start a new run in another --out`);
  }
  task.loadModel(dir);
  optimizer.setState(readOptimizerState(path.join(dir, OPTIMIZER_FILE)));
  task.restoreDataState(state.data);
  state.run = run;
  return state;
}

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new BertLabError("BAD_OPTION", `${name} must be an integer ≥ 1, got ${v}`);
  return v;
}

function nonNegativeInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0) throw new BertLabError("BAD_OPTION", `${name} must be an integer ≥ 0, got ${v}`);
  return v;
}
