/**
 * The native kernels, registered for the tfjs wasm backend. Each works directly on the wasm
 * heap: outputs are made with makeOutput first, then the addon gets the heap (taken after the
 * last allocation, since a growing heap moves) and the byte offsets of inputs and outputs.
 *
 * Two kinds:
 * - tfjs kernels we take over (`BatchMatMul`, `_FusedMatMul`, `Sum`): each wraps the kernel
 *   registered before it (our wasm fixes) and hands back to it whenever the addon is off or
 *   the call is one it does not cover (another dtype, a two-sided batch broadcast, …);
 * - kernels of our own (names starting `BertLab`) that only src/kernels' ops call, and only
 *   when nativeOpsActive() says so; those ops compute the same thing with tfjs ops otherwise.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { activeNative, NativeAddon } from "./native";
import { addBiasAndActivate, geometry } from "./wasm-matmul";
import { FIX_MARK, KernelArgs, sizeOf, wasmBackendOf } from "./wasm-kernel-utils";

const NATIVE_MARK = Symbol.for("bert-lab.native-kernel");

/** Our own kernels' names (the ops in src/kernels call them through tf.engine().runKernel). */
export const NATIVE_KERNEL = {
  gelu: "BertLabGelu",
  geluGrad: "BertLabGeluGrad",
  layerNorm: "BertLabLayerNorm",
  layerNormGrad: "BertLabLayerNormGrad",
  softmaxCrossEntropy: "BertLabSoftmaxCrossEntropy",
  dropoutMask: "BertLabDropoutMask",
  softmaxGrad: "BertLabSoftmaxGrad",
  adamw: "BertLabAdamW",
} as const;

/** What the native kernels cover, for `bert-lab doctor`. */
export const NATIVE_KERNEL_SUMMARY = [
  "BatchMatMul",
  "_FusedMatMul",
  "Sum",
  "GatherV2",
  "GELU (forward, backward)",
  "LayerNorm (forward, backward)",
  "softmax backward",
  "softmax cross-entropy (loss and gradient)",
  "dropout masks",
  "AdamW",
] as const;

/** The tfjs kernels the addon takes over when it is on. */
export const TAKEN_OVER = [tf.BatchMatMul, tf._FusedMatMul, tf.Sum, tf.GatherV2] as const;

function heap(backend: BackendWasm): ArrayBuffer {
  return (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer as ArrayBuffer;
}

/**
 * The byte offset of t's data in the heap, checked to lie inside it: when the heap is full,
 * wasm's malloc answers 0, and native code must never write there.
 */
function at(backend: BackendWasm, t: tf.TensorInfo): number {
  const offset = backend.dataIdMap.get(t.dataId)!.memoryOffset;
  const bytes = sizeOf(t.shape) * 4;
  if (bytes > 0 && (!(offset > 0) || offset + bytes > heap(backend).byteLength)) {
    throw new Error(`out of memory: the wasm heap could not hold a [${t.shape}] tensor (malloc gave offset ${offset})`);
  }
  return offset;
}

/** True when the current backend is wasm and the addon is on: src/kernels' ops then use ours. */
export function nativeOpsActive(): boolean {
  return tf.getBackend() === "wasm" && activeNative() !== null && tf.getKernel(NATIVE_KERNEL.gelu, "wasm") !== undefined;
}

// ---- matrix products

interface GemmPlan {
  batch: number;
  M: number;
  N: number;
  K: number;
  aItem: number;
  aRow: number;
  aCol: number;
  bItem: number;
  bRow: number;
  bCol: number;
  outShape: number[];
}

/** Strides for a·b as one batched call, or null for a two-sided broadcast (left to tfjs). */
function gemmPlan(a: tf.TensorInfo, b: tf.TensorInfo, ta: boolean, tb: boolean): GemmPlan | null {
  const g = geometry(a, b, ta, tb);
  const { M, K, N } = g;
  const okA = g.batchA === 1 || g.batchA === g.outBatch;
  const okB = g.batchB === 1 || g.batchB === g.outBatch;
  if (!okA || !okB) return null;
  const plan: GemmPlan = {
    batch: g.outBatch,
    M,
    N,
    K,
    aItem: g.batchA === 1 ? 0 : M * K,
    aRow: ta ? 1 : K,
    aCol: ta ? M : 1,
    bItem: g.batchB === 1 ? 0 : K * N,
    bRow: tb ? 1 : N,
    bCol: tb ? K : 1,
    outShape: g.outShape,
  };
  // one B for every item and A's items stacked row after row: a single taller product
  if (plan.bItem === 0 && !ta && plan.batch > 1 && plan.aItem !== 0) {
    plan.M = plan.batch * M;
    plan.batch = 1;
    plan.aItem = 0;
  }
  return plan;
}

function runGemm(addon: NativeAddon, backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, p: GemmPlan, bias: tf.TensorInfo | null): tf.TensorInfo {
  const out = backend.makeOutput(p.outShape, "float32");
  if (sizeOf(p.outShape) === 0) return out;
  const args = new Float64Array([
    p.batch, p.M, p.N, p.K,
    at(backend, a), p.aItem, p.aRow, p.aCol,
    at(backend, b), p.bItem, p.bRow, p.bCol,
    at(backend, out), bias ? at(backend, bias) : -1,
  ]);
  addon.gemm(heap(backend), args);
  return out;
}

function nativeBatchMatMul(prev: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const addon = activeNative();
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (!addon || a.dtype !== "float32" || b.dtype !== "float32") return prev(args);
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    const plan = gemmPlan(a, b, Boolean(transposeA), Boolean(transposeB));
    return plan ? runGemm(addon, wasmBackendOf(args), a, b, plan, null) : prev(args);
  };
}

function nativeFusedMatMul(prev: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const addon = activeNative();
    const { a, b, bias, preluActivationWeights } = args.inputs as unknown as tf._FusedMatMulInputs;
    if (!addon || a.dtype !== "float32" || b.dtype !== "float32" || (bias && bias.dtype !== "float32")) return prev(args);
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as unknown as tf._FusedMatMulAttrs;
    const plan = gemmPlan(a, b, Boolean(transposeA), Boolean(transposeB));
    if (!plan) return prev(args);
    const backend = wasmBackendOf(args);
    // a bias of N values (shape [N], [1, N], …) is added inside the product; any other is added after
    const rowBias = bias && sizeOf(bias.shape) === plan.N && bias.shape[bias.shape.length - 1] === plan.N ? bias : null;
    const y = runGemm(addon, backend, a, b, plan, rowBias);
    return addBiasAndActivate(backend, y, bias && !rowBias ? bias : null, activation ?? "linear", preluActivationWeights, leakyreluAlpha);
  };
}

// ---- reductions

function nativeSum(prev: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const addon = activeNative();
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    if (!addon || x.dtype !== "float32" || x.shape.length === 0) return prev(args);
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    if (axes.length === 0 || axes.some((v, i) => i > 0 && v !== axes[i - 1] + 1)) return prev(args);
    const first = axes[0];
    const last = axes[axes.length - 1];
    const outer = sizeOf(x.shape.slice(0, first));
    const mid = sizeOf(x.shape.slice(first, last + 1));
    const inner = sizeOf(x.shape.slice(last + 1));
    const shape = keepDims ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : x.shape.filter((_, i) => i < first || i > last);
    const backend = wasmBackendOf(args);
    const out = backend.makeOutput(shape, "float32");
    if (outer * inner === 0) return out;
    if (mid === 0) {
      backend.typedArrayFromHeap(out).fill(0);
      return out;
    }
    addon.sumMiddle(heap(backend), new Float64Array([at(backend, x), at(backend, out), outer, mid, inner]));
    return out;
  };
}

// ---- gather (the embedding lookups): wasm's kernel copies element by element (~25 ms for 4096 rows of 256)

function nativeGather(prev: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const addon = activeNative();
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
    if (!addon || x.dtype !== "float32" || indices.dtype !== "int32" || (batchDims ?? 0) !== 0) return prev(args);
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    const backend = wasmBackendOf(args);
    const dim = x.shape[ax];
    const count = sizeOf(indices.shape);
    {
      // this view dies at the next allocation (a growing heap moves): use it before makeOutput only
      const idx = backend.typedArrayFromHeap(indices) as Int32Array;
      for (let i = 0; i < count; i++) {
        if (!(idx[i] >= 0 && idx[i] < dim)) throw new Error(`GatherV2: the index value ${idx[i]} is not in [0, ${dim - 1}]`);
      }
    }
    const outShape = [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)];
    const out = backend.makeOutput(outShape, "float32");
    if (sizeOf(outShape) === 0) return out;
    const outer = sizeOf(x.shape.slice(0, ax));
    const slice = sizeOf(x.shape.slice(ax + 1));
    addon.gather(heap(backend), new Float64Array([at(backend, x), at(backend, indices), at(backend, out), outer, dim, slice, count]));
    return out;
  };
}

// ---- our own kernels

type Impl = (addon: NativeAddon, backend: BackendWasm, inputs: Record<string, tf.TensorInfo>, attrs: Record<string, unknown>) => tf.TensorInfo | tf.TensorInfo[];

const OWN: Record<string, Impl> = {
  [NATIVE_KERNEL.gelu]: (addon, be, { x }) => {
    const y = be.makeOutput(x.shape, "float32");
    addon.geluForward(heap(be), new Float64Array([at(be, x), at(be, y), sizeOf(x.shape)]));
    return y;
  },
  [NATIVE_KERNEL.geluGrad]: (addon, be, { x, dy }) => {
    const dx = be.makeOutput(x.shape, "float32");
    addon.geluBackward(heap(be), new Float64Array([at(be, x), at(be, dy), at(be, dx), sizeOf(x.shape)]));
    return dx;
  },
  // no inputs (the mask depends on nothing differentiable): the shape comes as an attribute
  [NATIVE_KERNEL.dropoutMask]: (addon, be, _inputs, { shape, rate, seed }) => {
    const mask = be.makeOutput(shape as number[], "float32");
    if (sizeOf(shape as number[]) === 0) return mask;
    addon.dropoutMask(heap(be), new Float64Array([at(be, mask), sizeOf(shape as number[]), rate as number, seed as number]));
    return mask;
  },
  [NATIVE_KERNEL.layerNorm]: (addon, be, { x, gamma, beta }, { eps }) => {
    const H = x.shape[x.shape.length - 1];
    const rows = sizeOf(x.shape) / H;
    const y = be.makeOutput(x.shape, "float32");
    const mean = be.makeOutput([rows], "float32");
    const rstd = be.makeOutput([rows], "float32");
    addon.layerNormForward(heap(be), new Float64Array([at(be, x), at(be, gamma), at(be, beta), at(be, y), at(be, mean), at(be, rstd), rows, H, eps as number]));
    return [y, mean, rstd];
  },
  [NATIVE_KERNEL.layerNormGrad]: (addon, be, { x, gamma, mean, rstd, dy }) => {
    const H = x.shape[x.shape.length - 1];
    const rows = sizeOf(x.shape) / H;
    const dx = be.makeOutput(x.shape, "float32");
    const dgamma = be.makeOutput([H], "float32");
    const dbeta = be.makeOutput([H], "float32");
    addon.layerNormBackward(
      heap(be),
      new Float64Array([at(be, x), at(be, gamma), at(be, mean), at(be, rstd), at(be, dy), at(be, dx), at(be, dgamma), at(be, dbeta), rows, H]),
    );
    return [dx, dgamma, dbeta];
  },
  [NATIVE_KERNEL.softmaxGrad]: (addon, be, { y, dy }) => {
    const cols = y.shape[y.shape.length - 1];
    const dx = be.makeOutput(y.shape, "float32");
    addon.softmaxBackward(heap(be), new Float64Array([at(be, y), at(be, dy), at(be, dx), sizeOf(y.shape) / cols, cols]));
    return dx;
  },
  [NATIVE_KERNEL.softmaxCrossEntropy]: (addon, be, { logits, labels }) => {
    const [M, C] = logits.shape;
    const loss = be.makeOutput([], "float32");
    const grad = be.makeOutput([M, C], "float32");
    addon.softmaxCrossEntropy(heap(be), new Float64Array([at(be, logits), at(be, labels), at(be, loss), at(be, grad), M, C]));
    return [loss, grad];
  },
  [NATIVE_KERNEL.adamw]: (addon, be, { p, m, v, g }, a) => {
    const pOut = be.makeOutput(p.shape, "float32");
    const mOut = be.makeOutput(p.shape, "float32");
    const vOut = be.makeOutput(p.shape, "float32");
    const n = (x: unknown) => x as number;
    addon.adamw(
      heap(be),
      new Float64Array([
        at(be, p), at(be, m), at(be, v), at(be, g), at(be, pOut), at(be, mOut), at(be, vOut), sizeOf(p.shape),
        n(a.lr), n(a.beta1), n(a.beta2), n(a.epsilon), n(a.weightDecay), n(a.gradScale ?? 1), n(a.stepSize ?? 0), a.biasCorrection ? 1 : 0,
      ]),
    );
    return [pOut, mOut, vOut];
  },
};

function mark(f: tf.KernelFunc): tf.KernelFunc {
  const tagged = f as unknown as Record<symbol, unknown>;
  tagged[NATIVE_MARK] = true;
  tagged[FIX_MARK] = true; // still one of ours for wasmFixesRegistered()
  return f;
}

function isNative(name: string): boolean {
  const k = tf.getKernel(name, "wasm");
  return Boolean(k && (k.kernelFunc as unknown as Record<symbol, unknown>)[NATIVE_MARK]);
}

/**
 * Registers the native kernels for wasm (after registerWasmFixes, whose kernels they fall back
 * to). Idempotent. Registers nothing when the addon cannot load; returns the names registered
 * now or before.
 */
export function registerNativeKernels(): string[] {
  if (!activeNative()) return [];
  for (const name of TAKEN_OVER) {
    if (isNative(name)) continue;
    const prev = tf.getKernel(name, "wasm");
    if (!prev) throw new Error(`wasm kernel ${name} is not registered`);
    const wrap = { [tf.BatchMatMul]: nativeBatchMatMul, [tf._FusedMatMul]: nativeFusedMatMul, [tf.Sum]: nativeSum, [tf.GatherV2]: nativeGather }[name];
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({ ...prev, kernelFunc: mark(wrap(prev.kernelFunc)) });
  }
  for (const [name, impl] of Object.entries(OWN)) {
    if (isNative(name)) continue;
    const kernelFunc = (args: KernelArgs) => {
      const addon = activeNative();
      if (!addon) throw new Error(`${name}: the native kernels are switched off; call the op in src/kernels, which falls back`);
      return impl(addon, wasmBackendOf(args), args.inputs as Record<string, tf.TensorInfo>, args.attrs as Record<string, unknown>);
    };
    tf.registerKernel({ kernelName: name, backendName: "wasm", kernelFunc: mark(kernelFunc as tf.KernelFunc) });
  }
  return [...TAKEN_OVER, ...Object.keys(OWN)];
}
