/**
 * BERT's optimizer: Adam with decoupled weight decay, as google-research/bert
 * optimization.py's AdamWeightDecayOptimizer, on any Map<string, tf.Variable> of parameters.
 *
 * @example
 *   const w = tf.variable(tf.tensor1d([1, 2]));
 *   const opt = new BertAdamW();
 *   opt.applyGradients(new Map([["dense.weight", w]]), { "dense.weight": tf.tensor1d([0.5, -0.5]) }, 0.1);
 *   console.log(w.dataSync()); // prints: Float32Array(2) [ 0.68279224…, 2.31420779… ]
 *
 * Per parameter p with gradient g, learning rate lr, weight decay rate wd (optimization.py):
 *   m ← β1·m + (1−β1)·g
 *   v ← β2·v + (1−β2)·g²
 *   update ← m / (√v + ε)
 *   update ← update + wd·p            (only where the name is not excluded from decay)
 *   p ← p − lr·update
 * Defaults as the original: wd 0.01, β1 0.9, β2 0.999, ε 1e-6, no bias correction, and no
 * decay for names containing "LayerNorm", "layer_norm" or "bias" (its re.search test).
 * Without bias correction the first step moves each coordinate by ≈ lr·(1−β1)/√(1−β2)
 * ≈ 3.16·lr (not lr as in Adam); BERT's warmup keeps that step small.
 *
 * `biasCorrection: true` gives HF transformers' AdamW(correct_bias=True) exactly:
 *   p ← p − lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε)     (ε added to the uncorrected √v)
 *   p ← p − lr·wd·p                                 (decay applied after, to the new p)
 * where t counts applyGradients calls (1 on the first; HF counts per parameter, which is
 * the same unless a parameter goes without a gradient on some step).
 *
 * Memory: m and v are tf.Variables made once per parameter on its first update; every other
 * tensor of a step lives inside tf.tidy, so tf.memory().numTensors stays flat across steps.
 * The optimizer owns its slots (free them with dispose()); params and grads stay the caller's.
 */
import * as tf from "@tensorflow/tfjs-core";
import { NATIVE_KERNEL, nativeOpsActive } from "../backend/native-kernels";
import { BertLabError } from "../util/errors";
import { NamedTensors, namedEntries } from "./named-tensors";

export interface BertAdamWOptions {
  /** decoupled weight decay rate; 0 turns decay off for every parameter (default 0.01) */
  weightDecay?: number;
  /** first-moment decay (default 0.9) */
  beta1?: number;
  /** second-moment decay (default 0.999) */
  beta2?: number;
  /** added to √v (default 1e-6, as BERT; HF and torch default to 1e-8) */
  epsilon?: number;
  /** true for names that get no weight decay (default: contains LayerNorm, layer_norm or bias) */
  excludeFromWeightDecay?: (name: string) => boolean;
  /** false: the original BERT update; true: HF transformers' AdamW with bias correction */
  biasCorrection?: boolean;
}

/** One parameter's moments, copied out of the optimizer. */
export interface AdamSlotState {
  m: Float32Array;
  v: Float32Array;
  shape: number[];
}

/** Everything needed to resume: plain numbers and typed arrays, no tensors. */
export interface BertAdamWState {
  /** applyGradients calls made so far */
  step: number;
  slots: Record<string, AdamSlotState>;
}

interface Slot {
  m: tf.Variable;
  v: tf.Variable;
}

/** as optimization.py: exclude_from_weight_decay=["LayerNorm", "layer_norm", "bias"] */
export const BERT_NO_DECAY = /LayerNorm|layer_norm|bias/;

export class BertAdamW {
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly biasCorrection: boolean;
  private readonly exclude: (name: string) => boolean;
  private readonly slots = new Map<string, Slot>();
  private stepCount = 0;

  constructor(opts: BertAdamWOptions = {}) {
    this.weightDecay = opts.weightDecay ?? 0.01;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-6;
    this.biasCorrection = opts.biasCorrection ?? false;
    this.exclude = opts.excludeFromWeightDecay ?? ((name) => BERT_NO_DECAY.test(name));
    checkOption("weightDecay", this.weightDecay, this.weightDecay >= 0, "a number ≥ 0");
    checkOption("beta1", this.beta1, this.beta1 >= 0 && this.beta1 < 1, "in [0, 1)");
    checkOption("beta2", this.beta2, this.beta2 >= 0 && this.beta2 < 1, "in [0, 1)");
    checkOption("epsilon", this.epsilon, this.epsilon >= 0, "a number ≥ 0");
  }

  /** applyGradients calls made so far (restored by setState). */
  get step(): number {
    return this.stepCount;
  }

  /** Whether the parameter called `name` gets weight decay (optimization.py's _do_use_weight_decay). */
  decays(name: string): boolean {
    return this.weightDecay !== 0 && !this.exclude(name);
  }

  /**
   * One update of every parameter that has a gradient, in place (Variable.assign). A parameter
   * without a gradient is left as it is, as the original skips None gradients. A gradient
   * whose name is not a parameter, or whose shape differs, throws before anything changes.
   * Disposes nothing the caller owns. `gradScale` multiplies every gradient first (global-norm
   * clipping's factor, applied as the gradient is read: see clipScale).
   */
  applyGradients(params: Map<string, tf.Variable>, grads: NamedTensors, lr: number, gradScale = 1): { step: number } {
    if (!Number.isFinite(lr) || lr < 0) {
      throw new BertLabError("BAD_LR", `learning rate must be a finite number ≥ 0, got ${lr}: check the schedule`);
    }
    const work: [string, tf.Variable, tf.Tensor][] = [];
    for (const [name, grad] of namedEntries(grads)) {
      const param = params.get(name);
      if (!param) {
        throw new BertLabError("UNKNOWN_PARAM", `gradient for ${name} has no parameter of that name: pass the same names in params and grads`);
      }
      if (param.dtype !== "float32") {
        throw new BertLabError("PARAM_DTYPE", `parameter ${name} is ${param.dtype}: BertAdamW updates float32 parameters only`);
      }
      if (!sameShape(grad.shape, param.shape)) {
        throw new BertLabError("GRAD_SHAPE", `gradient for ${name} has shape [${grad.shape}], the parameter [${param.shape}]`);
      }
      const slot = this.slots.get(name);
      if (slot && !sameShape(slot.m.shape, param.shape)) {
        throw new BertLabError("SLOT_SHAPE", `optimizer state for ${name} has shape [${slot.m.shape}], the parameter [${param.shape}]: the state belongs to another model`);
      }
      work.push([name, param, grad]);
    }

    this.stepCount += 1;
    const t = this.stepCount;
    const native = nativeOpsActive();
    for (const [name, param, grad] of work) {
      const { m, v } = this.slotFor(name, param.shape);
      const decay = this.decays(name);
      if (native && grad.dtype === "float32") {
        // one native pass per parameter (native/src/adamw.cc: the same two rules as below)
        tf.tidy(() => {
          const attrs = {
            lr,
            beta1: this.beta1,
            beta2: this.beta2,
            epsilon: this.epsilon,
            weightDecay: decay ? this.weightDecay : 0,
            stepSize: this.biasCorrection ? (lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t) : 0,
            biasCorrection: this.biasCorrection,
            gradScale,
          };
          const [p2, m2, v2] = tf.engine().runKernel(NATIVE_KERNEL.adamw, { p: param, m, v, g: grad }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
          m.assign(m2);
          v.assign(v2);
          param.assign(p2);
        });
        continue;
      }
      tf.tidy(() => {
        const g32 = grad.dtype === "float32" ? grad : tf.cast(grad, "float32");
        const g = gradScale === 1 ? g32 : tf.mul(g32, gradScale);
        const nextM = tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1));
        const nextV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        const ratio = tf.div(nextM, tf.add(tf.sqrt(nextV), this.epsilon)); // m / (√v + ε)
        let next: tf.Tensor;
        if (!this.biasCorrection) {
          // optimization.py: decay joins the update before the learning rate scales it
          const update = decay ? tf.add(ratio, tf.mul(param, this.weightDecay)) : ratio;
          next = tf.sub(param, tf.mul(update, lr));
        } else {
          // HF AdamW(correct_bias=True): bias-corrected step size, then decay on the new p
          const stepSize = (lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
          next = tf.sub(param, tf.mul(ratio, stepSize));
          if (decay) next = tf.sub(next, tf.mul(next, lr * this.weightDecay));
        }
        m.assign(nextM);
        v.assign(nextV);
        param.assign(next);
      });
    }
    return { step: t };
  }

  /** A copy of the optimizer's state for a checkpoint (no tensors; the arrays are fresh). */
  getState(): BertAdamWState {
    const slots: Record<string, AdamSlotState> = {};
    for (const [name, { m, v }] of this.slots) {
      slots[name] = {
        m: Float32Array.from(m.dataSync() as Float32Array),
        v: Float32Array.from(v.dataSync() as Float32Array),
        shape: [...m.shape],
      };
    }
    return { step: this.stepCount, slots };
  }

  /** Replaces the whole state with a copy of `state` (from getState, maybe via a file). */
  setState(state: BertAdamWState): void {
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new BertLabError("BAD_OPTIMIZER_STATE", `optimizer state has step ${state.step}: expected an integer ≥ 0`);
    }
    for (const [name, s] of Object.entries(state.slots)) {
      const size = s.shape.reduce((a, b) => a * b, 1);
      if (s.m.length !== size || s.v.length !== size) {
        throw new BertLabError(
          "BAD_OPTIMIZER_STATE",
          `optimizer state for ${name}: shape [${s.shape}] holds ${size} values, m has ${s.m.length}, v ${s.v.length}`,
        );
      }
    }
    this.dispose();
    for (const [name, s] of Object.entries(state.slots)) {
      this.slots.set(name, {
        m: slotVariable(Float32Array.from(s.m), s.shape),
        v: slotVariable(Float32Array.from(s.v), s.shape),
      });
    }
    this.stepCount = state.step;
  }

  /** Frees m and v; a later applyGradients starts afresh from step 0. */
  dispose(): void {
    for (const { m, v } of this.slots.values()) {
      m.dispose();
      v.dispose();
    }
    this.slots.clear();
    this.stepCount = 0;
  }

  private slotFor(name: string, shape: number[]): Slot {
    let slot = this.slots.get(name);
    if (!slot) {
      const size = shape.reduce((a, b) => a * b, 1);
      slot = { m: slotVariable(new Float32Array(size), shape), v: slotVariable(new Float32Array(size), shape) };
      this.slots.set(name, slot);
    }
    return slot;
  }
}

/** A non-trainable variable (tfjs names it uniquely, so two optimizers never clash). */
function slotVariable(values: Float32Array, shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, shape, "float32"), false));
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function checkOption(name: string, value: number, ok: boolean, expected: string): void {
  if (!Number.isFinite(value) || !ok) {
    throw new BertLabError("BAD_OPTIMIZER_OPTION", `BertAdamW option ${name} must be ${expected}, got ${value}`);
  }
}
