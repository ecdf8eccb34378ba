// tokensView: the word pieces of one encoding as a picture — one box per piece, pieces of a
// word in one colour and joined, ids underneath, segment A/B as a band, special tokens grey.
// A static SVG built here (no vega): a token row is text layout, not a chart.
import { DISPLAY, Displayable, MimeBundle } from "./mime";

/**
 * What tokensView draws. An `Encoding` (encode), `TokenizedText` (tokenizeWithOffsets) or
 * `TokenizationSteps` (tokenizeWithSteps) fits as it is; so does `{ tokens }` alone.
 */
export interface TokensViewInput {
  tokens: readonly string[];
  /** the id of each piece (`ids`, or an Encoding's `inputIds`) */
  ids?: readonly number[];
  inputIds?: readonly number[];
  /** segment of each piece, 0 = A, 1 = B (`typeIds`, or an Encoding's `tokenTypeIds`) */
  typeIds?: readonly number[];
  tokenTypeIds?: readonly number[];
  /** word index of each piece (null for special tokens); default: a `##` piece continues the word before it */
  words?: readonly (number | null)[];
}

export interface TokensViewOptions {
  /** wrap rows at this width in pixels (default 760) */
  maxWidth?: number;
  /** a caption above the row */
  title?: string;
  /** draw a trailing run of more than this many [PAD] as one "[PAD] ×n" box (default 3; Infinity: never) */
  collapsePadding?: number;
}

/** A drawn token picture: its SVG, its text rendering, and what it was made of. */
export interface TokensView extends Displayable {
  svg: string;
  text: string;
  tokens: string[];
  /** word index of each piece, null for special tokens */
  words: (number | null)[];
}

export const SPECIAL_PIECES: readonly string[] = ["[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]"];

/** Qualitative palette (ColorBrewer Pastel1 + Set3, light enough for dark text), cycling by word. */
export const WORD_PALETTE: readonly string[] = [
  "#a6cee3", "#b2df8a", "#fdbf6f", "#cab2d6", "#fb9a99", "#ffffb3", "#8dd3c7", "#fccde5", "#e5d8bd", "#decbe4", "#ccebc5", "#ffed6f",
];

/** Segment band colours: A, B. */
export const SEGMENT_COLORS: readonly string[] = ["#4c78a8", "#e45756"];

export const FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace";
const FONT_SIZE = 13;
const SMALL = 10;

/** Escapes text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/** Estimated width of monospace text in pixels (wide East Asian characters count double). */
export function textWidth(s: string, fontSize: number = FONT_SIZE): number {
  let cells = 0;
  for (const ch of s) cells += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) || ch.codePointAt(0)! > 0x1ffff ? 2 : 1;
  return cells * fontSize * 0.6;
}

/** Display width in monospace cells, for the text rendering. */
function cells(s: string): number {
  return Math.round(textWidth(s, 10) / 6);
}

function pad(s: string, n: number, right = false): string {
  const fill = " ".repeat(Math.max(0, n - cells(s)));
  return right ? fill + s : s + fill;
}

/** Where each box goes: rows wrap between words, never inside one (unless a word alone is too wide). */
export interface BoxLayout {
  x: number[];
  row: number[];
  rows: number;
  width: number;
}

/**
 * Lays boxes out left to right; `joined[i]` glues box i to box i-1 (same word, no gap).
 *
 * @example
 *   layoutBoxes([40, 30, 50], [false, true, false], 100, 8) // → { x: [0, 40, 0], row: [0, 0, 1], rows: 2, width: 70 }
 */
export function layoutBoxes(widths: readonly number[], joined: readonly boolean[], maxWidth: number, gap: number): BoxLayout {
  const x: number[] = [];
  const row: number[] = [];
  let cx = 0;
  let r = 0;
  let width = 0;
  for (let i = 0; i < widths.length; ) {
    let j = i + 1;
    while (j < widths.length && joined[j]) j++;
    const groupWidth = widths.slice(i, j).reduce((a, b) => a + b, 0);
    let start = cx === 0 ? 0 : cx + gap;
    if (cx > 0 && start + groupWidth > maxWidth) {
      r++;
      start = 0;
    }
    cx = start;
    for (let k = i; k < j; k++) {
      if (cx > 0 && k > i && cx + widths[k] > maxWidth) {
        r++;
        cx = 0;
      }
      x.push(cx);
      row.push(r);
      cx += widths[k];
      width = Math.max(width, cx);
    }
    i = j;
  }
  return { x, row, rows: widths.length ? r + 1 : 0, width };
}

/** Word index per piece: a `##` piece continues the word before it; special tokens are no word. */
export function wordsOf(tokens: readonly string[]): (number | null)[] {
  const words: (number | null)[] = [];
  let w = -1;
  tokens.forEach((t, i) => {
    if (SPECIAL_PIECES.includes(t)) words.push(null);
    else if (t.startsWith("##") && t.length > 2 && i > 0 && words[i - 1] !== null) words.push(w);
    else words.push(++w);
  });
  return words;
}

/** The style of a special piece: fill, stroke, dash, text colour, class. */
export function specialStyle(token: string): { fill: string; stroke: string; dash: string; color: string; cls: string } | null {
  switch (token) {
    case "[CLS]":
    case "[SEP]":
      return { fill: "#e6e6e6", stroke: "#9a9a9a", dash: "", color: "#555555", cls: "special " + token.slice(1, -1).toLowerCase() };
    case "[PAD]":
      return { fill: "#ffffff", stroke: "#bbbbbb", dash: "3 2", color: "#aaaaaa", cls: "special pad" };
    case "[MASK]":
      return { fill: "#ffffff", stroke: "#222222", dash: "", color: "#222222", cls: "special mask" };
    case "[UNK]":
      return { fill: "#ffffff", stroke: "#d62728", dash: "4 2", color: "#d62728", cls: "special unk" };
  }
  return null;
}

interface Piece {
  label: string;
  token: string;
  /** index of the first token this box stands for */
  index: number;
  count: number;
  id?: number;
  type?: number;
  word: number | null;
}

function piecesOf(input: TokensViewInput, words: (number | null)[], collapse: number): Piece[] {
  const tokens = input.tokens;
  const ids = input.ids ?? input.inputIds;
  const types = input.typeIds ?? input.tokenTypeIds;
  let end = tokens.length;
  while (end > 0 && tokens[end - 1] === "[PAD]") end--;
  const pads = tokens.length - end;
  const keep = pads > collapse ? end : tokens.length;
  const pieces: Piece[] = [];
  for (let i = 0; i < keep; i++) pieces.push({ label: tokens[i], token: tokens[i], index: i, count: 1, id: ids?.[i], type: types?.[i], word: words[i] ?? null });
  if (keep < tokens.length) pieces.push({ label: `[PAD] ×${pads}`, token: "[PAD]", index: keep, count: pads, id: ids?.[keep], type: types?.[keep], word: null });
  return pieces;
}

/**
 * The word pieces of an encoding as a picture and as aligned text.
 *
 * @example
 *   tokensView(tok.encode("unaffable dogs", "ok"))
 *   // the cell shows: [CLS] un ##aff ##able dogs [SEP] ok [SEP], ids beneath, A/B band; as text:
 *   // [CLS] | un   ##aff ##able | dogs | [SEP] | ok   | [SEP]
 *   //   101 | 4895  2546  3085 | 6077 |   102 | 7929 |   102
 */
export function tokensView(input: TokensViewInput | readonly string[], options: TokensViewOptions = {}): TokensView {
  const src: TokensViewInput = isTokenArray(input) ? { tokens: input } : input;
  const words = src.words ? src.words.slice() : wordsOf(src.tokens);
  const pieces = piecesOf(src, words, options.collapsePadding ?? 3);
  const svg = tokensSvg(pieces, options);
  const text = tokensText(pieces, options.title);
  const tokens = src.tokens.slice();
  return {
    svg,
    text,
    tokens,
    words,
    [DISPLAY]: (): MimeBundle => ({ "image/svg+xml": svg, "text/plain": text }),
    toString: () => text,
  } as TokensView;
}

function isTokenArray(x: TokensViewInput | readonly string[]): x is readonly string[] {
  return Array.isArray(x);
}

const BOX_H = 26;
const MARGIN = 10;

/** Opens a picture's SVG in `out`: the root element, a white background and the title; returns the y below them. */
export function svgOpen(out: string[], width: number, height: number, title?: string): number {
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="${FONT_SIZE}">`);
  out.push(`<rect class="background" width="${width}" height="${height}" fill="#ffffff"/>`);
  if (!title) return MARGIN;
  out.push(`<text class="title" x="${MARGIN}" y="${MARGIN + 13}" font-weight="bold">${escapeXml(title)}</text>`);
  return MARGIN + 20;
}

function tokensSvg(pieces: Piece[], options: TokensViewOptions): string {
  const maxWidth = options.maxWidth ?? 760;
  const hasIds = pieces.some((p) => p.id !== undefined);
  const hasTypes = pieces.some((p) => p.type !== undefined);
  const hasB = pieces.some((p) => p.type === 1);
  const widths = pieces.map((p) => Math.max(26, textWidth(p.label) + 12, hasIds && p.id !== undefined ? textWidth(String(p.id), SMALL) + 8 : 0));
  const joined = pieces.map((p, i) => i > 0 && p.word !== null && p.word === pieces[i - 1].word);
  const layout = layoutBoxes(widths, joined, maxWidth - 2 * MARGIN, 8);
  const rowH = BOX_H + (hasTypes ? 6 : 0) + (hasIds ? 14 : 0) + 12;
  const top = MARGIN + (options.title ? 20 : 0) + (hasTypes && hasB ? 18 : 0);
  const width = Math.ceil(Math.max(layout.width + 2 * MARGIN, hasB ? 260 : 0, options.title ? textWidth(options.title) + 2 * MARGIN : 0));
  const height = Math.ceil(top + layout.rows * rowH + MARGIN - 10);
  const out: string[] = [];
  let y0 = svgOpen(out, width, height, options.title);
  if (hasTypes && hasB) {
    out.push(`<g class="legend" font-size="${SMALL + 1}" fill="#444444">`);
    ["segment A", "segment B"].forEach((name, s) => {
      const x = MARGIN + s * 110;
      out.push(`<rect x="${x}" y="${y0 + 4}" width="18" height="4" fill="${SEGMENT_COLORS[s]}"/><text x="${x + 24}" y="${y0 + 10}">${name}</text>`);
    });
    out.push(`</g>`);
  }
  pieces.forEach((p, i) => {
    const x = MARGIN + layout.x[i];
    const y = top + layout.row[i] * rowH;
    const w = widths[i];
    const sp = specialStyle(p.token);
    const fill = sp ? sp.fill : p.word === null ? "#ffffff" : WORD_PALETTE[p.word % WORD_PALETTE.length];
    const stroke = sp ? sp.stroke : "#666666";
    const cls = sp ? `piece ${sp.cls}` : p.token.startsWith("##") && joined[i] ? "piece continuation" : "piece";
    const dash = sp && sp.dash ? ` stroke-dasharray="${sp.dash}"` : "";
    const sw = p.token === "[MASK]" ? 1.6 : 1;
    const word = p.word === null ? "" : ` data-word="${p.word}"`;
    out.push(`<g class="token" data-index="${p.index}"${word}>`);
    out.push(`<rect class="${cls}" x="${x}" y="${y}" width="${w}" height="${BOX_H}" rx="${joined[i] || joined[i + 1] ? 0 : 4}" fill="${fill}" stroke="${stroke}" stroke-width="${sw}"${dash}/>`);
    out.push(pieceLabel(p, x + w / 2, y + BOX_H / 2 + 4.5, sp ? sp.color : "#1a1a1a", p.token === "[MASK]"));
    if (hasTypes && p.type !== undefined) out.push(`<rect class="segment seg-${p.type === 1 ? "b" : "a"}" x="${x}" y="${y + BOX_H + 2}" width="${w}" height="3" fill="${SEGMENT_COLORS[p.type === 1 ? 1 : 0]}"/>`);
    if (hasIds && p.id !== undefined) out.push(`<text class="id" x="${x + w / 2}" y="${y + BOX_H + (hasTypes ? 6 : 0) + 12}" text-anchor="middle" font-size="${SMALL}" fill="#777777">${p.id}</text>`);
    out.push(`</g>`);
  });
  out.push(`</svg>`);
  return out.join("\n");
}

/** The piece's text, with a `##` prefix drawn faint so the word part stands out. */
export function pieceLabel(p: { label: string; token: string }, cx: number, y: number, color: string, bold: boolean): string {
  const weight = bold ? ` font-weight="bold"` : "";
  if (p.label.startsWith("##") && p.label.length > 2) {
    return `<text class="label" x="${cx}" y="${y}" text-anchor="middle" fill="${color}"${weight}><tspan fill="#666666" fill-opacity="0.75">##</tspan>${escapeXml(p.label.slice(2))}</text>`;
  }
  return `<text class="label" x="${cx}" y="${y}" text-anchor="middle" fill="${color}"${weight}>${escapeXml(p.label)}</text>`;
}

/** Aligned text: pieces over ids (and segments), `|` between words, wrapped at ~100 columns. */
function tokensText(pieces: Piece[], title?: string): string {
  const hasIds = pieces.some((p) => p.id !== undefined);
  const hasB = pieces.some((p) => p.type === 1);
  const cols = pieces.map((p) => Math.max(cells(p.label), hasIds && p.id !== undefined ? String(p.id).length : 0, hasB ? 1 : 0));
  const lines: string[] = title ? [title] : [];
  let tok = "";
  let id = "";
  let seg = "";
  const flush = () => {
    if (!tok) return;
    lines.push(tok.trimEnd());
    if (hasIds) lines.push(id.trimEnd());
    if (hasB) lines.push(seg.trimEnd());
    tok = id = seg = "";
  };
  pieces.forEach((p, i) => {
    const sameWord = i > 0 && p.word !== null && p.word === pieces[i - 1].word;
    const sep = i === 0 ? "" : sameWord ? " " : " | ";
    if (!sameWord && cells(tok) + cols[i] + 3 > 100) flush();
    const s = tok ? sep : "";
    tok += s + pad(p.label, cols[i]);
    id += s + pad(p.id === undefined ? "" : String(p.id), cols[i], true);
    seg += s + pad(p.type === undefined ? "" : p.type === 1 ? "B" : "A", cols[i]);
  });
  flush();
  return lines.join("\n");
}
