/**
 * Faster, correct matrix products on the tfjs wasm backend (4.22).
 *
 * The wasm `BatchMatMul`/`_FusedMatMul` kernels take XNNPACK's fast path only for one
 * matrix times one matrix without transpose flags. Everything else — a transpose flag (every
 * matMul gradient has one), or a batch of more than one (every per-head attention product) —
 * falls to a plain blocked C++ loop at ~1–3 GFLOP/s instead of ~15–30. That loop also adds a
 * `_FusedMatMul` bias wrongly: once per 48-wide block of the shared dimension, indexed by the
 * flat output position instead of the column, so a fused matMul with a bias is wrong whenever
 * it has a transpose flag or a batch (errors of order 1; activations alone are right).
 *
 * The fix rewrites each such call into fast-path calls of the original kernel:
 *   1. a transpose flag → materialise the transposed operand with the wasm Transpose kernel;
 *   2. B shared by every batch item (batch 1) → fold A's batch into its rows: one call;
 *   3. a batch of B matrices → one call per item on copies of the item's matrices;
 *   4. a fused bias/activation outside the fast path → matmul, then the Add and activation
 *      kernels separately.
 * Tiny products (under SMALL_WORK multiply-adds per item) stay on the C++ loop, which is right
 * for BatchMatMul and cheaper than our copies at that size. Intermediates never become engine
 * tensors; each is freed with the backend's disposeData before the kernel returns.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { freeAll, KernelArgs, markOurs, runWasmKernel, sizeOf, transposeLastTwo, wasmBackendOf, withShape } from "./wasm-kernel-utils";

/** Below this many multiply-adds per batch item the original kernel is left alone. */
export const SMALL_WORK = 16 * 1024;

const NO_TRANSPOSE = { transposeA: false, transposeB: false };

/** Shapes of a (possibly batched, possibly transposed) product a·b. */
export interface Geometry {
  M: number;
  K: number;
  N: number;
  batchA: number;
  batchB: number;
  outBatch: number;
  outShape: number[];
}

export function geometry(a: tf.TensorInfo, b: tf.TensorInfo, ta: boolean, tb: boolean): Geometry {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const Kb = tb ? b.shape[rb - 1] : b.shape[rb - 2];
  const N = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  if (K !== Kb) {
    throw new Error(`Error in matMul: inner shapes (${K}) and (${Kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${ta} and transposeB=${tb} must match.`);
  }
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outOuter = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  return { M, K, N, batchA: sizeOf(outerA), batchB: sizeOf(outerB), outBatch: sizeOf(outOuter), outShape: [...outOuter, M, N] };
}

/**
 * a·b (with the given transpose flags) through the original kernel's fast path where it can.
 * Returns a new output the caller owns, shaped like the original kernel's.
 */
export function fastBatchMatMul(
  backend: BackendWasm,
  original: tf.KernelFunc,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  ta: boolean,
  tb: boolean,
): tf.TensorInfo {
  const call = (x: tf.TensorInfo, y: tf.TensorInfo, attrs: tf.NamedAttrMap) =>
    original({ inputs: { a: x, b: y }, backend, attrs }) as tf.TensorInfo;
  if (a.dtype !== "float32" || b.dtype !== "float32") return call(a, b, { transposeA: ta, transposeB: tb });
  const g = geometry(a, b, ta, tb);
  const plain = !ta && !tb && g.outBatch === 1;
  if (plain || g.M * g.K * g.N < SMALL_WORK || sizeOf(g.outShape) === 0) {
    return call(a, b, { transposeA: ta, transposeB: tb });
  }
  const temps: tf.TensorInfo[] = [];
  try {
    const A = ta ? transposeLastTwo(backend, a) : a; // [..., M, K]
    if (ta) temps.push(A);
    const B = tb ? transposeLastTwo(backend, b) : b; // [..., K, N]
    if (tb) temps.push(B);
    let out: tf.TensorInfo;
    if (g.batchB === 1) {
      // one B for every item: stack A's items as rows, one fast call [batchA·M, K]·[K, N]
      out = call(withShape(A, [g.batchA * g.M, g.K]), withShape(B, [g.K, g.N]), NO_TRANSPOSE);
    } else if ((g.batchA === g.outBatch || g.batchA === 1) && g.batchB === g.outBatch) {
      out = perItem(backend, original, A, B, g);
    } else {
      out = call(A, B, NO_TRANSPOSE); // two-sided broadcast ([2,1]×[1,3]): right, but the slow loop
    }
    out.shape = g.outShape;
    return out;
  } finally {
    freeAll(backend, temps);
  }
}

/** One fast-path call per batch item, on copies of the item's matrices (heap memcpy). */
function perItem(backend: BackendWasm, original: tf.KernelFunc, A: tf.TensorInfo, B: tf.TensorInfo, g: Geometry): tf.TensorInfo {
  const { M, K, N } = g;
  const out = backend.makeOutput([g.outBatch, M, N], "float32");
  // A is never cached by the C++ side, so one buffer serves every item
  const aItem = g.batchA === 1 ? withShape(A, [M, K]) : backend.makeOutput([M, K], "float32");
  try {
    for (let i = 0; i < g.outBatch; i++) {
      // a fresh B per item: XNNPACK caches the packed weights under B's tensor id
      const bItem = backend.makeOutput([K, N], "float32");
      try {
        if (g.batchA > 1) backend.typedArrayFromHeap(aItem).set(backend.typedArrayFromHeap(A).subarray(i * M * K, (i + 1) * M * K));
        backend.typedArrayFromHeap(bItem).set(backend.typedArrayFromHeap(B).subarray(i * K * N, (i + 1) * K * N));
        const r = original({ inputs: { a: aItem, b: bItem }, backend, attrs: NO_TRANSPOSE }) as tf.TensorInfo;
        backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(r), i * M * N);
        backend.disposeData(r.dataId);
      } finally {
        backend.disposeData(bItem.dataId);
      }
    }
  } catch (e) {
    backend.disposeData(out.dataId);
    throw e;
  } finally {
    if (g.batchA > 1) backend.disposeData(aItem.dataId);
  }
  return out;
}

/** The activation kernels `_FusedMatMul` can fuse, applied on their own. */
export function applyActivation(
  backend: BackendWasm,
  x: tf.TensorInfo,
  activation: string,
  preluWeights: tf.TensorInfo | undefined,
  leakyreluAlpha: number | undefined,
): tf.TensorInfo {
  switch (activation) {
    case "linear":
      return x;
    case "relu":
      return runWasmKernel("Relu", backend, { x });
    case "relu6":
      return runWasmKernel("Relu6", backend, { x });
    case "elu":
      return runWasmKernel("Elu", backend, { x });
    case "sigmoid":
      return runWasmKernel("Sigmoid", backend, { x });
    case "leakyrelu":
      return runWasmKernel("LeakyRelu", backend, { x }, { alpha: leakyreluAlpha ?? 0.2 });
    case "prelu":
      if (!preluWeights) throw new Error("_FusedMatMul: prelu activation without preluActivationWeights");
      return runWasmKernel("Prelu", backend, { x, alpha: preluWeights });
    default:
      throw new Error(`${activation} activation not yet supported for _FusedMatMul in the wasm backend.`);
  }
}

/**
 * A product's output y (which the caller hands over) with a bias added by the Add kernel and
 * the activation applied: the rest of a `_FusedMatMul` done outside the product. Frees every
 * intermediate, and y on an error.
 */
export function addBiasAndActivate(
  backend: BackendWasm,
  y: tf.TensorInfo,
  bias: tf.TensorInfo | null,
  activation: string,
  preluWeights: tf.TensorInfo | undefined,
  leakyreluAlpha: number | undefined,
): tf.TensorInfo {
  try {
    if (bias) {
      const withBias = runWasmKernel("Add", backend, { a: y, b: bias });
      backend.disposeData(y.dataId);
      y = withBias;
    }
    const activated = applyActivation(backend, y, activation, preluWeights, leakyreluAlpha);
    if (activated !== y) backend.disposeData(y.dataId);
    return activated;
  } catch (e) {
    backend.disposeData(y.dataId);
    throw e;
  }
}

/** The replacement `BatchMatMul` kernel function around the original one. */
export function makeBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return markOurs(((args: KernelArgs) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    return fastBatchMatMul(wasmBackendOf(args), original, a, b, Boolean(transposeA), Boolean(transposeB));
  }) as tf.KernelFunc, original);
}

/**
 * The replacement `_FusedMatMul`: the original only where it is right (no transpose, one
 * matrix each side, i.e. XNNPACK with its own bias); otherwise matmul + Add + activation.
 */
export function makeFusedMatMul(originalFused: tf.KernelFunc, originalBatchMatMul: tf.KernelFunc): tf.KernelFunc {
  return markOurs(((args: KernelArgs) => {
    const backend = wasmBackendOf(args);
    const { a, b, bias, preluActivationWeights } = args.inputs as unknown as tf._FusedMatMulInputs;
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as unknown as tf._FusedMatMulAttrs;
    const onFastPath = !transposeA && !transposeB && sizeOf(a.shape.slice(0, -2)) === 1 && sizeOf(b.shape.slice(0, -2)) === 1;
    if (onFastPath || a.dtype !== "float32" || b.dtype !== "float32") return originalFused(args);
    const y = fastBatchMatMul(backend, originalBatchMatMul, a, b, Boolean(transposeA), Boolean(transposeB));
    return addBiasAndActivate(backend, y, bias ?? null, activation ?? "linear", preluActivationWeights, leakyreluAlpha);
  }) as tf.KernelFunc, originalFused);
}
