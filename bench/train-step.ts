/**
 * Pre-training step throughput against PyTorch on the same threads, and BERT-base forward
 * latency. For each preset × batch × thread count: our step (`bert-lab bench train --json`, a
 * process of its own so that its peak RSS is its own: MLM + NSP, AdamW, clipping, synthetic
 * batches of sequence 128), then the same step in plain torch.nn (bench/peer_bert.py, Debian's
 * python3-torch, every thread pool and the BLAS set to the same thread count) right after it;
 * tokens/s, peak RSS and the ratio (ours / PyTorch's throughput: above 1 is faster). With
 * --no-native-too, also the pure wasm path (BERT_LAB_NATIVE=0) at one thread, for reference.
 *
 *   npm run bench:train -- [--presets tiny,mini] [--batches 8,32] [--threads 1,2] [--steps 3] [--no-peer] [--no-base] [--no-native-too]
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { initBackend } from "../src/backend/select";
import { nativeStatus, setNativeThreads } from "../src/backend/native";
import { BertModel, disposeOutput } from "../src/model/bert-model";
import { bertConfig } from "../src/model/config";
import type { TrainingBenchResult } from "../src/training/throughput";
import { findPython } from "../src/util/find-python";
import { repoRoot } from "../src/util/shared-folder";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const flag = (name: string) => process.argv.includes(`--${name}`);
const list = (name: string, dflt: string) => arg(name, dflt).split(",").filter(Boolean);
const T = 128;
const steps = Number(arg("steps", "3"));

function peer(args: string[]): Record<string, number> | string {
  if (flag("no-peer")) return "skipped";
  const python = findPython();
  if (!python) return "no python3";
  const r = spawnSync(python, [path.join(repoRoot(), "bench", "peer_bert.py"), ...args], { encoding: "utf8" });
  if (r.status !== 0) return (r.stderr || "").trim().split("\n").pop() ?? "failed";
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

/** `bert-lab bench train --json` in a process of its own. */
function ours(preset: string, batch: number, threads: number, env: Record<string, string> = {}, extra: string[] = []): TrainingBenchResult {
  const cli = path.join(repoRoot(), "dist", "src", "cli", "main.js");
  const args = [cli, "bench", "train", "--config", preset, "--batch-size", String(batch), "--max-seq-length", String(T), "--steps", String(steps), "--threads", String(threads), "--json", ...extra];
  const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`bert-lab bench train failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as TrainingBenchResult;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const row = (cells: (string | number)[], widths: number[]) => cells.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("");
const W = [14, 22, 10, 11, 13, 10];

function line(what: string, impl: string, r: { ms: number; tps: number; rss: number }, extra = ""): void {
  console.log(row([what, impl, r.ms.toFixed(0), Math.round(r.tps), r.rss.toFixed(0), extra], W));
}

async function main(): Promise<void> {
  const report = await initBackend({});
  const native = nativeStatus();
  console.log(`training-step benchmark: sequence ${T}, MLM + NSP, AdamW; backend ${report.chosen}; native kernels ${native.active ? `${native.isa}` : `off (${native.reason})`}; node ${process.version}`);
  console.log(row(["config", "implementation", "step ms", "tokens/s", "peak RSS MB", "ratio"], W));
  for (const preset of list("presets", "tiny,mini")) {
    for (const batch of list("batches", "8,32").map(Number)) {
      for (const threads of list("threads", "1,2").map(Number)) {
        const what = `${preset} b${batch} ×${threads}`;
        const mine = ours(preset, batch, threads);
        const p = peer(["--preset", preset, "--batch", String(batch), "--seq", String(T), "--steps", String(steps), "--threads", String(threads)]);
        const ratio = typeof p === "string" ? "" : (mine.tokens_per_second / p.tokens_per_s).toFixed(2) + "×";
        line(what, mine.native ? `bert-lab (native)` : `bert-lab (${mine.backend})`, { ms: mine.step_ms, tps: mine.tokens_per_second, rss: mine.peak_rss_mb }, ratio);
        if (typeof p === "string") console.log(row([what, "pytorch", p], [W[0], W[1], 0]));
        else line(what, "pytorch", { ms: p.step_s * 1000, tps: p.tokens_per_s, rss: p.peak_rss_mb });
        if (flag("no-native-too") && threads === 1 && native.active) {
          const plain = ours(preset, batch, 1, { BERT_LAB_NATIVE: "0" });
          line(what, "bert-lab (pure wasm)", { ms: plain.step_ms, tps: plain.tokens_per_second, rss: plain.peak_rss_mb }, typeof p === "string" ? "" : (plain.tokens_per_second / p.tokens_per_s).toFixed(2) + "×");
        }
      }
    }
  }
  if (!flag("no-base")) {
    console.log(`\nBERT-base forward, batch 1, sequence ${T} (median of 5):`);
    const model = new BertModel(bertConfig("base"), { seed: 1 });
    const input = { inputIds: [Array.from({ length: T }, (_, i) => 1000 + i)] };
    for (const threads of list("threads", "1,2").map(Number)) {
      setNativeThreads(threads);
      const run = () => {
        const t0 = performance.now();
        const out = model.forward(input);
        out.lastHiddenState.dataSync();
        disposeOutput(out);
        return performance.now() - t0;
      };
      run();
      const ms = median(Array.from({ length: 5 }, run));
      const p = peer(["--preset", "base", "--forward", "--batch", "1", "--seq", String(T), "--steps", "5", "--threads", String(threads)]);
      console.log(`  ${threads} thread${threads === 1 ? " " : "s"}: bert-lab ${ms.toFixed(1)} ms` + (typeof p === "string" ? `; pytorch ${p}` : `; pytorch ${p.ms.toFixed(1)} ms (bert-lab takes ${(ms / p.ms).toFixed(2)}× PyTorch's time)`));
    }
    model.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
