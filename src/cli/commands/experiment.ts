/** `bert-lab experiment table5|table7|table8|figure5`: one of the paper's ablations, end to end, resumable. */
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../../backend/select";
import { RECIPES } from "../../experiments/recipes";
import { planExperiment, runExperiment } from "../../experiments/run-experiment";
import { SCALE_NAMES, SCALES, ScaleOverrides } from "../../experiments/scales";
import { BertLabError } from "../../util/errors";
import { CliIO, Command } from "../command";
import { formatDuration, ProgressBar } from "../progress";

export const experimentCommand: Command = {
  spec: {
    name: "experiment",
    summary: "Rerun one of the paper's ablations (Table 5, 7, 8 or Figure 5) at a lab scale, with the paper's numbers beside ours.",
    usage: `bert-lab experiment ${RECIPES.join("|")} --out DIR [--scale ${SCALE_NAMES.filter((s) => s !== "micro").join("|")}] [--seeds N] [--from DIR | --data DIR] [--corpus FILE,…] [--tasks KEY,…] [--steps N] [--plan]`,
    options: {
      out: { type: "string", value: "DIR", required: true, description: "the experiment folder (run the same command again to resume it)" },
      scale: { type: "string", value: "NAME", default: "tiny", description: SCALE_NAMES.map((n) => `${n}: ${SCALES[n].summary}`).join("; ") },
      seeds: { type: "number", value: "N", description: "seeds per cell (default: the scale's, 3)" },
      from: { type: "string", value: "DIR", description: "a data mirror laid out like ../shared/data: GLUE, NER and its English corpus" },
      data: { type: "string", value: "DIR", description: "a folder of task folders as the original's GLUE_DIR (SST-2/, MNLI/, …, wnut17/, conll2003/, squad/)" },
      corpus: { type: "string", value: "FILE[,FILE…]", description: "pre-training corpus (default: the mirror's corpus/en, else the embedded WordNet corpus)" },
      tasks: { type: "string", value: "KEY[,KEY…]", description: "only these tasks (e.g. sst2,mrpc,wnut17)" },
      steps: { type: "number", value: "N", description: "pre-training steps of every run (default: the scale's)" },
      "batch-size": { type: "number", value: "B", description: "pre-training batch size (default: the scale's)" },
      "max-seq-length": { type: "number", value: "L", description: "tokens per sequence, pre-training and fine-tuning (default: the scale's)" },
      "pretrain-lr": { type: "number", value: "LR", description: "pre-training peak learning rate (default: the scale's)" },
      "finetune-lr": { type: "number", value: "LR", description: "fine-tuning peak learning rate (default: the scale's)" },
      epochs: { type: "number", value: "N", description: "fine-tuning epochs (default: the scale's)" },
      "max-train-examples": { type: "number", value: "N", description: "training examples per task (0: all; default: the scale's)" },
      "max-dev-examples": { type: "number", value: "N", description: "dev examples per task (0: all; default: the scale's)" },
      "keep-models": { type: "boolean", description: "keep every fine-tuned model's best/ folder (default: only the scores)" },
      plan: { type: "boolean", description: "print the runs the experiment would make, and stop" },
      backend: { type: "string", value: "NAME", description: "tfjs backend (default: the fastest that works)" },
    },
    details: `Writes DIR/table.md (ours beside the paper's, mean ± sd over seeds), DIR/scores.svg
and DIR/differences.svg (figure5: DIR/figure5.svg), DIR/report.html (all of it on one page),
DIR/results.json (every run's settings and scores) and DIR/summary.json. Every variant of a
table gets the same corpus, vocabulary, steps and seeds. Ctrl-C stops at a step boundary;
the same command resumes, skipping the runs that finished.`,
  },

  async run(args, io: CliIO) {
    const v = args.values as Record<string, string | number | boolean | undefined>;
    const say = (s: string) => io.stdout.write(s + "\n");
    if (args.positionals.length !== 1) throw new BertLabError("BAD_ARGUMENT", `name one experiment: ${RECIPES.join(", ")} (got ${args.positionals.length ? args.positionals.join(" ") : "none"})`);
    const recipe = args.positionals[0];
    if (!(RECIPES as readonly string[]).includes(recipe)) throw new BertLabError("UNKNOWN_RECIPE", `unknown experiment "${recipe}" — choose one of ${RECIPES.join(", ")}`);
    const limit = (x: unknown) => (x === undefined ? undefined : x === 0 ? null : (x as number));
    const overrides: ScaleOverrides = {
      seeds: v.seeds as number | undefined,
      pretrainSteps: v.steps as number | undefined,
      pretrainBatchSize: v["batch-size"] as number | undefined,
      maxSeqLength: v["max-seq-length"] as number | undefined,
      pretrainLearningRate: v["pretrain-lr"] as number | undefined,
      finetuneLearningRate: v["finetune-lr"] as number | undefined,
      finetuneEpochs: v.epochs as number | undefined,
      maxTrainExamples: limit(v["max-train-examples"]),
      maxDevExamples: limit(v["max-dev-examples"]),
    };
    const list = (x: unknown) => (typeof x === "string" ? x.split(",").map((s) => s.trim()).filter(Boolean) : undefined);
    const options = {
      recipe,
      scale: String(v.scale),
      overrides,
      from: v.from as string | undefined,
      data: v.data as string | undefined,
      corpus: list(v.corpus),
      tasks: list(v.tasks),
      outDir: String(v.out),
      keepModels: Boolean(v["keep-models"]),
    };
    if (v.plan) {
      const { scale, plan } = planExperiment(options, false);
      say(`${plan.title} at scale ${scale.name}: ${plan.pretrains.length} pre-training runs of ${scale.pretrain.steps} steps (${scale.model}, ${scale.pretrain.batchSize} × ${scale.pretrain.maxSeqLength}), ${plan.evals.length} evaluations`);
      for (const p of plan.pretrains) say(`  pretrain  ${p.id}  (${p.objective}, ratios ${p.ratios.mask}/${p.ratios.same}/${p.ratios.random})`);
      for (const e of plan.evals) say(`  evaluate  ${e.id}  (${e.pretrain ?? "random weights"}${e.step ? ` @ ${e.step}` : ""})`);
      return 0;
    }
    const backend = await initBackend({ prefer: v.backend as string | undefined });
    io.stderr.write(`backend ${backend.chosen}\n`);
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.on("SIGINT", onSigint);
    let bar: ProgressBar | null = null;
    const log = (line: string) => (bar ? bar.log(line) : io.stderr.write(line + "\n"));
    const t0 = performance.now();
    try {
      const result = await runExperiment({
        ...options,
        signal: controller.signal,
        log,
        onRun(e) {
          if (e.phase === "skip") return;
          if (e.phase === "start") {
            bar?.finish();
            bar = null;
            log(`[${e.index}/${e.total}] ${e.label}`);
          } else {
            bar?.finish();
            bar = null;
            log(`        ${e.value !== undefined ? `score ${e.value.toFixed(1)}, ` : ""}${formatDuration(e.seconds ?? 0)}`);
          }
        },
        callbacks: () => ({
          onStep(info: { step: number; steps: number; loss: number }) {
            bar ??= new ProgressBar(io.stderr as NodeJS.WriteStream, info.steps, info.step - 1);
            bar.update(info.step, `loss ${info.loss.toFixed(3)}`);
          },
        }),
      });
      (bar as ProgressBar | null)?.finish();
      say("");
      say(fs.readFileSync(result.files["table.md"], "utf8"));
      say(`${result.complete ? "done" : "stopped"} after ${formatDuration((performance.now() - t0) / 1000)} — ${path.join(result.outDir, "report.html")}`);
      return result.complete ? 0 : 130;
    } finally {
      process.off("SIGINT", onSigint);
    }
  },
};
