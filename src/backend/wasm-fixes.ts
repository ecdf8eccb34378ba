/**
 * The kernel fixes that make tfjs-backend-wasm 4.22 train BERT (../shared/DESIGN.md §5):
 *
 * - `UnsortedSegmentSum` (the gradient of gather, i.e. of every embedding lookup) is missing
 *   on wasm: registered from ./wasm-segment-sum. It was the only kernel a BERT training step
 *   (gather, matMul with transposes, batched matMul, softmax, erf GELU, LayerNorm from
 *   moments, tanh, dropout, logSoftmax, sum/mean and their gradients) found missing.
 * - `BatchMatMul` with a transpose flag or a batch ran at 1–3 GFLOP/s: re-registered around
 *   the original kernel so such calls take XNNPACK's fast path (./wasm-matmul).
 * - `_FusedMatMul` adds its bias wrongly when it has a transpose flag or a batch: re-registered
 *   the same way, with bias and activation applied separately there.
 * - `Identity` copies the whole tensor, and the engine runs it on every tensor a gradient
 *   saves for the backward pass (189 copies per BERT-tiny step): re-registered to share the
 *   data with a reference count, as the cpu backend does (tensors are immutable).
 *
 * @example
 *   registerWasmFixes() // → { registered: ["UnsortedSegmentSum", "BatchMatMul", "_FusedMatMul", "Identity"], alreadyRegistered: [] }
 *   registerWasmFixes() // → { registered: [], alreadyRegistered: ["UnsortedSegmentSum", "BatchMatMul", "_FusedMatMul", "Identity"] }
 */
import * as tf from "@tensorflow/tfjs-core";
// loading it registers the wasm backend and its kernels, which we wrap below (a named use, not
// a bare `import "…"`, keeps the package's Emscripten types out of our published .d.ts)
import * as tfwasm from "@tensorflow/tfjs-backend-wasm";
import { isOurKernel, KernelArgs, markOurs, originalOf, wasmBackendOf } from "./wasm-kernel-utils";
import { makeBatchMatMul, makeFusedMatMul } from "./wasm-matmul";
import { wasmUnsortedSegmentSumConfig } from "./wasm-segment-sum";

/** What registerWasmFixes() did. */
export interface WasmFixesResult {
  /** kernels this call registered */
  registered: string[];
  /** kernels an earlier call (or another copy of this module) had registered */
  alreadyRegistered: string[];
  /** kernels left alone because something else registered them (e.g. a newer tfjs-backend-wasm) */
  providedByTfjs: string[];
}

/** Swaps a registered wasm kernel for a wrapper around it, keeping its setup and dispose. */
function wrapKernel(name: string, wrap: (original: tf.KernelFunc) => tf.KernelFunc): void {
  const original = tf.getKernel(name, "wasm");
  if (!original) throw new Error(`wasm kernel ${name} is not registered by @tensorflow/tfjs-backend-wasm ${tfwasm.version_wasm}`);
  tf.unregisterKernel(name, "wasm");
  tf.registerKernel({ ...original, kernelFunc: wrap(original.kernelFunc) });
}

/**
 * Registers the wasm kernel fixes. Idempotent: a second call (or a call from another copy of
 * this module) finds them registered and changes nothing. Works before or after the wasm
 * backend is initialised.
 */
export function registerWasmFixes(): WasmFixesResult {
  const result: WasmFixesResult = { registered: [], alreadyRegistered: [], providedByTfjs: [] };
  const seg = wasmUnsortedSegmentSumConfig.kernelName;
  if (isOurKernel(seg)) result.alreadyRegistered.push(seg);
  else if (tf.getKernel(seg, "wasm")) result.providedByTfjs.push(seg);
  else {
    tf.registerKernel(wasmUnsortedSegmentSumConfig);
    result.registered.push(seg);
  }

  if (isOurKernel(tf.BatchMatMul)) result.alreadyRegistered.push(tf.BatchMatMul);
  else {
    wrapKernel(tf.BatchMatMul, makeBatchMatMul);
    result.registered.push(tf.BatchMatMul);
  }

  if (isOurKernel(tf._FusedMatMul)) result.alreadyRegistered.push(tf._FusedMatMul);
  else {
    // the fused fix multiplies with the original BatchMatMul, not with our wrapper around it
    const batch = tf.getKernel(tf.BatchMatMul, "wasm")!.kernelFunc;
    const originalBatch = originalOf(batch);
    wrapKernel(tf._FusedMatMul, (fused) => makeFusedMatMul(fused, originalBatch));
    result.registered.push(tf._FusedMatMul);
  }

  if (isOurKernel(tf.Identity)) result.alreadyRegistered.push(tf.Identity);
  else {
    wrapKernel(tf.Identity, (copy) =>
      markOurs(((args: KernelArgs) => {
        const { x } = args.inputs as { x: tf.TensorInfo };
        if (x.dtype === "string") return copy(args);
        wasmBackendOf(args).incRef(x.dataId);
        return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
      }) as tf.KernelFunc, copy),
    );
    result.registered.push(tf.Identity);
  }
  return result;
}

/** True when every wasm fix is registered in this process. */
export function wasmFixesRegistered(): boolean {
  return [wasmUnsortedSegmentSumConfig.kernelName, tf.BatchMatMul, tf._FusedMatMul, tf.Identity].every(isOurKernel);
}
