/**
 * The paper's ablations as plans: which models to pre-train (objective, masking ratios, seed)
 * and which evaluations to run on them (fine-tuning, "+ BiLSTM", the feature-based approach),
 * laid out as the paper's table — rows, columns, and the paper's number for each cell.
 *
 *   table5   MLM + NSP, MLM only (No NSP), LTR (No NSP), LTR + a BiLSTM when fine-tuning — on every task found
 *   table7   one BERT per seed, NER by fine-tuning and by features from six layer choices
 *   table8   the six MASK / SAME / RND ratios → a sentence task fine-tuned, NER fine-tuned and feature-based
 *   figure5  MLM vs LTR, checkpoints along pre-training fine-tuned on a sentence task
 *
 * Every table also has a "No pre-training" row (ours, not the paper's): the same fine-tuning
 * from random weights, the floor a pre-trained row must clear to have learned anything.
 *
 * @example
 *   const plan = recipePlan("table5", resolveScale("tiny"), findTasks({}, "runs/exp/data"));
 *   plan.pretrains.length; // 9: three objectives × three seeds
 */
import { layerChoiceText, parseLayerChoice } from "../finetuning/layer-choice";
import { PRESETS } from "../model/config";
import type { Objective } from "../pretraining/objectives";
import { BERT_RATIOS, ReplacementRatios } from "../pretraining/masking";
import { BertLabError } from "../util/errors";
import { PAPER_FIGURE5, PAPER_TABLE5, PAPER_TABLE7, PAPER_TABLE8, PaperScores } from "./paper";
import type { Scale } from "./scales";
import type { DownstreamTask, FoundTasks } from "./tasks";

export const RECIPES = ["table5", "table7", "table8", "figure5"] as const;
export type RecipeName = (typeof RECIPES)[number];

export interface PretrainJob {
  id: string;
  /** the row (variant) it belongs to */
  variant: string;
  objective: Objective;
  ratios: ReplacementRatios;
  seed: number;
  steps: number;
  /** checkpoints are written every this many steps (Figure 5 fine-tunes each) */
  saveEvery: number;
}

export type EvalMethod = { kind: "finetune"; bilstm?: number } | { kind: "feature-based"; layers: string };

export interface EvalJob {
  id: string;
  row: string;
  column: string;
  task: DownstreamTask;
  method: EvalMethod;
  /** the pre-training job whose checkpoint is evaluated; null: random weights */
  pretrain: string | null;
  /** the checkpoint's step (the last when null) */
  step: number | null;
  seed: number;
}

export interface PlanRow {
  name: string;
  /** the paper's numbers for this row, by column key (absent: a row of ours) */
  paper?: PaperScores;
}

export interface PlanColumn {
  key: string;
  /** e.g. "SST-2" or "NER feature-based (WNUT-17)" */
  title: string;
  task: DownstreamTask;
  /** the paper's column shown beside it, and its title ("MNLI-m (Acc)") */
  paperKey?: string;
  paperTitle?: string;
}

export interface Plan {
  recipe: RecipeName;
  title: string;
  /** what the paper measured and what stands in for it here */
  notes: string[];
  rows: PlanRow[];
  columns: PlanColumn[];
  /** the row every other is compared with (BERT as the paper trains it) */
  reference: string;
  /** every column of the paper's table (key → title), shown beside ours even where we have no such task */
  paperColumns: Record<string, string>;
  pretrains: PretrainJob[];
  evals: EvalJob[];
  /** figure5: the pre-training steps on the x axis */
  steps?: number[];
}

export const NO_PRETRAINING = "No pre-training";

/**
 * A layer choice made for BERT-Base, fitted to a model with fewer layers: "the last four" of a
 * 2-layer model are its two layers. Single layers and "weighted" are left as they are.
 *
 * @example
 *   fitLayers("concat:-1,-2,-3,-4", 2); // "concat:-1,-2"
 */
export function fitLayers(layers: string, numLayers: number): string {
  const choice = parseLayerChoice(layers);
  if (choice.kind !== "sum" && choice.kind !== "concat") return layerChoiceText(choice);
  const kept = choice.layers.filter((l) => l === "embeddings" || Math.abs(l) <= numLayers);
  return layerChoiceText({ kind: choice.kind, layers: kept });
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
const slug = (s: string) => s.toLowerCase().replace(/%/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
const seedsOf = (scale: Scale) => Array.from({ length: scale.seeds }, (_, i) => i + 1);

/** The task a recipe uses for "a sentence task" (the paper's MNLI): MNLI, else QNLI, else SST-2, else the first found. */
export function mainSentenceTask(tasks: FoundTasks): DownstreamTask {
  const prefer = ["mnli", "qnli", "sst2"];
  const t = prefer.map((k) => tasks.sentence.find((s) => s.key === k)).find(Boolean) ?? tasks.sentence[0];
  if (!t) throw new BertLabError("NO_TASKS", `no sentence-level task found in ${tasks.source} — ${tasks.missing.map((m) => m.why).join("; ")}`);
  return t;
}

/** The NER task: CoNLL-2003 (the paper's), else WNUT-17, else WordNet tagging. */
export function mainTokenTask(tasks: FoundTasks): DownstreamTask {
  const t = tasks.token[0];
  if (!t) throw new BertLabError("NO_TASKS", `no token-level (NER) task found in ${tasks.source} — ${tasks.missing.map((m) => m.why).join("; ")}`);
  return t;
}

export function recipePlan(recipe: string, scale: Scale, tasks: FoundTasks): Plan {
  switch (recipe) {
    case "table5":
      return table5(scale, tasks);
    case "table7":
      return table7(scale, tasks);
    case "table8":
      return table8(scale, tasks);
    case "figure5":
      return figure5(scale, tasks);
    default:
      throw new BertLabError("UNKNOWN_RECIPE", `unknown experiment "${recipe}" — choose one of ${RECIPES.join(", ")}`);
  }
}

/** Builds jobs: pre-training per (variant, seed), evaluations per (row, column, seed). */
class JobList {
  pretrains: PretrainJob[] = [];
  evals: EvalJob[] = [];
  constructor(private readonly scale: Scale) {}

  pretrain(variant: string, objective: Objective, ratios: ReplacementRatios, seed: number, saveEvery = this.scale.pretrain.steps): string {
    const id = `${slug(variant)}-seed${seed}`;
    if (!this.pretrains.some((p) => p.id === id)) this.pretrains.push({ id, variant, objective, ratios, seed, steps: this.scale.pretrain.steps, saveEvery });
    return id;
  }

  evaluate(row: string, column: PlanColumn, method: EvalMethod, pretrain: string | null, seed: number, step: number | null = null): void {
    const how = method.kind === "feature-based" ? `features-${slug(method.layers)}` : method.bilstm ? "bilstm" : "finetune";
    const id = `${slug(row)}/${slug(column.key)}-${how}${step !== null ? `-step${step}` : ""}-seed${seed}`;
    this.evals.push({ id, row, column: column.key, task: column.task, method, pretrain, step, seed });
  }
}

function table5(scale: Scale, tasks: FoundTasks): Plan {
  const columns: PlanColumn[] = [...tasks.sentence, ...tasks.token, ...tasks.span].map((task) => {
    const paperKey = task.key in PAPER_TABLE5.columns ? task.key : undefined;
    return { key: task.key, title: task.title, task, paperKey, paperTitle: paperKey ? PAPER_TABLE5.columns[paperKey] : undefined };
  });
  if (!columns.some((c) => c.task.level === "sentence")) mainSentenceTask(tasks); // throws, naming what is missing
  const variants: { row: string; paperRow: string; objective: Objective; bilstm?: boolean }[] = [
    { row: "BERT (MLM + NSP)", paperRow: "BERT-Base", objective: "mlm+nsp" },
    { row: "No NSP", paperRow: "No NSP", objective: "mlm" },
    { row: "LTR & No NSP", paperRow: "LTR & No NSP", objective: "ltr" },
    { row: "+ BiLSTM", paperRow: "+ BiLSTM", objective: "ltr", bilstm: true },
  ];
  const jobs = new JobList(scale);
  for (const seed of seedsOf(scale)) {
    for (const v of variants) {
      // "+ BiLSTM" fine-tunes the LTR model: one pre-training serves both rows
      const pre = jobs.pretrain(v.objective === "ltr" ? "LTR & No NSP" : v.row, v.objective, BERT_RATIOS, seed);
      for (const c of columns) {
        if (v.bilstm && c.task.level === "span") continue; // no BiLSTM span head here (see notes)
        jobs.evaluate(v.row, c, { kind: "finetune", bilstm: v.bilstm ? scale.bilstmUnits : undefined }, pre, seed);
      }
    }
    for (const c of columns) jobs.evaluate(NO_PRETRAINING, c, { kind: "finetune" }, null, seed);
  }
  const missingPaper = Object.keys(PAPER_TABLE5.columns).filter((k) => !columns.some((c) => c.paperKey === k));
  return {
    recipe: "table5",
    title: "Table 5: ablation over the pre-training tasks",
    notes: [
      `The paper: BERT-Base pre-trained for 1M steps on BooksCorpus + Wikipedia, one fine-tuning per task; ${PAPER_TABLE5.source}.`,
      "Here: every row is pre-trained on the same data, for the same steps, batch and learning rate; LTR is a left-to-right LM on the same encoder (causal attention, next-token loss, no NSP), kept causal when fine-tuned, its sentence tasks classified from the last token; \"+ BiLSTM\" fine-tunes the LTR model with a randomly initialised BiLSTM before the classifier.",
      ...(missingPaper.length ? [`Not run (no training data found): ${missingPaper.map((k) => PAPER_TABLE5.columns[k]).join(", ")}.`] : []),
      ...(columns.some((c) => c.task.level === "span") ? ["\"+ BiLSTM\" is not run on SQuAD: our span head reads the encoder directly."] : []),
    ],
    rows: [...variants.map((v) => ({ name: v.row, paper: PAPER_TABLE5.rows.find((r) => r.row === v.paperRow)!.scores })), { name: NO_PRETRAINING }],
    columns,
    reference: variants[0].row,
    paperColumns: PAPER_TABLE5.columns,
    pretrains: jobs.pretrains,
    evals: jobs.evals,
  };
}

function table7(scale: Scale, tasks: FoundTasks): Plan {
  const task = mainTokenTask(tasks);
  const column: PlanColumn = { key: task.key, title: task.title, task, paperKey: "conll2003", paperTitle: `${PAPER_TABLE7.columns.conll2003} (CoNLL-2003)` };
  const jobs = new JobList(scale);
  const fineTuning = "Fine-tuning";
  const featureRows = PAPER_TABLE7.rows.filter((r) => r.approach === "feature-based");
  for (const seed of seedsOf(scale)) {
    const pre = jobs.pretrain("BERT (MLM + NSP)", "mlm+nsp", BERT_RATIOS, seed);
    jobs.evaluate(fineTuning, column, { kind: "finetune" }, pre, seed);
    for (const r of featureRows) jobs.evaluate(r.row, column, { kind: "feature-based", layers: fitLayers(r.layers!, PRESETS[scale.model].numHiddenLayers) }, pre, seed);
    jobs.evaluate(NO_PRETRAINING, column, { kind: "finetune" }, null, seed);
  }
  const base = PAPER_TABLE7.rows.find((r) => r.row === "Fine-tuning BERT-Base")!;
  return {
    recipe: "table7",
    title: "Table 7: fine-tuning vs the feature-based approach on NER",
    notes: [
      `The paper: CoNLL-2003 dev F1, BERT-Base; features fed to a randomly initialised two-layer 768-unit BiLSTM; ${PAPER_TABLE7.source}. Its "Fine-tuning BERT-Large" row (96.6) has no counterpart here.`,
      `Here: ${task.title}; one BERT (MLM + NSP) pre-trained per seed; the tagger is ${plural(scale.featureBased.lstmLayers, "BiLSTM layer")} of ${scale.featureBased.hiddenSize} units per direction, trained for ${plural(scale.featureBased.epochs, "epoch")} at lr ${scale.featureBased.learningRate}.`,
      `"Weighted Sum Last Four Hidden" is a plain sum, and "Weighted Sum All 12 Layers" a learned mix over every state the model has, as finetuning/layer-choice.ts explains; ${scale.model} has ${PRESETS[scale.model].numHiddenLayers} layers, so "last four" means ${fitLayers("concat:-1,-2,-3,-4", PRESETS[scale.model].numHiddenLayers).replace(/^concat:/, "")}.`,
    ],
    rows: [{ name: fineTuning, paper: base.scores }, ...featureRows.map((r) => ({ name: r.row, paper: r.scores })), { name: NO_PRETRAINING }],
    columns: [column],
    reference: fineTuning,
    paperColumns: { conll2003: column.paperTitle! },
    pretrains: jobs.pretrains,
    evals: jobs.evals,
  };
}

function table8(scale: Scale, tasks: FoundTasks): Plan {
  const sentence = mainSentenceTask(tasks);
  const ner = mainTokenTask(tasks);
  const columns: PlanColumn[] = [
    { key: "mnli", title: `${sentence.title} fine-tune`, task: sentence, paperKey: "mnli", paperTitle: PAPER_TABLE8.columns.mnli },
    { key: "ner_finetune", title: `${ner.title} fine-tune`, task: ner, paperKey: "ner_finetune", paperTitle: PAPER_TABLE8.columns.ner_finetune },
    { key: "ner_feature", title: `${ner.title} feature-based`, task: ner, paperKey: "ner_feature", paperTitle: PAPER_TABLE8.columns.ner_feature },
  ];
  const concatLastFour = fitLayers("concat:-1,-2,-3,-4", PRESETS[scale.model].numHiddenLayers);
  const jobs = new JobList(scale);
  for (const seed of seedsOf(scale)) {
    for (const r of PAPER_TABLE8.rows) {
      const pre = jobs.pretrain(r.row, "mlm+nsp", { mask: r.mask, same: r.same, random: r.random }, seed);
      jobs.evaluate(r.row, columns[0], { kind: "finetune" }, pre, seed);
      jobs.evaluate(r.row, columns[1], { kind: "finetune" }, pre, seed);
      jobs.evaluate(r.row, columns[2], { kind: "feature-based", layers: concatLastFour }, pre, seed);
    }
    jobs.evaluate(NO_PRETRAINING, columns[0], { kind: "finetune" }, null, seed);
    jobs.evaluate(NO_PRETRAINING, columns[1], { kind: "finetune" }, null, seed);
    jobs.evaluate(NO_PRETRAINING, columns[2], { kind: "feature-based", layers: concatLastFour }, null, seed);
  }
  return {
    recipe: "table8",
    title: "Table 8: the masking procedure's ratios",
    notes: [
      `The paper: BERT-Base pre-trained with each MASK / SAME / RND ratio; MNLI fine-tuned, CoNLL-2003 NER fine-tuned and feature-based (the last four layers concatenated); ${PAPER_TABLE8.source}.`,
      `Here: MLM + NSP with each ratio on the same data and steps; ${sentence.key === "mnli" ? "MNLI" : `${sentence.title} in MNLI's place`}, ${ner.title} for NER; the feature-based column concatenates the last four layers as the paper's does (${concatLastFour}${PRESETS[scale.model].numHiddenLayers < 4 ? `: ${scale.model} has ${PRESETS[scale.model].numHiddenLayers} layers` : ""}).`,
    ],
    rows: [...PAPER_TABLE8.rows.map((r) => ({ name: r.row, paper: r.scores })), { name: NO_PRETRAINING }],
    columns,
    reference: PAPER_TABLE8.rows[0].row,
    paperColumns: PAPER_TABLE8.columns,
    pretrains: jobs.pretrains,
    evals: jobs.evals,
  };
}

function figure5(scale: Scale, tasks: FoundTasks): Plan {
  const sentence = mainSentenceTask(tasks);
  const column: PlanColumn = { key: sentence.key, title: sentence.title, task: sentence, paperKey: "mnli", paperTitle: "MNLI-m (Acc)" };
  const points = Math.max(1, scale.figure5Points);
  const every = Math.max(1, Math.floor(scale.pretrain.steps / points));
  const steps = Array.from({ length: points }, (_, i) => (i === points - 1 ? scale.pretrain.steps : every * (i + 1)));
  const rows = [
    { name: "Masked LM (MLM + NSP)", objective: "mlm+nsp" as Objective, paper: { mnli: PAPER_FIGURE5.endPoints.mlm } },
    { name: "Left-to-right (LTR)", objective: "ltr" as Objective, paper: { mnli: PAPER_FIGURE5.endPoints.ltr } },
  ];
  const jobs = new JobList(scale);
  for (const seed of seedsOf(scale)) {
    for (const r of rows) {
      const pre = jobs.pretrain(r.name, r.objective, BERT_RATIOS, seed, every);
      for (const step of steps) jobs.evaluate(r.name, column, { kind: "finetune" }, pre, seed, step);
    }
    jobs.evaluate(NO_PRETRAINING, column, { kind: "finetune" }, null, seed, 0);
  }
  return {
    recipe: "figure5",
    title: "Figure 5: downstream accuracy along pre-training, MLM vs LTR",
    notes: [
      `The paper: MNLI dev accuracy of BERT-Base fine-tuned from checkpoints up to 1M steps. ${PAPER_FIGURE5.claims.join(" ")} (${PAPER_FIGURE5.source}; the end points are Table 5's.)`,
      `Here: ${sentence.title}, fine-tuned from checkpoints at steps ${steps.join(", ")}; step 0 is the "No pre-training" row.`,
    ],
    rows: [...rows.map((r) => ({ name: r.name, paper: r.paper })), { name: NO_PRETRAINING }],
    columns: [column],
    reference: rows[0].name,
    paperColumns: { mnli: "MNLI-m (Acc), 1M steps" },
    pretrains: jobs.pretrains,
    evals: jobs.evals,
    steps,
  };
}
