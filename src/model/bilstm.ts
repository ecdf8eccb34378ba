/**
 * A bidirectional LSTM layer on a ParamStore: the feature-based tagger's encoder (paper §5.3)
 * and the "+ BiLSTM" head of Table 5 (a randomly initialised BiLSTM between a left-to-right
 * model and its classifier). Gates i, f, g, o as PyTorch's nn.LSTM; kernels [in, out] so x·W
 * needs no transpose. Parameters `NAME.{forward,backward}.{weight_ih,weight_hh,bias}`.
 * Legend: B batch, T steps, I input size, h units per direction.
 *
 * @example
 *   addBiLstm(store, "bilstm", 128, 64);
 *   const { outputs, summary } = biLstm(store, "bilstm", x, mask); // [B, T, 128], [B, 128]
 */
import * as tf from "@tensorflow/tfjs-core";
import type { ParamStore } from "./params";

/** Glorot & Bengio (2010) uniform: ±√(6 / (in + out)). */
export function glorot(rng: ParamStore["rng"], inSize: number, outSize: number, count: number): Float32Array {
  const limit = Math.sqrt(6 / (inSize + outSize));
  return Float32Array.from({ length: count }, () => (2 * rng.random() - 1) * limit);
}

/** An [n, n] orthogonal matrix (Saxe et al. 2014): Gram–Schmidt on Gaussian columns. */
function orthogonal(rng: ParamStore["rng"], n: number): Float64Array {
  const q = new Float64Array(n * n); // column j at q[r·n + j]
  for (let j = 0; j < n; j++) {
    for (;;) {
      const v = Float64Array.from({ length: n }, () => rng.normal());
      for (let i = 0; i < j; i++) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += q[r * n + i] * v[r];
        for (let r = 0; r < n; r++) v[r] -= dot * q[r * n + i];
      }
      const norm = Math.hypot(...v);
      if (norm < 1e-6) continue; // (almost) dependent: draw again
      for (let r = 0; r < n; r++) q[r * n + j] = v[r] / norm;
      break;
    }
  }
  return q;
}

/** Adds both directions' parameters: Glorot input kernels and orthogonal recurrent ones, per gate (as Keras), forget-gate bias 1. */
export function addBiLstm(store: ParamStore, name: string, inSize: number, h: number): void {
  const rng = store.rng;
  for (const dir of ["forward", "backward"]) {
    const wih = new Float32Array(inSize * 4 * h);
    const whh = new Float32Array(h * 4 * h);
    for (let g = 0; g < 4; g++) {
      const a = glorot(rng, inSize, h, inSize * h);
      for (let r = 0; r < inSize; r++) for (let c = 0; c < h; c++) wih[r * 4 * h + g * h + c] = a[r * h + c];
      const q = orthogonal(rng, h);
      for (let r = 0; r < h; r++) for (let c = 0; c < h; c++) whh[r * 4 * h + g * h + c] = q[r * h + c];
    }
    const bias = new Float32Array(4 * h).fill(1, h, 2 * h); // forget gate 1 (Jozefowicz et al. 2015)
    store.add(`${name}.${dir}.weight_ih`, [inSize, 4 * h], wih);
    store.add(`${name}.${dir}.weight_hh`, [h, 4 * h], whh);
    store.add(`${name}.${dir}.bias`, [4 * h], bias);
  }
}

export interface BiLstmOutput {
  /** [B, T, 2h]: forward and backward outputs side by side; a masked step outputs zeros */
  outputs: tf.Tensor3D;
  /** [B, 2h]: the forward state after the last unmasked step and the backward state after the first — each direction's reading of the whole sequence */
  summary: tf.Tensor2D;
}

/** Runs both directions over x [B, T, I]; steps with mask 0 are skipped (the state carries over). */
export function biLstm(store: ParamStore, name: string, x: tf.Tensor3D, mask: tf.Tensor2D): BiLstmOutput {
  return tf.tidy(() => {
    const [B, T] = mask.shape;
    const m = tf.reshape(tf.cast(mask, "float32"), [B, T, 1]);
    const keep = tf.unstack(m, 1); // T of [B, 1]
    const hold = tf.unstack(tf.sub(1, m), 1);
    const fwd = direction(store, `${name}.forward`, x, keep, hold, false);
    const bwd = direction(store, `${name}.backward`, x, keep, hold, true);
    return { outputs: tf.concat([fwd.outputs, bwd.outputs], 2) as tf.Tensor3D, summary: tf.concat([fwd.last, bwd.last], 1) as tf.Tensor2D };
  });
}

/** One direction: x [B, T, I] → outputs [B, T, h] and the state after its final step [B, h]. */
function direction(store: ParamStore, name: string, x: tf.Tensor3D, keep: tf.Tensor[], hold: tf.Tensor[], reverse: boolean): { outputs: tf.Tensor3D; last: tf.Tensor2D } {
  const [B, T, I] = x.shape;
  const whh = store.get(`${name}.weight_hh`); // [h, 4h]
  const h = whh.shape[0];
  // the input's share of every gate, for all steps in one product
  const fromInput = tf.reshape(tf.add(tf.matMul(tf.reshape(x, [B * T, I]), store.get(`${name}.weight_ih`)), store.get(`${name}.bias`)), [B, T, 4 * h]);
  const steps = tf.unstack(fromInput, 1); // T of [B, 4h]
  let hPrev: tf.Tensor = tf.zeros([B, h]);
  let cPrev: tf.Tensor = tf.zeros([B, h]);
  const outputs: tf.Tensor[] = new Array(T);
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    const [i, f, g, o] = tf.split(tf.add(steps[t], tf.matMul(hPrev, whh)), 4, 1); // each [B, h]: the gates from one product
    const c = tf.add(tf.mul(tf.sigmoid(f), cPrev), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    const hNew = tf.mul(tf.sigmoid(o), tf.tanh(c));
    // a masked step keeps the state as it was: m·new + (1−m)·old is exact for m ∈ {0, 1}
    cPrev = tf.add(tf.mul(keep[t], c), tf.mul(hold[t], cPrev));
    hPrev = tf.add(tf.mul(keep[t], hNew), tf.mul(hold[t], hPrev));
    outputs[t] = tf.mul(keep[t], hNew);
  }
  return { outputs: tf.stack(outputs, 1) as tf.Tensor3D, last: hPrev as tf.Tensor2D };
}
