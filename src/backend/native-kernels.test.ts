// Every native kernel against the cpu backend (plain JavaScript tfjs) on random shapes: odd
// sizes, k = 1, every transpose flag, broadcast batches, fused bias and activation; each
// instruction set this CPU can run (AVX-512, AVX2, scalar) and 1 or 3 threads. Plus the ops
// in src/kernels with the addon on and off, the dropout masks' bits, memory, and the fallback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { compareCpuWasm, loadTfjsGradients, on, relError, seeded, size, stored } from "./compare.test.helper";
import { loadNative, nativeStatus, setNativeEnabled, setNativeThreads } from "./native";
import { nativeOpsActive, registerNativeKernels } from "./native-kernels";
import { registerWasmFixes } from "./wasm-fixes";
import { selfCheck } from "./native-selfcheck";
import { gelu } from "../kernels/gelu";
import { layerNorm } from "../kernels/layer-norm";
import { softmax } from "../kernels/softmax";
import { dropoutMask, dropoutMaskValues } from "../kernels/dropout-mask";
import { sparseSoftmaxCrossEntropy } from "../model/losses";
import { BertAdamW } from "../training/adamw";

const status = nativeStatus();
// outside CI a machine without a compiler skips with the reason; under CI=true it must be built
const needsNative = { skip: !status.loaded && process.env.CI !== "true" ? `native kernels not available: ${status.reason}` : false };
const TOLERANCE = 2e-5;
const compare = (name: string, fn: () => tf.Tensor | tf.Tensor[], tolerance = TOLERANCE) => compareCpuWasm(name, fn, tolerance);

/** Instruction sets to try: every one compiled in that this CPU can run. */
function isas(): string[] {
  const s = nativeStatus();
  const best = s.isa ?? "scalar";
  const order = ["scalar", "avx2", "avx512"];
  return best === "neon" ? ["scalar", "neon"] : order.slice(0, order.indexOf(best) + 1);
}

async function setup(): Promise<void> {
  if (!loadNative()) assert.fail(`the native addon must load under CI: ${nativeStatus().reason}`);
  await loadTfjsGradients();
  registerWasmFixes();
  registerNativeKernels();
}




// first, while the heap is small: an output larger than the whole heap makes it grow (and move)
test("GatherV2: the embedding lookups, including one whose output makes the heap grow", needsNative, async () => {
  await setup();
  const heapBytes = await on("wasm", () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength);
  const H = 64;
  const grow = Math.ceil(heapBytes / (4 * H)) + 17; // rows: more bytes than the heap has now
  const cases: [number[], number[], number][] = [
    [[50, H], [grow], 0],
    [[30522 % 997, 5], [7, 3], 0],
    [[4, 9, 6], [5], 1],
    [[3, 8], [0], 0],
  ];
  for (const [shape, idxShape, axis] of cases) {
    const x = seeded(size(shape), 13);
    const ids = Int32Array.from({ length: size(idxShape) }, (_, i) => (i * 7919) % shape[axis]);
    await compare(`gather [${shape}] at [${idxShape}] axis ${axis}`, () => tf.gather(tf.tensor(x, shape), tf.tensor(ids, idxShape, "int32"), axis));
  }
  const grown = await on("wasm", () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength);
  assert.ok(grown > heapBytes, `the heap grew (${heapBytes} → ${grown} bytes), so the case above ran across a move`);
  await on("wasm", () => assert.throws(() => tf.gather(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor1d([0, 2], "int32")), /index value 2 is not in \[0, 1\]/));
});

// [batch dims of A, batch dims of B, M, K, N]
const SHAPES: [number[], number[], number, number, number][] = [
  [[], [], 1, 1, 1],
  [[], [], 7, 1, 5], // k = 1
  [[], [], 13, 29, 37], // odd sizes, edge tiles both ways
  [[], [], 130, 257, 301], // several K slices and row blocks
  [[3], [3], 17, 9, 33], // a batch each side
  [[2, 3], [2, 3], 5, 16, 12],
  [[4], [], 25, 19, 40], // B shared by every item (rank 3 × rank 2)
  [[1], [6], 11, 8, 21], // A broadcast over B's batch
  [[6], [1], 11, 8, 21], // B broadcast over A's batch
  [[2, 1], [1, 3], 4, 6, 5], // two-sided broadcast: handed back to the wasm kernel
];

test("BatchMatMul: every transpose flag, batch and broadcast, each instruction set, 1 and 3 threads", needsNative, async () => {
  await setup();
  let i = 0;
  for (const isa of isas()) {
    loadNative()!.setIsa(isa);
    for (const threads of [1, 3]) {
      setNativeThreads(threads);
      for (const [ba, bb, M, K, N] of SHAPES) {
        for (const ta of [false, true]) {
          for (const tb of [false, true]) {
            const sa = stored([...ba, M, K], ta);
            const sb = stored([...bb, K, N], tb);
            const a = seeded(size(sa), ++i);
            const b = seeded(size(sb), ++i);
            await compare(`${isa} ×${threads} [${sa}]${ta ? "ᵀ" : ""}·[${sb}]${tb ? "ᵀ" : ""}`, () => tf.matMul(tf.tensor(a, sa), tf.tensor(b, sb), ta, tb));
          }
        }
      }
    }
  }
  loadNative()!.setIsa(nativeStatus().isa!);
  setNativeThreads(2);
});

test("_FusedMatMul: bias (a row, or a full matrix) and activations, with transposes and batches", needsNative, async () => {
  await setup();
  const cases: { sa: number[]; sb: number[]; ta: boolean; tb: boolean; bias: number[]; act: tf.fused.Activation }[] = [
    { sa: [33, 70], sb: [20, 70], ta: false, tb: true, bias: [20], act: "linear" },
    { sa: [70, 33], sb: [70, 20], ta: true, tb: false, bias: [1, 20], act: "relu" },
    { sa: [3, 9, 14], sb: [14, 31], ta: false, tb: false, bias: [31], act: "elu" },
    { sa: [2, 9, 14], sb: [2, 14, 31], ta: false, tb: false, bias: [2, 9, 31], act: "sigmoid" },
    { sa: [9, 14], sb: [14, 31], ta: false, tb: false, bias: [9, 1], act: "relu6" },
  ];
  for (const c of cases) {
    const a = seeded(size(c.sa), 1);
    const b = seeded(size(c.sb), 2);
    const bias = seeded(size(c.bias), 3);
    await compare(`fused [${c.sa}]·[${c.sb}] ta=${c.ta} tb=${c.tb} bias [${c.bias}] ${c.act}`, () =>
      tf.fused.matMul({ a: tf.tensor(a, c.sa), b: tf.tensor(b, c.sb), transposeA: c.ta, transposeB: c.tb, bias: tf.tensor(bias, c.bias), activation: c.act }),
    );
  }
});

test("Sum: column sums (bias gradients), row sums, middle axes, keepDims; other dtypes go to the wasm kernel", needsNative, async () => {
  await setup();
  const cases: [number[], number | number[], boolean][] = [
    [[4096, 37], 0, false],
    [[5, 300], 1, false],
    [[3, 4, 5, 6], [1, 2], true],
    [[3, 4, 5], [0, 1], false],
    [[7], 0, false],
    [[2, 3, 4], [0, 2], false], // not contiguous: the wasm kernel
  ];
  for (const [shape, axis, keep] of cases) {
    const x = seeded(size(shape), 4);
    await compare(`sum [${shape}] over ${axis}${keep ? " keepDims" : ""}`, () => tf.sum(tf.tensor(x, shape), axis, keep));
  }
  await compare("int32 sum", () => tf.sum(tf.tensor([1, 2, 3, 4], [2, 2], "int32"), 0));
});

/** An op's value and its gradients with respect to every input, as plain tensors. */
function withGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), dy)) as tf.Scalar)(inputs);
  return [f(...inputs), value, ...grads];
}

test("GELU, LayerNorm and softmax: values and gradients match the tfjs composition on cpu", needsNative, async () => {
  await setup();
  for (const shape of [[1, 1], [3, 17], [2, 5, 64], [4, 4, 9, 9]]) {
    const x = seeded(size(shape), 5, 4);
    const dy = seeded(size(shape), 6);
    await compare(`gelu [${shape}]`, () => withGrads((t) => gelu(t), [tf.tensor(x, shape)], tf.tensor(dy, shape)));
    await compare(`softmax [${shape}]`, () => withGrads((t) => softmax(t), [tf.tensor(x, shape)], tf.tensor(dy, shape)));
    const H = shape[shape.length - 1];
    if (H === 1) continue; // one column: x − mean is 0 and 1/√eps = 10⁶ turns rounding into noise
    const gamma = seeded(H, 7);
    const beta = seeded(H, 8);
    await compare(`layerNorm [${shape}]`, () =>
      withGrads((t, g, b) => layerNorm(t, g, b, 1e-12), [tf.tensor(x, shape), tf.tensor1d(gamma), tf.tensor1d(beta)], tf.tensor(dy, shape)), 1e-4);
  }
  assert.ok(await on("wasm", () => nativeOpsActive()), "the comparisons above ran the native kernels");
});

test("softmax cross-entropy: the loss and its gradient over a vocabulary-sized row", needsNative, async () => {
  await setup();
  for (const [M, C] of [[1, 2], [5, 7], [37, 30522]]) {
    const logits = seeded(M * C, 9, 8);
    const labels = Array.from({ length: M }, (_, i) => (i * 7919) % C);
    await compare(`cross-entropy [${M}, ${C}]`, () => {
      const x = tf.tensor2d(logits, [M, C]);
      const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => sparseSoftmaxCrossEntropy(t as tf.Tensor2D, labels))(x);
      return [value, grad];
    });
  }
});

test("AdamW: one native pass gives what the tfjs update gives, both rules, with and without decay", needsNative, async () => {
  await setup();
  for (const biasCorrection of [false, true]) {
    const run = () => {
      const params = new Map<string, tf.Variable>([
        ["encoder.dense.weight", tf.variable(tf.tensor2d(seeded(35 * 9, 10), [35, 9]))],
        ["encoder.dense.bias", tf.variable(tf.tensor1d(seeded(9, 11)))],
      ]);
      const opt = new BertAdamW({ biasCorrection });
      for (let step = 0; step < 3; step++) {
        tf.tidy(() => {
          const grads = { "encoder.dense.weight": tf.tensor2d(seeded(35 * 9, 20 + step), [35, 9]), "encoder.dense.bias": tf.tensor1d(seeded(9, 30 + step)) };
          opt.applyGradients(params, grads, 1e-2);
        });
      }
      const out = [...params.values()].map((v) => tf.clone(v));
      const state = opt.getState();
      opt.dispose();
      params.forEach((v) => v.dispose());
      return [...out, ...Object.values(state.slots).flatMap((s) => [tf.tensor(s.m), tf.tensor(s.v)])];
    };
    await compare(`adamw biasCorrection=${biasCorrection}`, run);
  }
});

test("dropout masks: the native kernel and the JavaScript generator give the same bits; the rate holds", needsNative, async () => {
  await setup();
  for (const [n, rate, seed] of [[1, 0.1, 0], [1000, 0.5, 7], [100003, 0.1, 2147483646], [64, 0, 3]] as const) {
    const js = dropoutMaskValues(n, rate, seed);
    const native = await on("wasm", () => tf.tidy(() => Array.from(dropoutMask(tf.zeros([n]), rate, seed).dataSync())));
    assert.deepEqual(native, Array.from(js), `n=${n} rate=${rate} seed=${seed}`);
    if (n > 10000) {
      const dropped = js.filter((v) => v === 0).length / n;
      assert.ok(Math.abs(dropped - rate) < 0.01, `dropped ${dropped} of the units at rate ${rate}`);
      const kept = js.find((v) => v !== 0)!;
      assert.equal(kept, Math.fround(1 / (1 - rate)));
    }
  }
  const a = dropoutMaskValues(2000, 0.5, 5);
  const b = dropoutMaskValues(2000, 0.5, 6);
  const agree = a.filter((v, i) => (v === 0) === (b[i] === 0)).length / 2000;
  assert.ok(agree > 0.45 && agree < 0.55, `two seeds' masks agree on ${agree} of the units: they should be independent`);
});

test("switched off in-process, the same ops take the tfjs path and give the same values", needsNative, async () => {
  await setup();
  const x = seeded(6 * 33, 12, 3);
  const run = () => tf.tidy(() => Array.from(gelu(tf.matMul(tf.tensor2d(x, [6, 33]), tf.tensor2d(x, [6, 33]), true, false)).dataSync()));
  const on1 = await on("wasm", run);
  setNativeEnabled(false);
  try {
    assert.equal(nativeOpsActive(), false);
    const off = run();
    assert.ok(relError(on1, off) < 1e-5, `native on vs off: ${relError(on1, off)}`);
  } finally {
    setNativeEnabled(true);
  }
});

test("the addon on its own (no tfjs): every kernel against plain JavaScript, each instruction set, 1 and 3 threads", needsNative, () => {
  const addon = loadNative();
  if (!addon) assert.fail(`the native addon must load under CI: ${nativeStatus().reason}`);
  try {
    for (const isa of isas()) {
      const { failures, checks } = selfCheck(addon, isa);
      assert.deepEqual(failures, [], `${isa}: ${failures.length} of ${checks} checks failed`);
      assert.ok(checks >= 90, `${isa}: ${checks} checks ran`);
    }
  } finally {
    addon.setIsa(nativeStatus().isa!);
    setNativeThreads(2);
  }
});

test("fallback: BERT_LAB_NATIVE=0, a missing file and a broken .node each leave the wasm path, with the reason; the pool never keeps Node alive", needsNative, () => {
  const script = (body: string) => [
    "-e",
    `const { nativeStatus, loadNative, setNativeThreads } = require(${JSON.stringify(path.resolve(__dirname, "native.js"))}); ${body}`,
  ];
  const run = (env: Record<string, string>, body = "console.log(JSON.stringify(nativeStatus()))") => {
    const r = spawnSync(process.execPath, script(body), { encoding: "utf8", env: { ...process.env, ...env }, timeout: 30000 });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const off = JSON.parse(run({ BERT_LAB_NATIVE: "0" }));
  assert.equal(off.active, false);
  assert.match(off.reason, /BERT_LAB_NATIVE=0/);
  const missing = JSON.parse(run({ BERT_LAB_NATIVE_PATH: path.join(os.tmpdir(), "no-such-addon.node") }));
  assert.match(missing.reason, /not built .*npm run build:native/);
  const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bert-lab-native-")), "broken.node");
  fs.writeFileSync(broken, "not a shared object");
  const bad = JSON.parse(run({ BERT_LAB_NATIVE_PATH: broken }));
  assert.equal(bad.loaded, false);
  assert.match(bad.reason, /failed to load .*rebuild with `npm run build:native`/);
  // 4 worker threads started and used, then the script ends: Node must exit by itself
  const t0 = Date.now();
  const out = run({}, "setNativeThreads(4); const a = loadNative(); const heap = new ArrayBuffer(64); a.sumMiddle(heap, new Float64Array([0, 32, 1, 8, 1])); console.log(a.info().threads)");
  assert.equal(out.trim(), "4");
  assert.ok(Date.now() - t0 < 20000, "exited promptly");
});
