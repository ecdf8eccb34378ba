/**
 * How fast the current tfjs backend multiplies matrices, in GFLOP/s (2·M·N·K per product).
 *
 * @example
 *   measureMatMul({ a: [512, 512], b: [512, 512] }) // → { gflops: 14.2, msPerCall: 18.9, calls: 40, … }
 */
import * as tf from "@tensorflow/tfjs-core";

export interface MatMulSpeedOptions {
  /** shape of a, e.g. [4096, 128] or [64, 2, 128, 64] */
  a: number[];
  /** shape of b */
  b: number[];
  transposeA?: boolean;
  transposeB?: boolean;
  /** untimed calls first (default 1) */
  warmup?: number;
  /** stop after this many timed calls … (default 50) */
  maxCalls?: number;
  /** … or once this much time is spent (default 1000 ms; at least one call is timed) */
  maxMs?: number;
}

export interface MatMulSpeed {
  gflops: number;
  msPerCall: number;
  calls: number;
  /** multiply-adds ×2 per call */
  flopsPerCall: number;
  backend: string;
}

/** FLOPs of one a·b with the given shapes and flags (2·batch·M·N·K). */
export function matMulFlops(a: number[], b: number[], transposeA = false, transposeB = false): number {
  const ra = a.length;
  const rb = b.length;
  const M = transposeA ? a[ra - 1] : a[ra - 2];
  const K = transposeA ? a[ra - 2] : a[ra - 1];
  const N = transposeB ? b[rb - 2] : b[rb - 1];
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.slice(0, -2), b.slice(0, -2));
  return 2 * outer.reduce((x, y) => x * y, 1) * M * N * K;
}

/** Backends whose kernels have finished when the call returns (no read-back needed). */
const SYNCHRONOUS = new Set(["cpu", "wasm", "tensorflow"]);

/** Times tf.matMul on the current backend (reading results back on GPU backends, so they finish). */
export function measureMatMul(o: MatMulSpeedOptions): MatMulSpeed {
  const ta = o.transposeA ?? false;
  const tb = o.transposeB ?? false;
  const maxMs = o.maxMs ?? 1000;
  const maxCalls = o.maxCalls ?? 50;
  const a = tf.randomUniform(o.a, -1, 1);
  const b = tf.randomUniform(o.b, -1, 1);
  const readBack = !SYNCHRONOUS.has(tf.getBackend());
  try {
    const once = () => {
      const c = tf.matMul(a, b, ta, tb);
      if (readBack) c.dataSync();
      c.dispose();
    };
    for (let i = 0; i < (o.warmup ?? 1); i++) once();
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (calls < maxCalls && (calls === 0 || elapsed < maxMs)) {
      once();
      calls++;
      elapsed = performance.now() - start;
    }
    const flopsPerCall = matMulFlops(o.a, o.b, ta, tb);
    const msPerCall = elapsed / calls;
    return { gflops: flopsPerCall / (msPerCall * 1e6), msPerCall, calls, flopsPerCall, backend: tf.getBackend() };
  } finally {
    a.dispose();
    b.dispose();
  }
}
