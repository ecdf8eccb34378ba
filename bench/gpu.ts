/**
 * What the GPU issue measures, in one run on a GPU machine (through the `device` tool: see
 * scripts/device-bundle.cjs, which packs this file, Node, Dawn and the Vulkan loader):
 *   1. the backend chosen and the adapter Dawn found (doctor's report);
 *   2. matMul TFLOP/s on that backend (a chain of products, one read-back at the end);
 *   3. the model parity golden (pytorch-pretrained-BERT's outputs), max |difference| per output;
 *   4. a short pre-training run on the GPU beside the same run on the CPU path (wasm), loss by loss;
 *   5. pre-training tokens/s per preset at sequence 128, at the largest batch that fits.
 * Writes everything as one JSON file and prints a summary. On a machine without a GPU it runs
 * on the best backend there is and says so (the CPU comparison then compares wasm with itself).
 *
 *   node dist/bench/gpu.js [--golden DIR] [--out FILE] [--presets mini,small,base] [--batches 256,128,64,32,16,8] [--steps 5] [--curve-steps 20]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../src/backend/select";
import { describeBackend } from "../src/backend/describe";
import { BertForPreTraining } from "../src/model/bert-for-pretraining";
import { bertConfig } from "../src/model/config";
import { forwardJson } from "../src/model/forward-json";
import { BertAdamW } from "../src/training/adamw";
import { trainingStep } from "../src/training/step";
import { measureTraining, TrainingBenchResult } from "../src/training/throughput";
import { Rng } from "../src/util/rng";
import { writeFileAtomic } from "../src/util/atomic-write";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const list = (name: string, dflt: string) => arg(name, dflt).split(",").filter(Boolean);

/** TFLOP/s of an n×n·n×n product: `calls` products queued, one element read back at the end. */
async function matmulTflops(n: number, calls: number): Promise<number> {
  const a = tf.randomUniform([n, n], -1, 1);
  const b = tf.randomUniform([n, n], -1, 1);
  const run = async (k: number) => {
    let last: tf.Tensor | null = null;
    for (let i = 0; i < k; i++) {
      last?.dispose();
      last = tf.matMul(a, b);
    }
    const one = tf.slice(last!, [0, 0], [1, 1]);
    await one.data();
    one.dispose();
    last!.dispose();
  };
  await run(2); // compile the shader, warm up
  const t0 = performance.now();
  await run(calls);
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([a, b]);
  return (2 * n ** 3 * calls) / seconds / 1e12;
}

function maxAbsDiff(got: unknown, want: unknown): number {
  if (typeof want === "number") return Math.abs((got as number) - want);
  let m = 0;
  (want as unknown[]).forEach((w, i) => (m = Math.max(m, maxAbsDiff((got as unknown[])[i], w))));
  return m;
}

/** The golden model's outputs on this backend: max |ours − reference| for each output. */
function parity(dir: string): Record<string, number> | string {
  const files = ["golden_model_public.json", "bert_public.safetensors", "bert_public_config.json"].map((f) => path.join(dir, f));
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length) return `skipped: ${missing.join(", ")} not found`;
  const golden = JSON.parse(fs.readFileSync(files[0], "utf8"));
  const { model } = BertForPreTraining.fromFiles(files[2], files[1]);
  try {
    const out = forwardJson(model, golden.inputs);
    return Object.fromEntries(Object.keys(golden.outputs).map((k) => [k, maxAbsDiff(out[k], golden.outputs[k])]));
  } finally {
    model.dispose();
  }
}

/** `steps` steps of MLM + NSP on fixed synthetic batches from fixed weights, dropout off: the losses. */
function lossCurve(steps: number): number[] {
  const config = bertConfig("mini", { vocabSize: 2000, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0 });
  const model = new BertForPreTraining(config, { seed: 11 });
  const optimizer = new BertAdamW();
  const data = new Rng(12);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const inputIds = Array.from({ length: 16 }, () => Array.from({ length: 128 }, () => data.randint(5, config.vocabSize - 1)));
    const batch = {
      inputIds,
      maskedLmLabels: inputIds.map((ids) => ids.map((id) => (data.random() < 0.15 ? id : -100))),
      nextSentenceLabel: inputIds.map(() => data.randint(0, 1)),
    };
    losses.push(trainingStep({ params: model.store.vars, losses: () => model.loss(batch, { training: true, rng: new Rng(s) }), optimizer, lr: 1e-4 }).loss);
  }
  optimizer.dispose();
  model.dispose();
  return losses;
}

async function main(): Promise<void> {
  const out = arg("out", "gpu-results.json");
  const results: Record<string, unknown> = { node: process.version, started: new Date().toISOString() };
  const save = () => writeFileAtomic(out, JSON.stringify(results, null, 1) + "\n");
  const report = await initBackend({});
  const backend = report.chosen;
  results.backend = report;
  console.log(`backend: ${describeBackend(report)}`);
  for (const c of report.candidates) console.log(`  ${c.name.padEnd(11)}${c.status.padEnd(14)}${c.detail ?? ""}`);
  save();

  const mm: Record<string, number> = {};
  for (const n of [1024, 2048, 4096]) {
    mm[n] = await matmulTflops(n, n >= 4096 ? 20 : 50);
    console.log(`matMul ${n}³: ${mm[n].toFixed(2)} TFLOP/s`);
  }
  results.matmul_tflops = mm;
  save();

  results.parity = parity(arg("golden", "golden"));
  console.log("parity (max |difference| from the reference):", results.parity);
  save();

  const steps = Number(arg("curve-steps", "20"));
  const onBackend = lossCurve(steps);
  await initBackend({ prefer: "wasm", quiet: true });
  const onCpu = lossCurve(steps);
  await initBackend({ prefer: backend, quiet: true });
  const diffs = onBackend.map((l, i) => Math.abs(l - onCpu[i]));
  results.loss_curve = { backend, [backend]: onBackend, wasm: onCpu, max_abs_diff: Math.max(...diffs) };
  console.log(`loss curve, ${steps} steps of BERT-mini: max |${backend} − wasm| = ${Math.max(...diffs).toExponential(2)}`);
  save();

  const throughput: Record<string, TrainingBenchResult | string> = {};
  for (const preset of list("presets", "mini,small,base")) {
    for (const batch of list("batches", "256,128,64,32,16,8").map(Number)) {
      try {
        const r = await measureTraining({ preset, batchSize: batch, seqLength: 128, steps: Number(arg("steps", "5")), warmup: 2, backend });
        throughput[preset] = r;
        console.log(`${preset}: batch ${batch} × 128, ${r.tokens_per_second} tokens/s (${r.step_ms} ms per step)`);
        break;
      } catch (e) {
        console.log(`${preset}: batch ${batch} does not fit (${String((e as Error).message).split("\n")[0].slice(0, 160)})`);
        throughput[preset] = `batch ${batch}: ${String((e as Error).message).split("\n")[0]}`;
      }
    }
    results.throughput = throughput;
    save();
  }
  results.finished = new Date().toISOString();
  save();
  console.log(`results: ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
