import { test } from "node:test";
import assert from "node:assert/strict";
import { projectPca, symmetricEigen } from "./pca";
import { Rng } from "../util/rng";

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);
const closeRows = (a: number[][], b: number[][], tol = 1e-9) => a.forEach((r, i) => r.forEach((x, j) => close(x, b[i][j], tol)));

function randomPoints(n: number, d: number, seed: number): number[][] {
  const rng = new Rng(seed);
  // anisotropic: axis j has scale 1/(j+1), then mixed by a fixed rotation-ish matrix
  const mix = Array.from({ length: d }, () => Array.from({ length: d }, () => rng.normal()));
  return Array.from({ length: n }, () => {
    const z = Array.from({ length: d }, (_, j) => rng.normal() / (j + 1));
    return mix.map((row) => row.reduce((s, m, k) => s + m * z[k], 0) + 3);
  });
}

/** Covariance times vector, computed directly: checks C·c = λ·c. */
function covTimes(points: number[][], mean: number[], c: number[]): number[] {
  const n = points.length;
  const out = new Array<number>(c.length).fill(0);
  for (const p of points) {
    const x = p.map((v, j) => v - mean[j]);
    const s = x.reduce((a, v, j) => a + v * c[j], 0);
    x.forEach((v, j) => (out[j] += (s * v) / Math.max(1, n - 1)));
  }
  return out;
}

test("projectPca: points on a line → one axis, √2 apart, explained variance [1, 0]", () => {
  const p = projectPca([[1, 1], [2, 2], [3, 3]], 2);
  closeRows(p.coords, [[-Math.SQRT2, 0], [0, 0], [Math.SQRT2, 0]]);
  closeRows(p.components, [[Math.SQRT1_2, Math.SQRT1_2], [0, 0]]);
  close(p.explainedVariance[0], 1);
  close(p.explainedVariance[1], 0);
  close(p.variance[0], 2); // sample variance of (−√2, 0, √2)
  assert.deepEqual(p.mean, [2, 2]);
});

test("projectPca: a cross (±2, 0), (0, ±1) → the x axis first (80%), then y (20%); signs fixed", () => {
  const pts = [[2, 0], [-2, 0], [0, 1], [0, -1]];
  const p = projectPca(pts, 2);
  closeRows(p.components, [[1, 0], [0, 1]]);
  closeRows(p.coords, pts);
  closeRows([p.explainedVariance], [[0.8, 0.2]]);
  // the same cloud mirrored gives the same axes: the sign does not depend on the data's orientation
  const q = projectPca(pts.map(([x, y]) => [-x, -y]).reverse(), 2);
  closeRows(q.components, p.components);
  const r = projectPca([[0, 2], [0, -2], [1, 0], [-1, 0]], 2);
  closeRows(r.components, [[0, 1], [1, 0]]);
});

test("projectPca: the largest-|value| entry of each axis is positive (several random clouds)", () => {
  const sets = [3, 4, 5, 6, 7].map((seed) => randomPoints(30, 6, seed)).concat([randomPoints(10, 40, 8)]);
  for (const data of sets) {
    const p = projectPca(data, 3);
    for (const c of p.components) {
      const big = c.reduce((b, x, i) => (Math.abs(x) > Math.abs(c[b]) ? i : b), 0);
      assert.ok(c[big] > 0, `axis ${c} has its largest entry negative`);
    }
  }
});

test("projectPca: explained variance sorted, sums ≤ 1, axes are orthonormal eigenvectors (all three paths)", () => {
  const cases: [number, number, "jacobi" | "subspace" | "auto"][] = [
    [40, 8, "auto"], // covariance d×d, Jacobi
    [12, 50, "auto"], // Gram n×n, Jacobi
    [120, 90, "auto"], // covariance 90×90, subspace iteration
    [80, 200, "subspace"], // Gram 80×80, subspace iteration
  ];
  for (const [n, d, method] of cases) {
    const pts = randomPoints(n, d, n + d);
    const p = projectPca(pts, 3, { method });
    const ev = p.explainedVariance;
    assert.ok(ev[0] >= ev[1] && ev[1] >= ev[2] && ev[2] > 0, `${n}×${d}: ${ev}`);
    assert.ok(ev.reduce((a, b) => a + b, 0) <= 1 + 1e-12);
    p.components.forEach((c, a) => {
      close(Math.hypot(...c), 1, 1e-9);
      p.components.slice(a + 1).forEach((c2) => close(c.reduce((s, x, j) => s + x * c2[j], 0), 0, 1e-8));
      const cc = covTimes(pts, p.mean, c);
      cc.forEach((x, j) => close(x, p.variance[a] * c[j], 1e-7 * Math.max(1, p.variance[0])));
      // coordinates are projections, and their sample variance is the axis's variance
      const col = p.coords.map((r) => r[a]);
      close(col.reduce((s, x) => s + x, 0) / n, 0, 1e-9);
      close(col.reduce((s, x) => s + x * x, 0) / (n - 1), p.variance[a], 1e-7 * Math.max(1, p.variance[0]));
    });
  }
});

test("projectPca: Jacobi and subspace iteration agree", () => {
  const pts = randomPoints(70, 30, 11);
  const a = projectPca(pts, 3, { method: "jacobi" });
  const b = projectPca(pts, 3, { method: "subspace" });
  closeRows(b.components, a.components, 1e-7);
  closeRows(b.coords, a.coords, 1e-7);
  closeRows([b.explainedVariance], [a.explainedVariance], 1e-10);
});

test("projectPca: fewer points than axes, constant data, bad input", () => {
  const two = projectPca([[1, 0, 0], [0, 1, 0]], 3);
  assert.deepEqual(two.explainedVariance.slice(1), [0, 0]);
  close(two.explainedVariance[0], 1);
  assert.deepEqual(two.coords.map((r) => r.slice(1)), [[0, 0], [0, 0]]);
  const flat = projectPca([[5, 5], [5, 5]], 2);
  assert.deepEqual(flat.coords, [[0, 0], [0, 0]]);
  assert.deepEqual(flat.explainedVariance, [0, 0]);
  assert.throws(() => projectPca([], 2), /no vectors/);
  assert.throws(() => projectPca([[1, 2], [3]], 2), /same, non-zero length/);
  assert.throws(() => projectPca([[1, NaN]], 2), /NaN/);
  assert.throws(() => projectPca([[1, 2]], 0), /dims must be a positive integer/);
});

test("symmetricEigen: a 2×2 by hand and a 3×3 with known spectrum", () => {
  const e = symmetricEigen([[2, 1], [1, 2]]);
  closeRows([e.values], [[3, 1]], 1e-12);
  close(Math.abs(e.vectors[0][0]), Math.SQRT1_2, 1e-12);
  close(e.vectors[0][0] * e.vectors[0][1], 0.5, 1e-12);
  const f = symmetricEigen([[4, 0, 0], [0, 1, 0], [0, 0, 9]]);
  assert.deepEqual(f.values, [9, 4, 1]);
});

test("timing: PCA of 500 vectors of 768 dims to 3-D", () => {
  const pts = randomPoints(500, 768, 1);
  const t0 = performance.now();
  const p = projectPca(pts, 3);
  const ms = performance.now() - t0;
  console.log(`projectPca 500×768 → 3: ${ms.toFixed(0)} ms, explained ${p.explainedVariance.map((v) => v.toFixed(3)).join(", ")}`);
  assert.ok(ms < 20_000);
});
