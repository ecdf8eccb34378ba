// modelView: every layer × head of one input as small multiples — rows = layers, columns =
// heads, each a tiny heatmap (queries down, keys across). Each thumbnail is one embedded PNG
// (maps longer than the thumbnail are averaged down to its pixel size), so 12 × 12 heads stay
// a few hundred KB. The text form names each head's dominant pattern (self, prev, next,
// [CLS], [SEP] or broad), which is what the picture shows at a glance.
import { pngDataUri } from "../util/png";
import { DISPLAY, Displayable, MimeBundle } from "./mime";
import { AttentionInput, checkAttention, checkLayer, maxWeight, segmentBoundary } from "./attention-input";
import { legendBar, mapPixels, pixelatedImage } from "./attention-raster";
import { SEGMENT_COLORS, svgOpen, textWidth } from "./tokens-view";

export interface ModelViewOptions {
  title?: string;
  /** which layers, top to bottom; default all */
  layers?: number[];
  /** size of one thumbnail in pixels; default fits the heads in ~760 px, between 36 and 96 */
  cellSize?: number;
  /** the weight drawn darkest; default the largest weight shown */
  vmax?: number;
}

/** A drawn model view: SVG and text. */
export interface ModelView extends Displayable {
  svg: string;
  text: string;
}

const MARGIN = 10;
const GAP = 6;

/** What one head mostly does, as the mean weight each query puts on a kind of key. */
export interface HeadPattern {
  kind: "self" | "prev" | "next" | "[CLS]" | "[SEP]" | "broad";
  /** mean over queries of the weight on that kind of key (for "broad": the largest single weight's mean) */
  weight: number;
}

/**
 * The dominant pattern of one T × T map: the kind of key that gets the most weight on average,
 * or "broad" when none gets at least 0.3.
 *
 * @example
 *   headPattern([[1, 0], [1, 0]], ["[CLS]", "a"]) // → { kind: "[CLS]", weight: 1 }
 */
export function headPattern(map: readonly (readonly number[])[], tokens: readonly string[]): HeadPattern {
  const T = tokens.length;
  const mass = { self: 0, prev: 0, next: 0, "[CLS]": 0, "[SEP]": 0 };
  let peak = 0;
  for (let i = 0; i < T; i++) {
    mass.self += map[i][i];
    if (i > 0) mass.prev += map[i][i - 1];
    if (i + 1 < T) mass.next += map[i][i + 1];
    let rowMax = 0;
    for (let j = 0; j < T; j++) {
      if (tokens[j] === "[CLS]") mass["[CLS]"] += map[i][j];
      if (tokens[j] === "[SEP]") mass["[SEP]"] += map[i][j];
      rowMax = Math.max(rowMax, map[i][j]);
    }
    peak += rowMax;
  }
  let best: HeadPattern = { kind: "broad", weight: peak / T };
  let top = 0;
  for (const [kind, m] of Object.entries(mass) as [HeadPattern["kind"], number][]) {
    if (m / T > top) {
      top = m / T;
      if (top >= 0.3) best = { kind, weight: top };
    }
  }
  return best;
}

function patternText(input: AttentionInput, layers: number[]): string[] {
  const heads = input.attention[0].length;
  const lw = String(Math.max(...layers)).length;
  const lines: string[] = [];
  for (const l of layers) {
    const cells = input.attention[l].map((map, h) => {
      const p = headPattern(map, input.tokens);
      return `h${h} ${p.kind} ${p.weight.toFixed(2).replace(/^0/, "")}`.padEnd(heads >= 10 ? 15 : 14);
    });
    for (let k = 0; k < cells.length; k += 6) lines.push(`${k === 0 ? `layer ${String(l).padStart(lw)}` : " ".repeat(6 + lw)} | ${cells.slice(k, k + 6).join(" ").trimEnd()}`);
  }
  return lines;
}

/**
 * Every layer × head as a grid of thumbnails (rows = layers, columns = heads).
 *
 * @example
 *   modelView(attentionOf(model, tokenizer, "the cat sat on the mat", "it purred"))
 *   // the cell shows an L × A grid of small heatmaps; the text lists each head's pattern:
 *   // layer 0 | h0 [SEP] .52    h1 prev .71 …
 */
export function modelView(input: AttentionInput, options: ModelViewOptions = {}): ModelView {
  const { layers: L, heads: A, T } = checkAttention(input, "modelView");
  const layers = options.layers ?? Array.from({ length: L }, (_, l) => l);
  if (!Array.isArray(layers) || layers.length === 0) throw new RangeError(`modelView: layers must be a non-empty array of layer numbers 0..${L - 1}`);
  layers.forEach((l) => checkLayer(l, L, "modelView"));
  const S = options.cellSize ?? Math.max(36, Math.min(96, Math.floor(760 / A) - GAP));
  if (!(S >= 4)) throw new RangeError(`modelView: cellSize must be at least 4 pixels, got ${S}`);
  const vmax = options.vmax ?? maxWeight(layers.flatMap((l) => input.attention[l]));
  if (!(vmax > 0)) throw new RangeError(`modelView: vmax must be > 0, got ${vmax}`);
  const title = options.title ?? `Model view: ${layers.length === L ? `${L} layers` : `layers ${layers.join(", ")}`} × ${A} heads, ${T} tokens`;
  const rowLabelW = Math.ceil(textWidth(`layer ${Math.max(...layers)}`, 11)) + 8;
  const x0 = MARGIN + rowLabelW;
  const top = MARGIN + 20;
  const y0 = top + 18;
  const gridW = A * S + (A - 1) * GAP;
  const gridH = layers.length * S + (layers.length - 1) * GAP;
  const legendX = x0 + gridW + 16;
  const width = Math.ceil(Math.max(legendX + 12 + 18 + textWidth("0.00", 10) + MARGIN, textWidth(title) + 2 * MARGIN));
  const height = Math.ceil(y0 + Math.max(gridH, 100) + MARGIN);
  const out: string[] = [];
  svgOpen(out, width, height, title);
  out.push(`<g class="head-labels" font-size="11" fill="#444444" text-anchor="middle">`);
  for (let h = 0; h < A; h++) out.push(`<text class="head-label" x="${x0 + h * (S + GAP) + S / 2}" y="${y0 - 5}">h${h}</text>`);
  out.push(`</g><g class="layer-labels" font-size="11" fill="#444444" text-anchor="end">`);
  layers.forEach((l, r) => out.push(`<text class="layer-label" x="${x0 - 6}" y="${y0 + r * (S + GAP) + S / 2 + 4}">layer ${l}</text>`));
  out.push(`</g><g class="cells">`);
  layers.forEach((l, r) => {
    for (let h = 0; h < A; h++) {
      const { size, rgb } = mapPixels(input.attention[l][h], vmax, Math.min(T, S)); // ≤ 1 pixel per token: small
      const x = x0 + h * (S + GAP);
      const y = y0 + r * (S + GAP);
      out.push(pixelatedImage("cell", x, y, S, S, pngDataUri(size, size, rgb)).replace(/\/>$/, `><title>layer ${l}, head ${h}</title></image>`));
    }
  });
  out.push(`</g>`);
  out.push(`<path class="frames" fill="none" stroke="#cccccc" stroke-width="0.5" d="${layers.map((_, r) => Array.from({ length: A }, (_, h) => `M${x0 + h * (S + GAP)},${y0 + r * (S + GAP)}h${S}v${S}h${-S}z`).join("")).join("")}"/>`);
  const b = segmentBoundary(input.segments);
  if (b !== null) {
    const p = +((b / T) * S).toFixed(2);
    const d = layers.map((_, r) => Array.from({ length: A }, (_, h) => `M${x0 + h * (S + GAP) + p},${y0 + r * (S + GAP)}v${S}M${x0 + h * (S + GAP)},${y0 + r * (S + GAP) + p}h${S}`).join("")).join("");
    out.push(`<path class="segment-boundary" fill="none" stroke="${SEGMENT_COLORS[1]}" stroke-width="0.75" stroke-opacity="0.6" d="${d}"/>`);
  }
  legendBar(out, legendX, y0 + 4, Math.min(200, Math.max(80, gridH - 4)), vmax);
  out.push(`</svg>`);
  const svg = out.join("\n");
  const text = [`${title}${b !== null ? ` (sentence B from token ${b})` : ""}; each head's dominant pattern (mean weight per query):`, ...patternText(input, layers)].join("\n");
  return { svg, text, [DISPLAY]: (): MimeBundle => ({ "image/svg+xml": svg, "text/plain": text }), toString: () => text } as ModelView;
}
