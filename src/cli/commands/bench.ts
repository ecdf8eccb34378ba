/** `bert-lab bench train`: pre-training throughput here, optionally beside PyTorch on the same threads. */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { BertLabError } from "../../util/errors";
import { findPython } from "../../util/find-python";
import { repoRoot } from "../../util/shared-folder";
import type { TrainingBenchResult } from "../../training/throughput";
import { Command, write } from "../command";

/** The PyTorch peer's answer (bench/peer_bert.py). */
interface PeerResult {
  step_s: number;
  tokens_per_s: number;
  peak_rss_mb: number;
  threads: number;
}

function runPeer(preset: string, batch: number, seq: number, steps: number, threads: number): PeerResult {
  const script = path.join(repoRoot(), "bench", "peer_bert.py");
  if (!fs.existsSync(script)) throw new BertLabError("NO_PEER", `--peer needs ${script} (it is in the repository, not in the npm package)`);
  const python = findPython();
  if (!python) throw new BertLabError("NO_PEER", "--peer needs Debian's python3 with PyTorch: apt-get install python3-torch");
  const r = spawnSync(python, [script, "--preset", preset, "--batch", String(batch), "--seq", String(seq), "--steps", String(steps), "--threads", String(threads)], { encoding: "utf8" });
  if (r.status !== 0) throw new BertLabError("PEER_FAILED", `the PyTorch peer failed: ${(r.stderr || "").trim().split("\n").pop()}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as PeerResult;
}

function text(r: TrainingBenchResult, peer: PeerResult | null): string {
  const engine = r.native ? `wasm + native kernels (${r.isa}, ${r.threads} thread${r.threads === 1 ? "" : "s"})` : `${r.backend} (${r.threads} thread${r.threads === 1 ? "" : "s"})`;
  const lines = [
    `pre-training ${r.preset}: batch ${r.batch_size} × ${r.max_seq_length} tokens, MLM + NSP, AdamW — ${engine}`,
    `  step        ${r.step_ms.toFixed(1)} ms (median of ${r.steps}: ${r.step_times_ms.join(", ")})`,
    `  throughput  ${r.tokens_per_second} tokens/s`,
    `  peak RSS    ${r.peak_rss_mb} MB`,
    `  tensors     ${r.tensors_leaked === 0 ? "flat" : `${r.tensors_leaked} leaked`} over the timed steps; loss ${r.loss.toFixed(3)}`,
  ];
  if (peer) {
    lines.push(
      `  PyTorch     ${(peer.step_s * 1000).toFixed(1)} ms per step, ${Math.round(peer.tokens_per_s)} tokens/s, peak RSS ${Math.round(peer.peak_rss_mb)} MB (${peer.threads} thread${peer.threads === 1 ? "" : "s"})`,
      `  ratio       ${(r.tokens_per_second / peer.tokens_per_s).toFixed(2)}× PyTorch's throughput`,
    );
  }
  if (r.profile) {
    const total = r.profile.reduce((s, k) => s + k.ms, 0);
    lines.push(`  kernels of one step (${total.toFixed(0)} ms in kernels):`);
    for (const k of r.profile.slice(0, 15)) lines.push(`    ${k.kernel.padEnd(28)}${k.ms.toFixed(1).padStart(9)} ms${String(k.calls).padStart(6)} calls${((100 * k.ms) / total).toFixed(1).padStart(7)} %`);
  }
  return lines.join("\n") + "\n";
}

export const benchTrainCommand: Command = {
  spec: {
    name: "bench train",
    summary: "Time pre-training steps (MLM + NSP, AdamW) on synthetic data; optionally next to PyTorch.",
    usage: "bert-lab bench train [--config PRESET] [--batch-size B] [--max-seq-length L] [--steps N] [--threads T] [--json] [--peer] [--profile]",
    options: {
      config: { type: "string", value: "PRESET", default: "tiny", description: "model size: tiny, mini, small, medium or base" },
      "batch-size": { type: "number", value: "B", default: 8, description: "sequences per step" },
      "max-seq-length": { type: "number", value: "L", default: 128, description: "tokens per sequence" },
      steps: { type: "number", value: "N", default: 5, description: "timed steps (the median is reported)" },
      warmup: { type: "number", value: "N", default: 1, description: "untimed steps first" },
      threads: { type: "number", value: "T", description: "threads for the native kernels (default: all cores, or $BERT_LAB_THREADS)" },
      "micro-batches": { type: "number", value: "K", default: 1, description: "split each batch into K micro-batches (gradient accumulation)" },
      backend: { type: "string", value: "NAME", description: "tfjs backend (default: the best available; see bert-lab doctor)" },
      json: { type: "boolean", description: "print one JSON line: tokens_per_second, step_ms, peak_rss_mb, backend, native, and more" },
      peer: { type: "boolean", description: "then run the same step in PyTorch (bench/peer_bert.py, Debian's python3-torch) on the same threads" },
      profile: { type: "boolean", description: "also time one step kernel by kernel" },
    },
    details: `The batches are synthetic (random token ids, 15 % of positions labelled for the masked
LM, random next-sentence labels), so no data is read. Peak RSS is the whole process's.
Native kernels are used on the wasm backend when they are built (see bert-lab doctor);
BERT_LAB_NATIVE=0 measures the pure wasm path.

Example:
  bert-lab bench train --config mini --batch-size 32 --max-seq-length 128 --steps 5 --threads 2 --json
  {"tokens_per_second":…,"step_ms":…,"peak_rss_mb":…,"backend":"wasm","native":true,…}`,
  },

  async run(args, io) {
    const v = args.values as Record<string, string | number | boolean | undefined>;
    const { measureTraining } = await import("../../training/throughput");
    const r = await measureTraining({
      preset: v.config as string,
      batchSize: v["batch-size"] as number,
      seqLength: v["max-seq-length"] as number,
      steps: v.steps as number,
      warmup: v.warmup as number,
      threads: v.threads as number | undefined,
      microBatches: v["micro-batches"] as number,
      backend: v.backend as string | undefined,
      profile: Boolean(v.profile),
    });
    const peer = v.peer ? runPeer(r.preset, r.batch_size, r.max_seq_length, r.steps, r.threads) : null;
    if (v.json) {
      const out: Record<string, unknown> = { ...r };
      if (peer) out.pytorch = { ...peer, step_ms: peer.step_s * 1000, ratio: r.tokens_per_second / peer.tokens_per_s };
      await write(io.stdout, JSON.stringify(out) + "\n");
    } else {
      await write(io.stdout, text(r, peer));
    }
    return 0;
  },
};
