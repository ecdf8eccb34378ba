/**
 * What the pictures cost: one live learning-curve update (render + the work of sending it:
 * the Jupyter message's JSON and its HMAC signature, as tslab does), attention maps of 128
 * tokens (the raster heatmap beside the vega-lite SVG it replaces, the head view, the model
 * view), and the peer that matters — the same BERT-tiny pre-training run with and without
 * live curves redrawing at 4 Hz, in this process, as a ratio.
 *
 *   npm run bench:display -- [--steps 40] [--no-training]
 */
import { createHmac } from "node:crypto";
import * as os from "node:os";
import { initBackend } from "../src/backend/select";
import { embeddedCorpusPath } from "../src/cli/embedded";
import { attentionHeatmap } from "../src/display/attention-view";
import { chart } from "../src/display/charts/render";
import { learningCurveSpec, MetricRecord } from "../src/display/charts/learning-curves";
import { headView } from "../src/display/head-view";
import { liveCurves } from "../src/display/live-curves";
import { MimeBundle } from "../src/display/mime";
import { modelView } from "../src/display/model-view";
import { displayContent, DisplaySink } from "../src/display/show";
import { bertConfig } from "../src/model/config";
import { pretrain } from "../src/pretraining/pretrain";
import { trainVocab } from "../src/tokenization/vocab-trainer";
import { Rng } from "../src/util/rng";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const steps = Number(arg("steps", "40"));
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;

/** What tslab's writer does with a bundle: the message content as JSON, signed with HMAC-SHA256. */
const key = "0123456789abcdef0123456789abcdef";
function sendCost(bundle: MimeBundle): number {
  const json = JSON.stringify(displayContent(bundle, "0123456789abcdef"));
  createHmac("sha256", key).update(json).digest("hex");
  return json.length;
}

async function timeIt<T>(reps: number, fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    value = await fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), value };
}

function curveRecords(n: number): MetricRecord[] {
  const rng = new Rng(1);
  return Array.from({ length: n }, (_, i) => ({ step: (i + 1) * 10, loss: 8 / Math.sqrt(i + 1) + 0.2 * rng.random(), mlm_loss: 7 / Math.sqrt(i + 1), nsp_loss: 0.69 - 0.1 * Math.log1p(i) / 8, ...(i % 10 === 9 ? { eval_loss: 8 / Math.sqrt(i + 1) } : {}) }));
}

/** Softmax rows of seeded random scores: layers × heads × T × T. */
function randomAttention(layers: number, heads: number, T: number): number[][][][] {
  const rng = new Rng(7);
  return Array.from({ length: layers }, () =>
    Array.from({ length: heads }, () =>
      Array.from({ length: T }, () => {
        const e = Array.from({ length: T }, () => Math.exp(3 * rng.random()));
        const s = e.reduce((a, b) => a + b, 0);
        return e.map((x) => x / s);
      }),
    ),
  );
}

async function liveUpdates(): Promise<void> {
  console.log("one live learning-curve update (render the chart + serialise and sign the Jupyter message), median of 15:");
  for (const n of [30, 300, 3000, 30000]) {
    const records = curveRecords(n);
    const all = await timeIt(n > 3000 ? 3 : 15, async () => sendCost((await chart(learningCurveSpec(records, { metrics: ["loss", "mlm_loss", "nsp_loss"] }))).toMimeBundle()));
    const curves = liveCurves({ metrics: ["loss", "mlm_loss", "nsp_loss"] });
    curves.records.run = records;
    const drawn = await timeIt(15, async () => sendCost((await curves.chart()).toMimeBundle()));
    console.log(
      `  ${String(n).padStart(5)} log lines × 3 curves: every point ${all.ms.toFixed(1).padStart(6)} ms (${kb(all.value)}); as liveCurves draws it (≤ 500 points) ${drawn.ms.toFixed(1).padStart(5)} ms (${kb(drawn.value)}) — ${((drawn.ms / 1000) * 100).toFixed(1)} % of a core at its 1 Hz, ${((drawn.ms * 4) / 10).toFixed(1)} % at 4 Hz`,
    );
  }
}

async function attentionMaps(): Promise<void> {
  const T = 128;
  const att = randomAttention(12, 12, T);
  const tokens = ["[CLS]", ...Array.from({ length: T - 2 }, (_, i) => `tok${i}`), "[SEP]"];
  const segments = tokens.map((_, i) => (i < 70 ? 0 : 1));
  const input = { tokens, segments, attention: att };
  console.log(`\nattention pictures of ${T} tokens (12 layers × 12 heads, seeded random maps: a worst case for compression), median of 5:`);
  const svgOf = (x: unknown) => String((x as { svg?: string }).svg ?? "");
  const raster = await timeIt(5, () => attentionHeatmap(input, { layer: 3, head: 0 }));
  const rasterSvg = svgOf(raster.value);
  console.log(`  heatmap, raster SVG (the default above 48 tokens): ${raster.ms.toFixed(0).padStart(5)} ms, ${kb(rasterSvg.length)}`);
  const vega = await timeIt(3, () => attentionHeatmap(input, { layer: 3, head: 0, raster: false }));
  const vegaSvg = svgOf(vega.value);
  console.log(`  heatmap, vega-lite rendered to SVG (one rect per cell): ${vega.ms.toFixed(0).padStart(5)} ms, ${kb(vegaSvg.length)} — the raster is ${(vega.ms / raster.ms).toFixed(1)}× faster and ${(vegaSvg.length / rasterSvg.length).toFixed(0)}× smaller`);
  const hv = await timeIt(5, () => headView(input));
  console.log(`  head view (html + static svg): ${hv.ms.toFixed(0).padStart(5)} ms, html ${kb(hv.value.html.length)}, svg ${kb(hv.value.svg.length)}`);
  const mv = await timeIt(5, () => modelView(input));
  console.log(`  model view (144 small maps): ${mv.ms.toFixed(0).padStart(5)} ms, ${kb(mv.value.svg.length)}`);
}

async function trainingOverhead(): Promise<void> {
  const backend = await initBackend();
  const corpus = embeddedCorpusPath();
  const vocab = trainVocab({ files: [corpus] }, { vocabSize: 2000, doLowerCase: true }).vocab;
  const run = async (live: boolean) => {
    const frames: number[] = [];
    const sink: DisplaySink = { name: "bench", send: (b) => void frames.push(sendCost(b)) };
    const curves = live ? liveCurves({ sink, metrics: ["mlm_loss", "nsp_loss"] }) : undefined;
    const t0 = performance.now();
    await pretrain({ config: bertConfig("tiny", { vocabSize: vocab.size }), vocab, input: [corpus], outDir: null, steps, batchSize: 16, maxSeqLength: 64, learningRate: 1e-3, logEvery: 1, seed: 1, callbacks: curves?.callbacks() });
    await curves?.close();
    return { seconds: (performance.now() - t0) / 1000, frames: frames.length };
  };
  console.log(`\nBERT-tiny pre-training, ${steps} steps of 16 × 64 (${backend.chosen}), a log line every step:`);
  await run(false); // warm-up: kernels, first allocations
  const plain = await run(false);
  const live = await run(true);
  console.log(`  without live curves: ${plain.seconds.toFixed(2)} s`);
  console.log(`  with live curves:    ${live.seconds.toFixed(2)} s (${live.frames} frames sent for ${steps} log lines) — ${(((live.seconds / plain.seconds) - 1) * 100).toFixed(1)} % slower`);
}

async function main(): Promise<void> {
  console.log(`bench:display — node ${process.version}, ${os.cpus()[0]?.model ?? "cpu"}\n`);
  await liveUpdates();
  await attentionMaps();
  if (!process.argv.includes("--no-training")) await trainingOverhead();
}

void main();
