/** `bert-lab pretrain`: pre-train a BERT with checkpoints, metrics.jsonl and exact resume. */
import * as path from "node:path";
import { initBackend } from "../../backend/select";
import { describeBackend } from "../../backend/describe";
import { PRESETS } from "../../model/config";
import { checkObjective, OBJECTIVES } from "../../pretraining/objectives";
import { pretrain, PretrainOptions, PretrainRun } from "../../pretraining/pretrain";
import { ReplacementRatios } from "../../pretraining/masking";
import { EvalRecord, LogRecord, METRICS_FILE } from "../../training/trainer";
import { BertLabError } from "../../util/errors";
import { CliIO, Command } from "../command";
import { formatDuration, ProgressBar, sparkline } from "../progress";
import { resolveVocabPath } from "./tokenize";

export const pretrainCommand: Command = {
  spec: {
    name: "pretrain",
    summary: "Pre-train a BERT (masked LM + next sentence, MLM only, or left-to-right) with checkpoints you can resume.",
    usage:
      "bert-lab pretrain --config PRESET|config.json --vocab FILE --input FILE[,FILE…] --out DIR [--steps N] [--batch-size B] [--max-seq-length L] [--objective mlm+nsp|mlm|ltr] [--learning-rate 1e-4] [--warmup-steps W] [--seed S] [--save-every K] [--log-every K] [--resume] [--instances OUT.jsonl]",
    options: {
      config: { type: "string", value: "PRESET|FILE", required: true, description: `a preset (${Object.keys(PRESETS).join(", ")}; its vocab size becomes the vocab's) or an HF config.json` },
      vocab: { type: "string", value: "FILE", required: true, description: "vocab.txt" },
      cased: { type: "boolean", description: "keep case and accents (default: lower-case)" },
      input: { type: "string", value: "FILE[,FILE…]", required: true, description: "corpus files: one sentence per line, a blank line between documents" },
      out: { type: "string", value: "DIR", required: true, description: "run folder: metrics.jsonl, checkpoint-STEP/ folders" },
      steps: { type: "number", value: "N", default: 1000, description: "total optimizer steps (with --resume: continue up to N)" },
      "batch-size": { type: "number", value: "B", default: 32, description: "sequences per step" },
      "max-seq-length": { type: "number", value: "L", default: 128, description: "tokens per sequence, [CLS] and [SEP]s included" },
      objective: { type: "string", value: "NAME", default: "mlm+nsp", description: `${OBJECTIVES.join(" | ")}: BERT, No NSP, left-to-right LM (paper Table 5)` },
      masking: { type: "string", value: "static|dynamic", default: "static", description: "static: the original's instances exactly, in memory; dynamic: streamed, masked afresh each batch" },
      "learning-rate": { type: "number", value: "LR", default: 1e-4, description: "peak learning rate (BERT: 1e-4)" },
      "warmup-steps": { type: "number", value: "W", description: "linear warmup, then linear decay to 0 (default: a tenth of --steps, at most 10000)" },
      seed: { type: "number", value: "S", default: 12345, description: "seeds the data (as create-pretraining-data --random-seed), the weights and dropout" },
      "save-every": { type: "number", value: "K", default: 500, description: "checkpoint every K steps (also at the end and on Ctrl-C)" },
      "keep-checkpoints": { type: "number", value: "N", default: 3, description: "checkpoints kept (0: all)" },
      "log-every": { type: "number", value: "K", default: 10, description: "a metrics.jsonl line every K steps (means over them)" },
      "eval-every": { type: "number", value: "K", default: 0, description: "evaluate every K steps (0: at the end), when there is held-out data" },
      "eval-input": { type: "string", value: "FILE[,FILE…]", description: "held-out corpus for evaluation" },
      "holdout-every": { type: "number", value: "N", default: 0, description: "hold out every Nth document of --input for evaluation (20 = 5 %)" },
      resume: { type: "boolean", description: "continue from the newest checkpoint in --out" },
      instances: { type: "string", value: "FILE", description: "write the instances trained on as JSON Lines (static: create-pretraining-data's file)" },
      "micro-batches": { type: "number", value: "K", default: 1, description: "split each batch in K (gradient accumulation: same result, less memory)" },
      "masked-lm-prob": { type: "number", value: "P", default: 0.15, description: "share of tokens to predict" },
      "max-predictions-per-seq": { type: "number", value: "N", description: "default ⌈L × P⌉ (20 at 128)" },
      "short-seq-prob": { type: "number", value: "P", default: 0.1, description: "how often a shorter target length is drawn" },
      "dupe-factor": { type: "number", value: "N", default: 10, description: "static masking: passes over the corpus, each with other masks" },
      "whole-word-mask": { type: "boolean", description: "mask all the ## pieces of a word together" },
      ratios: { type: "string", value: "M,R,S", default: "0.8,0.1,0.1", description: "shares of the chosen tokens replaced by [MASK], a random token, kept" },
      "random-next-prob": { type: "number", value: "P", default: 0.5, description: "chance that sentence B is random" },
      "weight-decay": { type: "number", value: "W", default: 0.01, description: "decoupled weight decay (not on LayerNorm and bias)" },
      "bias-correction": { type: "boolean", description: "HF/torch AdamW (bias-corrected) instead of BERT's" },
      "init-from": { type: "string", value: "DIR", description: "start from an HF model folder's weights" },
      backend: { type: "string", value: "NAME", description: "tfjs backend (default: the fastest that works; see bert-lab doctor)" },
    },
    details: `Writes DIR/metrics.jsonl (a line per --log-every steps: step, loss, mlm_loss,
mlm_accuracy, nsp_loss, nsp_accuracy, lr, grad_norm, tokens_per_second, seconds; eval_*
lines when evaluating) and DIR/checkpoint-STEP/ (config.json, model.safetensors and
vocab.txt as HF's BertForPreTraining, optimizer.safetensors, trainer_state.json).
Ctrl-C saves a checkpoint at the step boundary and exits; --resume continues exactly.

Example:
  bert-lab pretrain --config tiny --vocab vocab.txt --input corpus.txt --out runs/tiny \\
      --steps 2000 --batch-size 32 --max-seq-length 128`,
  },

  async run(args, io) {
    const v = args.values as Record<string, string | number | boolean | undefined>;
    const files = (name: string) => (v[name] === undefined ? undefined : String(v[name]).split(",").filter(Boolean));
    const options: PretrainOptions = {
      config: String(v.config),
      vocab: resolveVocabPath(String(v.vocab)),
      cased: Boolean(v.cased),
      input: files("input")!,
      evalInput: files("eval-input"),
      holdoutEvery: v["holdout-every"] as number,
      outDir: String(v.out),
      steps: v.steps as number,
      batchSize: v["batch-size"] as number,
      maxSeqLength: v["max-seq-length"] as number,
      objective: checkObjective(String(v.objective)),
      masking: v.masking as "static" | "dynamic",
      learningRate: v["learning-rate"] as number,
      warmupSteps: v["warmup-steps"] as number | undefined,
      seed: v.seed as number,
      saveEvery: v["save-every"] as number,
      keepCheckpoints: v["keep-checkpoints"] as number,
      logEvery: v["log-every"] as number,
      evalEvery: v["eval-every"] as number,
      resume: Boolean(v.resume),
      instancesOut: v.instances as string | undefined,
      microBatches: v["micro-batches"] as number,
      maskedLmProb: v["masked-lm-prob"] as number,
      maxPredictionsPerSeq: v["max-predictions-per-seq"] as number | undefined,
      shortSeqProb: v["short-seq-prob"] as number,
      dupeFactor: v["dupe-factor"] as number,
      wholeWordMask: Boolean(v["whole-word-mask"]),
      ratios: parseRatios(String(v.ratios)),
      randomNextProb: v["random-next-prob"] as number,
      weightDecay: v["weight-decay"] as number,
      biasCorrection: Boolean(v["bias-correction"]),
      initFrom: v["init-from"] as string | undefined,
    };
    if (options.masking !== "static" && options.masking !== "dynamic") throw new BertLabError("BAD_OPTION", `--masking must be static or dynamic, got ${options.masking}`);
    const backend = await initBackend({ prefer: v.backend as string | undefined });
    io.stderr.write(`backend ${describeBackend(backend)}\n`);
    const run = await runWithProgress(options, io);
    run.model.dispose();
    return run.result.stopped === "interrupted" ? 130 : 0;
  },
};

/** "0.8,0.1,0.1" → {mask, random, same} */
export function parseRatios(text: string): ReplacementRatios {
  const parts = text.split(",").map(Number);
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x))) {
    throw new BertLabError("BAD_OPTION", `--ratios needs three numbers M,R,S (shares for [MASK], random, same), got ${JSON.stringify(text)}`);
  }
  return { mask: parts[0], random: parts[1], same: parts[2] };
}

const fmt = (x: number | undefined, digits = 4) => (x === undefined ? "" : x.toFixed(digits));

/** One line for a metrics record, in the order a reader scans it. */
export function describeRecord(r: LogRecord | EvalRecord): string {
  const parts: string[] = [];
  for (const [k, val] of Object.entries(r)) {
    if (k === "step" || k === "epoch" || k === "seconds") continue;
    if (k === "lr") parts.push(`lr ${val.toExponential(2)}`);
    else if (k === "tokens_per_second") parts.push(`${Math.round(val)} tok/s`);
    else if (k.endsWith("accuracy")) parts.push(`${k.replace("_accuracy", "_acc")} ${fmt(val, 3)}`);
    else parts.push(`${k} ${fmt(val)}`);
  }
  return parts.join("  ");
}

/**
 * Runs pretrain() with a progress bar (terminal) or plain lines, a first Ctrl-C that saves
 * and stops at the step boundary (a second quits at once), and a summary with loss curves.
 */
export async function runWithProgress(options: PretrainOptions, io: CliIO): Promise<PretrainRun> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    controller.abort();
    io.stderr.write("\nstopping at the end of this step and saving a checkpoint (Ctrl-C again to quit at once)\n");
  };
  process.on("SIGINT", onSigint);
  let bar: ProgressBar | null = null;
  const say = (line: string) => (bar ? bar.log(line) : io.stderr.write(line + "\n"));
  let smoothed: number | null = null;
  try {
    const run = await pretrain({
      ...options,
      signal: controller.signal,
      log: say,
      callbacks: {
        onStep(info) {
          if (!bar) bar = new ProgressBar(io.stderr as NodeJS.WriteStream, info.steps, info.step - 1);
          smoothed = smoothed === null ? info.loss : 0.9 * smoothed + 0.1 * info.loss; // a moving average: one batch is noisy
          bar.update(info.step, `loss ${fmt(smoothed, 3)}  lr ${info.lr.toExponential(1)}`);
        },
        onLog(r) {
          say(`step ${String(r.step).padStart(String(options.steps).length)}  ${describeRecord(r)}  ${formatDuration(r.seconds)}`);
        },
        onEval(r) {
          say(`eval at step ${r.step}  ${describeRecord(r)}`);
        },
        onCheckpoint(c) {
          say(`saved ${c.dir}`);
        },
      },
    });
    (bar as ProgressBar | null)?.finish();
    bar = null;
    summarize(run, options, io);
    return run;
  } finally {
    (bar as ProgressBar | null)?.finish();
    process.off("SIGINT", onSigint);
  }
}

function summarize(run: PretrainRun, options: PretrainOptions, io: CliIO): void {
  const { result } = run;
  const h = result.history;
  const lines: string[] = [];
  const verb = result.stopped === "interrupted" ? "interrupted at" : "finished";
  lines.push(`${verb} step ${result.step}/${options.steps}${result.startedFrom ? ` (resumed from ${result.startedFrom})` : ""}`);
  if (h.length > 1) {
    for (const key of Object.keys(h[h.length - 1]).filter((k) => k.endsWith("_loss") || k === "loss")) {
      const ys = h.map((r) => r[key]);
      lines.push(`  ${key.padEnd(9)} ${fmt(ys[0], 3).padStart(7)} ${sparkline(ys, 40)} ${fmt(ys[ys.length - 1], 3)}`);
    }
  }
  const last = result.evals[result.evals.length - 1];
  if (last) lines.push(`  held-out  ${describeRecord(last)}`);
  if (options.outDir) {
    lines.push(`  metrics   ${path.join(options.outDir, METRICS_FILE)}`);
    if (result.checkpoint) lines.push(`  model     ${result.checkpoint} (HF BertForPreTraining folder)`);
  }
  io.stderr.write(lines.join("\n") + "\n");
}
