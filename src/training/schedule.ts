// Learning-rate schedules: functions from the step index to a learning rate.
//
// `step` is the number of updates already applied: the first update uses step 0, as
// optimization.py reads tf.train.get_global_step() before apply_gradients increments it.
import { BertLabError } from "../util/errors";

/** step (an integer ≥ 0: updates already applied) → learning rate */
export type LrSchedule = (step: number) => number;

export interface LinearWarmupDecayOptions {
  /** optimization.py's init_lr */
  peakLr: number;
  /** num_warmup_steps; 0 means no warmup */
  warmupSteps: number;
  /** num_train_steps: the step at which the rate reaches 0 */
  totalSteps: number;
}

/**
 * BERT's schedule (optimization.py create_optimizer): linear warmup, then linear decay to 0.
 *
 * @example
 *   const lr = linearWarmupDecay({ peakLr: 1e-4, warmupSteps: 10, totalSteps: 100 });
 *   console.log([0, 5, 9, 10, 55, 100, 150].map(lr));
 *   // prints: [ 0, 0.00005, 0.00009, 0.00009, 0.000044999999999999996, 0, 0 ]
 *
 * With W = warmupSteps, T = totalSteps and step = updates already applied:
 *   step < W:  peakLr · step / W                       (warmup; step 0 → 0)
 *   step ≥ W:  peakLr · (1 − min(step, T) / T)          (polynomial_decay, power 1, end 0)
 * The decay is computed on the global step from 0, not from the end of warmup, so the rate
 * never reaches peakLr when W > 0: step W−1 gives peakLr·(W−1)/W and step W gives
 * peakLr·(1 − W/T). (HF's get_linear_schedule_with_warmup instead decays from peakLr at W.)
 * From T on the rate is 0. Computed in float64 (the original: float32).
 */
export function linearWarmupDecay(opts: LinearWarmupDecayOptions): LrSchedule {
  const { peakLr, warmupSteps, totalSteps } = opts;
  checkFinite("peakLr", peakLr, peakLr >= 0, "a number ≥ 0");
  checkFinite("warmupSteps", warmupSteps, Number.isInteger(warmupSteps) && warmupSteps >= 0, "an integer ≥ 0");
  checkFinite("totalSteps", totalSteps, Number.isInteger(totalSteps) && totalSteps > 0, "an integer > 0");
  return (step) => {
    checkStep(step);
    // optimization.py: is_warmup = global_step < num_warmup_steps (skipped when warmup is 0)
    if (step < warmupSteps) return peakLr * (step / warmupSteps);
    return peakLr * (1 - Math.min(step, totalSteps) / totalSteps);
  };
}

/**
 * linearWarmupDecay with warmupSteps = int(proportion · totalSteps), as run_classifier.py
 * (warmup_proportion 0.1) and run_squad.py compute num_warmup_steps: truncated like
 * Python's int(), on the same float64 product.
 *
 * @example
 *   warmupProportion({ peakLr: 2e-5, totalSteps: 25, proportion: 0.1 }).warmupSteps // → 2
 */
export function warmupProportion(opts: { peakLr: number; totalSteps: number; proportion?: number }): {
  schedule: LrSchedule;
  warmupSteps: number;
} {
  const proportion = opts.proportion ?? 0.1;
  checkFinite("proportion", proportion, proportion >= 0 && proportion <= 1, "in [0, 1]");
  checkFinite("totalSteps", opts.totalSteps, Number.isInteger(opts.totalSteps) && opts.totalSteps > 0, "an integer > 0");
  const warmupSteps = Math.trunc(opts.totalSteps * proportion);
  return { schedule: linearWarmupDecay({ peakLr: opts.peakLr, warmupSteps, totalSteps: opts.totalSteps }), warmupSteps };
}

/**
 * The same rate at every step.
 *
 * @example
 *   constantLr(3e-5)(1000) // → 0.00003
 */
export function constantLr(lr: number): LrSchedule {
  checkFinite("lr", lr, lr >= 0, "a number ≥ 0");
  return (step) => {
    checkStep(step);
    return lr;
  };
}

function checkStep(step: number): void {
  if (!Number.isInteger(step) || step < 0) {
    throw new BertLabError("BAD_STEP", `schedule step must be an integer ≥ 0 (updates already applied), got ${step}`);
  }
}

function checkFinite(name: string, value: number, ok: boolean, expected: string): void {
  if (!Number.isFinite(value) || !ok) {
    throw new BertLabError("BAD_SCHEDULE_OPTION", `schedule option ${name} must be ${expected}, got ${value}`);
  }
}
