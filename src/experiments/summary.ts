/**
 * From the runs' scores to the table: per cell (row × column) the seeds' values, their mean and
 * sample standard deviation; per row and column the difference from the reference row, and a
 * plain verdict on whether that difference is larger than the seed-to-seed noise and whether it
 * points the way the paper's does.
 *
 * The noise rule: a difference counts when it exceeds twice its standard error,
 * √(sd_a²/n_a + sd_b²/n_b) — about a 95 % two-sided test for normal scores. With one seed in
 * either cell there is no noise estimate, and the verdict says so.
 *
 * @example
 *   const s = summarize(plan, records);
 *   s.cells["No NSP"]["sst2"]; // { values: [81.2, 80.4, 82.0], mean: 81.2, sd: 0.8, n: 3 }
 *   s.comparisons[0].verdict;  // "within the noise (−0.4 ± 0.9)"
 */
import type { Plan } from "./recipes";

export interface Cell {
  values: number[];
  seeds: number[];
  mean: number;
  /** sample standard deviation (n − 1); NaN with one value */
  sd: number;
  n: number;
}

export interface Comparison {
  row: string;
  column: string;
  /** ours: this row's mean minus the reference row's */
  difference: number;
  /** the difference's standard error (NaN without two seeds on both sides) */
  standardError: number;
  /** "larger than the noise" | "within the noise" | "no noise estimate (one seed)" */
  significance: "larger" | "within" | "unknown";
  /** the paper's difference for the same cells, when it has both */
  paperDifference: number | null;
  /** ours and the paper's differences point the same way (null when either is missing or 0) */
  sameDirection: boolean | null;
  /** one line for people */
  verdict: string;
}

export interface Summary {
  /** row → column → cell (only cells with at least one value) */
  cells: Record<string, Record<string, Cell>>;
  comparisons: Comparison[];
  /** the rows the paper has, ranked by their mean over every column, ours beside the paper's ranking (null until every such cell has a value) */
  ordering: string | null;
  /** evaluations planned and done */
  planned: number;
  done: number;
}

/** One evaluation's score as the summary needs it. */
export interface Score {
  row: string;
  column: string;
  seed: number;
  /** figure5: the checkpoint's step */
  step?: number | null;
  value: number;
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

export function cellOf(scores: readonly Score[]): Cell {
  const sorted = [...scores].sort((a, b) => a.seed - b.seed);
  const values = sorted.map((s) => s.value);
  return { values, seeds: sorted.map((s) => s.seed), mean: mean(values), sd: sampleSd(values), n: values.length };
}

/** "81.2 ± 0.8" (one value: "81.2"; none: "—") */
export function cellText(cell: Cell | undefined, digits = 1): string {
  if (!cell || cell.n === 0) return "—";
  return cell.n < 2 ? cell.mean.toFixed(digits) : `${cell.mean.toFixed(digits)} ± ${cell.sd.toFixed(digits)}`;
}

const signed = (x: number, digits = 1) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(digits)}`;

export function compareCells(a: Cell, b: Cell): Pick<Comparison, "difference" | "standardError" | "significance"> {
  const difference = a.mean - b.mean;
  if (a.n < 2 || b.n < 2) return { difference, standardError: NaN, significance: "unknown" };
  const standardError = Math.sqrt(a.sd ** 2 / a.n + b.sd ** 2 / b.n);
  return { difference, standardError, significance: Math.abs(difference) > 2 * standardError ? "larger" : "within" };
}

/** The table's cells and the comparisons with the reference row (figure5: the last checkpoints; its curve is figure5Points). */
export function summarize(plan: Plan, scores: readonly Score[]): Summary {
  const cells: Summary["cells"] = {};
  for (const row of plan.rows) {
    for (const col of plan.columns) {
      // figure5's table: each objective at its last checkpoint (No pre-training is step 0)
      const step = plan.steps ? (row.paper === undefined ? 0 : plan.steps[plan.steps.length - 1]) : undefined;
      const own = scores.filter((s) => s.row === row.name && s.column === col.key && (step === undefined || s.step === step));
      if (own.length) (cells[row.name] ??= {})[col.key] = cellOf(own);
    }
  }
  const comparisons: Comparison[] = [];
  const ref = plan.rows.find((r) => r.name === plan.reference)!;
  for (const row of plan.rows) {
    if (row.name === plan.reference) continue;
    for (const col of plan.columns) {
      const a = cells[row.name]?.[col.key];
      const b = cells[plan.reference]?.[col.key];
      if (!a || !b) continue;
      const c = compareCells(a, b);
      const pa = col.paperKey ? row.paper?.[col.paperKey] : undefined;
      const pb = col.paperKey ? ref.paper?.[col.paperKey] : undefined;
      const paperDifference = pa !== undefined && pb !== undefined ? Math.round((pa - pb) * 10) / 10 : null;
      const sameDirection = paperDifference === null || paperDifference === 0 || c.difference === 0 ? null : Math.sign(paperDifference) === Math.sign(c.difference);
      const noise = c.significance === "unknown" ? "no noise estimate (one seed)" : c.significance === "larger" ? `larger than the noise (${signed(c.difference)} ± ${c.standardError.toFixed(1)})` : `within the noise (${signed(c.difference)} ± ${c.standardError.toFixed(1)})`;
      const paper = paperDifference === null ? "" : `; the paper: ${signed(paperDifference)}${sameDirection === null ? "" : sameDirection ? ", same direction" : ", opposite direction"}`;
      comparisons.push({ row: row.name, column: col.key, ...c, paperDifference, sameDirection, verdict: `${row.name} vs ${plan.reference}, ${col.title}: ${signed(c.difference)}, ${noise}${paper}` });
    }
  }
  const ranked = plan.rows.filter((r) => r.paper !== undefined);
  const ourMean = (name: string) => mean(plan.columns.map((c) => cells[name]?.[c.key]?.mean ?? NaN));
  const paperMean = (r: (typeof ranked)[number]) => mean(Object.keys(plan.paperColumns).map((k) => r.paper?.[k]).filter((v): v is number => v !== undefined));
  const rank = (score: (r: (typeof ranked)[number]) => number) => [...ranked].sort((a, b) => score(b) - score(a)).map((r) => `${r.name} (${score(r).toFixed(1)})`).join(" > ");
  const ordering = ranked.length > 1 && ranked.every((r) => Number.isFinite(ourMean(r.name)))
    ? `Rows by their mean over the columns — ours: ${rank((r) => ourMean(r.name))}; the paper: ${rank(paperMean)}`
    : null;
  const planned = plan.evals.length;
  const ids = new Set(scores.map((s) => `${s.row}\u0000${s.column}\u0000${s.seed}\u0000${s.step ?? ""}`));
  return { cells, comparisons, ordering, planned, done: ids.size };
}

/** Figure 5's points: per row and step, the cell over seeds (step 0: the No pre-training row, drawn on every line). */
export function figure5Points(plan: Plan, scores: readonly Score[]): { row: string; step: number; cell: Cell }[] {
  const out: { row: string; step: number; cell: Cell }[] = [];
  const column = plan.columns[0].key;
  const start = scores.filter((s) => s.step === 0 && s.column === column);
  for (const row of plan.rows) {
    if (row.paper === undefined) continue;
    if (start.length) out.push({ row: row.name, step: 0, cell: cellOf(start) });
    for (const step of plan.steps ?? []) {
      const own = scores.filter((s) => s.row === row.name && s.column === column && s.step === step);
      if (own.length) out.push({ row: row.name, step, cell: cellOf(own) });
    }
  }
  return out;
}
