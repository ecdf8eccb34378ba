/**
 * Gradients (or any tensors) by parameter name, as a plain object or a Map: both are what
 * a notebook has at hand (`tf.variableGrads` gives an object, a ParamStore a Map).
 *
 * @example
 *   namedEntries({ "dense.weight": tf.scalar(1) }).map(([name]) => name)
 *   // → ["dense.weight"]
 */
import * as tf from "@tensorflow/tfjs-core";

export type NamedTensors = Record<string, tf.Tensor> | Map<string, tf.Tensor>;

/** [name, tensor] pairs in insertion order; the tensors are the caller's, not copies. */
export function namedEntries(tensors: NamedTensors): [string, tf.Tensor][] {
  return tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
}
