/**
 * One optimizer step: gradients of a loss (averaged over micro-batches when the batch is
 * split to fit memory), global-norm clipping, the optimizer update. Knows nothing of BERT.
 *
 * @example
 *   const r = trainingStep({ params: model.store.vars, losses: () => model.loss(batch), optimizer, lr: 1e-4 });
 *   console.log(r.loss, r.gradNorm); // prints: 10.43… 3.07…
 */
import * as tf from "@tensorflow/tfjs-core";
// registers the gradients tfjs-core's CommonJS build lacks (see src/model/params.ts)
require("@tensorflow/tfjs");
import { BertLabError } from "../util/errors";
import { BertAdamW } from "./adamw";
import { clipScale } from "./clip";

export interface TrainingStepOptions {
  /** trainable parameters by name */
  params: Map<string, tf.Variable>;
  /** the loss, or one loss per micro-batch (their gradients are averaged: gradient accumulation) */
  losses: (() => tf.Scalar) | (() => tf.Scalar)[];
  optimizer: BertAdamW;
  lr: number;
  /** clip the global gradient norm to this (BERT: 1.0); null turns clipping off */
  clipNorm?: number | null;
  /** true: when the loss or the gradient norm is NaN or infinite, change nothing (applied: false) */
  skipNonFinite?: boolean;
}

export interface TrainingStepResult {
  /** mean loss over the micro-batches, before the update */
  loss: number;
  /** global gradient norm before clipping */
  gradNorm: number;
  /** whether the parameters were updated (false only with skipNonFinite) */
  applied: boolean;
}

/**
 * The wasm heap stops at 4 GiB; when a step needs more, the wasm module aborts with
 * "Aborted()" and cannot be used again in this process. Said plainly, with what to do.
 */
function heapFull(e: unknown, microBatches: number): unknown {
  const message = String((e as Error)?.message ?? e);
  if (tf.getBackend() !== "wasm" || !/Aborted\(|out of memory|Cannot enlarge memory|memory access out of bounds/i.test(message)) return e;
  return new BertLabError(
    "WASM_HEAP_FULL",
    `this training step needs more than the wasm backend's 4 GiB heap (${microBatches} micro-batch${microBatches === 1 ? "" : "es"} per step; tfjs said: ${message.split("\n")[0]}). ` +
      "Use a smaller batch or more micro-batches (gradient accumulation: --micro-batches / microBatches), or a shorter sequence length; " +
      "`bert-lab bench train --config PRESET --batch-size B` tries a size quickly. The wasm module cannot be used again in this process: restart it (in a notebook, restart the kernel).",
  );
}

export function trainingStep(options: TrainingStepOptions): TrainingStepResult {
  try {
    return step(options);
  } catch (e) {
    throw heapFull(e, Array.isArray(options.losses) ? options.losses.length : 1);
  }
}

function step(options: TrainingStepOptions): TrainingStepResult {
  const losses = Array.isArray(options.losses) ? options.losses : [options.losses];
  const names = [...options.params.keys()];
  const vars = names.map((n) => options.params.get(n)!);
  const byVarName = new Map(names.map((n, i) => [vars[i].name, n]));
  let sum: Map<string, tf.Tensor> | null = null;
  let lossSum = 0;
  for (const f of losses) {
    const { value, grads } = tf.variableGrads(f, vars);
    lossSum += value.dataSync()[0];
    value.dispose();
    if (sum === null) {
      sum = new Map(Object.entries(grads).map(([k, g]) => [byVarName.get(k)!, g]));
    } else {
      for (const [k, g] of Object.entries(grads)) {
        const name = byVarName.get(k)!;
        const prev = sum.get(name);
        sum.set(name, prev ? tf.add(prev, g) : g.clone());
        prev?.dispose();
        g.dispose();
      }
    }
  }
  const grads = sum!;
  if (losses.length > 1) {
    for (const [k, g] of grads) {
      grads.set(k, tf.div(g, losses.length));
      g.dispose();
    }
  }
  const clipNorm = options.clipNorm === undefined ? 1.0 : options.clipNorm;
  let gradNorm: number;
  let gradScale = 1;
  if (clipNorm !== null) {
    // the optimizer scales each gradient as it reads it (what clipByGlobalNorm would multiply
    // by): never a clipped copy of every gradient at once
    ({ scale: gradScale, globalNorm: gradNorm } = clipScale(grads, clipNorm));
  } else {
    gradNorm = tf.tidy(() => Math.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))).dataSync()[0]));
  }
  const loss = lossSum / losses.length;
  const finite = Number.isFinite(loss) && Number.isFinite(gradNorm);
  if (finite || !options.skipNonFinite) options.optimizer.applyGradients(options.params, grads, options.lr, gradScale);
  tf.dispose([...grads.values()]);
  return { loss, gradNorm, applied: finite || !options.skipNonFinite };
}
