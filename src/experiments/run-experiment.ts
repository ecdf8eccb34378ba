/**
 * Runs one of the paper's ablations end to end into an experiment folder, and resumes it:
 *
 *   OUT/experiment.json   what was asked (recipe, scale, tasks, corpus) — a resume must ask the same
 *   OUT/vocab.txt         one WordPiece vocabulary for every run, trained on the corpus
 *   OUT/data/             the embedded WordNet tasks, when no data folder is given
 *   OUT/pretrain/ID/      each pre-training run (checkpoints, metrics.jsonl); an interrupted one resumes
 *   OUT/finetune/ID/      each evaluation (metrics.jsonl, eval.json; best/ only with keepModels)
 *   OUT/results.json      every finished run: its settings, metrics and seconds (rewritten after each)
 *   OUT/table.md, table.html, scores.svg, differences.svg (figure5: figure5.svg), report.html
 *
 * Runs go seed by seed, so the first complete table (one seed) appears early. A finished run is
 * never run again; an interrupt (SIGINT, a notebook's stop button, `signal`) ends the current
 * run at a step boundary and leaves everything finished on disk for the next call.
 *
 * @example
 *   const r = await runExperiment({ recipe: "table5", scale: "tiny", outDir: "runs/table5" });
 *   r.summary.comparisons.map((c) => c.verdict);
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { cachedWordnetCorpus } from "../data/wordnet";
import { finetune } from "../finetuning/finetune";
import { finetuneFeatureBased } from "../finetuning/feature-based";
import { pretrain } from "../pretraining/pretrain";
import { VocabTrainer } from "../tokenization/vocab-trainer";
import type { TrainCallbacks } from "../training/trainer";
import { writeFileAtomic } from "../util/atomic-write";
import { interruptCount } from "../util/kernel-interrupt";
import { BertLabError } from "../util/errors";
import { EvalJob, Plan, PretrainJob, recipePlan } from "./recipes";
import { writeReport, ExperimentReport } from "./report";
import { resolveScale, Scale, ScaleOverrides } from "./scales";
import { Score } from "./summary";
import { findTasks, FoundTasks } from "./tasks";

export interface ExperimentOptions {
  /** table5 | table7 | table8 | figure5 */
  recipe: string;
  /** micro | tiny | mini | small (default tiny) */
  scale?: string;
  overrides?: ScaleOverrides;
  /** a mirror laid out like ../shared/data (GLUE, NER and its corpus/en) */
  from?: string;
  /** a GLUE_DIR-style folder of task folders */
  data?: string;
  /** pre-training corpus files (default: the mirror's corpus/en/pretrain_en.txt with `from`, else the embedded WordNet corpus) */
  corpus?: string[];
  /** only these columns' tasks (keys such as sst2, wnut17) */
  tasks?: string[];
  outDir: string;
  /** keep every fine-tuned model's best/ folder (default: only the scores are kept) */
  keepModels?: boolean;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** told when each run starts and ends (and which are skipped as done) */
  onRun?: (event: RunEvent) => void | Promise<void>;
  /** given the table, charts and verdicts after every finished run (and once at the start) */
  onReport?: (report: ExperimentReport) => void | Promise<void>;
  /** training callbacks for each run — e.g. a notebook's liveCurves().callbacks(label) */
  callbacks?: (run: { id: string; label: string; kind: "pretrain" | "finetune" }) => TrainCallbacks | undefined;
}

export interface RunEvent {
  phase: "start" | "end" | "skip";
  kind: "pretrain" | "finetune";
  id: string;
  label: string;
  /** 1-based position among all runs, and their number */
  index: number;
  total: number;
  seconds?: number;
  /** an evaluation's score (×100) */
  value?: number;
}

export interface PretrainRunRecord {
  kind: "pretrain";
  id: string;
  variant: string;
  objective: string;
  ratios: { mask: number; same: number; random: number };
  seed: number;
  steps: number;
  /** everything pretrain() was given that shapes the run */
  settings: Record<string, unknown>;
  /** the last logged losses */
  final: Record<string, number>;
  seconds: number;
  finishedAt: string;
}

export interface EvalRunRecord {
  kind: "eval";
  id: string;
  row: string;
  column: string;
  task: string;
  method: EvalJob["method"];
  pretrain: string | null;
  step: number | null;
  seed: number;
  metric: string;
  /** everything finetune() (or finetuneFeatureBased()) was given that shapes the run */
  settings: Record<string, unknown>;
  /** the metric ×100 at the best epoch */
  value: number;
  metrics: Record<string, number>;
  epoch: number;
  seconds: number;
  finishedAt: string;
}

export interface ExperimentResults {
  format: "bert-lab-experiment-results";
  version: 1;
  recipe: string;
  runs: Record<string, PretrainRunRecord | EvalRunRecord>;
}

export interface ExperimentResult extends ExperimentReport {
  plan: Plan;
  scale: Scale;
  results: ExperimentResults;
  /** false when interrupted before every run finished */
  complete: boolean;
  outDir: string;
}

const RESULTS = "results.json";
const SETTINGS = "experiment.json";

/**
 * What an experiment would run, its options checked: the scale, the tasks found (filtered by
 * `tasks`) and the plan. `write: false` (for `--plan`) leaves the folder untouched.
 */
export function planExperiment(options: ExperimentOptions, write = true): { scale: Scale; tasks: FoundTasks; plan: Plan; outDir: string } {
  if (!options.outDir) throw new BertLabError("MISSING_OPTION", "an experiment needs an output folder: --out DIR");
  if (options.from && options.data) throw new BertLabError("BAD_OPTION", "give --from DIR (a mirror) or --data DIR (a folder of task folders), not both");
  for (const [what, dir] of [["--from", options.from], ["--data", options.data]] as const) {
    if (dir && !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new BertLabError("INPUT_NOT_FOUND", `${what} ${dir}: no such folder`);
  }
  const scale = resolveScale(options.scale ?? "tiny", options.overrides);
  const outDir = path.resolve(options.outDir);
  const tasks = findTasks({ from: options.from, data: options.data }, path.join(outDir, "data"), write);
  if (options.tasks?.length) {
    const known = [...tasks.sentence, ...tasks.token, ...tasks.span].map((t) => t.key);
    const unknown = options.tasks.filter((t) => !known.includes(t));
    if (unknown.length) throw new BertLabError("UNKNOWN_TASK", `--tasks ${unknown.join(",")}: not found in ${tasks.source} — found ${known.join(", ")}`);
    const keep = (t: { key: string }) => options.tasks!.includes(t.key);
    tasks.sentence = tasks.sentence.filter(keep);
    tasks.token = tasks.token.filter(keep);
    tasks.span = tasks.span.filter(keep);
  }
  return { scale, tasks, plan: recipePlan(options.recipe, scale, tasks), outDir };
}

export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const log = options.log ?? (() => {});
  const { scale, tasks, plan, outDir } = planExperiment(options);
  fs.mkdirSync(outDir, { recursive: true });
  const corpus = corpusFiles(options);

  // what this folder is for; a resume must ask for the same
  const settings = {
    recipe: plan.recipe,
    scale,
    corpus: corpus.map((f) => path.resolve(f)),
    columns: plan.columns.map((c) => ({ key: c.key, task: c.task.key, data: c.task.data })),
    rows: plan.rows.map((r) => r.name),
  };
  const settingsFile = path.join(outDir, SETTINGS);
  if (fs.existsSync(settingsFile)) {
    const before = readJson(settingsFile) as typeof settings;
    const differs = (Object.keys(settings) as (keyof typeof settings)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(settings[k]));
    if (differs.length) {
      throw new BertLabError("EXPERIMENT_MISMATCH", `${outDir} holds a ${before.recipe} experiment with other settings (${differs.join(", ")} differ) — use another --out, or delete that folder to start over`);
    }
  } else {
    writeFileAtomic(settingsFile, JSON.stringify(settings, null, 2) + "\n");
  }
  const resultsFile = path.join(outDir, RESULTS);
  const results: ExperimentResults = fs.existsSync(resultsFile) ? (readJson(resultsFile) as ExperimentResults) : { format: "bert-lab-experiment-results", version: 1, recipe: plan.recipe, runs: {} };
  const saveResults = () => writeFileAtomic(resultsFile, JSON.stringify(results, null, 2) + "\n");

  log(`${plan.title} at scale ${scale.name} (${scale.summary})`);
  log(`tasks: ${plan.columns.map((c) => c.title).join(", ")} — from ${tasks.source}`);
  for (const m of tasks.missing) log(`  not found: ${m.key} (${m.why})`);
  log(`corpus: ${corpus.join(", ")}`);

  const vocabFile = path.join(outDir, "vocab.txt");
  if (!fs.existsSync(vocabFile)) {
    const t0 = performance.now();
    const trainer = new VocabTrainer({ vocabSize: scale.vocabSize, doLowerCase: true });
    for (const f of corpus) trainer.addFile(f, { maxBytes: scale.vocabBytes });
    const vocab = trainer.finish().vocab;
    writeFileAtomic(vocabFile, vocab.toText());
    log(`vocab: ${vocab.size} WordPiece tokens trained in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  // the order: seed by seed, each pre-training followed by its evaluations
  type Step = { kind: "pretrain"; job: PretrainJob } | { kind: "finetune"; job: EvalJob };
  const order: Step[] = [];
  const seeds = [...new Set(plan.pretrains.map((p) => p.seed).concat(plan.evals.map((e) => e.seed)))].sort((a, b) => a - b);
  for (const seed of seeds) {
    for (const p of plan.pretrains.filter((p) => p.seed === seed)) {
      order.push({ kind: "pretrain", job: p });
      for (const e of plan.evals.filter((e) => e.pretrain === p.id)) order.push({ kind: "finetune", job: e });
    }
    for (const e of plan.evals.filter((e) => e.seed === seed && e.pretrain === null)) order.push({ kind: "finetune", job: e });
  }

  let complete = true;
  const interruptsAtStart = interruptCount(); // a notebook's stop button between two runs ends the loop too
  let report = await writeReport(outDir, plan, scale, scoresOf(results));
  await options.onReport?.(report);
  for (let i = 0; i < order.length; i++) {
    const s = order[i];
    const label = s.kind === "pretrain" ? `pre-train ${s.job.variant}, seed ${s.job.seed}` : `${s.job.row} → ${plan.columns.find((c) => c.key === s.job.column)!.title}${s.job.step !== null && s.job.step > 0 ? ` @ step ${s.job.step}` : ""}${s.job.method.kind === "feature-based" ? ` (features ${s.job.method.layers})` : ""}, seed ${s.job.seed}`;
    const event = { kind: s.kind, id: s.job.id, label, index: i + 1, total: order.length };
    if (results.runs[s.job.id]) {
      await options.onRun?.({ ...event, phase: "skip" });
      continue;
    }
    if (options.signal?.aborted || interruptCount() !== interruptsAtStart) {
      complete = false;
      break;
    }
    await options.onRun?.({ ...event, phase: "start" });
    const callbacks = options.callbacks?.({ id: s.job.id, label, kind: s.kind });
    const record = s.kind === "pretrain" ? await runPretrain(s.job, scale, corpus, vocabFile, outDir, plan, options, callbacks) : await runEval(s.job, scale, vocabFile, outDir, results, options, callbacks);
    if (record === null) {
      complete = false;
      log(`interrupted during: ${label} — run the same command again to resume`);
      break;
    }
    results.runs[s.job.id] = record;
    saveResults();
    report = await writeReport(outDir, plan, scale, scoresOf(results));
    await options.onReport?.(report);
    await options.onRun?.({ ...event, phase: "end", seconds: record.seconds, value: record.kind === "eval" ? record.value : undefined });
  }
  return { ...report, plan, scale, results, complete, outDir };
}

/** An experiment folder's JSON file; the error names it and what to do. */
function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new BertLabError("BAD_EXPERIMENT", `${file} cannot be read as JSON (${(e as Error).message}) — it is written atomically, so it was changed by hand: restore it, or delete the folder to start over`);
  }
}

/** The pre-training corpus: given, the mirror's English text, or the embedded WordNet corpus. */
function corpusFiles(options: ExperimentOptions): string[] {
  if (options.corpus?.length) {
    for (const f of options.corpus) if (!fs.existsSync(f)) throw new BertLabError("INPUT_NOT_FOUND", `corpus file not found: ${f}`);
    return options.corpus;
  }
  if (options.from) {
    const en = path.join(options.from, "corpus", "en", "pretrain_en.txt");
    if (fs.existsSync(en)) return [en];
  }
  return [cachedWordnetCorpus().path];
}

/** Scores of the finished evaluations, for the summary. */
export function scoresOf(results: ExperimentResults): Score[] {
  return Object.values(results.runs).flatMap((r) => (r.kind === "eval" ? [{ row: r.row, column: r.column, seed: r.seed, step: r.step, value: r.value }] : []));
}

async function runPretrain(job: PretrainJob, scale: Scale, corpus: string[], vocabFile: string, outDir: string, plan: Plan, options: ExperimentOptions, callbacks?: TrainCallbacks): Promise<PretrainRunRecord | null> {
  const t0 = performance.now();
  const p = scale.pretrain;
  const settings = {
    config: scale.model,
    vocab: vocabFile,
    input: corpus,
    steps: job.steps,
    batchSize: p.batchSize,
    maxSeqLength: p.maxSeqLength,
    objective: job.objective,
    ratios: job.ratios,
    masking: "dynamic" as const,
    learningRate: p.learningRate,
    warmupSteps: p.warmupSteps,
    seed: job.seed,
  };
  const run = await pretrain({
    ...settings,
    outDir: path.join(outDir, "pretrain", job.id),
    logEvery: Math.max(1, Math.round(job.steps / 100)),
    saveEvery: job.saveEvery,
    keepCheckpoints: plan.steps ? plan.steps.length + 1 : 1,
    resume: true,
    signal: options.signal,
    callbacks,
  });
  run.model.dispose();
  run.result.optimizer.dispose(); // its moments: the checkpoint on disk is what the evaluations read
  if (run.result.stopped === "interrupted") return null;
  const last = run.result.history[run.result.history.length - 1] ?? {};
  const final: Record<string, number> = {};
  for (const [k, v] of Object.entries(last)) if (k.endsWith("loss") && typeof v === "number") final[k] = v;
  return { kind: "pretrain", id: job.id, variant: job.variant, objective: job.objective, ratios: job.ratios, seed: job.seed, steps: job.steps, settings, final, seconds: (performance.now() - t0) / 1000, finishedAt: new Date().toISOString() };
}

async function runEval(job: EvalJob, scale: Scale, vocabFile: string, outDir: string, results: ExperimentResults, options: ExperimentOptions, callbacks?: TrainCallbacks): Promise<EvalRunRecord | null> {
  const t0 = performance.now();
  let model: string = scale.model; // random weights
  if (job.pretrain !== null) {
    const pre = results.runs[job.pretrain] as PretrainRunRecord | undefined;
    if (!pre) throw new Error(`internal: ${job.id} runs before its pre-training ${job.pretrain}`);
    model = path.join(outDir, "pretrain", job.pretrain, `checkpoint-${job.step ?? pre.steps}`);
  }
  const dir = path.join(outDir, "finetune", job.id);
  fs.rmSync(dir, { recursive: true, force: true }); // an unfinished evaluation starts over
  const f = scale.finetune;
  const common = {
    ...job.task.data,
    model,
    vocab: vocabFile,
    outDir: dir,
    batchSize: f.batchSize,
    maxSeqLength: f.maxSeqLength,
    seed: job.seed,
    maxTrainExamples: f.maxTrainExamples ?? undefined,
    maxDevExamples: f.maxDevExamples ?? undefined,
    logEvery: 10,
    signal: options.signal,
    callbacks,
  };
  const fb = scale.featureBased;
  const own =
    job.method.kind === "feature-based"
      ? { layers: job.method.layers, epochs: fb.epochs, learningRate: fb.learningRate, hiddenSize: fb.hiddenSize, lstmLayers: fb.lstmLayers }
      : { epochs: f.epochs, learningRate: f.learningRate, bilstm: job.method.bilstm, ...(job.task.level === "span" ? scale.squad : {}) };
  const r = "layers" in own ? await finetuneFeatureBased({ ...common, ...own }) : await finetune({ ...common, ...own });
  if (r.result.stopped === "interrupted") return null;
  if (!options.keepModels) fs.rmSync(r.bestDir, { recursive: true, force: true });
  if (!r.best) throw new BertLabError("NO_EVALUATION", `${job.id}: fine-tuning ended without an evaluation on dev`);
  const metrics = r.best.metrics;
  const value = metrics[job.task.metric];
  if (typeof value !== "number") throw new Error(`internal: ${job.task.key} reported ${Object.keys(metrics).join(", ")}, not ${job.task.metric}`);
  return {
    kind: "eval", id: job.id, row: job.row, column: job.column, task: job.task.key, method: job.method, pretrain: job.pretrain, step: job.step, seed: job.seed,
    // SQuAD's scores come in percent already (as the official evaluate-v1.1.py prints them); the rest are fractions
    metric: job.task.metric, settings: { ...common, ...own, signal: undefined, callbacks: undefined, outDir: undefined }, value: job.task.level === "span" ? value : 100 * value, metrics, epoch: r.best.epoch, seconds: (performance.now() - t0) / 1000, finishedAt: new Date().toISOString(),
  };
}
