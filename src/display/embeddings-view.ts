// embeddingsView: BERT's input embeddings as a picture — token + segment + position = sum
// (→ LayerNorm), one heatmap strip per component: rows are positions (labelled with their
// tokens), columns the first hidden dims, a diverging colour scale centred on 0. The segment
// strip shows two row patterns only (A and B): it is an index embedding with 2 rows.
// A static SVG built here without vega: plain rects (vertical runs of one colour merged) for
// small inputs, one pixelated PNG per strip (a data URI) for large ones.
import { BertLabError } from "../util/errors";
import { encodePng } from "../util/png";
import { DISPLAY, Displayable, MimeBundle } from "./mime";
import { escapeXml, SEGMENT_COLORS, svgOpen, textWidth } from "./tokens-view";

/** The arrays embeddingsView draws: one row per position, all of hidden size H. */
export interface EmbeddingParts {
  tokens: string[];
  /** segment of each position: 0 = sentence A, 1 = sentence B */
  segments: number[];
  /** word_embeddings[inputIds[i]] — [T][H] */
  token: number[][];
  /** token_type_embeddings[segments[i]] — [T][H] */
  segment: number[][];
  /** position_embeddings[i] — [T][H] */
  position: number[][];
  /** token + segment + position — [T][H] */
  sum: number[][];
  /** LayerNorm(sum): what the encoder receives (before dropout) — [T][H] */
  normed?: number[][];
}

export interface EmbeddingsViewOptions {
  /** how many hidden dims to draw (the first N); default 32 (fewer when H is smaller) */
  dims?: number;
  /** a caption above the picture */
  title?: string;
  /** colour limit of token/segment/position/sum (|v| ≥ limit is full colour); default their max |v| */
  limit?: number;
  /** cell width / height in pixels; defaults fit ~900 px wide */
  cellWidth?: number;
  cellHeight?: number;
  /** draw each strip as one embedded PNG instead of rects; default: when tokens × dims > 512 */
  raster?: boolean;
}

/** How many different rows each component has (rows compared over all H dims). */
export interface DistinctRows {
  token: number;
  segment: number;
  position: number;
  sum: number;
}

/** A drawn embeddings picture: its SVG, its text rendering, and the distinct-row counts. */
export interface EmbeddingsView extends Displayable {
  svg: string;
  text: string;
  distinctRows: DistinctRows;
}

/** ColorBrewer RdBu, reversed: negative blue, 0 near-white, positive red. */
export const DIVERGING: readonly string[] = ["#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b"];

const hex2 = (n: number) => Math.round(Math.max(0, Math.min(255, n))).toString(16).padStart(2, "0");

/**
 * The diverging colour of `v` on a scale −limit … 0 … +limit (clamped beyond).
 *
 * @example
 *   divergingColor(0, 1)    // "#f7f7f7"
 *   divergingColor(-5, 1)   // "#2166ac"
 */
export function divergingColor(v: number, limit: number): string {
  const t = limit > 0 && Number.isFinite(v) ? Math.max(-1, Math.min(1, v / limit)) : 0;
  const pos = ((t + 1) / 2) * (DIVERGING.length - 1);
  const i = Math.min(DIVERGING.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = DIVERGING[i];
  const b = DIVERGING[i + 1];
  const ch = (s: string, k: number) => parseInt(s.slice(1 + 2 * k, 3 + 2 * k), 16);
  return "#" + [0, 1, 2].map((k) => hex2(ch(a, k) + (ch(b, k) - ch(a, k)) * f)).join("");
}

/** Number of different rows (exact equality over the whole row). */
export function countDistinctRows(rows: readonly (readonly number[])[]): number {
  return new Set(rows.map((r) => r.join(","))).size;
}

const norm = (row: readonly number[]) => Math.sqrt(row.reduce((s, x) => s + x * x, 0));

function checkParts(p: EmbeddingParts): number {
  const T = p.tokens.length;
  if (T === 0) throw new BertLabError("BAD_INPUT", "embeddingsView: no tokens — pass at least one position");
  if (p.segments.length !== T) throw new BertLabError("BAD_INPUT", `embeddingsView: ${p.segments.length} segments for ${T} tokens — pass one segment id per token`);
  const H = p.token[0]?.length ?? 0;
  const named: [string, number[][] | undefined][] = [["token", p.token], ["segment", p.segment], ["position", p.position], ["sum", p.sum], ["normed", p.normed]];
  for (const [name, m] of named) {
    if (m === undefined) continue;
    if (m.length !== T || m.some((r) => r.length !== H)) {
      throw new BertLabError("BAD_INPUT", `embeddingsView: ${name} must be [${T}][${H}] (one row of hidden size per token), got [${m.length}][${m[0]?.length ?? 0}]`);
    }
  }
  if (H === 0) throw new BertLabError("BAD_INPUT", "embeddingsView: the embedding rows are empty");
  return H;
}

const segLetter = (s: number) => (s === 0 ? "A" : s === 1 ? "B" : String(s));

interface Strip {
  key: string;
  name: string;
  sub: string;
  rows: number[][];
  limit: number;
  caption: string;
}

function stripsOf(p: EmbeddingParts, distinct: DistinctRows, limit: number, normLimit: number): Strip[] {
  const segs = [...new Set(p.segments)].sort((a, b) => a - b).map(segLetter).join(", ");
  const strips: Strip[] = [
    { key: "token", name: "token", sub: "word_embeddings[id]", rows: p.token, limit, caption: `${distinct.token} distinct rows` },
    { key: "segment", name: "segment", sub: "token_type[A|B]", rows: p.segment, limit, caption: `${distinct.segment} distinct row${distinct.segment === 1 ? "" : "s"} (${segs})` },
    { key: "position", name: "position", sub: "position[i]", rows: p.position, limit, caption: `${distinct.position} distinct rows` },
    { key: "sum", name: "sum", sub: "token+segment+position", rows: p.sum, limit, caption: "" },
  ];
  if (p.normed) strips.push({ key: "normed", name: "LayerNorm(sum)", sub: "the encoder's input", rows: p.normed, limit: normLimit, caption: "own colour scale" });
  return strips;
}

const MARGIN = 10;
const SMALL = 10;
/** the operator drawn before each strip (none before the first) */
const OPS: Record<string, string> = { segment: "+", position: "+", sum: "=", normed: "→" };

/** Merged vertical runs of one colour per column: the rects of one strip. */
function stripRects(rows: number[][], dims: number, limit: number, x0: number, y0: number, cw: number, chh: number): string[] {
  const out: string[] = [];
  for (let j = 0; j < dims; j++) {
    let start = 0;
    let colour = divergingColor(rows[0][j], limit);
    for (let i = 1; i <= rows.length; i++) {
      const c = i < rows.length ? divergingColor(rows[i][j], limit) : "";
      if (c === colour) continue;
      out.push(`<rect x="${x0 + j * cw}" y="${y0 + start * chh}" width="${cw}" height="${(i - start) * chh}" fill="${colour}"/>`);
      start = i;
      colour = c;
    }
  }
  return out;
}

/**
 * One strip as an `<image>` of a PNG data URI. Each cell is drawn as an sx × sy block of
 * pixels (the cell size, rounded), so the picture stays sharp even where a renderer ignores
 * `image-rendering:pixelated` (rsvg, some SVG-to-PNG converters).
 */
function stripImage(rows: number[][], dims: number, limit: number, x0: number, y0: number, cw: number, chh: number): string {
  const T = rows.length;
  const sx = Math.max(1, Math.min(16, Math.round(cw)));
  const sy = Math.max(1, Math.min(16, Math.round(chh)));
  const w = dims * sx;
  const rgb = new Uint8Array(T * sy * w * 3);
  rows.forEach((r, i) => {
    const line = new Uint8Array(w * 3);
    for (let j = 0; j < dims; j++) {
      const c = divergingColor(r[j], limit);
      const px = [0, 1, 2].map((k) => parseInt(c.slice(1 + 2 * k, 3 + 2 * k), 16));
      for (let u = 0; u < sx; u++) line.set(px, (j * sx + u) * 3);
    }
    for (let v = 0; v < sy; v++) rgb.set(line, (i * sy + v) * w * 3);
  });
  const uri = `data:image/png;base64,${encodePng(w, T * sy, rgb).toString("base64")}`;
  return `<image class="cells-raster" x="${x0}" y="${y0}" width="${dims * cw}" height="${T * chh}" preserveAspectRatio="none" image-rendering="optimizeSpeed" style="image-rendering:pixelated" href="${uri}"/>`;
}

function legend(out: string[], x: number, y: number, limit: number, label: string): number {
  const w = 120;
  const fmt = (v: number) => (Math.abs(v) >= 10 ? v.toFixed(1) : Math.abs(v) >= 0.1 ? v.toFixed(2) : v.toPrecision(2));
  out.push(`<g class="legend" font-size="${SMALL}" fill="#444444">`);
  out.push(`<text x="${x}" y="${y + 9}">${escapeXml(label)}</text>`);
  const bx = x + textWidth(label, SMALL) + 8;
  const steps = 24;
  for (let k = 0; k < steps; k++) {
    const v = -limit + ((k + 0.5) / steps) * 2 * limit;
    out.push(`<rect x="${(bx + (k * w) / steps).toFixed(1)}" y="${y}" width="${(w / steps + 0.3).toFixed(1)}" height="10" fill="${divergingColor(v, limit)}"/>`);
  }
  out.push(`<text x="${bx}" y="${y + 21}" text-anchor="start">${escapeXml(fmt(-limit))}</text>`);
  out.push(`<text x="${bx + w / 2}" y="${y + 21}" text-anchor="middle">0</text>`);
  out.push(`<text x="${bx + w}" y="${y + 21}" text-anchor="end">${escapeXml("+" + fmt(limit))}</text>`);
  out.push(`</g>`);
  return bx + w;
}

const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + "…" : s);

function embeddingsSvg(p: EmbeddingParts, strips: Strip[], dims: number, H: number, options: EmbeddingsViewOptions): string {
  const T = p.tokens.length;
  const chh = options.cellHeight ?? (T <= 24 ? 16 : Math.max(3, Math.min(16, Math.floor(520 / T))));
  const cw = options.cellWidth ?? Math.max(2, Math.min(12, Math.floor(640 / (strips.length * dims))));
  const raster = options.raster ?? T * dims > 512;
  const labelFont = Math.max(6, Math.min(11, chh - 3));
  const every = chh >= 7 ? 1 : Math.ceil(8 / chh);
  const labels = p.tokens.map((t, i) => `${i} ${clip(t, 16)}`);
  const labelW = Math.ceil(Math.max(...labels.map((l) => textWidth(l, labelFont)))) + 6;
  const stripW = dims * cw;
  const opW = 30;
  const top = MARGIN + (options.title ? 20 : 0) + 30;
  const gridH = T * chh;
  const xs: number[] = [];
  let x = MARGIN + labelW + 8;
  strips.forEach((s, k) => {
    if (k > 0) x += s.key === "normed" ? opW + 14 : opW;
    xs.push(x);
    x += Math.max(stripW, textWidth(s.sub, SMALL) - 10);
  });
  const width = Math.ceil(Math.max(x + MARGIN, options.title ? textWidth(options.title) + 2 * MARGIN : 0, 520));
  const height = Math.ceil(top + gridH + 16 + 14 + 34 + MARGIN);
  const out: string[] = [];
  svgOpen(out, width, height, options.title);
  // row labels: position and token, with the segment band
  out.push(`<g class="rows" font-size="${labelFont}" fill="#333333">`);
  p.tokens.forEach((_, i) => {
    const y = top + i * chh;
    if (i % every === 0) out.push(`<text class="row-label" x="${MARGIN + labelW - 2}" y="${(y + chh / 2 + labelFont * 0.35).toFixed(1)}" text-anchor="end">${escapeXml(labels[i])}</text>`);
    const s = p.segments[i];
    out.push(`<rect class="segment seg-${segLetter(s).toLowerCase()}" x="${MARGIN + labelW + 2}" y="${y}" width="4" height="${chh}" fill="${SEGMENT_COLORS[s === 1 ? 1 : 0]}"/>`);
  });
  out.push(`</g>`);
  strips.forEach((s, k) => {
    const x0 = xs[k];
    const op = OPS[s.key];
    if (op !== undefined) {
      const ox = (xs[k - 1] + stripW + x0) / 2; // midway between the strips' edges
      out.push(`<text class="operator" x="${ox}" y="${top + gridH / 2 + 7}" text-anchor="middle" font-size="20" fill="#333333">${escapeXml(op)}</text>`);
      if (s.key === "normed") out.push(`<text x="${ox}" y="${top + gridH / 2 - 10}" text-anchor="middle" font-size="9" fill="#666666">LN</text>`);
    }
    out.push(`<g class="strip" data-component="${s.key}" data-distinct-rows="${countDistinctRows(s.rows)}">`);
    out.push(`<text class="strip-name" x="${x0}" y="${top - 17}" font-weight="bold" font-size="12">${escapeXml(s.name)}</text>`);
    out.push(`<text class="strip-sub" x="${x0}" y="${top - 5}" font-size="${SMALL}" fill="#777777">${escapeXml(s.sub)}</text>`);
    if (raster) out.push(stripImage(s.rows, dims, s.limit, x0, top, cw, chh));
    else out.push(`<g class="cells" shape-rendering="crispEdges">`, ...stripRects(s.rows, dims, s.limit, x0, top, cw, chh), `</g>`);
    out.push(`<rect class="frame" x="${x0 - 0.5}" y="${top - 0.5}" width="${stripW + 1}" height="${gridH + 1}" fill="none" stroke="#999999" stroke-width="1"/>`);
    if (s.caption) out.push(`<text class="caption" x="${x0}" y="${top + gridH + 14}" font-size="${SMALL}" fill="#444444">${escapeXml(s.caption)}</text>`);
    out.push(`</g>`);
  });
  const yInfo = top + gridH + 30;
  out.push(`<text class="axes-note" x="${MARGIN}" y="${yInfo}" font-size="${SMALL}" fill="#666666">${escapeXml(`rows: positions 0–${T - 1} (band: segment A/B) · columns: hidden dims 0–${dims - 1} of ${H}`)}</text>`);
  const lx = legend(out, MARGIN, yInfo + 8, strips[0].limit, "token, segment, position, sum:");
  const normed = strips.find((s) => s.key === "normed");
  if (normed) legend(out, lx + 30, yInfo + 8, normed.limit, "LayerNorm:");
  out.push(`</svg>`);
  return out.join("\n");
}

const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));

function embeddingsText(p: EmbeddingParts, distinct: DistinctRows, dims: number, H: number, title?: string): string {
  const T = p.tokens.length;
  const lines: string[] = title ? [title] : [];
  lines.push(`input embeddings of ${T} tokens: token + segment + position = sum${p.normed ? " → LayerNorm" : ""} (H = ${H}; picture: dims 0–${dims - 1}; norms over all ${H} dims)`);
  const tw = Math.min(16, Math.max(5, ...p.tokens.map((t) => t.length)));
  const heads = ["|token|", "|segment|", "|position|", "|sum|", ...(p.normed ? ["|LayerNorm|"] : [])];
  lines.push(`${pad("i", 4, true)}  ${pad("token", tw)}  seg  ${heads.map((h) => pad(h, Math.max(8, h.length), true)).join("  ")}`);
  p.tokens.forEach((t, i) => {
    const ns = [p.token[i], p.segment[i], p.position[i], p.sum[i], ...(p.normed ? [p.normed[i]] : [])].map(norm);
    lines.push(`${pad(String(i), 4, true)}  ${pad(clip(t, 16), tw)}  ${pad(segLetter(p.segments[i]), 3)}  ${ns.map((v, k) => pad(v.toFixed(3), Math.max(8, heads[k].length), true)).join("  ")}`);
  });
  const byRow = new Map<string, string[]>();
  p.token.forEach((r, i) => {
    const key = r.join(",");
    byRow.set(key, [...(byRow.get(key) ?? []), p.tokens[i]]);
  });
  const shared = [...byRow.values()].filter((ts) => ts.length > 1).map((ts) => `${ts[0]} ×${ts.length}`);
  lines.push(`token embedding: ${distinct.token} distinct rows for ${T} tokens — one row per vocabulary id${shared.length ? ` (repeated pieces share their row: ${shared.join(", ")})` : ""}`);
  const segs = [...new Set(p.segments)].sort((a, b) => a - b).map(segLetter);
  lines.push(
    distinct.segment === 1
      ? `segment embedding: 1 distinct row (${segs.join(", ")}) — an index embedding: every token of the sentence gets the same row`
      : `segment embedding: ${distinct.segment} distinct rows (${segs.join(", ")}) — an index embedding: every token of a sentence gets that sentence's row`,
  );
  lines.push(`position embedding: ${distinct.position} distinct rows — one per position 0–${T - 1}`);
  return lines.join("\n");
}

/**
 * BERT's three input embeddings and their sum for one (sentence-pair) input, as a picture:
 * one heatmap strip per component side by side with "+" and "=" between them, rows =
 * positions labelled by token, columns = the first hidden dims, blue < 0 < red.
 *
 * @example
 *   embeddingsView(embeddingParts(model, tok, "the cat sat", "it purred"))
 *   // the cell shows token + segment + position = sum → LayerNorm; as text, a table of norms and
 *   // "segment embedding: 2 distinct rows (A, B) — an index embedding: …"
 */
export function embeddingsView(parts: EmbeddingParts, options: EmbeddingsViewOptions = {}): EmbeddingsView {
  const H = checkParts(parts);
  const dims = Math.max(1, Math.min(H, Math.floor(options.dims ?? 32)));
  const distinct: DistinctRows = {
    token: countDistinctRows(parts.token),
    segment: countDistinctRows(parts.segment),
    position: countDistinctRows(parts.position),
    sum: countDistinctRows(parts.sum),
  };
  const maxAbs = (ms: number[][][]) => ms.reduce((m, rows) => rows.reduce((m2, r) => r.slice(0, dims).reduce((m3, v) => Math.max(m3, Math.abs(v)), m2), m), 0);
  const limit = options.limit ?? (maxAbs([parts.token, parts.segment, parts.position, parts.sum]) || 1);
  const normLimit = parts.normed ? maxAbs([parts.normed]) || 1 : 1;
  const strips = stripsOf(parts, distinct, limit, normLimit);
  const svg = embeddingsSvg(parts, strips, dims, H, options);
  const text = embeddingsText(parts, distinct, dims, H, options.title);
  return {
    svg,
    text,
    distinctRows: distinct,
    [DISPLAY]: (): MimeBundle => ({ "image/svg+xml": svg, "text/plain": text }),
    toString: () => text,
  } as EmbeddingsView;
}
