/**
 * An attention map as a Vega-Lite v5 spec: one rect per (query, key) pair, queries down,
 * keys across, tokens in sentence order, weights 0..1 on a sequential colour scale.
 */
import type { VegaLiteSpec } from "./render";

export interface HeatmapOptions {
  title?: string;
  /** pixels per cell; default fits ~480 px, between 4 and 28 */
  cellSize?: number;
  /** the weight drawn darkest (default: the largest weight in the map, so a flat map still shows its structure; 1 puts maps on one scale) */
  vmax?: number;
  /** segment id per token (0 = sentence A, 1 = B): a dashed line marks where B begins */
  segments?: readonly number[];
}

const BLUES = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"];

/** Tokens repeat ([SEP], "the"): cells are keyed by position and the axis labels map position → token. */
function labelExpr(tokens: string[]): string {
  return `${JSON.stringify(tokens)}[datum.value]`;
}

/**
 * A heatmap of attention weights `[T_query][T_key]` (rows sum to 1 after softmax).
 *
 * @example
 *   await chart(attentionHeatmapSpec(out.attentions[0][0][h], tokens, tokens, { title: `layer 0, head ${h}` }))
 *   // the cell shows a T×T map, [CLS] at the top left
 */
export function attentionHeatmapSpec(weights: number[][], rowTokens: string[], colTokens: string[], options: HeatmapOptions = {}): VegaLiteSpec {
  if (weights.length !== rowTokens.length) {
    throw new RangeError(`attention heatmap: ${weights.length} rows of weights but ${rowTokens.length} row tokens: pass one token per query position`);
  }
  const values: { i: number; j: number; query: string; key: string; weight: number }[] = [];
  weights.forEach((row, i) => {
    if (row.length !== colTokens.length) {
      throw new RangeError(`attention heatmap: row ${i} has ${row.length} weights but there are ${colTokens.length} column tokens: pass one token per key position`);
    }
    row.forEach((w, j) => values.push({ i, j, query: rowTokens[i], key: colTokens[j], weight: w }));
  });
  const n = Math.max(rowTokens.length, colTokens.length, 1);
  const cell = options.cellSize ?? Math.max(4, Math.min(28, Math.floor(480 / n)));
  const labelSize = Math.max(6, Math.min(11, cell - 1));
  const axis = (tokens: string[]) => ({
    title: null,
    labelExpr: labelExpr(tokens),
    labelFontSize: labelSize,
    labelLimit: 90,
    labelOverlap: cell < 6 ? "parity" : false,
    ticks: false,
    domain: false,
  });
  const vmax = options.vmax ?? Math.max(1e-6, ...values.map((v) => v.weight));
  const firstB = options.segments ? options.segments.indexOf(1) : -1;
  const boundary = firstB > 0 ? [boundaryRule("x", firstB), boundaryRule("y", firstB)] : [];
  const cells = {
    mark: { type: "rect", stroke: cell >= 10 ? "white" : null, strokeWidth: 0.5 },
    encoding: {
      x: { field: "j", type: "ordinal", sort: null, axis: { ...axis(colTokens), orient: "top", labelAngle: -60, labelAlign: "left" } },
      y: { field: "i", type: "ordinal", sort: null, axis: axis(rowTokens) },
      color: {
        field: "weight",
        type: "quantitative",
        title: "weight",
        // ColorBrewer Blues, white at 0: vega's "blues" scheme starts light blue, which hides structure
        scale: { domain: [0, vmax], range: BLUES, clamp: true },
        legend: { gradientLength: Math.min(200, Math.max(80, cell * rowTokens.length)) },
      },
      tooltip: [
        { field: "query", type: "nominal", title: "query" },
        { field: "key", type: "nominal", title: "key" },
        { field: "weight", type: "quantitative", format: ".3f" },
      ],
    },
  };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title ?? "Attention",
    width: { step: cell },
    height: { step: cell },
    data: { values },
    ...(boundary.length ? { layer: [cells, ...boundary] } : cells),
    config: { view: { stroke: null }, axis: { labelColor: "#333" } },
  };
}

/** A dashed line before position `at` (where sentence B begins), across the whole map (a rule with one position spans the plot). */
function boundaryRule(axis: "x" | "y", at: number): Record<string, unknown> {
  return {
    data: { values: [{ at }] },
    mark: { type: "rule", color: "#d62728", strokeDash: [4, 3], strokeWidth: 1.2 },
    encoding: { [axis]: { field: "at", type: "ordinal", bandPosition: 0 } },
  };
}
