/**
 * Pre-training benchmark: BERT-tiny pre-trained for a fixed number of steps on
 * ../shared/data/corpus/en/pretrain_en.txt (streamed, dynamic masking, MLM + NSP, BERT's AdamW
 * with warmup and clipping) through pretrainingTask + train(), next to the same steps in
 * PyTorch (bench/peer_pretrain.py, one thread) run in the same benchmark. Prints step time,
 * tokens/s, peak RSS and the ratio of each; the loss curve of both side by side; and the data
 * pipeline's speed alone.
 *
 * Both sides train the SAME batches from the SAME initial weights with dropout off, so the
 * loss curves must agree (a cross-check of the model, the loss, clipping and the optimizer):
 * this side writes its initial weights (model.safetensors) and every batch it trains on to a
 * temporary folder, and the peer replays them.
 *
 *   npm run bench:pretrain -- [--steps 30] [--batch-size 32] [--max-seq-length 128] [--backend NAME] [--no-peer] [--keep]
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../src/backend/select";
import { nativeStatus, setNativeThreads } from "../src/backend/native";
import { formatDuration, ProgressBar, sparkline } from "../src/cli/progress";
import { BertForPreTraining } from "../src/model/bert-for-pretraining";
import { bertConfig } from "../src/model/config";
import { PretrainingBatch } from "../src/pretraining/batch";
import { CorpusStream } from "../src/data/corpus-stream";
import { StreamingInstances } from "../src/pretraining/instance-sources";
import { BERT_RATIOS } from "../src/pretraining/masking";
import { pretrainingTask } from "../src/pretraining/pretrain";
import { BertTokenizer } from "../src/tokenization/bert-tokenizer";
import { Vocab } from "../src/tokenization/vocab";
import { StepInfo, train } from "../src/training/trainer";
import { findPython } from "../src/util/find-python";
import { repoRoot, sharedPath } from "../src/util/shared-folder";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const flag = (name: string) => process.argv.includes(`--${name}`);
const steps = Number(arg("steps", "30"));
const B = Number(arg("batch-size", "32"));
const T = Number(arg("max-seq-length", "128"));
const LR = 1e-4;
const warmup = Math.floor(steps / 10);
const SEED = 12345;
const objective = "mlm+nsp";

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The figures one side reports; step 1 (kernel set-up, first allocations) is left out of the timing. */
interface Side {
  losses: number[];
  gradNorms: number[];
  stepSeconds: number[];
  tokens: number[];
  peakRssMb: number;
}
const stepTime = (s: Side) => median(s.stepSeconds.slice(1));
const tokensPerSecond = (s: Side) => sum(s.tokens.slice(1)) / sum(s.stepSeconds.slice(1));

/** batches.bin: per step inputIds, tokenTypeIds, attentionMask [B·T], lmPositions, lmLabels [M], nspLabels [B], int32 LE. */
function writeBatches(dir: string, batches: PretrainingBatch[]): void {
  const parts = batches.flatMap((b) => [b.inputIds, b.tokenTypeIds, b.attentionMask, b.lmPositions, b.lmLabels, b.nspLabels]);
  fs.writeFileSync(path.join(dir, "batches.bin"), Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
  const index = batches.map((b) => ({ B: b.B, T: b.T, M: b.lmPositions.length, tokens: b.tokens }));
  fs.writeFileSync(path.join(dir, "batches.json"), JSON.stringify(index));
}

function peer(dir: string): Side | string {
  const python = findPython();
  if (!python) return "skipped: no CPython ≥ 3.9 (Debian's python3)";
  // one thread: torch's own pools, and the BLAS Debian's torch calls (OpenBLAS starts a thread per core)
  const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  const args = [path.join(repoRoot(), "bench", "peer_pretrain.py"), "--dir", dir, "--lr", String(LR), "--warmup", String(warmup), "--steps", String(steps), "--threads", "1"];
  const r = spawnSync(python, args, { encoding: "utf8", env, maxBuffer: 64 << 20 });
  const last = (s: string) => (s || "").trim().split("\n").pop() ?? "";
  const missing = /No module named '(torch|numpy)'/.exec(r.stderr ?? "");
  if (missing) return `skipped: ${python} has no ${missing[1]} (Debian's python3-torch)`;
  if (r.status !== 0) return `failed: ${last(r.stderr) || `exit ${r.status}`}`;
  const p = JSON.parse(last(r.stdout));
  console.log(`pytorch ${p.torch}, ${p.threads} thread, BLAS ${p.blas}`);
  return { losses: p.losses, gradNorms: p.grad_norms, stepSeconds: p.step_s, tokens: p.tokens, peakRssMb: p.peak_rss_mb };
}

async function main(): Promise<void> {
  let corpus: string;
  let vocabFile: string;
  try {
    corpus = sharedPath("data/corpus/en/pretrain_en.txt");
    vocabFile = sharedPath("data/vocab/bert-base-uncased/vocab.txt");
  } catch (e) {
    console.log(`pre-training benchmark skipped: ${(e as Error).message}`);
    return;
  }
  if (!(Number.isInteger(steps) && steps >= 2 && Number.isInteger(B) && B >= 1 && Number.isInteger(T) && T >= 8 && T <= 512)) {
    throw new Error(`need --steps ≥ 2, --batch-size ≥ 1, --max-seq-length in 8..512; got ${steps}, ${B}, ${T}`);
  }
  const report = await initBackend({ prefer: flag("backend") ? arg("backend", "wasm") : undefined });
  // one thread, as the peer: the native kernels' pool would otherwise use every core
  setNativeThreads(1);
  const vocab = Vocab.fromFile(vocabFile);
  const tokenizer = new BertTokenizer(vocab, { doLowerCase: true });
  const config = bertConfig("tiny", { vocabSize: vocab.size, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0 });
  const instanceOptions = {
    maxSeqLength: T,
    maxPredictionsPerSeq: Math.ceil(T * 0.15 - 1e-9),
    maskedLmProb: 0.15,
    shortSeqProb: 0.1,
    dupeFactor: 1,
    wholeWordMask: false,
    ratios: BERT_RATIOS,
    vocabWords: vocab.tokens,
    randomNextProb: 0.5,
    dynamicMasking: true,
  };
  const source = () => new StreamingInstances(new CorpusStream([corpus], tokenizer), instanceOptions, SEED);
  console.log(
    `pre-training benchmark: BERT-tiny, ${path.basename(corpus)} (${(fs.statSync(corpus).size / 2 ** 20).toFixed(0)} MiB, streamed, dynamic masking), ` +
      `${objective}, B=${B} T=${T}, ${steps} steps, AdamW lr ${LR.toExponential(0)} warmup ${warmup}, dropout off (both sides: same batches, same initial weights)`,
  );
  console.log(`backend ${report.chosen} (1 thread${nativeStatus().active ? `, native kernels ${nativeStatus().isa}` : ""}), node ${process.version}`);

  // bert-lab: the real training loop over the streamed corpus, recording each batch and step
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bert-lab-pretrain-"));
  const model = new BertForPreTraining(config, { seed: SEED });
  model.savePretrained(dir);
  const task = pretrainingTask(model, source(), vocab, { objective, maxSeqLength: T, batchSize: B, micro: 1, evalInstances: [] });
  const batches: PretrainingBatch[] = [];
  const nextBatch = task.nextBatch.bind(task);
  task.nextBatch = () => {
    const b = nextBatch();
    batches.push(...b);
    return b;
  };
  const infos: StepInfo[] = [];
  const bar = new ProgressBar(process.stderr, steps);
  const t0 = performance.now();
  await train(task, {
    steps,
    learningRate: LR,
    warmupSteps: warmup,
    seed: SEED,
    outDir: null,
    callbacks: {
      onStep(info) {
        infos.push(info);
        bar.update(info.step, `loss ${info.loss.toFixed(3)}  ${info.seconds.toFixed(2)} s/step`);
      },
    },
  });
  bar.finish();
  const ts: Side = {
    losses: infos.map((i) => i.loss),
    gradNorms: infos.map((i) => i.gradNorm),
    stepSeconds: infos.map((i) => i.seconds),
    tokens: infos.map((i) => i.tokens),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  console.log(`bert-lab trained ${steps} steps in ${formatDuration((performance.now() - t0) / 1000)}`);
  model.dispose();
  writeBatches(dir, batches);

  // the data pipeline alone: read + tokenize windows, make instances, mask them afresh
  {
    const want = Math.max(steps * B, 20000);
    const d0 = performance.now();
    const s = source();
    let n = 0;
    let tokens = 0;
    while (n < want) {
      for (const inst of s.next(B)) tokens += inst.tokens.length;
      n += B;
    }
    const sec = (performance.now() - d0) / 1000;
    const consumed = B / stepTime(ts);
    console.log(
      `data pipeline alone (read, tokenize, make instances, mask): ${n} instances in ${sec.toFixed(2)} s = ${Math.round(n / sec)} instances/s ` +
        `(${Math.round(tokens / sec)} tokens/s); training consumes ${consumed.toFixed(1)} instances/s — ${(n / sec / consumed).toFixed(0)}× headroom`,
    );
  }

  const p = flag("no-peer") ? "skipped (--no-peer)" : peer(dir);
  if (flag("keep")) console.log(`kept ${dir} (config.json, model.safetensors, batches.bin, batches.json)`);
  else fs.rmSync(dir, { recursive: true, force: true });

  // speed
  console.log("\n" + "impl".padEnd(10) + "step s".padStart(8) + "tokens/s".padStart(10) + "peak RSS MB".padStart(13) + "   (median step, steps 2–N; real tokens)");
  const row = (name: string, s: Side) => name.padEnd(10) + stepTime(s).toFixed(3).padStart(8) + Math.round(tokensPerSecond(s)).toString().padStart(10) + s.peakRssMb.toFixed(0).padStart(13);
  console.log(row("bert-lab", ts));
  if (typeof p === "string") {
    console.log("pytorch".padEnd(10) + `  ${p}`);
  } else {
    console.log(row("pytorch", p));
    console.log(
      "ratio".padEnd(10) +
        `${(stepTime(ts) / stepTime(p)).toFixed(2)}×`.padStart(8) +
        `${(tokensPerSecond(ts) / tokensPerSecond(p)).toFixed(2)}×`.padStart(10) +
        `${(ts.peakRssMb / p.peakRssMb).toFixed(2)}×`.padStart(13) +
        "   bert-lab / pytorch",
    );
  }

  // loss curves
  console.log(`\nloss (MLM + NSP) ${ts.losses[0].toFixed(3)} ${sparkline(ts.losses, 40)} ${ts.losses[steps - 1].toFixed(3)}  (bert-lab)`);
  if (typeof p !== "string") {
    const shown = [...new Set([1, 2, 3, 4, 5, 10, 20, 50, 100, 200, 500, 1000, steps].filter((s) => s <= steps))];
    console.log("step".padStart(6) + "bert-lab".padStart(11) + "pytorch".padStart(11) + "|diff|".padStart(10));
    for (const s of shown) {
      const [a, b] = [ts.losses[s - 1], p.losses[s - 1]];
      console.log(String(s).padStart(6) + a.toFixed(5).padStart(11) + b.toFixed(5).padStart(11) + Math.abs(a - b).toExponential(1).padStart(10));
    }
    const diffs = ts.losses.map((l, i) => Math.abs(l - p.losses[i]));
    const worst = diffs.indexOf(Math.max(...diffs));
    const gn = ts.gradNorms.map((g, i) => Math.abs(g - p.gradNorms[i]) / p.gradNorms[i]);
    console.log(`max |diff| ${diffs[worst].toExponential(2)} at step ${worst + 1}; gradient norms differ by ≤ ${(100 * Math.max(...gn)).toFixed(3)} % (step 1: ${ts.gradNorms[0].toFixed(4)} vs ${p.gradNorms[0].toFixed(4)})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
