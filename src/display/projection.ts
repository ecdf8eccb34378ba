// projectionView: token embeddings (or any vectors) projected onto their top principal axes.
// 2-D: a Vega-Lite scatter with text labels, coloured by group (spec + offline SVG + text).
// 3-D: a plotly scatter3d (plotly JSON + html + text); plotly.js is loaded into the page once
// per session, from node_modules, before the first 3-D figure.
import { BertLabError } from "../util/errors";
import { chart, VegaLiteSpec } from "./charts/render";
import { DISPLAY, Displayable, MimeBundle } from "./mime";
import { projectPca, PcaResult } from "./pca";
import { ensurePlotlyLoaded, plotlyBundle, PlotlyFigure } from "./plotly";

/** One point to project: a label drawn beside it, its vector, and an optional colour group. */
export interface ProjectionPoint {
  label: string;
  vector: readonly number[];
  group?: string;
}

export interface ProjectionViewOptions {
  /** 2 (vega-lite scatter, default) or 3 (plotly, rotatable) */
  dims?: 2 | 3;
  title?: string;
  /** pixels; default 520 × 420 (2-D), 520 high (3-D) */
  width?: number;
  height?: number;
}

/** A projected point: its label, group and coordinates. */
export interface ProjectedPoint {
  label: string;
  group: string;
  coords: number[];
}

/** A drawn projection: its bundle, its text, and the PCA behind it. */
export interface ProjectionView extends Displayable {
  dims: 2 | 3;
  pca: PcaResult;
  points: ProjectedPoint[];
  bundle: MimeBundle;
  text: string;
}

/** Tableau 10, vega-lite's default categorical scheme: the same group colours in 2-D and 3-D. */
export const GROUP_COLORS: readonly string[] = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"];

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const round = (v: number) => Math.round(v * 1e4) / 1e4 + 0;

function projectedPoints(points: readonly ProjectionPoint[], dims: 2 | 3): { pca: PcaResult; projected: ProjectedPoint[]; groups: string[] } {
  if (points.length === 0) throw new BertLabError("BAD_INPUT", "projectionView: no points — pass at least one { label, vector }");
  const pca = projectPca(points.map((p) => p.vector), dims);
  const projected = points.map((p, i) => ({ label: p.label, group: p.group ?? "", coords: pca.coords[i].map(round) }));
  const groups = [...new Set(projected.map((p) => p.group))];
  return { pca, projected, groups };
}

function projectionText(pca: PcaResult, projected: ProjectedPoint[], dims: 2 | 3, d: number, title?: string): string {
  const lines: string[] = title ? [title] : [];
  const axes = pca.explainedVariance.map((v, i) => `PC${i + 1} ${pct(v)}`).join(", ");
  const total = pca.explainedVariance.reduce((a, b) => a + b, 0);
  lines.push(`PCA of ${projected.length} points (d = ${d}) to ${dims}-D: ${axes} of the variance (${pct(total)} together)`);
  const lw = Math.min(20, Math.max(5, ...projected.map((p) => p.label.length)));
  const hasGroups = projected.some((p) => p.group !== "");
  const gw = Math.min(14, Math.max(5, ...projected.map((p) => p.group.length)));
  const shown = projected.slice(0, 40);
  for (const p of shown) {
    const label = p.label.length > 20 ? p.label.slice(0, 19) + "…" : p.label;
    const group = hasGroups ? "  " + (p.group.length > 14 ? p.group.slice(0, 13) + "…" : p.group).padEnd(gw) : "";
    lines.push(`  ${label.padEnd(lw)}${group}  ${p.coords.map((c) => c.toFixed(3).padStart(8)).join(" ")}`);
  }
  if (projected.length > shown.length) lines.push(`  … ${projected.length - shown.length} more`);
  return lines.join("\n");
}

/** The Vega-Lite spec of a 2-D projection: points, their labels beside them, colour by group. */
export function projectionSpec(projected: ProjectedPoint[], pca: PcaResult, options: ProjectionViewOptions = {}): VegaLiteSpec {
  const groups = [...new Set(projected.map((p) => p.group))];
  const grouped = groups.length > 1 || groups[0] !== "";
  const values = projected.map((p, i) => ({ i, label: p.label, group: p.group, x: p.coords[0], y: p.coords[1] ?? 0 }));
  const color = grouped
    ? { color: { field: "group", type: "nominal", title: "group", sort: groups, scale: { domain: groups, range: groups.map((_, i) => GROUP_COLORS[i % GROUP_COLORS.length]) } } }
    : {};
  const axis = (k: number) => ({ field: k === 0 ? "x" : "y", type: "quantitative", title: `PC${k + 1} (${pct(pca.explainedVariance[k] ?? 0)} of variance)`, scale: { zero: false, nice: true, padding: 16 } });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: options.title ?? "PCA projection",
    width: options.width ?? 520,
    height: options.height ?? 420,
    data: { values },
    encoding: { x: axis(0), y: axis(1), ...color },
    layer: [
      { mark: { type: "point", filled: true, size: 60, opacity: 0.85, ...(grouped ? {} : { color: GROUP_COLORS[0] }) }, encoding: { tooltip: [{ field: "label", type: "nominal" }, ...(grouped ? [{ field: "group", type: "nominal" }] : []), { field: "x", type: "quantitative", format: ".3f" }, { field: "y", type: "quantitative", format: ".3f" }] } },
      { mark: { type: "text", align: "left", baseline: "middle", dx: 7, fontSize: 11, ...(grouped ? {} : { color: "#333333" }) }, encoding: { text: { field: "label", type: "nominal" } } },
    ],
    config: { view: { stroke: "#dddddd" } },
  };
}

/** The plotly figure of a 3-D projection: one scatter3d trace per group (so the legend names them). */
export function projectionFigure(projected: ProjectedPoint[], pca: PcaResult, options: ProjectionViewOptions = {}): PlotlyFigure {
  const groups = [...new Set(projected.map((p) => p.group))];
  const data = groups.map((g, k) => {
    const ps = projected.filter((p) => p.group === g);
    return {
      type: "scatter3d",
      mode: "markers+text",
      name: g === "" ? "points" : g,
      x: ps.map((p) => p.coords[0]),
      y: ps.map((p) => p.coords[1]),
      z: ps.map((p) => p.coords[2]),
      text: ps.map((p) => p.label),
      textposition: "top center",
      textfont: { size: 11, color: "#333333" },
      hovertemplate: `%{text}${g === "" ? "" : ` (${g.replace(/[%{}<>]/g, "")})`}<br>PC1 %{x:.3f}<br>PC2 %{y:.3f}<br>PC3 %{z:.3f}<extra></extra>`,
      marker: { size: 4, color: GROUP_COLORS[k % GROUP_COLORS.length], opacity: 0.9 },
    };
  });
  const axis = (k: number) => ({ title: { text: `PC${k + 1} (${pct(pca.explainedVariance[k] ?? 0)})` }, zeroline: false });
  return {
    data,
    layout: {
      title: { text: options.title ?? "PCA projection (3-D)" },
      height: options.height ?? 520,
      margin: { l: 0, r: 0, t: 40, b: 10 },
      showlegend: groups.length > 1,
      scene: { xaxis: axis(0), yaxis: axis(1), zaxis: axis(2), aspectmode: "cube" },
    },
  };
}

function view(dims: 2 | 3, pca: PcaResult, points: ProjectedPoint[], bundle: MimeBundle, text: string): ProjectionView {
  return { dims, pca, points, bundle, text, [DISPLAY]: () => bundle, toString: () => text } as ProjectionView;
}

/**
 * Projects labelled vectors onto their top 2 or 3 principal axes and draws them.
 * 2-D: a Vega-Lite scatter (spec + SVG + text). 3-D: a rotatable plotly scatter (plotly JSON
 * + html + text); the first 3-D call of a session also sends plotlyLoader() through show().
 *
 * @example
 *   const parts = embeddingParts(model, tok, "the king and the queen", "a man and a woman");
 *   await projectionView(parts.tokens.map((t, i) => ({ label: t, vector: parts.token[i], group: parts.segments[i] ? "B" : "A" })), { dims: 3 })
 *   // the cell shows a rotatable 3-D scatter of the token embeddings
 */
export async function projectionView(points: readonly ProjectionPoint[], options: ProjectionViewOptions = {}): Promise<ProjectionView> {
  const dims = options.dims ?? 2;
  if (dims !== 2 && dims !== 3) throw new BertLabError("BAD_INPUT", `projectionView: dims must be 2 or 3, got ${String(dims)}`);
  const { pca, projected } = projectedPoints(points, dims);
  const text = projectionText(pca, projected, dims, points[0].vector.length, options.title);
  if (dims === 2) {
    const c = await chart(projectionSpec(projected, pca, options), { textPlain: text });
    return view(2, pca, projected, c.toMimeBundle(), text);
  }
  ensurePlotlyLoaded();
  return view(3, pca, projected, plotlyBundle(projectionFigure(projected, pca, options), text, { height: options.height }), text);
}
