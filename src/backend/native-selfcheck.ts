/**
 * The native addon checked on its own, without tfjs: each kernel on a plain ArrayBuffer
 * standing in for the wasm heap, against straightforward JavaScript. It needs nothing but
 * the addon, so it also runs where tfjs is not set up — e.g. an Arm build under an emulator
 * (scripts/check-native-arm64.sh), which is how the NEON micro-kernel is tested on x86.
 *
 * @example
 *   node dist/src/backend/native-selfcheck.js native/build/Release/bert_lab_native.node
 *   // prints: neon: 212 checks passed   (or each failure, and exits 1)
 */
import type { NativeAddon } from "./native";
import { dropoutMaskValues } from "../kernels/dropout-mask";

/** A bump allocator over one ArrayBuffer: float32 and int32 arrays at byte offsets. */
class Heap {
  readonly buffer = new ArrayBuffer(64 << 20);
  private top = 64; // offset 0 stays unused, as a failed wasm malloc's
  f32(n: number, fill?: (i: number) => number): { at: number; a: Float32Array } {
    const at = this.take(n);
    const a = new Float32Array(this.buffer, at, n);
    if (fill) for (let i = 0; i < n; i++) a[i] = fill(i);
    return { at, a };
  }
  i32(values: number[]): { at: number; a: Int32Array } {
    const at = this.take(values.length);
    const a = new Int32Array(this.buffer, at, values.length);
    a.set(values);
    return { at, a };
  }
  private take(n: number): number {
    const at = this.top;
    this.top += Math.ceil((n * 4) / 64) * 64 + 64;
    if (this.top > this.buffer.byteLength) throw new Error("self-check heap too small");
    return at;
  }
}

function rand(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** Runs every check; returns the failures (empty: all passed) and how many checks ran. */
export function selfCheck(addon: NativeAddon, isa?: string): { failures: string[]; checks: number } {
  if (isa) addon.setIsa(isa);
  const failures: string[] = [];
  let checks = 0;
  const close = (name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5) => {
    checks++;
    let scale = 1e-6;
    for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
    for (let i = 0; i < want.length; i++) {
      if (!(Math.abs(got[i] - want[i]) <= tol * scale)) {
        failures.push(`${name}: element ${i} is ${got[i]}, expected ${want[i]}`);
        return;
      }
    }
  };
  const r = rand(7);
  for (const threads of [1, 3]) {
    addon.setThreads(threads);
    // matrix products: shapes with edges, k = 1, several K slices; every transpose; batches and broadcasts
    const shapes: [number, number, number, number, boolean, boolean][] = [
      [1, 1, 1, 1, false, false], [1, 7, 1, 5, false, false], [1, 13, 29, 37, false, false], [1, 130, 300, 257, false, false],
      [3, 17, 33, 9, false, false], [4, 25, 40, 19, true, false], [2, 11, 21, 8, false, true],
    ];
    for (const [batch, M, N, K, shareA, shareB] of shapes) {
      for (const ta of [false, true]) {
        for (const tb of [false, true]) {
          const heap = new Heap();
          const bA = shareA ? 1 : batch;
          const bB = shareB ? 1 : batch;
          const A = heap.f32(bA * M * K, r);
          const B = heap.f32(bB * K * N, r);
          const bias = heap.f32(N, r);
          const C = heap.f32(batch * M * N);
          const aAt = (it: number, i: number, k: number) => A.a[(bA === 1 ? 0 : it * M * K) + (ta ? k * M + i : i * K + k)];
          const bAt = (it: number, k: number, j: number) => B.a[(bB === 1 ? 0 : it * K * N) + (tb ? j * K + k : k * N + j)];
          const want = new Float32Array(batch * M * N);
          for (let it = 0; it < batch; it++)
            for (let i = 0; i < M; i++)
              for (let j = 0; j < N; j++) {
                let s = bias.a[j];
                for (let k = 0; k < K; k++) s += aAt(it, i, k) * bAt(it, k, j);
                want[(it * M + i) * N + j] = s;
              }
          addon.gemm(heap.buffer, new Float64Array([
            batch, M, N, K,
            A.at, bA === 1 ? 0 : M * K, ta ? 1 : K, ta ? M : 1,
            B.at, bB === 1 ? 0 : K * N, tb ? 1 : N, tb ? K : 1,
            C.at, bias.at,
          ]));
          close(`gemm ${batch}×[${M}×${K}]${ta ? "ᵀ" : ""}·[${K}×${N}]${tb ? "ᵀ" : ""} + bias, ${threads} thread(s)`, C.a, want, 1e-5);
        }
      }
    }
    // GELU and its gradient
    {
      const heap = new Heap();
      const n = 10007;
      const x = heap.f32(n, () => r() * 6);
      const dy = heap.f32(n, r);
      const y = heap.f32(n);
      const dx = heap.f32(n);
      addon.geluForward(heap.buffer, new Float64Array([x.at, y.at, n]));
      addon.geluBackward(heap.buffer, new Float64Array([x.at, dy.at, dx.at, n]));
      const erf = (v: number) => {
        // high-precision series/continued fraction is overkill here: A&S 7.1.26 is within 1.5e-7
        const t = 1 / (1 + 0.3275911 * Math.abs(v));
        const p = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
        return Math.sign(v) * (1 - p * Math.exp(-v * v));
      };
      close("gelu", y.a, Array.from(x.a, (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))), 1e-5);
      close("gelu gradient", dx.a, Array.from(x.a, (v, i) => dy.a[i] * (0.5 * (1 + erf(v / Math.SQRT2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI))), 1e-5);
    }
    // LayerNorm forward and backward
    {
      const heap = new Heap();
      const rows = 37;
      const H = 65;
      const x = heap.f32(rows * H, () => r() * 3 + 1);
      const g = heap.f32(H, r);
      const b = heap.f32(H, r);
      const dy = heap.f32(rows * H, r);
      const [y, mean, rstd, dx, dg, db] = [heap.f32(rows * H), heap.f32(rows), heap.f32(rows), heap.f32(rows * H), heap.f32(H), heap.f32(H)];
      addon.layerNormForward(heap.buffer, new Float64Array([x.at, g.at, b.at, y.at, mean.at, rstd.at, rows, H, 1e-12]));
      addon.layerNormBackward(heap.buffer, new Float64Array([x.at, g.at, mean.at, rstd.at, dy.at, dx.at, dg.at, db.at, rows, H]));
      const wy = new Float64Array(rows * H);
      const wdx = new Float64Array(rows * H);
      const wdg = new Float64Array(H);
      const wdb = new Float64Array(H);
      for (let q = 0; q < rows; q++) {
        const row = Array.from(x.a.subarray(q * H, (q + 1) * H));
        const mu = row.reduce((s, v) => s + v, 0) / H;
        const inv = 1 / Math.sqrt(row.reduce((s, v) => s + (v - mu) ** 2, 0) / H + 1e-12);
        const xh = row.map((v) => (v - mu) * inv);
        const gg = xh.map((_, j) => dy.a[q * H + j] * g.a[j]);
        const mg = gg.reduce((s, v) => s + v, 0) / H;
        const mgx = gg.reduce((s, v, j) => s + v * xh[j], 0) / H;
        for (let j = 0; j < H; j++) {
          wy[q * H + j] = xh[j] * g.a[j] + b.a[j];
          wdx[q * H + j] = inv * (gg[j] - mg - xh[j] * mgx);
          wdg[j] += dy.a[q * H + j] * xh[j];
          wdb[j] += dy.a[q * H + j];
        }
      }
      close("layer norm", y.a, wy, 1e-5);
      close("layer norm dx", dx.a, wdx, 1e-4);
      close("layer norm dγ", dg.a, wdg, 1e-5);
      close("layer norm dβ", db.a, wdb, 1e-5);
    }
    // softmax cross-entropy, softmax gradient, sums, gather, AdamW, dropout masks
    {
      const heap = new Heap();
      const M = 9;
      const Cn = 1001;
      const logits = heap.f32(M * Cn, () => r() * 8);
      const labels = heap.i32(Array.from({ length: M }, (_, i) => (i * 379) % Cn));
      const loss = heap.f32(1);
      const grad = heap.f32(M * Cn);
      addon.softmaxCrossEntropy(heap.buffer, new Float64Array([logits.at, labels.at, loss.at, grad.at, M, Cn]));
      let total = 0;
      const wg = new Float64Array(M * Cn);
      for (let q = 0; q < M; q++) {
        const row = logits.a.subarray(q * Cn, (q + 1) * Cn);
        const mx = Math.max(...row);
        const sum = row.reduce((s, v) => s + Math.exp(v - mx), 0);
        total += Math.log(sum) + mx - row[labels.a[q]];
        for (let j = 0; j < Cn; j++) wg[q * Cn + j] = (Math.exp(row[j] - mx) / sum - (j === labels.a[q] ? 1 : 0)) / M;
      }
      close("softmax cross-entropy", loss.a, [total / M], 1e-5);
      close("softmax cross-entropy gradient", grad.a, wg, 1e-5);

      const y = heap.f32(M * Cn);
      const dy = heap.f32(M * Cn, r);
      const dx = heap.f32(M * Cn);
      addon.softmaxForward(heap.buffer, new Float64Array([logits.at, y.at, M, Cn]));
      addon.softmaxBackward(heap.buffer, new Float64Array([y.at, dy.at, dx.at, M, Cn]));
      const wy = Array.from(wg, (v, i) => v * M + (i % Cn === labels.a[Math.floor(i / Cn)] ? 1 : 0));
      close("softmax", y.a, wy, 1e-5);
      const wdx = new Float64Array(M * Cn);
      for (let q = 0; q < M; q++) {
        let s = 0;
        for (let j = 0; j < Cn; j++) s += dy.a[q * Cn + j] * y.a[q * Cn + j];
        for (let j = 0; j < Cn; j++) wdx[q * Cn + j] = y.a[q * Cn + j] * (dy.a[q * Cn + j] - s);
      }
      close("softmax gradient", dx.a, wdx, 1e-5);

      const [outer, mid, inner] = [3, 1234, 7];
      const x = heap.f32(outer * mid * inner, r);
      const cols = heap.f32(outer * inner);
      addon.sumMiddle(heap.buffer, new Float64Array([x.at, cols.at, outer, mid, inner]));
      const wsum = new Float64Array(outer * inner);
      for (let o = 0; o < outer; o++) for (let m = 0; m < mid; m++) for (let i = 0; i < inner; i++) wsum[o * inner + i] += x.a[(o * mid + m) * inner + i];
      close("column sums", cols.a, wsum, 1e-5);
      const rowsOut = heap.f32(outer * mid);
      addon.sumMiddle(heap.buffer, new Float64Array([x.at, rowsOut.at, outer * mid, inner, 1]));
      close("row sums", rowsOut.a, Array.from({ length: outer * mid }, (_, q) => x.a.subarray(q * inner, (q + 1) * inner).reduce((s, v) => s + v, 0)), 1e-5);

      const table = heap.f32(50 * 6, r);
      const ids = heap.i32([3, 0, 49, 3, 17]);
      const rowsG = heap.f32(5 * 6);
      addon.gather(heap.buffer, new Float64Array([table.at, ids.at, rowsG.at, 1, 50, 6, 5]));
      close("gather", rowsG.a, Array.from(ids.a).flatMap((id) => Array.from(table.a.subarray(id * 6, id * 6 + 6))), 0);

      const n = 3001;
      const [p, m, v, gr] = [heap.f32(n, r), heap.f32(n, () => r() * 0.1), heap.f32(n, () => Math.abs(r()) * 0.01), heap.f32(n, r)];
      const [po, mo, vo] = [heap.f32(n), heap.f32(n), heap.f32(n)];
      addon.adamw(heap.buffer, new Float64Array([p.at, m.at, v.at, gr.at, po.at, mo.at, vo.at, n, 1e-3, 0.9, 0.999, 1e-6, 0.01, 0.5, 0, 0]));
      const wm = Array.from(m.a, (mm, i) => 0.9 * mm + 0.1 * gr.a[i] * 0.5);
      const wv = Array.from(v.a, (vv, i) => 0.999 * vv + 0.001 * (gr.a[i] * 0.5) ** 2);
      close("adamw m", mo.a, wm, 1e-6);
      close("adamw v", vo.a, wv, 1e-6);
      close("adamw p", po.a, Array.from(p.a, (pp, i) => pp - 1e-3 * (wm[i] / (Math.sqrt(wv[i]) + 1e-6) + 0.01 * pp)), 1e-6);

      const mask = heap.f32(20011);
      addon.dropoutMask(heap.buffer, new Float64Array([mask.at, 20011, 0.1, 987654321]));
      close("dropout mask (the JavaScript generator's bits)", mask.a, dropoutMaskValues(20011, 0.1, 987654321), 0);
    }
  }
  return { failures, checks };
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node native-selfcheck.js PATH/TO/bert_lab_native.node");
    process.exit(2);
  }
  const addon = require(file) as NativeAddon;
  const { failures, checks } = selfCheck(addon);
  const isa = addon.info().isa;
  for (const f of failures) console.log(`FAIL ${isa}: ${f}`);
  console.log(`${isa}: ${checks - failures.length} of ${checks} checks passed`);
  addon.setThreads(1);
  process.exit(failures.length ? 1 : 0);
}
