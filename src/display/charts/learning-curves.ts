/**
 * Learning curves from metrics.jsonl records as a Vega-Lite v5 spec: one line per metric
 * (and per run), training solid, `eval_*` dashed with points, optional labelled reference
 * lines (e.g. a paper's numbers). Data is inline, so the chart renders offline.
 */
import type { VegaLiteSpec } from "./render";

/** One metrics.jsonl line: `{ step, loss, mlm_loss, … }` or an eval line `{ step, eval_loss, … }`. */
export interface MetricRecord {
  step: number;
  [metric: string]: unknown;
}

export interface ReferenceLine {
  label: string;
  value: number;
}

export interface LearningCurveOptions {
  /** base metric names; `eval_<name>` is drawn too when present. Default: every `*loss` field */
  metrics?: string[];
  /** which runs, in legend order (when records are keyed by run name); default: all */
  runs?: string[];
  /** horizontal lines, labelled at the right edge */
  reference?: ReferenceLine[];
  title?: string;
  /** default 480 × 240 */
  width?: number;
  height?: number;
}

/** The long-form rows the chart plots. */
export interface CurvePoint {
  run: string;
  metric: string;
  split: "train" | "eval";
  series: string;
  step: number;
  value: number;
}

const DEFAULT_RUN = "run";

/** Training-time fields that are numbers but not curves to plot by default. */
function isDefaultMetric(key: string): boolean {
  return key !== "step" && /loss$/.test(key) && !key.startsWith("eval_");
}

/**
 * Flattens records into one row per (run, metric, split, step) — what the spec plots.
 *
 * @example
 *   curvePoints([{ step: 1, loss: 2 }, { step: 1, eval_loss: 3 }]).length // prints: 2
 */
export function curvePoints(records: MetricRecord[] | Record<string, MetricRecord[]>, options: Pick<LearningCurveOptions, "metrics" | "runs"> = {}): CurvePoint[] {
  const byRun: Record<string, MetricRecord[]> = Array.isArray(records) ? { [DEFAULT_RUN]: records } : records;
  const runs = options.runs ?? Object.keys(byRun);
  for (const r of runs) {
    if (!(r in byRun)) throw new RangeError(`learning curves: no run named ${JSON.stringify(r)}: the records have ${Object.keys(byRun).map((k) => JSON.stringify(k)).join(", ")}`);
  }
  const metrics = options.metrics ?? [...new Set(runs.flatMap((r) => byRun[r].flatMap((rec) => Object.keys(rec).map((k) => k.replace(/^eval_/, "")).filter(isDefaultMetric))))];
  const many = runs.length > 1;
  const out: CurvePoint[] = [];
  for (const run of runs) {
    for (const metric of metrics) {
      for (const split of ["train", "eval"] as const) {
        const key = split === "eval" ? `eval_${metric}` : metric;
        const name = split === "eval" ? `eval ${metric}` : metric;
        for (const rec of byRun[run]) {
          const v = rec[key];
          if (typeof v !== "number" || !Number.isFinite(v) || typeof rec.step !== "number") continue;
          out.push({ run, metric, split, series: many ? `${run} · ${name}` : name, step: rec.step, value: v });
        }
      }
    }
  }
  return out;
}

/**
 * A Vega-Lite v5 spec of learning curves; pass it to `chart()` to display it.
 *
 * @example
 *   await chart(learningCurveSpec(readJsonl("runs/tiny/metrics.jsonl"), {
 *     metrics: ["mlm_loss"], reference: [{ label: "BERT-tiny (paper)", value: 2.6 }] }))
 *   // the cell shows one solid train line, one dashed eval line and a labelled rule
 */
export function learningCurveSpec(records: MetricRecord[] | Record<string, MetricRecord[]>, options: LearningCurveOptions = {}): VegaLiteSpec {
  const points = curvePoints(records, options);
  if (points.length === 0) {
    throw new RangeError(`learning curves: nothing to plot — no record has a numeric step and ${options.metrics ? options.metrics.join(", ") : "a *loss field"}: pass metrics: [...] with names the records use`);
  }
  const series = [...new Set(points.map((p) => p.series))];
  const reference = options.reference ?? [];
  const width = options.width ?? 480;
  const height = options.height ?? 240;
  const names = [...new Set(points.map((p) => p.metric))];
  const yTitle = names.length === 1 ? names[0] : names.every((m) => m.endsWith("loss")) ? "loss" : "value";

  const curves = {
    data: { values: points },
    mark: { type: "line", strokeWidth: 2, interpolate: "linear" },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step", axis: { tickCount: 8, labelFlush: true } },
      y: { field: "value", type: "quantitative", title: yTitle, scale: { zero: false } },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        sort: series, // legend in the order metrics and runs were given
        scale: { scheme: "tableau10" },
        legend: { orient: "right", labelLimit: 200, symbolType: "stroke", symbolStrokeWidth: 2 },
      },
      strokeDash: {
        field: "split",
        type: "nominal",
        title: null,
        scale: { domain: ["train", "eval"], range: [[1, 0], [6, 3]] },
        legend: null, // the series names already say "eval …"
      },
      detail: { field: "run", type: "nominal" },
      tooltip: [
        { field: "series", type: "nominal", title: "series" },
        { field: "step", type: "quantitative" },
        { field: "value", type: "quantitative", format: ".4f" },
      ],
    },
  };
  const evalPoints = {
    data: { values: points.filter((p) => p.split === "eval") },
    mark: { type: "point", filled: true, size: 30 },
    encoding: {
      x: { field: "step", type: "quantitative" },
      y: { field: "value", type: "quantitative" },
      color: { field: "series", type: "nominal", sort: series }, // shares the lines' scale and legend
    },
  };
  const layers: Record<string, unknown>[] = [curves];
  if (evalPoints.data.values.length > 0) layers.push(evalPoints);
  if (reference.length > 0) {
    const refData = { values: reference.map((r) => ({ label: `${r.label}: ${Number(r.value.toPrecision(4))}`, value: r.value })) };
    layers.push({
      data: refData,
      mark: { type: "rule", color: "#666", strokeDash: [2, 2], strokeWidth: 1 },
      encoding: { y: { field: "value", type: "quantitative" } },
    });
    layers.push({
      data: refData,
      // labelled at the left edge: falling loss curves start high, so the lower left is clear
      mark: { type: "text", align: "left", baseline: "bottom", dy: -2, color: "#444", fontSize: 10 },
      encoding: { x: { value: 4 }, y: { field: "value", type: "quantitative" }, text: { field: "label" } },
    });
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title ?? "Learning curves",
    width,
    height,
    layer: layers,
    config: { view: { stroke: null }, axis: { grid: true, gridColor: "#eee", labelFontSize: 11, titleFontSize: 12 }, legend: { labelFontSize: 11 } },
  };
}
