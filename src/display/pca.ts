// PCA for pictures: centre the points, find the top principal axes of their covariance, and
// project. Small symmetric eigenproblems go through cyclic Jacobi (exact, deterministic);
// large ones (more than 64 points and 64 dims) through subspace iteration from a fixed start.
// Each axis's sign is fixed so the largest-|value| entry of its direction is positive.
import { BertLabError } from "../util/errors";

/** A PCA projection: coordinates, directions and how much of the variance each axis explains. */
export interface PcaResult {
  /** one row per point, `dims` coordinates each */
  coords: number[][];
  /** the principal directions, unit vectors in the input space, largest variance first */
  components: number[][];
  /** the variance along each axis */
  variance: number[];
  /** variance / total variance per axis: sorted descending, summing to ≤ 1 */
  explainedVariance: number[];
  /** the mean that was subtracted */
  mean: number[];
}

export interface PcaOptions {
  /** "auto" (default): Jacobi when the smaller side is ≤ 64, else subspace iteration */
  method?: "auto" | "jacobi" | "subspace";
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
 * Returns eigenvalues sorted descending and the matching eigenvectors (as rows).
 *
 * @example
 *   symmetricEigen([[2, 1], [1, 2]]).values   // [3, 1]
 */
export function symmetricEigen(matrix: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const n = matrix.length;
  const a = matrix.map((r) => Float64Array.from(r));
  const v = Array.from({ length: n }, (_, i) => {
    const r = new Float64Array(n);
    r[i] = 1;
    return r;
  }); // v[k] holds the k-th column of V (rows of Vᵀ): eigenvectors as rows
  const scale = Math.max(1e-300, ...a.map((r) => r.reduce((s, x) => s + x * x, 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off <= 1e-30 * scale) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p][q];
        if (apq === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        const vp = v[p];
        const vq = v[q];
        for (let k = 0; k < n; k++) {
          const x = vp[k];
          const y = vq[k];
          vp[k] = c * x - s * y;
          vq[k] = s * x + c * y;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j][j] - a[i][i] || i - j);
  return { values: order.map((i) => a[i][i]), vectors: order.map((i) => Array.from(v[i])) };
}

const dot = (x: ArrayLike<number>, y: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
};

/** Orthonormalises the rows in place (modified Gram–Schmidt); a vanishing row becomes a fresh basis vector. */
function orthonormalise(rows: Float64Array[]): void {
  const m = rows[0]?.length ?? 0;
  rows.forEach((r, i) => {
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        const d = dot(r, rows[j]);
        for (let k = 0; k < m; k++) r[k] -= d * rows[j][k];
      }
    }
    let n = Math.sqrt(dot(r, r));
    if (n < 1e-12) {
      r.fill(0);
      r[i % m] = 1;
      for (let j = 0; j < i; j++) {
        const d = dot(r, rows[j]);
        for (let k = 0; k < m; k++) r[k] -= d * rows[j][k];
      }
      n = Math.sqrt(dot(r, r)) || 1;
    }
    for (let k = 0; k < m; k++) r[k] /= n;
  });
}

/** Top-k eigenpairs of a symmetric PSD matrix by subspace iteration with Rayleigh–Ritz (fixed start). */
function topEigenSubspace(c: Float64Array[], k: number): { values: number[]; vectors: number[][] } {
  const m = c.length;
  const b = Math.min(m, k + 4);
  // a fixed, well-spread start: cos waves of different frequencies
  let q = Array.from({ length: b }, (_, i) => Float64Array.from({ length: m }, (_, j) => Math.cos(((i + 1) * (j + 0.5) * Math.PI) / m) + (i === 0 ? 1 : 0)));
  orthonormalise(q);
  let values: number[] = [];
  let vectors: number[][] = [];
  for (let iter = 0; iter < 1000; iter++) {
    const z = q.map((row) => {
      const out = new Float64Array(m);
      for (let r = 0; r < m; r++) out[r] = dot(c[r], row);
      return out;
    });
    orthonormalise(z);
    // Rayleigh–Ritz on the subspace: small b×b problem
    const cz = z.map((row) => {
      const out = new Float64Array(m);
      for (let r = 0; r < m; r++) out[r] = dot(c[r], row);
      return out;
    });
    const small = z.map((zi) => cz.map((czj) => dot(zi, czj)));
    const eig = symmetricEigen(small);
    const ritz = eig.vectors.map((w) => {
      const out = new Float64Array(m);
      w.forEach((wi, i) => {
        for (let r = 0; r < m; r++) out[r] += wi * z[i][r];
      });
      return out;
    });
    const change = values.length ? Math.max(...eig.values.slice(0, k).map((v, i) => Math.abs(v - values[i]) / Math.max(1e-300, Math.abs(eig.values[0])))) : Infinity;
    values = eig.values;
    vectors = ritz.map((r) => Array.from(r));
    q = ritz;
    if (change < 1e-13 && iter > 3) break;
  }
  return { values: values.slice(0, k), vectors: vectors.slice(0, k) };
}

/** Flips `dir` (and `coords`' column) so the entry of `dir` with the largest |value| is positive. */
function fixSign(dir: number[]): number {
  let best = 0;
  for (let i = 1; i < dir.length; i++) if (Math.abs(dir[i]) > Math.abs(dir[best]) + 1e-12) best = i;
  return dir[best] < 0 ? -1 : 1;
}

/**
 * Projects `vectors` (n points of dimension d) onto their top `dims` principal axes.
 * Deterministic; axes beyond the data's rank have zero variance and zero coordinates.
 *
 * @example
 *   const p = projectPca([[1, 1], [2, 2], [3, 3]], 2);
 *   p.coords              // ≈ [[-1.414, 0], [0, 0], [1.414, 0]]
 *   p.explainedVariance   // ≈ [1, 0]
 */
export function projectPca(vectors: readonly (readonly number[])[], dims: number, options: PcaOptions = {}): PcaResult {
  const n = vectors.length;
  if (n === 0) throw new BertLabError("BAD_INPUT", "projectPca: no vectors — pass at least one point");
  const d = vectors[0].length;
  if (d === 0 || vectors.some((v) => v.length !== d)) throw new BertLabError("BAD_INPUT", `projectPca: every vector must have the same, non-zero length (the first has ${d})`);
  if (!Number.isInteger(dims) || dims < 1) throw new BertLabError("BAD_INPUT", `projectPca: dims must be a positive integer, got ${dims}`);
  if (vectors.some((v) => v.some((x) => !Number.isFinite(x)))) throw new BertLabError("BAD_INPUT", "projectPca: the vectors hold NaN or Infinity");
  const mean = Array.from({ length: d }, (_, j) => vectors.reduce((s, v) => s + v[j], 0) / n);
  const x = vectors.map((v) => Float64Array.from(v, (val, j) => val - mean[j]));
  const denom = Math.max(1, n - 1);
  // the smaller of the two Gram matrices: covariance XᵀX (d×d) or XXᵀ (n×n), same nonzero eigenvalues
  const useCov = d <= n;
  const m = useCov ? d : n;
  const g: Float64Array[] = Array.from({ length: m }, () => new Float64Array(m));
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) {
      let s = 0;
      if (useCov) for (let r = 0; r < n; r++) s += x[r][i] * x[r][j];
      else s = dot(x[i], x[j]);
      g[i][j] = g[j][i] = s / denom;
    }
  }
  let total = 0;
  for (let i = 0; i < m; i++) total += g[i][i];
  const k = Math.min(dims, m);
  const method = options.method ?? "auto";
  const eig = method === "jacobi" || (method === "auto" && m <= 64) ? symmetricEigen(g.map((r) => Array.from(r))) : topEigenSubspace(g, k);
  const components: number[][] = [];
  const variance: number[] = [];
  for (let a = 0; a < dims; a++) {
    const lambda = a < k ? Math.max(0, eig.values[a]) : 0;
    let dir = new Array<number>(d).fill(0);
    if (lambda > 1e-12 * Math.max(total, 1e-300)) {
      if (useCov) dir = eig.vectors[a].slice();
      else {
        // u is an eigenvector of XXᵀ: the direction is Xᵀu, normalised
        const u = eig.vectors[a];
        for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) dir[j] += u[r] * x[r][j];
        const len = Math.sqrt(dot(dir, dir)) || 1;
        dir = dir.map((v) => v / len);
      }
      const s = fixSign(dir);
      dir = dir.map((v) => v * s + 0); // + 0: no -0
      variance.push(lambda);
    } else variance.push(0);
    components.push(dir);
  }
  const coords = x.map((row) => components.map((c) => dot(row, c) + 0));
  const explainedVariance = variance.map((v) => (total > 0 ? Math.min(1, v / total) : 0));
  return { coords, components, variance, explainedVariance, mean };
}
