// plotly.js in a notebook, offline: a loader output that inlines plotly.min.js from
// node_modules (nothing is fetched from a CDN), sent once per kernel session before the first
// plotly figure, and figure bundles whose html draws with the page's window.Plotly — or says
// plainly how to load it when it is missing (a reloaded page, an exported notebook).
import * as fs from "node:fs";
import { randomBytes } from "node:crypto";
import { currentSink, show, DisplaySink } from "./show";
import { DISPLAY, Displayable, MimeBundle } from "./mime";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** A plotly figure as plain JSON. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

let cachedSource: { version: string; html: string } | undefined;

/** plotly.min.js's text and version, read once from node_modules/plotly.js-dist-min. */
function plotlySource(): { version: string; html: string } {
  if (cachedSource) return cachedSource;
  const file = require.resolve("plotly.js-dist-min/plotly.min.js");
  const pkg = JSON.parse(fs.readFileSync(require.resolve("plotly.js-dist-min/package.json"), "utf8")) as { version?: string };
  const js = fs.readFileSync(file, "utf8");
  cachedSource = { version: String(pkg.version ?? "3"), html: `<script type="text/javascript">\n${escapeScript(js)}\n</script>` };
  return cachedSource;
}

/**
 * Makes JavaScript safe inside an html `<script>` element: no `</script` or `<!--` can end or
 * confuse it (`<\/` means the same inside JS strings, regexes and comments).
 *
 * @example
 *   escapeScript('s = "</script>"')   // 's = "<\/script>"'
 */
export function escapeScript(js: string): string {
  return js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/**
 * The output that loads plotly.js into the notebook page, inlined (~4.7 MB): show it once per
 * page before plotly figures. `projectionView` sends it for you.
 *
 * @example
 *   show(plotlyLoader())   // the cell prints nothing visible; window.Plotly now exists
 */
export function plotlyLoader(): Displayable {
  const { version, html } = plotlySource();
  const bundle: MimeBundle = { "text/html": html, "text/plain": `plotly.js ${version} loaded (offline)` };
  return { [DISPLAY]: () => bundle, toString: () => bundle["text/plain"] as string } as Displayable;
}

let loaded = false;

/** Forgets that the loader was sent (tests; or after reloading the notebook page). */
export function resetPlotlyLoader(): void {
  loaded = false;
}

/**
 * Sends `plotlyLoader()` through `show()` unless this session already did. Nothing is sent to
 * the console sink (a terminal runs no scripts). Returns true when it sent the loader now.
 *
 * @example
 *   ensurePlotlyLoaded(); show(plotlyFigure(fig, "my 3-D plot"))
 */
export function ensurePlotlyLoaded(sink: DisplaySink = currentSink()): boolean {
  if (loaded || sink.name === "console") return false;
  show(plotlyLoader(), { sink });
  loaded = true;
  return true;
}

/** JSON that can sit inside a `<script>`: `<`, U+2028 and U+2029 escaped. */
function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/**
 * The html of one figure: a div and a script that calls `Plotly.newPlot` with the page's
 * already-loaded plotly.js (never a URL). Without it the div says how to load it.
 *
 * @example
 *   plotlyHtml({ data: [{ type: "scatter3d", x: [0], y: [0], z: [0] }], layout: {} })
 *   // '<div id="plotly-…" …></div><script>…window.Plotly.newPlot(…)…</script><noscript>…'
 */
export function plotlyHtml(figure: PlotlyFigure, options: { height?: number; id?: string } = {}): string {
  const id = options.id ?? `plotly-${randomBytes(6).toString("hex")}`;
  const height = options.height ?? 520;
  const missing = "plotly.js is not loaded in this page: run plotlyLoader() in a cell (show(plotlyLoader())), then run this cell again.";
  return [
    `<div id="${id}" class="bert-lab-plotly" style="width:100%;max-width:760px;height:${height}px;"></div>`,
    `<script type="text/javascript">`,
    `(function () {`,
    `  var el = document.getElementById(${JSON.stringify(id)});`,
    `  if (!el) return;`,
    `  if (typeof window.Plotly === "undefined") {`,
    `    el.style.height = "auto"; el.style.color = "#b00020"; el.style.fontFamily = "monospace";`,
    `    el.textContent = ${JSON.stringify(missing)};`,
    `    return;`,
    `  }`,
    `  var fig = ${scriptJson(figure)};`,
    `  window.Plotly.newPlot(el, fig.data, fig.layout, { responsive: true, displaylogo: false });`,
    `})();`,
    `</script>`,
    `<noscript>This 3-D plot needs JavaScript; see the text output.</noscript>`,
  ].join("\n");
}

/**
 * A plotly figure's bundle: plotly JSON (JupyterLab's plotly renderer, when installed), html
 * (any front end, once plotlyLoader() ran in the page) and text.
 *
 * @example
 *   plotlyBundle(fig, "3-D PCA of 20 tokens")   // keys: plotly json, text/html, text/plain
 */
export function plotlyBundle(figure: PlotlyFigure, text: string, options: { height?: number } = {}): MimeBundle {
  return { [PLOTLY_MIME]: figure, "text/html": plotlyHtml(figure, options), "text/plain": text };
}
