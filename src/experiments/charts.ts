/**
 * An experiment's pictures, as Vega-Lite specs (chart() shows them, renderSvg() writes them):
 *   scoresSpec     one panel per task: each row's mean as a bar, ± one standard deviation as a
 *                  whisker, every seed as a dot (the paper's number is in the table beside)
 *   differenceSpec one panel per task: each row minus the reference row — ours with ± 2
 *                  standard errors, the paper's as a diamond — so the direction of every effect
 *                  can be compared at a glance whatever the two scales' absolute levels
 *   figure5Spec    downstream score along pre-training, one line per objective, a band of ± sd
 */
import type { VegaLiteSpec } from "../display/charts/render";
import type { Plan } from "./recipes";
import { figure5Points, Score, Summary } from "./summary";

const ROW_COLORS = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#9d755d"];

function colorScale(plan: Plan) {
  const names = plan.rows.map((r) => r.name);
  return { domain: names, range: names.map((n, i) => (plan.rows[i].paper === undefined ? "#9a9a9a" : ROW_COLORS[i % ROW_COLORS.length])) };
}

export function scoresSpec(plan: Plan, summary: Summary, scores: readonly Score[]): VegaLiteSpec {
  const order = plan.rows.map((r) => r.name);
  const titles = new Map(plan.columns.map((c) => [c.key, `${c.title} (${c.task.metric})`]));
  const cells = plan.rows.flatMap((r) =>
    plan.columns.flatMap((c) => {
      const cell = summary.cells[r.name]?.[c.key];
      if (!cell) return [];
      const sd = Number.isFinite(cell.sd) ? cell.sd : 0;
      return [{ row: r.name, task: titles.get(c.key), mean: cell.mean, low: cell.mean - sd, high: cell.mean + sd, n: cell.n }];
    }),
  );
  const shown = new Set(cells.map((c) => `${c.row}\u0000${c.task}`));
  const dots = scores.map((s) => ({ row: s.row, task: titles.get(s.column), value: s.value, seed: s.seed })).filter((d) => shown.has(`${d.row}\u0000${d.task}`));
  const x = { field: "row", type: "nominal", sort: order, title: null, axis: { labelAngle: -35, labelLimit: 220 } };
  // a facet needs one data set: the cells and the seeds' dots side by side, told apart by "kind"
  const values = [...cells.map((c) => ({ kind: "cell", ...c })), ...dots.map((d) => ({ kind: "seed", ...d }))];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: plan.title, subtitle: "ours: mean (bar) ± 1 sd (whisker) over seeds, each seed a dot; grey: no pre-training (ours only)" },
    data: { values },
    facet: { field: "task", type: "nominal", title: null, sort: plan.columns.map((c) => titles.get(c.key)) },
    columns: Math.min(4, plan.columns.length),
    spec: {
      width: Math.max(140, 26 * plan.rows.length),
      height: 180,
      layer: [
        { transform: [{ filter: "datum.kind === 'cell'" }], mark: { type: "bar", opacity: 0.85 }, encoding: { x, y: { field: "mean", type: "quantitative", title: "dev score", scale: { zero: true } }, color: { field: "row", type: "nominal", scale: colorScale(plan), legend: null }, tooltip: [{ field: "row" }, { field: "mean", format: ".1f" }, { field: "n", title: "seeds" }] } },
        { transform: [{ filter: "datum.kind === 'cell'" }], mark: { type: "rule", strokeWidth: 1.5 }, encoding: { x, y: { field: "low", type: "quantitative" }, y2: { field: "high" } } },
        { transform: [{ filter: "datum.kind === 'seed'" }], mark: { type: "point", filled: true, size: 22, color: "#222", opacity: 0.8 }, encoding: { x, y: { field: "value", type: "quantitative" }, tooltip: [{ field: "row" }, { field: "seed" }, { field: "value", format: ".1f" }] } },
      ],
    },
    resolve: { scale: { y: "independent" } },
  };
}

export function differenceSpec(plan: Plan, summary: Summary): VegaLiteSpec {
  const titles = new Map(plan.columns.map((c) => [c.key, c.title]));
  const order = plan.rows.filter((r) => r.name !== plan.reference).map((r) => r.name);
  const points = summary.comparisons.flatMap((c) => {
    const se = Number.isFinite(c.standardError) ? c.standardError : 0;
    const ours = { row: c.row, task: titles.get(c.column), who: "ours", difference: c.difference, low: c.difference - 2 * se, high: c.difference + 2 * se };
    return c.paperDifference === null ? [ours] : [ours, { row: c.row, task: titles.get(c.column), who: "the paper", difference: c.paperDifference, low: c.paperDifference, high: c.paperDifference }];
  });
  const x = { field: "row", type: "nominal", sort: order, title: null, axis: { labelAngle: -35, labelLimit: 220 } };
  const color = { field: "who", type: "nominal", title: null, scale: { domain: ["ours", "the paper"], range: ["#4c78a8", "#e45756"] } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: `${plan.title}: each row minus "${plan.reference}"`, subtitle: "ours ± 2 standard errors (dot and whisker) and, where the paper has the task, the paper's (diamond); in points of each task's score" },
    data: { values: points },
    facet: { field: "task", type: "nominal", title: null, sort: plan.columns.map((c) => c.title) },
    columns: Math.min(4, plan.columns.length),
    spec: {
      width: Math.max(140, 30 * order.length),
      height: 170,
      layer: [
        { mark: { type: "rule", color: "#888", strokeDash: [4, 3] }, encoding: { y: { datum: 0, type: "quantitative" } } },
        { transform: [{ filter: "datum.who === 'ours'" }], mark: { type: "rule", strokeWidth: 1.5 }, encoding: { x, xOffset: { field: "who" }, y: { field: "low", type: "quantitative", title: "difference (points)" }, y2: { field: "high" }, color } },
        { mark: { type: "point", filled: true, size: 60 }, encoding: { x, xOffset: { field: "who" }, y: { field: "difference", type: "quantitative" }, color, shape: { field: "who", type: "nominal", scale: { domain: ["ours", "the paper"], range: ["circle", "diamond"] }, title: null }, tooltip: [{ field: "row" }, { field: "who" }, { field: "difference", format: "+.1f" }] } },
      ],
    },
    resolve: { scale: { y: "independent" } },
  };
}

export function figure5Spec(plan: Plan, scores: readonly Score[]): VegaLiteSpec {
  const column = plan.columns[0];
  const points = figure5Points(plan, scores).map((p) => {
    const sd = Number.isFinite(p.cell.sd) ? p.cell.sd : 0;
    return { row: p.row, step: p.step, mean: p.cell.mean, low: p.cell.mean - sd, high: p.cell.mean + sd, n: p.cell.n };
  });
  const rows = plan.rows.filter((r) => r.paper !== undefined).map((r) => r.name);
  const color = { field: "row", type: "nominal", title: null, sort: rows, scale: { domain: rows, range: ROW_COLORS.slice(0, rows.length) }, legend: { labelLimit: 280, symbolType: "stroke", symbolStrokeWidth: 2, symbolOpacity: 1 } };
  const x = { field: "step", type: "quantitative", title: "pre-training steps (0: random weights)" };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: plan.title, subtitle: `${column.title} dev ${column.task.metric} after fine-tuning each checkpoint: mean over seeds, band ± 1 sd` },
    data: { values: points },
    width: 460,
    height: 260,
    layer: [
      { mark: { type: "area", opacity: 0.18 }, encoding: { x, y: { field: "low", type: "quantitative" }, y2: { field: "high" }, color } }, // the same color spec: one legend, drawn as lines
      { mark: { type: "line", strokeWidth: 2, point: true }, encoding: { x, y: { field: "mean", type: "quantitative", title: `${column.title} (${column.task.metric})`, scale: { zero: false } }, color, tooltip: [{ field: "row" }, { field: "step" }, { field: "mean", format: ".1f" }, { field: "n", title: "seeds" }] } },
    ],
  };
}
