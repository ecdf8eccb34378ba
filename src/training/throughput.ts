/**
 * How fast pre-training runs here: N timed steps of MLM + NSP with AdamW and global-norm
 * clipping, on synthetic batches of the given shape (random token ids, 15 % of positions
 * labelled, random NSP labels), after warm-up steps. What `bert-lab bench train` prints.
 *
 * @example
 *   const r = await measureTraining({ preset: "tiny", batchSize: 8, seqLength: 128, steps: 3 });
 *   console.log(r.tokensPerSecond) // prints: 21000 (say)
 */
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../backend/select";
import { nativeStatus, setNativeThreads } from "../backend/native";
import { BertForPreTraining, PretrainingInput } from "../model/bert-for-pretraining";
import { bertConfig, PresetName, PRESETS } from "../model/config";
import { BertLabError } from "../util/errors";
import { Rng } from "../util/rng";
import { BertAdamW } from "./adamw";
import { trainingStep } from "./step";

export interface TrainingBenchOptions {
  preset: string;
  batchSize: number;
  seqLength: number;
  /** timed steps */
  steps: number;
  /** untimed steps first (default 1) */
  warmup?: number;
  /** threads for the native kernels (default: all cores, or $BERT_LAB_THREADS) */
  threads?: number;
  /** split each batch into this many micro-batches (gradient accumulation; default 1) */
  microBatches?: number;
  /** tfjs backend (default: the best available) */
  backend?: string;
  /** profile one extra step kernel by kernel */
  profile?: boolean;
}

export interface KernelTime {
  kernel: string;
  ms: number;
  calls: number;
}

export interface TrainingBenchResult {
  tokens_per_second: number;
  step_ms: number;
  peak_rss_mb: number;
  backend: string;
  native: boolean;
  /** the rest is for people; the five fields above are the benchmark's contract */
  preset: string;
  batch_size: number;
  max_seq_length: number;
  steps: number;
  threads: number;
  isa?: string;
  /** every timed step, ms */
  step_times_ms: number[];
  /** change of tf.memory().numTensors over the timed steps (0: nothing leaks) */
  tensors_leaked: number;
  loss: number;
  /** with profile: kernels by total time in one step, largest first (kernels only, not the scopes around them) */
  profile?: KernelTime[];
}

function syntheticBatch(rng: Rng, batch: number, seq: number, vocab: number): PretrainingInput {
  const inputIds: number[][] = [];
  const labels: number[][] = [];
  for (let i = 0; i < batch; i++) {
    const ids = Array.from({ length: seq }, () => rng.randint(1000, vocab - 1));
    inputIds.push(ids);
    labels.push(ids.map((id) => (rng.random() < 0.15 ? id : -100)));
  }
  return { inputIds, maskedLmLabels: labels, nextSentenceLabel: Array.from({ length: batch }, () => rng.randint(0, 1)) };
}

function check(name: string, value: number, ok: boolean, what: string): void {
  if (!ok) throw new BertLabError("BAD_BENCH_OPTION", `${name} must be ${what}, got ${value}`);
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export async function measureTraining(o: TrainingBenchOptions): Promise<TrainingBenchResult> {
  if (!(o.preset in PRESETS)) {
    throw new BertLabError("UNKNOWN_PRESET", `unknown config preset "${o.preset}" — choose one of ${Object.keys(PRESETS).join(", ")}`);
  }
  const micro = o.microBatches ?? 1;
  check("batch size", o.batchSize, Number.isInteger(o.batchSize) && o.batchSize >= 1, "an integer ≥ 1");
  check("max sequence length", o.seqLength, Number.isInteger(o.seqLength) && o.seqLength >= 2, "an integer ≥ 2");
  check("steps", o.steps, Number.isInteger(o.steps) && o.steps >= 1, "an integer ≥ 1");
  check("micro-batches", micro, Number.isInteger(micro) && micro >= 1 && o.batchSize % micro === 0, `an integer ≥ 1 that divides the batch size ${o.batchSize}`);
  if (o.threads !== undefined) check("threads", o.threads, Number.isInteger(o.threads) && o.threads >= 1, "an integer ≥ 1");
  const config = bertConfig(o.preset as PresetName);
  if (o.seqLength > config.maxPositionEmbeddings) {
    throw new BertLabError("BAD_BENCH_OPTION", `max sequence length ${o.seqLength} is longer than ${o.preset}'s ${config.maxPositionEmbeddings} positions`);
  }
  const report = await initBackend({ prefer: o.backend, quiet: true });
  if (o.threads !== undefined) setNativeThreads(o.threads);
  const native = nativeStatus();
  const useNative = report.chosen === "wasm" && native.active;

  const model = new BertForPreTraining(config, { seed: 1 });
  const optimizer = new BertAdamW();
  const rng = new Rng(2);
  const parts = Array.from({ length: micro }, () => syntheticBatch(rng, o.batchSize / micro, o.seqLength, config.vocabSize));
  const dropoutRng = new Rng(3);
  let loss = NaN;
  const step = () => {
    loss = trainingStep({ params: model.store.vars, losses: parts.map((p) => () => model.loss(p, { training: true, rng: dropoutRng })), optimizer, lr: 1e-4 }).loss;
  };
  try {
    for (let i = 0; i < (o.warmup ?? 1); i++) step();
    const before = tf.memory().numTensors;
    const times: number[] = [];
    for (let i = 0; i < o.steps; i++) {
      const t0 = performance.now();
      step();
      times.push(performance.now() - t0);
    }
    const leaked = tf.memory().numTensors - before;
    let profile: KernelTime[] | undefined;
    if (o.profile) {
      const info = await tf.profile(() => step());
      const byName = new Map<string, KernelTime>();
      for (const k of info.kernels) {
        // scopes (an op's "…__op", a custom gradient's "unnamed scope") hold kernels listed on their own
        if (k.name.endsWith("__op") || k.name === "unnamed scope") continue;
        const e = byName.get(k.name) ?? { kernel: k.name, ms: 0, calls: 0 };
        e.ms += Number(k.kernelTimeMs) || 0;
        e.calls += 1;
        byName.set(k.name, e);
      }
      profile = [...byName.values()].sort((a, b) => b.ms - a.ms).map((k) => ({ ...k, ms: Math.round(k.ms * 100) / 100 }));
    }
    const stepMs = median(times);
    const result: TrainingBenchResult = {
      tokens_per_second: Math.round((o.batchSize * o.seqLength * 1000) / stepMs),
      step_ms: Math.round(stepMs * 10) / 10,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      backend: report.chosen,
      native: useNative,
      preset: o.preset,
      batch_size: o.batchSize,
      max_seq_length: o.seqLength,
      steps: o.steps,
      threads: useNative ? native.threads ?? 1 : report.threads ?? 1,
      step_times_ms: times.map((t) => Math.round(t * 10) / 10),
      tensors_leaked: leaked,
      loss,
    };
    if (useNative) result.isa = native.isa;
    if (profile) result.profile = profile;
    return result;
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
