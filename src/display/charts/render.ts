/**
 * Vega-Lite specs → MIME bundles a notebook can show: the spec itself (JupyterLab and VS Code
 * draw it interactively), an SVG rendered here in Node (for nbconvert, GitHub, plain
 * front ends) and a one-line text summary. Rendering is offline: data must be inline.
 *
 * Why vega 5 / vega-lite 5: no Jupyter front end registers `vnd.vegalite.v6`, and vega 6 is
 * ESM-only with top-level await, which fails inside tslab cells (DESIGN.md §5).
 * Never add `text/html` beside the vega-lite type: JupyterLab would prefer the html.
 *
 * Specs are typed as plain objects so vega's own (heavy) types stay out of our `.d.ts`.
 */
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import { BertLabError } from "../../util/errors";
import { DISPLAY, MimeBundle } from "../mime";

/** A Vega-Lite v5 spec as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;


export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";
export const SVG_MIME = "image/svg+xml";


/** The bundle `chartBundle()` returns: exactly these three types, never `text/html`. */
export interface ChartBundle {
  "application/vnd.vegalite.v5+json": VegaLiteSpec;
  "image/svg+xml": string;
  "text/plain": string;
}

export interface ChartOptions {
  /** the `text/plain` fallback; default: a one-line summary of the spec */
  textPlain?: string;
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

function refuseUrl(uri: unknown): BertLabError {
  return new BertLabError(
    "CHART_DATA_URL",
    `chart data must be inline, charts render offline: the spec loads ${JSON.stringify(uri)} — ` +
      `read the file yourself and pass data: { values: [...] } instead of data: { url }`,
  );
}

/** A vega loader that refuses every URL and file: nothing may load from the network or disk. */
const offlineLoader = {
  options: {},
  load: (uri: unknown) => Promise.reject(refuseUrl(uri)),
  sanitize: (uri: unknown) => Promise.reject(refuseUrl(uri)),
  http: (uri: unknown) => Promise.reject(refuseUrl(uri)),
  file: (uri: unknown) => Promise.reject(refuseUrl(uri)),
};

/** Throws if any `data` (top level, layers, lookups) names a `url` instead of inline values. */
export function assertInlineData(spec: unknown): void {
  const walk = (node: unknown, key: string): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, key));
    if (node === null || typeof node !== "object") return;
    const obj = node as Record<string, unknown>;
    if (key === "data" && typeof obj.url === "string") throw refuseUrl(obj.url);
    for (const [k, v] of Object.entries(obj)) walk(v, k);
  };
  walk(spec, "");
}

/**
 * Renders a Vega-Lite v5 spec to an SVG string, headless, offline.
 *
 * @example
 *   const svg = await renderSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: "point",
 *     encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } });
 *   console.log(svg.slice(0, 4)); // prints: <svg
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  assertInlineData(spec);
  const compiled = vegaLite.compile({ $schema: SCHEMA, ...spec } as never).spec;
  const view = new vega.View(vega.parse(compiled), {
    renderer: "none",
    loader: offlineLoader as never,
    logLevel: vega.Error,
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** "Chart "Learning curves": 2 layers, 60 data rows" — what a text-only front end shows. */
export function chartSummary(spec: VegaLiteSpec): string {
  const t = spec.title as unknown;
  const title = typeof t === "string" ? t : t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string" ? (t as { text: string }).text : "";
  let rows = 0;
  const marks = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== "object") return;
    const o = node as Record<string, unknown>;
    const data = o.data as { values?: unknown } | undefined;
    if (data && Array.isArray(data.values)) rows += data.values.length;
    const mark = o.mark as unknown;
    if (typeof mark === "string") marks.add(mark);
    else if (mark && typeof mark === "object" && typeof (mark as { type?: unknown }).type === "string") marks.add((mark as { type: string }).type);
    for (const k of ["layer", "concat", "hconcat", "vconcat", "spec"]) if (k in o) walk(o[k]);
  };
  walk(spec);
  const what = [...marks].join("+") || "chart";
  return `${title ? `Chart "${title}"` : "Chart"}: ${what}, ${rows} data rows (Vega-Lite v5)`;
}

/**
 * The full bundle for one chart: the spec, its SVG and a text summary.
 *
 * @example
 *   const b = await chartBundle(attentionHeatmapSpec([[1]], ["a"], ["a"]));
 *   console.log(Object.keys(b)); // prints: [ 'application/vnd.vegalite.v5+json', 'image/svg+xml', 'text/plain' ]
 */
export async function chartBundle(spec: VegaLiteSpec, options: ChartOptions = {}): Promise<ChartBundle> {
  const svg = await renderSvg(spec);
  return { [VEGA_LITE_MIME]: spec, [SVG_MIME]: svg, "text/plain": options.textPlain ?? chartSummary(spec) } as ChartBundle;
}

/**
 * A chart a notebook cell can return. The display protocol is synchronous and SVG rendering
 * is not, so `await chart(spec)` (or `await new Chart(spec).render()`) renders first;
 * an unrendered Chart displays without the SVG (front ends with vega-lite still draw it).
 *
 * @example
 *   await chart(learningCurveSpec(records)) // the cell shows the learning curves
 */
export class Chart {
  readonly spec: VegaLiteSpec;
  readonly textPlain: string;
  /** the rendered SVG; undefined until `render()` resolves */
  svg: string | undefined;

  constructor(spec: VegaLiteSpec, options: ChartOptions = {}) {
    this.spec = spec;
    this.textPlain = options.textPlain ?? chartSummary(spec);
  }

  /** Renders the SVG (once) and resolves to this chart. */
  async render(): Promise<this> {
    if (this.svg === undefined) this.svg = await renderSvg(this.spec);
    return this;
  }

  /** The MIME bundle: vega-lite spec, SVG (once rendered) and text — never `text/html`. */
  toMimeBundle(): MimeBundle {
    const bundle: MimeBundle = { [VEGA_LITE_MIME]: this.spec };
    if (this.svg !== undefined) bundle[SVG_MIME] = this.svg;
    bundle["text/plain"] = this.textPlain;
    return bundle;
  }

  [DISPLAY](): MimeBundle {
    return this.toMimeBundle();
  }

  toString(): string {
    return this.textPlain;
  }
}

/** `await chart(spec)`: a Chart with its SVG already rendered, ready to be a cell's value. */
export function chart(spec: VegaLiteSpec, options: ChartOptions = {}): Promise<Chart> {
  return new Chart(spec, options).render();
}
