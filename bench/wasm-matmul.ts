/**
 * wasm matMul speed before and after registerWasmFixes(), on the shapes a BERT step uses
 * (B·T = 32·128 rows, H = 128, intermediate 512, A = 2 heads of D = 64), single thread.
 * Also checks that both give the same numbers.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/wasm-matmul.js [--max-ms N]   (N ms per case and side)
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { measureMatMul } from "../src/backend/matmul-speed";
import { registerWasmFixes } from "../src/backend/wasm-fixes";

interface Case {
  name: string;
  a: number[];
  b: number[];
  transposeA?: boolean;
  transposeB?: boolean;
}

const CASES: Case[] = [
  { name: "x·W            [4096,128]·[128,512]", a: [4096, 128], b: [128, 512] },
  { name: "x·Wᵀ           [4096,128]·[512,128]ᵀ", a: [4096, 128], b: [512, 128], transposeB: true },
  { name: "dY·Wᵀ (dx)     [4096,512]·[128,512]ᵀ", a: [4096, 512], b: [128, 512], transposeB: true },
  { name: "xᵀ·dY (dW)     [4096,128]ᵀ·[4096,512]", a: [4096, 128], b: [4096, 512], transposeA: true },
  { name: "x·W 3D         [32,128,128]·[128,512]", a: [32, 128, 128], b: [128, 512] },
  { name: "Q·Kᵀ           [64,2,128,64]·[64,2,128,64]ᵀ", a: [64, 2, 128, 64], b: [64, 2, 128, 64], transposeB: true },
  { name: "P·V            [64,2,128,128]·[64,2,128,64]", a: [64, 2, 128, 128], b: [64, 2, 128, 64] },
  { name: "Pᵀ·dC (dV)     [64,2,128,128]ᵀ·[64,2,128,64]", a: [64, 2, 128, 128], b: [64, 2, 128, 64], transposeA: true },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Largest |before − after| over one product of the case, to show the fix changes no numbers. */
function resultOf(c: Case, a: tf.Tensor, b: tf.Tensor): Float32Array {
  return tf.tidy(() => tf.matMul(a, b, c.transposeA, c.transposeB).dataSync() as Float32Array);
}

async function main(): Promise<void> {
  const maxMs = Number(arg("max-ms") ?? 900);
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
  await tf.setBackend("wasm");
  const inputs = CASES.map((c) => [tf.randomUniform(c.a, -1, 1), tf.randomUniform(c.b, -1, 1)]);
  // best of three rounds: on a shared machine the slowest rounds measure the neighbours
  const best = (c: Case) => Math.max(...[0, 1, 2].map(() => measureMatMul({ ...c, maxMs: maxMs / 3 }).gflops));
  const before = CASES.map(best);
  const beforeValues = CASES.map((c, i) => resultOf(c, inputs[i][0], inputs[i][1]));
  registerWasmFixes();
  const after = CASES.map(best);
  console.log(`tfjs-backend-wasm ${tf.version_core}, single thread, GFLOP/s (2·M·N·K per product, best of 3 rounds)\n`);
  console.log(`${"case".padEnd(46)}${"before".padStart(8)}${"after".padStart(8)}${"speed-up".padStart(10)}${"max |Δ|".padStart(10)}`);
  CASES.forEach((c, i) => {
    const afterValues = resultOf(c, inputs[i][0], inputs[i][1]);
    let diff = 0;
    for (let j = 0; j < afterValues.length; j++) diff = Math.max(diff, Math.abs(afterValues[j] - beforeValues[i][j]));
    console.log(
      c.name.padEnd(46) +
        before[i].toFixed(2).padStart(8) +
        after[i].toFixed(2).padStart(8) +
        `${(after[i] / before[i]).toFixed(1)}×`.padStart(10) +
        diff.toExponential(1).padStart(10),
    );
  });
  tf.dispose(inputs.flat());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
