/**
 * The few pieces of the tfjs wasm backend our kernel fixes use: making outputs on the wasm
 * heap, viewing them as typed arrays, running another registered wasm kernel, and freeing
 * intermediates that never become engine tensors.
 *
 * Heap rule: every allocation (makeOutput, or a kernel that makes one) may grow the wasm
 * memory, which detaches every typed-array view taken before it. Take views after the last
 * allocation and never keep them across one.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";

/** A kernel's arguments as the engine passes them. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** The wasm backend behind a kernel call (the engine types it as `{}`). */
export function wasmBackendOf(args: KernelArgs): BackendWasm {
  return args.backend as BackendWasm;
}

/** Runs a registered wasm kernel directly; its output is an intermediate we must free. */
export function runWasmKernel(
  name: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const kernel = tf.getKernel(name, "wasm");
  if (!kernel) throw new Error(`wasm kernel fix: kernel '${name}' is not registered for wasm`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel fix: kernel '${name}' returned several outputs`);
  return out;
}

/** Frees intermediates made inside a kernel (they are not engine tensors, so no tidy sees them). */
export function freeAll(backend: BackendWasm, infos: (tf.TensorInfo | null | undefined)[]): void {
  for (const t of infos) if (t) backend.disposeData(t.dataId);
}

/** The same data under another shape: no copy, no new data id (the caller owns nothing new). */
export function withShape(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Swaps the last two axes into a new intermediate: [..., R, C] → [..., C, R]. */
export function transposeLastTwo(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return runWasmKernel("Transpose", backend, { x }, { perm });
}

/** Product of dimensions (1 for a scalar shape). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Marks a kernel function as ours, so registering twice can be detected across module copies. */
export const FIX_MARK = Symbol.for("bert-lab.wasm-kernel-fix");

/** True when the wasm kernel `name` is registered and is one of ours. */
export function isOurKernel(name: string): boolean {
  const k = tf.getKernel(name, "wasm");
  return Boolean(k && (k.kernelFunc as unknown as Record<symbol, unknown>)[FIX_MARK]);
}

/** Where a wrapper keeps the tfjs kernel function it wraps. */
export const ORIGINAL = Symbol.for("bert-lab.wasm-kernel-original");

/** Tags a kernel function as ours (see FIX_MARK), remembering the tfjs one it wraps. */
export function markOurs<F extends tf.KernelFunc>(f: F, original?: tf.KernelFunc): F {
  const tagged = f as unknown as Record<symbol, unknown>;
  tagged[FIX_MARK] = true;
  if (original) tagged[ORIGINAL] = original;
  return f;
}

/** The tfjs kernel function inside one of our wrappers (or the function itself). */
export function originalOf(f: tf.KernelFunc): tf.KernelFunc {
  return ((f as unknown as Record<symbol, unknown>)[ORIGINAL] as tf.KernelFunc | undefined) ?? f;
}
