// tensorView(): a tensor as text (shape, dtype, size, min/mean/max and a few values, summarised
// the way numpy prints big arrays) and, for 1-D/2-D float tensors, a small SVG heatmap (at most
// 64×64 cells: larger tensors are sampled with a stride, and the picture says so).
// installTensorDisplay() makes every tfjs tensor display itself this way (show(t), Deno).
// Values are read through a few small gathers inside tf.tidy: nothing leaks, and a 30522×768
// embedding matrix is never copied whole to the host.
import * as tf from "@tensorflow/tfjs-core";
import { Tensor } from "@tensorflow/tfjs-core";
import { DISPLAY, Displayable, MimeBundle } from "./mime";
import { formatNumber } from "./table";
import { escapeXml, FONT } from "./tokens-view";

/** Options of tensorView(). */
export interface TensorViewOptions {
  /** heatmap cells per side at most (default 64) */
  maxCells?: number;
  /** significant digits of the printed values (default 4) */
  digits?: number;
  /** a name shown in the first line and the picture's title */
  name?: string;
}

/** Summary statistics of a tensor (NaN for strings and empty tensors). */
export interface TensorStats {
  min: number;
  mean: number;
  max: number;
}

/** What tensorView() made: the text, the heatmap SVG when there is one, and the numbers. */
export interface TensorView extends Displayable {
  text: string;
  svg?: string;
  shape: number[];
  dtype: string;
  stats?: TensorStats;
}

/** Tensors with more values than this print summarised (numpy: 1000; fewer here, to stay readable in a cell). */
const THRESHOLD = 100;
/** Printed lines wrap at about this many characters. */
const LINE_WIDTH = 100;
const EDGE = 3;

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${formatNumber(v, 3)} ${units[u]}`;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

/** min / mean / max on the device: three scalars come back. */
function statsOf(t: Tensor): TensorStats | undefined {
  if (t.size === 0 || (t.dtype !== "float32" && t.dtype !== "int32" && t.dtype !== "bool")) return undefined;
  const [min, mean, max] = tf.tidy(() => {
    const x = t.dtype === "float32" ? t : tf.cast(t, "float32");
    return [tf.min(x), tf.mean(x), tf.max(x)].map((s) => s.dataSync()[0]);
  });
  return { min, mean, max };
}

/** Indices kept along an axis of length n: all, or the first and last `EDGE` when summarising. */
function edgeIndices(n: number, summarise: boolean): number[] {
  if (!summarise || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [0, 1, 2, n - 3, n - 2, n - 1];
}

/** `k` indices spread evenly over n (all of them when n ≤ k): the strided sample. */
export function strideIndices(n: number, k: number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
}

/** Gathers the given indices along every axis, inside a tidy; returns host values (nested arrays). */
function gatherAxes(t: Tensor, indices: number[][]): unknown {
  return tf.tidy(() => {
    let x: Tensor = t;
    indices.forEach((idx, axis) => {
      if (idx.length !== x.shape[axis]) x = tf.gather(x, tf.tensor1d(idx, "int32"), axis);
    });
    return x.arraySync();
  });
}

function valueText(v: unknown, digits: number): string {
  if (typeof v === "number") return formatNumber(v, digits);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof Uint8Array) return JSON.stringify(new TextDecoder().decode(v));
  return JSON.stringify(v);
}

/** Flattens nested arrays to their leaves. */
function leaves(v: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(v)) for (const x of v) leaves(x, out);
  else out.push(v);
  return out;
}

/** numpy-style nested print: "..." where a summarised axis skips values. */
function nestedText(v: unknown, cut: boolean[], width: number, digits: number, depth = 0): string {
  if (!Array.isArray(v)) return valueText(v, digits).padStart(width);
  const parts = v.map((x) => nestedText(x, cut, width, digits, depth + 1));
  if (cut[depth]) parts.splice(EDGE, 0, "...");
  const indent = " ".repeat(depth + 1);
  if (depth === cut.length - 1) {
    const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent.length) / (width + 2)));
    const lines: string[] = [];
    for (let i = 0; i < parts.length; i += perLine) lines.push(parts.slice(i, i + perLine).join(", "));
    return `[${lines.join(",\n" + indent)}]`;
  }
  return `[${parts.join(",\n" + "\n".repeat(Math.max(0, cut.length - depth - 2)) + indent)}]`;
}

/** The values part of the text: all of them when ≤ 1000, else the edges of every axis. */
function valuesText(t: Tensor, digits: number): string {
  if (t.size === 0) return "[]";
  const summarise = t.size > THRESHOLD;
  const indices = t.shape.map((n) => edgeIndices(n, summarise));
  const values = gatherAxes(t, indices);
  if (t.rank === 0) return valueText(values, digits);
  const width = Math.max(...leaves(values).map((x) => valueText(x, digits).length));
  const cut = t.shape.map((n) => summarise && n > 2 * EDGE);
  return nestedText(values, cut, width, digits);
}

// ColorBrewer RdBu (reversed: blue negative, red positive) and viridis stops.
const DIVERGING = ["#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b"];
const SEQUENTIAL = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];
const LEVELS = 48;

function hexToRgb(h: string): number[] {
  return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
}

/** The colour at u ∈ [0, 1] along a palette, as #rrggbb. */
export function paletteColor(stops: readonly string[], u: number): string {
  const x = Math.min(1, Math.max(0, u)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const a = hexToRgb(stops[i]);
  const b = hexToRgb(stops[i + 1]);
  const f = x - i;
  return "#" + a.map((c, k) => Math.round(c + (b[k] - c) * f).toString(16).padStart(2, "0")).join("");
}

interface Scale {
  lo: number;
  hi: number;
  stops: readonly string[];
}

/** Diverging around 0 when the values have both signs, else sequential from min to max. */
function scaleOf(stats: TensorStats): Scale {
  const { min, max } = stats;
  if (min < 0 && max > 0) {
    const m = Math.max(-min, max);
    return { lo: -m, hi: m, stops: DIVERGING };
  }
  return { lo: min, hi: max > min ? max : min + 1, stops: SEQUENTIAL };
}

/** A sampled grid's cells as one path per quantised colour (small SVG even at 64×64). */
function cellsSvg(grid: number[][], cw: number, ch: number, x0: number, y0: number, scale: Scale): string {
  const paths = new Map<string, string[]>();
  const add = (fill: string, d: string) => {
    const list = paths.get(fill);
    if (list) list.push(d);
    else paths.set(fill, [d]);
  };
  grid.forEach((row, i) => {
    let j = 0;
    while (j < row.length) {
      const v = row[j];
      const level = Number.isFinite(v) ? Math.round(((v - scale.lo) / (scale.hi - scale.lo)) * (LEVELS - 1)) : -1;
      let k = j + 1;
      while (k < row.length && (Number.isFinite(row[k]) ? Math.round(((row[k] - scale.lo) / (scale.hi - scale.lo)) * (LEVELS - 1)) : -1) === level) k++;
      const fill = level < 0 ? "#bdbdbd" : paletteColor(scale.stops, level / (LEVELS - 1));
      add(fill, `M${x0 + j * cw} ${y0 + i * ch}h${(k - j) * cw}v${ch}h${-(k - j) * cw}z`);
      j = k;
    }
  });
  return [...paths].map(([fill, d]) => `<path class="cells" fill="${fill}" d="${d.join("")}"/>`).join("\n");
}

function legendSvg(x: number, y: number, h: number, scale: Scale, stats: TensorStats, digits: number): string {
  // the same id means the same gradient, so two pictures on one page cannot clash
  const id = scale.stops === DIVERGING ? "bl-tv-diverging" : "bl-tv-sequential";
  const n = scale.stops.length - 1;
  const stops = [...scale.stops].reverse().map((c, i) => `<stop offset="${((100 * i) / n).toFixed(1)}%" stop-color="${c}"/>`);
  const out = [
    `<defs><linearGradient id="${id}" x1="0" y1="0" x2="0" y2="1">${stops.join("")}</linearGradient></defs>`,
    `<rect class="legend" x="${x}" y="${y}" width="10" height="${h}" fill="url(#${id})" stroke="#999999" stroke-width="0.5"/>`,
    `<text x="${x + 14}" y="${y + 8}" font-size="10" fill="#444444">${escapeXml(formatNumber(scale.hi, digits))}</text>`,
    `<text x="${x + 14}" y="${y + h}" font-size="10" fill="#444444">${escapeXml(formatNumber(scale.lo, digits))}</text>`,
  ];
  if (scale.stops === DIVERGING) out.push(`<text x="${x + 14}" y="${y + h / 2 + 3}" font-size="10" fill="#444444">0</text>`);
  out.push(`<text class="range" x="${x}" y="${y + h + 14}" font-size="9" fill="#777777">min ${escapeXml(formatNumber(stats.min, 3))}</text>`);
  out.push(`<text class="range" x="${x}" y="${y + h + 25}" font-size="9" fill="#777777">max ${escapeXml(formatNumber(stats.max, 3))}</text>`);
  return out.join("\n");
}

/** The heatmap of a 1-D or 2-D float tensor, sampled to at most maxCells per side. */
function heatmapSvg(t: Tensor, stats: TensorStats, title: string, maxCells: number, digits: number): string {
  const [rows, cols]: [number, number] = t.rank === 1 ? [1, t.shape[0] as number] : [t.shape[0] as number, t.shape[1] as number];
  const ri = strideIndices(rows, maxCells);
  const ci = strideIndices(cols, maxCells);
  const x2 = t.rank === 1 ? tf.tidy(() => tf.reshape(t, [1, cols])) : t;
  let grid: number[][];
  try {
    grid = gatherAxes(x2, [ri, ci]) as number[][];
  } finally {
    if (x2 !== t) x2.dispose();
  }
  const cw = Math.max(3, Math.min(24, Math.floor(320 / Math.max(ri.length, ci.length))));
  const ch = t.rank === 1 ? Math.max(cw, 18) : cw;
  const sampled = ri.length < rows || ci.length < cols;
  const stride = (n: number, k: number, what: string) => (k < n ? `~${formatNumber(n / k, 3)} ${what}` : `1 ${what.replace(/s$/, "")}`);
  const note = sampled ? `sampled ${ri.length}×${ci.length} of ${rows}×${cols} (stride ${stride(rows, ri.length, "rows")}, ${stride(cols, ci.length, "columns")})` : "";
  const M = 10;
  const top = M + 20;
  const gw = ci.length * cw;
  const gh = ri.length * ch;
  const legendH = Math.max(60, Math.min(gh, 160));
  const width = Math.max(M + gw + 70, title.length * 7.2 + 2 * M, note.length * 6 + 2 * M);
  const height = top + Math.max(gh, legendH + 30) + (note ? 18 : 0) + M;
  const scale = scaleOf(stats);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${height}" viewBox="0 0 ${Math.ceil(width)} ${height}" font-family="${FONT}" font-size="12" shape-rendering="crispEdges">`,
    `<rect class="background" width="100%" height="100%" fill="#ffffff"/>`,
    `<text class="title" x="${M}" y="${M + 12}" font-weight="bold">${escapeXml(title)}</text>`,
    cellsSvg(grid, cw, ch, M, top, scale),
    `<rect class="frame" x="${M}" y="${top}" width="${gw}" height="${gh}" fill="none" stroke="#999999" stroke-width="0.5"/>`,
    legendSvg(M + gw + 10, top, legendH, scale, stats, digits),
  ];
  if (note) out.push(`<text class="note" x="${M}" y="${top + Math.max(gh, legendH + 30) + 14}" font-size="10" fill="#777777">${escapeXml(note)}</text>`);
  out.push(`</svg>`);
  return out.join("\n");
}

function disposedView(t: Tensor, name?: string): TensorView {
  const text = `${name ? name + ": " : ""}disposed tensor (${t.dtype} ${shapeText(t.shape)}): its data is gone — keep the tensor (tf.keep) or show it before dispose()`;
  return { text, shape: [...t.shape], dtype: t.dtype, [DISPLAY]: (): MimeBundle => ({ "text/plain": text }), toString: () => text } as TensorView;
}

/**
 * A tensor's text summary and, for 1-D/2-D float tensors, a heatmap: shows itself in a
 * notebook (`image/svg+xml` + `text/plain`). Allocates no tensors that outlive the call.
 *
 * @example
 *   tensorView(model.store.get("bert.embeddings.position_embeddings.weight"))
 *   // text/plain:
 *   // Tensor float32 [512, 128] · 65536 values · 256 KiB
 *   // min -0.04 · mean 3.1e-5 · max 0.04
 *   // [[ 0.0123, -0.0045,  0.0301, ...,  0.0002, ...]]
 *   // image/svg+xml: a 64×64 heatmap, "sampled: every ~8th row, every ~2th column"
 */
export function tensorView(t: Tensor, options: TensorViewOptions = {}): TensorView {
  if (t.isDisposed) return disposedView(t, options.name);
  const digits = options.digits ?? 4;
  const maxCells = Math.max(1, options.maxCells ?? 64);
  const stats = statsOf(t);
  const head = `${options.name ? options.name + ": " : ""}Tensor ${t.dtype} ${shapeText(t.shape)} · ${t.size} value${t.size === 1 ? "" : "s"} · ${bytesText(t.size * (BYTES[t.dtype] ?? 0))}`;
  const lines = [head];
  if (stats && t.size > 1) lines.push(`min ${formatNumber(stats.min, digits)} · mean ${formatNumber(stats.mean, digits)} · max ${formatNumber(stats.max, digits)}`);
  lines.push(valuesText(t, digits));
  const text = lines.join("\n");
  const drawable = stats !== undefined && t.dtype === "float32" && (t.rank === 1 || t.rank === 2) && t.size > 0 && Number.isFinite(stats.min) && Number.isFinite(stats.max);
  const title = `${options.name ? options.name + " " : ""}${t.dtype} ${shapeText(t.shape)}`;
  const svg = drawable ? heatmapSvg(t, stats, title, maxCells, digits) : undefined;
  const bundle: MimeBundle = svg ? { "text/plain": text, "image/svg+xml": svg } : { "text/plain": text };
  return { text, svg, shape: [...t.shape], dtype: t.dtype, stats, [DISPLAY]: () => bundle, toString: () => text } as TensorView;
}

const INSTALLED = Symbol.for("bert-lab.tensorDisplay");

/**
 * Makes every tfjs tensor (and variable) display itself with tensorView: defines a
 * non-enumerable `[Symbol.for("Jupyter.display")]` method on `Tensor.prototype`. Idempotent.
 *
 * @example
 *   installTensorDisplay();
 *   show(tf.randomNormal([8, 16]))   // the text summary and an 8×16 heatmap
 */
export function installTensorDisplay(): void {
  const proto = Tensor.prototype as unknown as Record<symbol, unknown>;
  if (proto[INSTALLED] === true) return;
  Object.defineProperty(proto, DISPLAY, {
    value: function (this: Tensor): MimeBundle {
      return tensorView(this)[DISPLAY]();
    },
    enumerable: false,
    configurable: true,
    writable: true,
  });
  Object.defineProperty(proto, INSTALLED, { value: true, enumerable: false, configurable: true });
}
