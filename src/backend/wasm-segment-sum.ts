/**
 * `UnsortedSegmentSum` for the wasm backend, which tfjs-backend-wasm 4.22 does not register.
 * It is the gradient of `gather` (every embedding lookup), so without it no BERT can train on
 * wasm: "Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'".
 *
 * out[s, …] = Σ_{i : ids[i] = s} x[i, …]; ids outside 0..numSegments−1 are dropped, as in
 * TensorFlow. Plain JS over views of the wasm heap: one pass over x, no temporaries.
 */
import * as tf from "@tensorflow/tfjs-core";
import { KernelArgs, markOurs, sizeOf, wasmBackendOf } from "./wasm-kernel-utils";

function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const backend = wasmBackendOf(args);
  const x = args.inputs.x as tf.TensorInfo;
  const segmentIds = args.inputs.segmentIds as tf.TensorInfo;
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (x.dtype !== "float32" && x.dtype !== "int32") {
    throw new Error(`UnsortedSegmentSum on wasm supports float32 and int32, got ${x.dtype}`);
  }
  const rows = x.shape[0] ?? 1;
  const inner = rows === 0 ? 0 : sizeOf(x.shape) / rows;
  if (sizeOf(segmentIds.shape) !== rows) {
    throw new Error(`UnsortedSegmentSum: ${sizeOf(segmentIds.shape)} segment ids for ${rows} rows of x (shape ${x.shape})`);
  }
  const out = backend.makeOutput([numSegments, ...x.shape.slice(1)], x.dtype);
  // views only after the allocation above (it may have grown the heap)
  const outVals = backend.typedArrayFromHeap(out);
  const xVals = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  outVals.fill(0); // malloc'd memory is not zeroed
  for (let i = 0; i < rows; i++) {
    const s = ids[i];
    if (!(s >= 0 && s < numSegments)) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) outVals[dst + j] += xVals[src + j];
  }
  return out;
}

/** The kernel config, for registerWasmFixes(). */
export const wasmUnsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: "wasm",
  kernelFunc: markOurs(unsortedSegmentSum as unknown as tf.KernelFunc),
};
