import { test } from "node:test";
import assert from "node:assert/strict";
import { constantLr, linearWarmupDecay, warmupProportion } from "./schedule";
import { BertLabError } from "../util/errors";

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-15, `${what}: got ${actual}, expected ${expected}`);

test("linearWarmupDecay: values at the landmarks, as optimization.py", () => {
  const peak = 1e-4;
  const lr = linearWarmupDecay({ peakLr: peak, warmupSteps: 10, totalSteps: 100 });
  close(lr(0), 0, "step 0: warmup_percent_done = 0/10");
  close(lr(1), peak * 0.1, "step 1");
  close(lr(5), peak * 0.5, "mid-warmup");
  close(lr(9), peak * 0.9, "last warmup step");
  // at step W the decay takes over, computed from step 0: peak·(1 − 10/100), not peak
  close(lr(10), peak * 0.9, "step W");
  close(lr(11), peak * 0.89, "step W+1");
  close(lr(55), peak * 0.45, "mid-decay");
  close(lr(99), peak * 0.01, "last step before T");
  close(lr(100), 0, "step T");
  close(lr(150), 0, "beyond T: clamped at 0");
  assert.ok(lr(10) < peak, "the peak itself is never reached when warmup > 0");
});

test("linearWarmupDecay: no warmup starts at the peak; warmup may reach past T", () => {
  const lr = linearWarmupDecay({ peakLr: 2, warmupSteps: 0, totalSteps: 4 });
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(lr), [2, 1.5, 1, 0.5, 0, 0]);
  // optimization.py's is_warmup test wins for every step < W, even beyond T
  const long = linearWarmupDecay({ peakLr: 1, warmupSteps: 8, totalSteps: 4 });
  assert.deepEqual([0, 4, 6, 8, 9].map(long), [0, 0.5, 0.75, 0, 0]);
});

test("warmupProportion truncates proportion · total as Python int()", () => {
  const a = warmupProportion({ peakLr: 5e-5, totalSteps: 1000, proportion: 0.1 });
  assert.equal(a.warmupSteps, 100);
  close(a.schedule(50), 2.5e-5, "mid-warmup");
  close(a.schedule(100), 5e-5 * 0.9, "step W");
  assert.equal(warmupProportion({ peakLr: 1, totalSteps: 25 }).warmupSteps, 2); // int(2.5), default 0.1
  assert.equal(warmupProportion({ peakLr: 1, totalSteps: 100, proportion: 0.29 }).warmupSteps, 28); // 28.999999999999996
  assert.equal(warmupProportion({ peakLr: 1, totalSteps: 9, proportion: 0 }).warmupSteps, 0);
});

test("constantLr is constant", () => {
  const lr = constantLr(3e-5);
  assert.deepEqual([0, 1, 10_000].map(lr), [3e-5, 3e-5, 3e-5]);
});

test("bad options and steps throw a BertLabError", () => {
  const code = (c: string) => (e: unknown) => e instanceof BertLabError && e.code === c;
  assert.throws(() => linearWarmupDecay({ peakLr: 1, warmupSteps: 1, totalSteps: 0 }), code("BAD_SCHEDULE_OPTION"));
  assert.throws(() => linearWarmupDecay({ peakLr: -1, warmupSteps: 1, totalSteps: 10 }), code("BAD_SCHEDULE_OPTION"));
  assert.throws(() => linearWarmupDecay({ peakLr: 1, warmupSteps: 1.5, totalSteps: 10 }), code("BAD_SCHEDULE_OPTION"));
  assert.throws(() => warmupProportion({ peakLr: 1, totalSteps: 10, proportion: 2 }), code("BAD_SCHEDULE_OPTION"));
  const lr = linearWarmupDecay({ peakLr: 1, warmupSteps: 1, totalSteps: 10 });
  assert.throws(() => lr(-1), code("BAD_STEP"));
  assert.throws(() => lr(0.5), code("BAD_STEP"));
  assert.throws(() => constantLr(1)(NaN), code("BAD_STEP"));
});
