import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { pyRound } from "./py-round";
import { findPython, needsPython } from "./find-python";

// assert.equal is Object.is-strict, so these also check that -0 never comes back.

test("ties go to the even neighbour", () => {
  const cases: [number, number][] = [
    [0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, 0], [-1.5, -2], [-2.5, -2], [-3.5, -4],
    [19.5, 20], [20.5, 20], [4503599627370495.5, 4503599627370496], [-4503599627370495.5, -4503599627370496],
  ];
  for (const [x, want] of cases) assert.equal(pyRound(x), want, `round(${x})`);
});

test("non-ties go to the nearest integer, exactly", () => {
  const cases: [number, number][] = [
    [0, 0], [-0, 0], [0.4, 0], [-0.4, 0], [0.6, 1], [-0.6, -1], [2.4999, 2], [2.5000001, 3],
    [2.675, 3], [-2.675, -3],
    // the largest double below 0.5: x + 0.5 rounds up to 1 in floating point, round() is 0
    [0.49999999999999994, 0], [-0.49999999999999994, 0], [-0.5000000000000001, -1],
    [1e-320, 0], [-1e-320, 0], [1e300, 1e300], [-1e300, -1e300], [2 ** 53 + 2, 2 ** 53 + 2],
    [Number.MAX_VALUE, Number.MAX_VALUE],
  ];
  for (const [x, want] of cases) assert.equal(pyRound(x), want, `round(${x})`);
});

test("len(tokens) * 0.15 as create_pretraining_data.py rounds it (hand-checked with CPython)", () => {
  // n * 0.15 lands exactly on .5 for these n; Python rounds half to even.
  const ties: [number, number][] = [[10, 2], [30, 4], [50, 8], [70, 10], [90, 14], [110, 16], [130, 20], [150, 22], [170, 26], [190, 28]];
  for (const [n, want] of ties) assert.equal(pyRound(n * 0.15), want, `round(${n} * 0.15)`);
  assert.equal(pyRound(7 * 0.15), 1); // 1.05
  assert.equal(pyRound(128 * 0.15), 19); // 19.2
  assert.equal(pyRound(512 * 0.15), 77); // 76.8
});

test("NaN and infinities throw like Python", () => {
  assert.throws(() => pyRound(Number.NaN), /NaN/);
  assert.throws(() => pyRound(Number.POSITIVE_INFINITY), /infinity/);
  assert.throws(() => pyRound(Number.NEGATIVE_INFINITY), /infinity/);
});

test(
  "matches live CPython round() on products and awkward doubles",
  needsPython(),
  () => {
    const xs: number[] = [];
    for (let n = 1; n <= 200; n++) xs.push(n * 0.15, n * 0.2, n * 0.1, n * 0.45, -n * 0.15, n + 0.5, -n - 0.5);
    xs.push(0.49999999999999994, 2 ** 52 - 0.5, 2 ** 52 + 1, 2 ** 53 - 1, 1e16 + 2, 123456.5, -0.0, 5e-324);
    // Python prints round(x) as an int; repr(float) round-trips each input exactly.
    const script = "import json,sys\nxs=json.load(sys.stdin)\nprint(json.dumps([str(round(x)) for x in xs]))";
    const res = spawnSync(findPython() ?? "python3", ["-c", script], { input: JSON.stringify(xs), encoding: "utf8" });
    assert.equal(res.status, 0, res.stderr);
    const want = JSON.parse(res.stdout) as string[];
    assert.equal(want.length, xs.length);
    xs.forEach((x, i) => assert.equal(String(pyRound(x)), want[i], `round(${x})`));
  },
);
