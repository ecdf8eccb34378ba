import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { BertAdamW, BertAdamWState } from "./adamw";
import { BertLabError } from "../util/errors";

before(async () => {
  await tf.setBackend("cpu");
});

// ---- a plain-JS reference, float64, one number at a time ----

interface RefOptions {
  wd: number;
  decays: boolean;
  biasCorrection: boolean;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** The value of one parameter after each step, updated as optimization.py (or HF AdamW). */
function reference(p0: number[], grads: number[][], lrs: number[], o: RefOptions): number[][] {
  const b1 = o.beta1 ?? 0.9;
  const b2 = o.beta2 ?? 0.999;
  const eps = o.eps ?? 1e-6;
  const p = [...p0];
  const m = p0.map(() => 0);
  const v = p0.map(() => 0);
  const history: number[][] = [];
  grads.forEach((g, s) => {
    const t = s + 1;
    const lr = lrs[s];
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      if (!o.biasCorrection) {
        let update = m[i] / (Math.sqrt(v[i]) + eps);
        if (o.decays) update += o.wd * p[i];
        p[i] -= lr * update;
      } else {
        const stepSize = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
        p[i] -= stepSize * (m[i] / (Math.sqrt(v[i]) + eps));
        if (o.decays) p[i] -= lr * o.wd * p[i];
      }
    }
    history.push([...p]);
  });
  return history;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    assert.ok(diff <= tol * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (diff ${diff})`);
  }
}

function maxDiff(a: number[], b: number[]): number {
  return Math.max(...a.map((x, i) => Math.abs(x - b[i])));
}

const TOL = 2e-6; // float32 on the backend vs float64 here

// Four parameters: a scalar and vectors; two names are decayed, two are not.
const INIT: Record<string, number[]> = {
  "head.weight": [0.8], // scalar, decayed
  "dense.weight": [1, -2, 0.5], // decayed
  "dense.bias": [0.3, -0.7, 1.5], // not decayed: "bias"
  "encoder.LayerNorm.weight": [1.2, 0.9], // not decayed: "LayerNorm"
};
const DECAYED: Record<string, boolean> = {
  "head.weight": true,
  "dense.weight": true,
  "dense.bias": false,
  "encoder.LayerNorm.weight": false,
};
const GRADS: Record<string, number[]>[] = [
  { "head.weight": [0.5], "dense.weight": [0.1, -0.2, 0.3], "dense.bias": [1, -1, 0.01], "encoder.LayerNorm.weight": [-0.4, 0.25] },
  { "head.weight": [-0.3], "dense.weight": [0.2, 0.2, -0.1], "dense.bias": [0.5, 0.5, -2], "encoder.LayerNorm.weight": [0.1, -0.6] },
  { "head.weight": [0.05], "dense.weight": [-0.3, 0.1, 0.2], "dense.bias": [-1, 0.2, 0.3], "encoder.LayerNorm.weight": [0.3, 0.3] },
];
const LRS = [0.1, 0.05, 0.02];
const WD = 0.2; // large, so decaying the wrong parameter is far above TOL

function makeParams(): Map<string, tf.Variable> {
  const params = new Map<string, tf.Variable>();
  for (const [name, values] of Object.entries(INIT)) {
    params.set(name, tf.variable(name === "head.weight" ? tf.scalar(values[0]) : tf.tensor1d(values)));
  }
  return params;
}

function makeGrads(step: Record<string, number[]>, params: Map<string, tf.Variable>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, values] of Object.entries(step)) out[name] = tf.tensor(values, params.get(name)!.shape);
  return out;
}

function disposeAll(xs: Iterable<tf.Tensor>): void {
  for (const x of xs) x.dispose();
}

/** Runs the steps and returns each parameter's values after each step. */
function runSteps(opt: BertAdamW, params: Map<string, tf.Variable>, steps: Record<string, number[]>[], lrs: number[]): Record<string, number[][]> {
  const seen: Record<string, number[][]> = {};
  steps.forEach((step, s) => {
    const grads = makeGrads(step, params);
    opt.applyGradients(params, grads, lrs[s]);
    disposeAll(Object.values(grads));
    for (const [name, p] of params) (seen[name] ??= []).push(Array.from(p.dataSync()));
  });
  return seen;
}

test("one step by hand: scalar weight decayed, scalar bias not", () => {
  // p = 1, g = 0.5, lr = 0.1, wd = 0.01, step 1:
  //   m = 0.1·0.5 = 0.05;  v = 0.001·0.25 = 0.00025;  √v + ε = 0.0158113883 + 1e-6
  //   m / (√v + ε) = 3.16207767
  //   weight: update = 3.16207767 + 0.01·1 = 3.17207767 → p = 1 − 0.317207767 = 0.682792233
  //   bias:   update = 3.16207767                       → p = 1 − 0.316207767 = 0.683792233
  // step 2 (same g): m = 0.095, v = 0.00049975, m / (√v + ε) = 4.24940160
  //   weight: p = 0.682792233 − 0.1·(4.24940160 + 0.01·0.682792233) = 0.257169280
  //   bias:   p = 0.683792233 − 0.424940160 = 0.258852073
  const params = new Map([
    ["w.weight", tf.variable(tf.scalar(1))],
    ["w.bias", tf.variable(tf.scalar(1))],
  ]);
  const opt = new BertAdamW();
  const g = { "w.weight": tf.scalar(0.5), "w.bias": tf.scalar(0.5) };
  opt.applyGradients(params, g, 0.1);
  assertClose(params.get("w.weight")!.dataSync(), [0.682792233], TOL, "weight after 1");
  assertClose(params.get("w.bias")!.dataSync(), [0.683792233], TOL, "bias after 1");
  const r = opt.applyGradients(params, g, 0.1);
  assert.equal(r.step, 2);
  assertClose(params.get("w.weight")!.dataSync(), [0.25716928], TOL, "weight after 2");
  assertClose(params.get("w.bias")!.dataSync(), [0.258852073], TOL, "bias after 2");
  disposeAll(Object.values(g));
  disposeAll(params.values());
  opt.dispose();
});

test("three steps match the reference loop; only non-LayerNorm, non-bias names decay", () => {
  const params = makeParams();
  const opt = new BertAdamW({ weightDecay: WD });
  const seen = runSteps(opt, params, GRADS, LRS);
  for (const name of Object.keys(INIT)) {
    const gs = GRADS.map((s) => s[name]);
    const want = reference(INIT[name], gs, LRS, { wd: WD, decays: DECAYED[name], biasCorrection: false });
    const wrong = reference(INIT[name], gs, LRS, { wd: WD, decays: !DECAYED[name], biasCorrection: false });
    // the test can tell decay from no decay at every step
    want.forEach((w, s) => assert.ok(maxDiff(w, wrong[s]) > 100 * TOL, `${name} step ${s + 1}: decay invisible`));
    want.forEach((w, s) => assertClose(seen[name][s], w, TOL, `${name} step ${s + 1}`));
  }
  assert.equal(opt.decays("dense.weight"), true);
  assert.equal(opt.decays("dense.bias"), false);
  assert.equal(opt.decays("bert.embeddings.LayerNorm.weight"), false);
  assert.equal(opt.decays("model.layer_norm.weight"), false);
  assert.equal(opt.decays("cls.predictions.bias"), false);
  disposeAll(params.values());
  opt.dispose();
});

test("biasCorrection: true follows HF AdamW and differs from the original", () => {
  const run = (biasCorrection: boolean) => {
    const params = makeParams();
    const opt = new BertAdamW({ weightDecay: WD, biasCorrection });
    const seen = runSteps(opt, params, GRADS, LRS);
    disposeAll(params.values());
    opt.dispose();
    return seen;
  };
  const corrected = run(true);
  const original = run(false);
  for (const name of Object.keys(INIT)) {
    const gs = GRADS.map((s) => s[name]);
    const want = reference(INIT[name], gs, LRS, { wd: WD, decays: DECAYED[name], biasCorrection: true });
    want.forEach((w, s) => assertClose(corrected[name][s], w, TOL, `${name} step ${s + 1} (corrected)`));
    assert.ok(maxDiff(corrected[name][2], original[name][2]) > 1e-3, `${name}: bias correction changed nothing`);
  }
  // First step of a non-decayed scalar: with correction it moves lr·g/(|g| + ε) ≈ lr;
  // without, lr·(1−β1)·g / (√(1−β2)·|g| + ε) ≈ 3.162·lr.
  const first = (biasCorrection: boolean) => {
    const p = new Map([["b.bias", tf.variable(tf.scalar(0))]]);
    const g = { "b.bias": tf.scalar(-2) };
    const opt = new BertAdamW({ biasCorrection });
    opt.applyGradients(p, g, 0.01);
    const moved = p.get("b.bias")!.dataSync()[0];
    disposeAll([...p.values(), g["b.bias"]]);
    opt.dispose();
    return moved;
  };
  assertClose([first(true)], [0.01 * (2 / (2 + 1e-6))], TOL, "corrected first step");
  assertClose([first(false)], [(0.01 * 0.2) / (Math.sqrt(0.001) * 2 + 1e-6)], TOL, "original first step");
});

test("excludeFromWeightDecay and weightDecay 0 decide which names decay", () => {
  const custom = new BertAdamW({ excludeFromWeightDecay: (n) => n.startsWith("frozen.") });
  assert.equal(custom.decays("frozen.weight"), false);
  assert.equal(custom.decays("dense.bias"), true);
  const none = new BertAdamW({ weightDecay: 0 });
  assert.equal(none.decays("dense.weight"), false);

  // With the custom rule a bias decays: matches the decayed reference.
  const params = new Map([["dense.bias", tf.variable(tf.tensor1d([1, -1]))]]);
  const opt = new BertAdamW({ weightDecay: WD, excludeFromWeightDecay: () => false });
  const steps = [{ "dense.bias": [0.3, 0.4] }, { "dense.bias": [-0.1, 0.2] }];
  const seen = runSteps(opt, params, steps, [0.1, 0.1]);
  const want = reference([1, -1], [[0.3, 0.4], [-0.1, 0.2]], [0.1, 0.1], { wd: WD, decays: true, biasCorrection: false });
  assertClose(seen["dense.bias"][1], want[1], TOL, "custom rule");
  disposeAll(params.values());
  opt.dispose();
});

test("numTensors stays flat over 50 steps and dispose frees the slots", () => {
  const params = makeParams();
  const grads = makeGrads(GRADS[0], params);
  const opt = new BertAdamW({ biasCorrection: false });
  const baseline = tf.memory().numTensors;
  opt.applyGradients(params, grads, 1e-3); // creates m and v: 2 per parameter
  const afterFirst = tf.memory().numTensors;
  assert.equal(afterFirst, baseline + 2 * params.size);
  for (let i = 0; i < 50; i++) opt.applyGradients(params, new Map(Object.entries(grads)), 1e-3);
  assert.equal(tf.memory().numTensors, afterFirst, "tensors leaked by applyGradients");
  // the caller's tensors are untouched and usable
  for (const g of Object.values(grads)) assert.equal(g.isDisposed, false);
  for (const p of params.values()) assert.equal(p.isDisposed, false);
  opt.dispose();
  assert.equal(tf.memory().numTensors, baseline, "dispose left slots behind");

  const corrected = new BertAdamW({ biasCorrection: true });
  corrected.applyGradients(params, grads, 1e-3);
  const n = tf.memory().numTensors;
  for (let i = 0; i < 50; i++) corrected.applyGradients(params, grads, 1e-3);
  assert.equal(tf.memory().numTensors, n, "tensors leaked with bias correction");
  corrected.dispose();
  disposeAll(Object.values(grads));
  disposeAll(params.values());
});

test("getState/setState resumes to identical results", () => {
  const steps = [...GRADS, ...GRADS.slice(0, 2)];
  const lrs = [0.1, 0.05, 0.02, 0.03, 0.01];
  for (const biasCorrection of [false, true]) {
    const a = new BertAdamW({ weightDecay: WD, biasCorrection });
    const pa = makeParams();
    runSteps(a, pa, steps.slice(0, 3), lrs);
    const state = a.getState();
    assert.equal(state.step, 3);
    assert.deepEqual(Object.keys(state.slots), Object.keys(INIT));
    assert.deepEqual(state.slots["dense.weight"].shape, [3]);
    assert.deepEqual(state.slots["head.weight"].shape, []);
    assert.ok(state.slots["dense.weight"].m instanceof Float32Array);

    // a second optimizer and a copy of the parameters, as after loading a checkpoint
    const b = new BertAdamW({ weightDecay: WD, biasCorrection });
    const pb = new Map([...pa].map(([n, p]): [string, tf.Variable] => [n, tf.variable(p.clone())]));
    b.setState(state);
    assert.equal(b.step, 3);
    // the optimizer copied the arrays: scribbling on them changes nothing
    state.slots["dense.weight"].m.fill(99);
    state.slots["dense.weight"].v.fill(99);

    const ra = runSteps(a, pa, steps.slice(3), lrs.slice(3));
    const rb = runSteps(b, pb, steps.slice(3), lrs.slice(3));
    assert.deepEqual(rb, ra, `resumed run differs (biasCorrection ${biasCorrection})`);
    assert.equal(b.step, 5);

    for (const ps of [pa, pb]) disposeAll(ps.values());
    a.dispose();
    b.dispose();
  }
});

test("a fresh optimizer does not reproduce a resumed one (state matters)", () => {
  const a = new BertAdamW({ weightDecay: WD });
  const pa = makeParams();
  runSteps(a, pa, GRADS.slice(0, 2), LRS);
  const pb = new Map([...pa].map(([n, p]): [string, tf.Variable] => [n, tf.variable(p.clone())]));
  const fresh = new BertAdamW({ weightDecay: WD });
  const ra = runSteps(a, pa, GRADS.slice(2), LRS.slice(2));
  const rb = runSteps(fresh, pb, GRADS.slice(2), LRS.slice(2));
  assert.notDeepEqual(rb, ra);
  for (const ps of [pa, pb]) disposeAll(ps.values());
  a.dispose();
  fresh.dispose();
});

test("a parameter without a gradient is left as it is", () => {
  const params = makeParams();
  const before = Array.from(params.get("dense.bias")!.dataSync());
  const opt = new BertAdamW();
  const grads = makeGrads({ "dense.weight": [1, 1, 1] }, params);
  opt.applyGradients(params, grads, 0.1);
  assert.deepEqual(Array.from(params.get("dense.bias")!.dataSync()), before);
  assert.notDeepEqual(Array.from(params.get("dense.weight")!.dataSync()), INIT["dense.weight"]);
  assert.deepEqual(Object.keys(opt.getState().slots), ["dense.weight"]);
  disposeAll(Object.values(grads));
  disposeAll(params.values());
  opt.dispose();
});

test("bad calls throw a BertLabError before anything changes", () => {
  const params = makeParams();
  const opt = new BertAdamW();
  const good = makeGrads(GRADS[0], params);
  opt.applyGradients(params, good, 0.1);
  const snapshot = opt.getState();
  const values = [...params.values()].map((p) => Array.from(p.dataSync()));

  const unknown = { ...good, "nope.weight": tf.scalar(1) };
  const badShape = { ...good, "dense.weight": tf.tensor1d([1, 2]) };
  const code = (c: string) => (e: unknown) => e instanceof BertLabError && e.code === c;
  assert.throws(() => opt.applyGradients(params, unknown, 0.1), code("UNKNOWN_PARAM"));
  assert.throws(() => opt.applyGradients(params, badShape, 0.1), code("GRAD_SHAPE"));
  assert.throws(() => opt.applyGradients(params, good, NaN), code("BAD_LR"));
  assert.throws(() => opt.applyGradients(params, good, -1), code("BAD_LR"));
  assert.deepEqual(opt.getState(), snapshot);
  assert.deepEqual([...params.values()].map((p) => Array.from(p.dataSync())), values);

  assert.throws(() => new BertAdamW({ beta1: 1 }), code("BAD_OPTIMIZER_OPTION"));
  assert.throws(() => new BertAdamW({ weightDecay: -0.1 }), code("BAD_OPTIMIZER_OPTION"));
  const broken: BertAdamWState = { step: 1, slots: { x: { m: new Float32Array(2), v: new Float32Array(3), shape: [3] } } };
  assert.throws(() => opt.setState(broken), code("BAD_OPTIMIZER_STATE"));
  assert.deepEqual(opt.getState(), snapshot, "a rejected setState kept the old state");

  // state from another model: the slot's shape no longer fits the parameter
  const other: BertAdamWState = { step: 1, slots: { "dense.weight": { m: new Float32Array(2), v: new Float32Array(2), shape: [2] } } };
  opt.setState(other);
  assert.throws(() => opt.applyGradients(params, good, 0.1), code("SLOT_SHAPE"));

  disposeAll([unknown["nope.weight"], badShape["dense.weight"], ...Object.values(good), ...params.values()]);
  opt.dispose();
});
