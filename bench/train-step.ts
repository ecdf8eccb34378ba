/**
 * Training-step throughput (tokens/s) for BERT-tiny and -mini at sequence length 128, batch
 * 32, on the chosen tfjs backend, next to the same step in PyTorch (bench/peer_bert.py,
 * single thread, Debian's python3-torch) run in the same benchmark; and BERT-base forward
 * latency at batch 1, sequence 128. Peak RSS of each side.
 *
 *   npm run bench:train -- [--presets tiny,mini] [--steps 3] [--micro N] [--backend NAME] [--no-peer] [--no-base]
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../src/backend/select";
import { BertModel, disposeOutput } from "../src/model/bert-model";
import { BertForPreTraining, PretrainingInput } from "../src/model/bert-for-pretraining";
import { bertConfig, PresetName } from "../src/model/config";
import { BertAdamW } from "../src/training/adamw";
import { trainingStep } from "../src/training/step";
import { findPython } from "../src/util/find-python";
import { Rng } from "../src/util/rng";
import { repoRoot } from "../src/util/shared-folder";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const flag = (name: string) => process.argv.includes(`--${name}`);
const B = 32;
const T = 128;
const steps = Number(arg("steps", "3"));
// micro-batches per step (gradient accumulation): mini's full batch overflows the wasm heap (4 GiB)
const microFor = (name: string) => Number(arg("micro", name === "tiny" ? "1" : "4"));

function batch(rng: Rng, b: number): PretrainingInput {
  const inputIds: number[][] = [];
  const labels: number[][] = [];
  for (let i = 0; i < b; i++) {
    const ids = Array.from({ length: T }, () => rng.randint(1000, 29999));
    inputIds.push(ids);
    labels.push(ids.map((id) => (rng.random() < 0.15 ? id : -100)));
  }
  return { inputIds, maskedLmLabels: labels, nextSentenceLabel: Array.from({ length: b }, () => rng.randint(0, 1)) };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function peer(args: string[]): Record<string, number> | string {
  const python = findPython();
  if (!python) return "no python3";
  const r = spawnSync(python, [path.join(repoRoot(), "bench", "peer_bert.py"), ...args], { encoding: "utf8" });
  if (r.status !== 0) return (r.stderr || "").trim().split("\n").pop() ?? "failed";
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

async function main(): Promise<void> {
  const report = await initBackend({ prefer: flag("backend") ? arg("backend", "wasm") : undefined });
  console.log(`training-step benchmark: B=${B} T=${T}, backend ${report.chosen} (${report.threads ?? 1} thread), node ${process.version}`);
  console.log("model".padEnd(8) + "impl".padEnd(10) + "step s".padStart(9) + "tokens/s".padStart(11) + "peak RSS MB".padStart(13) + "  ratio");
  for (const name of arg("presets", "tiny,mini").split(",") as PresetName[]) {
    const model = new BertForPreTraining(bertConfig(name), { seed: 1 });
    const optimizer = new BertAdamW();
    const rng = new Rng(2);
    const micro = microFor(name);
    const parts = Array.from({ length: micro }, () => batch(rng, B / micro));
    const dropoutRng = new Rng(3);
    const step = () =>
      trainingStep({ params: model.store.vars, losses: parts.map((p) => () => model.loss(p, { training: true, rng: dropoutRng })), optimizer, lr: 1e-4 });
    step();
    const before = tf.memory().numTensors;
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      step();
      times.push((performance.now() - t0) / 1000);
    }
    const leaked = tf.memory().numTensors - before;
    const sec = median(times);
    const rss = process.resourceUsage().maxRSS / 1024;
    optimizer.dispose();
    model.dispose();
    const p = flag("no-peer") ? "skipped" : peer(["--preset", name, "--batch", String(B), "--seq", String(T), "--steps", String(steps), "--threads", "1"]);
    console.log(name.padEnd(8) + "bert-lab".padEnd(10) + sec.toFixed(2).padStart(9) + Math.round((B * T) / sec).toString().padStart(11) + rss.toFixed(0).padStart(13) + (micro > 1 ? `  (${micro} micro-batches of ${B / micro})` : "") + (leaked ? `  LEAK ${leaked}` : ""));
    if (typeof p === "string") console.log(name.padEnd(8) + "pytorch".padEnd(10) + `  ${p}`);
    else console.log(name.padEnd(8) + "pytorch".padEnd(10) + p.step_s.toFixed(2).padStart(9) + Math.round(p.tokens_per_s).toString().padStart(11) + p.peak_rss_mb.toFixed(0).padStart(13) + `  bert-lab is ${(sec / p.step_s).toFixed(1)}× slower`);
  }
  if (!flag("no-base")) {
    const model = new BertModel(bertConfig("base"), { seed: 1 });
    const input = { inputIds: [Array.from({ length: T }, (_, i) => 1000 + i)] };
    const run = () => {
      const t0 = performance.now();
      const out = model.forward(input);
      out.lastHiddenState.dataSync();
      disposeOutput(out);
      return performance.now() - t0;
    };
    run();
    const ms = median(Array.from({ length: 5 }, run));
    model.dispose();
    const p = flag("no-peer") ? "skipped" : peer(["--preset", "base", "--forward", "--batch", "1", "--seq", String(T), "--steps", "5"]);
    console.log(`\nBERT-base forward, batch 1, T=${T}: bert-lab ${ms.toFixed(0)} ms` + (typeof p === "string" ? `; pytorch ${p}` : `; pytorch ${p.ms.toFixed(0)} ms (bert-lab ${(ms / p.ms).toFixed(1)}× slower)`));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
