// attentionRasterSvg: a static heatmap SVG for large attention maps (128 × 128 and more).
// The cells are one embedded PNG (cellSize × cellSize pixels per cell, or one pixel per cell with
// `sharp: false`; drawn with image-rendering: pixelated either way), not one <rect> per cell: a 128 × 128 map is < 100 KB instead of the vega SVG's 3 MB. Token labels,
// the colour legend, the title and the [SEP] boundary are SVG text and lines around it.
import { pngDataUri } from "../util/png";
import { blues, maxWeight, segmentBoundary, shortLabel } from "./attention-input";
import { SEGMENT_COLORS, SPECIAL_PIECES, escapeXml, svgOpen, textWidth } from "./tokens-view";

export interface AttentionRasterOptions {
  title?: string;
  /** segment of each token (0 = A, 1 = B): labels coloured, a line at the first B token */
  segments?: readonly number[];
  /** the weight drawn darkest (default: the map's largest weight); 1 compares maps on one scale */
  vmax?: number;
  /** pixels per cell; default fits the grid in ~760 px, between 4 and 24 */
  cellSize?: number;
  /**
   * true (default): the PNG has cellSize × cellSize pixels per cell, sharp in every renderer;
   * false: one pixel per cell (smallest file), sharp only where `image-rendering: pixelated`
   * is honoured (browsers: JupyterLab, VS Code, GitHub) — librsvg and PDF export blur it
   */
  sharp?: boolean;
}

const MARGIN = 10;
const LABEL_CHARS = 14;

/**
 * The map as `size × size` RGB pixels on the Blues ramp, `weight / vmax` clamped to 0..1.
 * A map larger than `size` is averaged down into `size` bins per side (the model view's
 * thumbnails); a smaller one is scaled up by repeating pixels (nearest neighbour), so cells
 * stay sharp even where a renderer ignores `image-rendering` (librsvg, PDF export).
 *
 * @example
 *   mapPixels([[1, 0], [0, 1]], 1, 4).rgb.length // → 4 * 4 * 3
 */
export function mapPixels(map: readonly (readonly number[])[], vmax: number, size: number = map.length): { size: number; rgb: Uint8Array } {
  const T = map.length;
  size = Math.max(1, Math.floor(size));
  const r = Math.min(T, size);
  const base = new Uint8Array(r * r * 3);
  const bin = (k: number): [number, number] => {
    const a = Math.floor((k * T) / r);
    return [a, Math.max(a + 1, Math.floor(((k + 1) * T) / r))];
  };
  for (let y = 0; y < r; y++) {
    const [i0, i1] = bin(y);
    for (let x = 0; x < r; x++) {
      const [j0, j1] = bin(x);
      let sum = 0;
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) sum += map[i][j];
      base.set(blues(sum / ((i1 - i0) * (j1 - j0)) / vmax), (y * r + x) * 3);
    }
  }
  if (r === size) return { size, rgb: base };
  const rgb = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    const by = Math.floor((y * r) / size);
    for (let x = 0; x < size; x++) {
      const o = (by * r + Math.floor((x * r) / size)) * 3;
      rgb.set(base.subarray(o, o + 3), (y * size + x) * 3);
    }
  }
  return { size, rgb };
}

/** `<image>` of a PNG data URI, by default scaled without smoothing (each pixel stays a sharp square). */
export function pixelatedImage(cls: string, x: number, y: number, width: number, height: number, uri: string, pixelated = true): string {
  const sharp = pixelated ? ` image-rendering="optimizeSpeed" style="image-rendering:pixelated"` : "";
  return `<image class="${cls}" x="${x}" y="${y}" width="${width}" height="${height}" preserveAspectRatio="none"${sharp} href="${uri}"/>`;
}

/** A vertical colour bar 0..vmax as an embedded 1 × 64 PNG, with three tick labels. */
export function legendBar(out: string[], x: number, y: number, height: number, vmax: number, fontSize = 10): number {
  const n = 64;
  const rgb = new Uint8Array(n * 3);
  for (let k = 0; k < n; k++) rgb.set(blues(1 - k / (n - 1)), k * 3);
  out.push(`<g class="legend" font-size="${fontSize}" fill="#444444">`);
  out.push(`<text x="${x}" y="${y - 10}">weight</text>`);
  out.push(pixelatedImage("legend-bar", x, y, 12, height, pngDataUri(1, n, rgb), false)); // smooth: a gradient
  out.push(`<rect x="${x}" y="${y}" width="12" height="${height}" fill="none" stroke="#999999" stroke-width="0.5"/>`);
  const ticks = [vmax, vmax / 2, 0];
  ticks.forEach((v, k) => {
    const ty = y + (k * height) / 2;
    out.push(`<line x1="${x + 12}" y1="${ty}" x2="${x + 15}" y2="${ty}" stroke="#999999"/><text x="${x + 18}" y="${ty + 3.5}">${tickLabel(v)}</text>`);
  });
  out.push(`</g>`);
  return 18 + textWidth(tickLabel(vmax), fontSize) + 2;
}

/** "0", "0.5", "0.031": enough digits to tell ticks apart. */
function tickLabel(v: number): string {
  if (v === 0) return "0";
  return v >= 0.1 ? String(Math.round(v * 100) / 100) : v.toPrecision(2);
}

/** Label colour: special tokens grey, sentence B red-brown, the rest dark. */
export function labelColor(token: string, segment: number | undefined): string {
  if (SPECIAL_PIECES.includes(token)) return "#888888";
  return segment === 1 ? "#a8323a" : "#333333";
}

/**
 * A T × T attention map (rows = queries, columns = keys) as an SVG with the cells in one PNG.
 *
 * @example
 *   const svg = attentionRasterSvg(map, tokens, { title: "layer 3, head 5", segments });
 *   show(asDisplay({ "image/svg+xml": svg, "text/plain": "layer 3, head 5" }))
 */
export function attentionRasterSvg(map: readonly (readonly number[])[], tokens: readonly string[], options: AttentionRasterOptions = {}): string {
  const n = tokens.length;
  if (n === 0 || map.length !== n || map.some((r) => r.length !== n)) {
    throw new RangeError(`attentionRasterSvg: the map must be ${n} × ${n} (one row and one column per token), got ${map.length} × ${map[0]?.length ?? 0}`);
  }
  if (options.segments !== undefined && options.segments.length !== n) {
    throw new RangeError(`attentionRasterSvg: ${options.segments.length} segments for ${n} tokens: pass one segment id per token`);
  }
  const vmax = options.vmax ?? maxWeight([map]);
  if (!(vmax > 0)) throw new RangeError(`attentionRasterSvg: vmax must be > 0, got ${vmax}`);
  const cell = options.cellSize ?? Math.max(4, Math.min(24, Math.floor(760 / n)));
  const fs = Math.max(5, Math.min(11, cell - 1));
  const labelStep = cell >= fs ? 1 : Math.ceil(fs / cell);
  const labels = tokens.map((t) => shortLabel(t, LABEL_CHARS));
  const labelRoom = Math.ceil(Math.max(textWidth("queries ↓", 10), ...labels.map((l) => textWidth(l, fs)))) + 6; // room for the axis captions too
  const grid = n * cell;
  const legendH = Math.min(200, Math.max(80, grid));
  const out: string[] = [];
  const titleWidth = options.title ? textWidth(options.title) + 2 * MARGIN : 0;
  const x0 = MARGIN + labelRoom;
  const legendX = x0 + grid + 18;
  const width = Math.ceil(Math.max(titleWidth, legendX + 12 + 18 + textWidth(tickLabel(vmax), 10) + MARGIN));
  const top = MARGIN + (options.title ? 20 : 0);
  const y0 = top + labelRoom;
  const height = Math.ceil(y0 + grid + MARGIN);
  svgOpen(out, width, height, options.title);
  const px = mapPixels(map, vmax, options.sharp === false ? n : grid);
  out.push(pixelatedImage("cells", x0, y0, grid, grid, pngDataUri(px.size, px.size, px.rgb)));
  out.push(`<rect class="frame" x="${x0}" y="${y0}" width="${grid}" height="${grid}" fill="none" stroke="#bbbbbb" stroke-width="0.5"/>`);
  out.push(`<g class="axis-captions" font-size="10" fill="#777777" text-anchor="end"><text x="${x0 - 4}" y="${y0 - 16}">keys →</text><text x="${x0 - 4}" y="${y0 - 4}">queries ↓</text></g>`);
  out.push(`<g class="labels" font-size="${fs}">`);
  for (let i = 0; i < n; i += labelStep) {
    const fill = labelColor(tokens[i], options.segments?.[i]);
    const c = i * cell + cell / 2 + fs * 0.35;
    out.push(`<text class="row-label" x="${x0 - 3}" y="${+(y0 + c).toFixed(2)}" text-anchor="end" fill="${fill}">${escapeXml(labels[i])}</text>`);
    out.push(`<text class="col-label" transform="translate(${+(x0 + c).toFixed(2)},${y0 - 3}) rotate(-90)" fill="${fill}">${escapeXml(labels[i])}</text>`);
  }
  out.push(`</g>`);
  const b = segmentBoundary(options.segments);
  if (b !== null) {
    const p = b * cell;
    const color = SEGMENT_COLORS[1];
    out.push(`<path class="segment-boundary" d="M${x0 + p},${y0 - labelRoom + 4}V${y0 + grid}M${MARGIN + 4},${y0 + p}H${x0 + grid}" stroke="${color}" stroke-width="1" stroke-dasharray="4 2" fill="none"/>`);
  }
  legendBar(out, legendX, y0 + 4, legendH, vmax);
  out.push(`</svg>`);
  return out.join("\n");
}

