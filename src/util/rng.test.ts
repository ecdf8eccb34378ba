import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "./rng";
import { PyRandom } from "./py-random";
import { RandomSource } from "./random-source";

/** Pearson chi-square statistic of observed counts against equal expected counts. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((s, c) => s + ((c - expected) * (c - expected)) / expected, 0);
}

// Bounds below are far in the tail (p < 1e-6 for the given degrees of freedom), so a fair
// generator passes for any seed, while a biased one (e.g. modulo bias on a small range, or
// an off-by-one that never returns b) fails by orders of magnitude.

test("same seed, same stream; every seed its own stream", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  for (let i = 0; i < 1000; i++) assert.equal(a.nextUint32(), b.nextUint32());
  assert.deepEqual(new Rng(42).shuffle([1, 2, 3, 4, 5, 6, 7, 8]), new Rng(42).shuffle([1, 2, 3, 4, 5, 6, 7, 8]));

  const seeds = [0, 1, -1, 2, 2 ** 32, 2 ** 32 + 1, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 12345];
  const firsts = seeds.map((s) => {
    const r = new Rng(s);
    return [r.nextUint32(), r.nextUint32()].join(",");
  });
  assert.equal(new Set(firsts).size, seeds.length, `streams collide: ${firsts.join(" ")}`);
  assert.throws(() => new Rng(1.5), /safe integer/);
  assert.throws(() => new Rng(2 ** 53), /safe integer/);
});

test("random() is in [0, 1) with mean 1/2", () => {
  const r = new Rng(7);
  let sum = 0;
  const n = 100000;
  for (let i = 0; i < n; i++) {
    const x = r.random();
    assert.ok(x >= 0 && x < 1);
    sum += x;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.006, `mean ${sum / n}`); // ~6.5 standard errors
});

test("randint stays in bounds, hits both ends, and is uniform (chi-square)", () => {
  const r = new Rng(2024);
  const counts = new Array<number>(7).fill(0);
  for (let i = 0; i < 70000; i++) {
    const x = r.randint(-3, 3);
    assert.ok(Number.isInteger(x) && x >= -3 && x <= 3, `randint(-3, 3) = ${x}`);
    counts[x + 3]++;
  }
  assert.ok(counts.every((c) => c > 0));
  assert.ok(chiSquare(counts) < 40, `chi2 ${chiSquare(counts)} for ${counts}`); // df 6

  // a range that does not divide 2^32, drawn through the rejection step
  const tenCounts = new Array<number>(10).fill(0);
  for (let i = 0; i < 100000; i++) tenCounts[r.randint(0, 9)]++;
  assert.ok(chiSquare(tenCounts) < 45, `chi2 ${chiSquare(tenCounts)} for ${tenCounts}`); // df 9

  // a range above 2^32 (the 53-bit path): thirds by value
  const thirds = [0, 0, 0];
  const span = 3 * 2 ** 40;
  for (let i = 0; i < 30000; i++) {
    const x = r.randint(0, span - 1);
    assert.ok(x >= 0 && x < span);
    thirds[Math.floor(x / 2 ** 40)]++;
  }
  assert.ok(chiSquare(thirds) < 30, `chi2 ${chiSquare(thirds)} for ${thirds}`); // df 2

  assert.equal(r.randint(5, 5), 5);
  assert.ok(r.randint(-(2 ** 52), 2 ** 52 - 1) < 2 ** 52);
  assert.throws(() => r.randint(3, 2), /empty range/);
  assert.throws(() => r.randint(0.5, 2), /safe integers/);
  assert.throws(() => r.randint(-(2 ** 52), 2 ** 52), /2\^53/);
});

test("randrange and choice", () => {
  const r = new Rng(3);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) {
    const x = r.randrange(4);
    assert.ok(x >= 0 && x < 4);
    seen.add(x);
    const y = r.randrange(10, 12);
    assert.ok(y === 10 || y === 11);
  }
  assert.equal(seen.size, 4);
  assert.throws(() => r.randrange(0), /empty range/);
  assert.throws(() => r.randrange(3, 3), /empty range/);

  const picked = new Set<string>();
  for (let i = 0; i < 500; i++) picked.add(r.choice(["a", "b", "c"]));
  assert.deepEqual([...picked].sort(), ["a", "b", "c"]);
  assert.throws(() => r.choice([]), /empty/);
});

test("shuffle is a uniform permutation", () => {
  const r = new Rng(11);
  const arr = Array.from({ length: 1000 }, (_, i) => i);
  const out = r.shuffle(arr);
  assert.equal(out, arr, "shuffles in place and returns the same array");
  assert.deepEqual([...out].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  assert.notDeepEqual(out, Array.from({ length: 1000 }, (_, i) => i));

  // all 6 orders of three items equally often
  const orders = new Map<string, number>();
  for (let i = 0; i < 60000; i++) {
    const key = r.shuffle(["a", "b", "c"]).join("");
    orders.set(key, (orders.get(key) ?? 0) + 1);
  }
  assert.equal(orders.size, 6);
  assert.ok(chiSquare([...orders.values()]) < 40, `chi2 ${chiSquare([...orders.values()])}`); // df 5
});

test("normal(mean, std) has the requested moments", () => {
  const r = new Rng(5);
  const n = 100000;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const z = r.normal();
    sum += z;
    sumSq += z * z;
  }
  const mean = sum / n;
  const std = Math.sqrt(sumSq / n - mean * mean);
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(std - 1) < 0.02, `std ${std}`);
  let s2 = 0;
  for (let i = 0; i < 10000; i++) s2 += r.normal(5, 0.02);
  assert.ok(Math.abs(s2 / 10000 - 5) < 0.002, `mean ${s2 / 10000}`);
  assert.throws(() => r.normal(0, -1), /std/);
});

test("fork: a deterministic, independent child stream", () => {
  // drawing from the child never moves the parent
  const p1 = new Rng(9);
  const c1 = p1.fork("masking");
  for (let i = 0; i < 1000; i++) c1.nextUint32();
  const p2 = new Rng(9);
  p2.fork("masking");
  for (let i = 0; i < 100; i++) assert.equal(p1.nextUint32(), p2.nextUint32());

  // same seed and label → same child; other label, or a later fork → another stream
  const first = (r: Rng) => [r.nextUint32(), r.nextUint32(), r.nextUint32()].join(",");
  assert.equal(first(new Rng(9).fork("masking")), first(new Rng(9).fork("masking")));
  const base = new Rng(9);
  const saved = base.getstate();
  const a = base.fork("a");
  base.setstate(saved);
  const b = base.fork("b");
  base.setstate(saved);
  const unlabeled = base.fork();
  const later = base.fork();
  const streams = [a, b, unlabeled, later].map(first);
  assert.equal(new Set(streams).size, 4, streams.join(" | "));

  // the child is not the parent's own continuation, nor correlated with it
  const parent = new Rng(9);
  const child = parent.fork();
  const n = 20000;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    xs.push(parent.random());
    ys.push(child.random());
  }
  assert.notEqual(xs[0], ys[0]);
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let cov = 0;
  let vx = 0;
  let vy = 0;
  for (let i = 0; i < n; i++) {
    cov += (xs[i] - mx) * (ys[i] - my);
    vx += (xs[i] - mx) ** 2;
    vy += (ys[i] - my) ** 2;
  }
  const corr = cov / Math.sqrt(vx * vy);
  assert.ok(Math.abs(corr) < 0.04, `correlation ${corr}`); // ~5.7 standard errors
});

test("getstate / setstate resume the stream", () => {
  const r = new Rng(1);
  assert.equal(r.getstate().d, 13); // the doc example: counter 1 + 12 warm-up steps
  r.random();
  const saved = r.getstate();
  const next = [r.random(), r.randint(0, 1000), r.normal()];
  const other = new Rng(999);
  other.setstate(saved);
  assert.deepEqual([other.random(), other.randint(0, 1000), other.normal()], next);
  assert.throws(() => other.setstate({ a: -1, b: 0, c: 0, d: 0 }), /state word a/);
});

test("both generators serve as a RandomSource", () => {
  function pick(rng: RandomSource): [number, number, string, number[]] {
    return [rng.random(), rng.randint(1, 6), rng.choice(["x", "y", "z"]), rng.shuffle([1, 2, 3])];
  }
  // PyRandom(42): random() 0.6394267984578837, then Python's randint(1, 6) etc.
  const fromPy = pick(new PyRandom(42));
  assert.equal(fromPy[0], 0.6394267984578837);
  const fromRng = pick(new Rng(42));
  assert.deepEqual(fromRng, pick(new Rng(42)));
  for (const [x, d, c, s] of [fromPy, fromRng]) {
    assert.ok(x >= 0 && x < 1 && d >= 1 && d <= 6 && ["x", "y", "z"].includes(c));
    assert.deepEqual([...s].sort(), [1, 2, 3]);
  }
});
