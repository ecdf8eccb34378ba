/**
 * The model's parameters by their HF names ("bert.encoder.layer.0.attention.self.query.weight").
 *
 * Dense kernels are kept [in, out] here so x·W needs no transpose (transposed products are
 * slow on the wasm backend); HF checkpoints store Linear weights [out, in]. The names in
 * `linear` are the ones transposed when weights are loaded or saved.
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's CommonJS build registers no gradients, and its register_all_gradients is
// ES-module-only with extensionless imports (Node cannot load it): the @tensorflow/tfjs
// bundle is the one CommonJS build that registers them, into the same global registry.
// (a require, not an import, so the published .d.ts does not pull in tfjs-layers' types)
require("@tensorflow/tfjs");
import { Rng } from "../util/rng";

export class ParamStore {
  readonly vars = new Map<string, tf.Variable>();
  /** dense kernels: stored [in, out] here, [out, in] in HF files */
  readonly linear = new Set<string>();
  /** where initial values come from (truncated normal, σ = initializerRange) */
  readonly rng: Rng;

  constructor(seed = 0) {
    this.rng = new Rng(seed);
  }

  /** Creates a trainable variable with the given values. */
  add(name: string, shape: number[], values: Float32Array, options: { linear?: boolean } = {}): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter ${name} created twice`);
    const initial = tf.tensor(values, shape, "float32");
    const v = tf.variable(initial, true, name + "_" + uniqueSuffix());
    initial.dispose(); // the variable holds its own reference to the data
    this.vars.set(name, v);
    if (options.linear) this.linear.add(name);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    return v;
  }

  /** Truncated normal values (BERT: σ = initializer_range, redrawn beyond 2σ). */
  truncatedNormal(size: number, std: number): Float32Array {
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      let x: number;
      do x = this.rng.normal();
      while (x < -2 || x > 2);
      out[i] = x * std;
    }
    return out;
  }

  /** Number of scalars. */
  count(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

// tfjs variable names are global: keep two models' parameters apart
let counter = 0;
function uniqueSuffix(): string {
  return (counter++).toString(36);
}

export const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
export const zeros = (n: number): Float32Array => new Float32Array(n);

/** tf.tidy for a function returning a named object of tensors (kept; everything else freed). */
export function tidyObject<T extends object>(fn: () => T): T {
  return tf.tidy(() => fn() as unknown as tf.TensorContainer) as unknown as T;
}
