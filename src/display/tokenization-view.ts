// tokenizationView: every stage of BERT's tokenizer as one picture, top to bottom — the input
// (invisible characters made visible), cleaning, CJK spacing, whitespace split, lower-casing and
// accent stripping, punctuation split, WordPiece pieces coloured by word as tokensView colours
// them, and their ids. Each stage is a labelled row; a stage that changed nothing says so.
// A static SVG built here, from tokens-view.ts's helpers, plus the same stages as aligned text.
import { isChineseChar, isControl, isNonspacingMark, isPySpace, isWhitespace } from "../tokenization/char-classes";
import type { TokenizationSteps } from "../tokenization/bert-tokenizer";
import { DISPLAY, Displayable, MimeBundle } from "./mime";
import { escapeXml, layoutBoxes, pieceLabel, specialStyle, svgOpen, textWidth, wordsOf, WORD_PALETTE } from "./tokens-view";

export interface TokenizationViewOptions {
  /** a caption above the picture */
  title?: string;
  /** wrap rows at this width in pixels (default 760) */
  maxWidth?: number;
}

/** The stages, in the order drawn. */
export type TokenizationStage = "input" | "cleaned" | "cjk" | "whitespace" | "normalized" | "basic" | "pieces" | "ids";

/** A drawn tokenization: its SVG, its text rendering, and which stages changed nothing. */
export interface TokenizationView extends Displayable {
  svg: string;
  text: string;
  /** the stages identical to the one before (labelled "(unchanged)") */
  unchanged: TokenizationStage[];
}

/** Each stage's key, its label and a note in the picture, and its (shorter) label in the text. */
export const TOKENIZATION_STAGES: readonly { key: TokenizationStage; label: string; note: string; short: string }[] = [
  { key: "input", label: "1 input text", note: "", short: "1 input" },
  { key: "cleaned", label: "2 after cleaning", note: "control chars dropped, whitespace → space", short: "2 cleaned" },
  { key: "cjk", label: "3 CJK characters spaced", note: "", short: "3 CJK spaced" },
  { key: "whitespace", label: "4 whitespace split", note: "", short: "4 whitespace split" },
  { key: "normalized", label: "5 lower-cased + accents stripped", note: "", short: "5 lower, no accents" },
  { key: "basic", label: "6 punctuation split = basic tokens", note: "", short: "6 punctuation split" },
  { key: "pieces", label: "7 WordPiece pieces", note: "## continues a word", short: "7 WordPiece" },
  { key: "ids", label: "8 ids", note: "beneath each piece", short: "8 ids" },
];

const SMALL = 10;
const CAPTION = 11;
const MARGIN = 10;
const CAPTION_H = 18;
const LINE_H = 20;
const BOX_H = 24;
const PIECE_H = 26;
const STAGE_GAP = 10;
const HIGHLIGHT = { fill: "#fff1c1", stroke: "#d9a400", text: "#9a6b00" };
const FAINT = "#a0a0a0";

/** A coordinate rounded to 0.1 px, so the SVG stays short and stable. */
function r(v: number): number {
  return Math.round(v * 10) / 10;
}

/** Faint glyphs for characters that print as nothing (all in DejaVu Sans Mono). */
const INVISIBLE_GLYPHS: Record<string, string> = { "\t": "⇥", "\n": "⏎", "\u00a0": "⍽" };

/** Short names for other invisible characters, drawn small in a faint box; else the hex code. */
const INVISIBLE_NAMES: Record<string, string> = {
  "\u0000": "NUL", "\r": "CR", "\u000b": "VT", "\u000c": "FF", "\u001b": "ESC", "\u007f": "DEL", "\u0085": "NEL", "\u00ad": "SHY",
  "\u200b": "ZWSP", "\u200c": "ZWNJ", "\u200d": "ZWJ", "\u2028": "LS", "\u2029": "PS", "\ufeff": "BOM",
};

/** One character of a text row: what to draw, how wide, and how it is marked. */
interface Cell {
  ch: string;
  glyph: string;
  width: number;
  kind: "char" | "space" | "invisible" | "code";
  /** drawn on a highlight: a CJK character, a space it got, or whitespace cleaning replaced */
  mark: boolean;
}

/** Is this character one a reader cannot see (other than a plain space)? */
function isInvisible(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  return ch !== " " && (cp < 0x20 || cp === 0x7f || isControl(cp) || isWhitespace(cp) || isPySpace(cp) || (cp >= 0x80 && cp < 0xa0));
}

/**
 * How a character is shown: spaces as a faint "·", tab / newline / NBSP as faint ⇥ ⏎ ⍽, other
 * invisible characters as a short name (CR, ZWSP, …) or their hex code in a small faint box.
 *
 * @example
 *   visibleChar("\t").glyph // → "⇥"
 *   visibleChar("\u200b").glyph // → "ZWSP"
 *   visibleChar("\u2060").glyph // → "2060"
 */
export function visibleChar(ch: string, mark = false): Cell {
  const cp = ch.codePointAt(0)!;
  if (ch === " ") return { ch, glyph: "·", width: textWidth(" "), kind: "space", mark };
  if (isInvisible(ch) || ch === "\u00ad") {
    const known = INVISIBLE_GLYPHS[ch];
    if (known) return { ch, glyph: known, width: textWidth(" "), kind: "invisible", mark };
    const code = INVISIBLE_NAMES[ch] ?? cp.toString(16).toUpperCase().padStart(4, "0");
    return { ch, glyph: code, width: textWidth(code, 8) + 5, kind: "code", mark };
  }
  return { ch, glyph: ch, width: isNonspacingMark(cp) ? 0 : textWidth(ch), kind: "char", mark };
}

/** The input's cells. */
function inputCells(text: string): Cell[] {
  return Array.from(text, (ch) => visibleChar(ch));
}

/** The cleaned text's cells, marking spaces that were other whitespace in the input. */
function cleanedCells(text: string, cleaned: string): Cell[] {
  const replaced: boolean[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || isControl(cp)) continue;
    replaced.push(isWhitespace(cp) && ch !== " ");
  }
  const chars = Array.from(cleaned);
  const aligned = replaced.length === chars.length;
  return chars.map((ch, i) => visibleChar(ch, aligned && replaced[i]));
}

/** The CJK-spaced text's cells, marking each CJK character and the two spaces it got. */
function cjkCells(cleaned: string, cjkSpaced: string): Cell[] {
  const marks: boolean[] = [];
  for (const ch of cleaned) {
    if (isChineseChar(ch.codePointAt(0)!)) marks.push(true, true, true);
    else marks.push(false);
  }
  const chars = Array.from(cjkSpaced);
  const aligned = marks.length === chars.length;
  return chars.map((ch, i) => visibleChar(ch, aligned && marks[i]));
}

/** Draws one text row, wrapped between words; returns its height. */
function drawText(out: string[], cells: Cell[], y: number, width: number): number {
  if (cells.length === 0) return drawEmpty(out, y);
  const widths = cells.map((c) => c.width);
  const wide = (c: Cell) => c.kind === "char" && c.width > textWidth("x");
  const joined = cells.map((c, i) => i > 0 && cells[i - 1].kind !== "space" && !wide(c) && !wide(cells[i - 1]));
  const layout = layoutBoxes(widths, joined, width, 0);
  const xs = layout.x.map((x) => MARGIN + x);
  const ys = layout.row.map((r) => y + r * LINE_H);
  cells.forEach((c, i) => {
    if (c.mark) out.push(`<rect class="mark${c.kind === "space" ? " mark-space" : ""}" x="${r(xs[i])}" y="${r(ys[i] + 1)}" width="${r(c.width)}" height="${LINE_H - 3}" fill="${HIGHLIGHT.fill}" stroke="${HIGHLIGHT.stroke}" stroke-width="0.8"/>`);
  });
  for (let i = 0; i < cells.length; ) {
    let j = i + 1;
    const c = cells[i];
    if (c.kind === "char" && !wide(c)) {
      while (j < cells.length && cells[j].kind === "char" && !wide(cells[j]) && layout.row[j] === layout.row[i] && cells[j].mark === c.mark) j++;
    }
    out.push(cellText(cells.slice(i, j), xs[i], ys[i]));
    i = j;
  }
  return layout.rows * LINE_H;
}

/** A run of cells as one <text>: plain characters, a faint space dot, or a faint invisible character. */
function cellText(run: Cell[], x: number, y: number): string {
  const c = run[0];
  const base = y + 14;
  const cls = c.kind === "char" ? (c.mark ? "char cjk" : "char") : c.kind;
  if (c.kind === "char") {
    const fill = c.mark ? ` fill="${HIGHLIGHT.text}" font-weight="bold"` : "";
    const anchor = c.width > textWidth("x") ? ` x="${r(x + c.width / 2)}" text-anchor="middle"` : ` x="${r(x)}"`;
    return `<text class="${cls}"${anchor} y="${r(base)}"${fill}>${escapeXml(run.map((r) => r.glyph).join(""))}</text>`;
  }
  const title = c.kind === "space" ? "" : `<title>U+${c.ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}</title>`;
  const size = c.kind === "code" ? ` font-size="8"` : "";
  const fill = c.kind === "space" ? (c.mark ? HIGHLIGHT.stroke : "#c8c8c8") : FAINT;
  const yy = c.kind === "code" ? base - 3 : base;
  const box = c.kind === "code" ? `<rect class="code-box" x="${r(x + 1)}" y="${r(y + 4)}" width="${r(c.width - 2)}" height="11" rx="2" fill="none" stroke="#cccccc" stroke-width="0.8"/>` : "";
  return `${box}<text class="${cls}" x="${r(x + c.width / 2)}" y="${r(yy)}" text-anchor="middle" fill="${fill}"${size}>${title}${escapeXml(c.glyph)}</text>`;
}

/** "(empty)" in place of a row with nothing in it; returns its height. */
function drawEmpty(out: string[], y: number): number {
  out.push(`<text class="empty" x="${MARGIN}" y="${r(y + 14)}" fill="${FAINT}" font-style="italic">(empty)</text>`);
  return LINE_H;
}

/** One box of a token row. */
interface TokenBox {
  label: string;
  /** shown faint before " → " when the stage changed this token */
  before?: string;
  fill: string;
}

/** Draws a row of token boxes, wrapped; returns its height. */
function drawBoxes(out: string[], boxes: TokenBox[], y: number, width: number, cls: string): number {
  if (boxes.length === 0) return drawEmpty(out, y);
  const widths = boxes.map((b) => Math.max(22, textWidth(b.before === undefined ? b.label : `${b.before} → ${b.label}`) + 12));
  const layout = layoutBoxes(widths, boxes.map(() => false), width, 8);
  boxes.forEach((b, i) => {
    const x = MARGIN + layout.x[i];
    const by = y + layout.row[i] * (BOX_H + 8);
    const changed = b.before !== undefined;
    const stroke = changed ? HIGHLIGHT.stroke : "#888888";
    out.push(`<rect class="${cls}${changed ? " changed" : ""}" x="${r(x)}" y="${r(by)}" width="${r(widths[i])}" height="${BOX_H}" rx="4" fill="${changed ? HIGHLIGHT.fill : b.fill}" stroke="${stroke}"/>`);
    const cx = x + widths[i] / 2;
    const label = changed
      ? `<tspan fill="#888888">${escapeXml(b.before!)}</tspan><tspan fill="${HIGHLIGHT.stroke}" xml:space="preserve"> → </tspan>${escapeXml(b.label)}`
      : escapeXml(b.label);
    out.push(`<text class="label" x="${r(cx)}" y="${r(by + BOX_H / 2 + 4.5)}" text-anchor="middle" fill="#1a1a1a">${label}</text>`);
  });
  return layout.rows * (BOX_H + 8) - 8;
}

/** Draws the word pieces as tokensView does (colour by word, [UNK] marked, ## faint) with ids beneath; returns the height. */
function drawPieces(out: string[], steps: TokenizationSteps, words: (number | null)[], y: number, width: number): number {
  const tokens = steps.tokens;
  if (tokens.length === 0) return drawEmpty(out, y);
  const widths = tokens.map((t, i) => Math.max(26, textWidth(t) + 12, steps.ids[i] === undefined ? 0 : textWidth(String(steps.ids[i]), SMALL) + 8));
  const joined = tokens.map((_, i) => i > 0 && words[i] !== null && words[i] === words[i - 1]);
  const layout = layoutBoxes(widths, joined, width, 8);
  const rowH = PIECE_H + 14 + 8;
  tokens.forEach((t, i) => {
    const x = MARGIN + layout.x[i];
    const py = y + layout.row[i] * rowH;
    const w = widths[i];
    const word = words[i];
    const sp = specialStyle(t);
    const fill = sp ? sp.fill : word === null ? "#ffffff" : WORD_PALETTE[word % WORD_PALETTE.length];
    const cls = sp ? `piece ${sp.cls}` : t.startsWith("##") && joined[i] ? "piece continuation" : "piece";
    const dash = sp && sp.dash ? ` stroke-dasharray="${sp.dash}"` : "";
    const rx = joined[i] || joined[i + 1] ? 0 : 4;
    out.push(`<g class="token" data-index="${i}"${word === null ? "" : ` data-word="${word}"`}>`);
    out.push(`<rect class="${cls}" x="${r(x)}" y="${r(py)}" width="${r(w)}" height="${PIECE_H}" rx="${rx}" fill="${fill}" stroke="${sp ? sp.stroke : "#666666"}"${dash}/>`);
    out.push(pieceLabel({ label: t, token: t }, r(x + w / 2), r(py + PIECE_H / 2 + 4.5), sp ? sp.color : "#1a1a1a", false));
    if (steps.ids[i] !== undefined) out.push(`<text class="id" x="${r(x + w / 2)}" y="${r(py + PIECE_H + 12)}" text-anchor="middle" font-size="${SMALL}" fill="#777777">${steps.ids[i]}</text>`);
    out.push(`</g>`);
  });
  return layout.rows * rowH - 8;
}

/** Which stages equal the stage before them. */
function unchangedStages(s: TokenizationSteps): TokenizationStage[] {
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  const out: TokenizationStage[] = [];
  if (s.cleaned === s.text) out.push("cleaned");
  if (s.cjkSpaced === s.cleaned) out.push("cjk");
  if (s.whitespaceTokens.length <= 1 && s.whitespaceTokens.join("") === s.cjkSpaced) out.push("whitespace");
  if (same(s.normalized, s.whitespaceTokens)) out.push("normalized");
  if (same(s.basicTokens, s.normalized)) out.push("basic");
  if (same(s.tokens, s.basicTokens)) out.push("pieces");
  return out;
}

/** The word (tokensView's colour index) of each basic token: that of its first piece. */
function basicWords(steps: TokenizationSteps, words: (number | null)[]): (number | null)[] {
  if (steps.wordPieces.length !== steps.basicTokens.length) return steps.basicTokens.map(() => null);
  let k = 0;
  return steps.wordPieces.map((w) => {
    const word = words[k] ?? null;
    k += w.pieces.length;
    return word;
  });
}

/** One piece of a caption line. */
interface CaptionPart {
  text: string;
  attrs: string;
}

/** A stage's caption parts: its label (bold), its note, and "(unchanged)" when it changed nothing. */
function captionParts(key: TokenizationStage, unchanged: boolean): CaptionPart[] {
  const stage = TOKENIZATION_STAGES.find((s) => s.key === key)!;
  const parts: CaptionPart[] = [{ text: stage.label, attrs: `class="stage-label" data-stage="${key}" font-weight="bold" fill="#555555"` }];
  if (stage.note) parts.push({ text: stage.note, attrs: `class="stage-note" fill="#888888"` });
  if (unchanged) parts.push({ text: "(unchanged)", attrs: `class="unchanged" fill="${FAINT}" font-style="italic"` });
  return parts;
}

/** Draws caption parts left to right, wrapping to a new line when one does not fit; returns the height. */
function drawCaption(out: string[], parts: CaptionPart[], y: number, width: number): number {
  let x = 0;
  let line = 0;
  for (const p of parts) {
    const w = textWidth(p.text, CAPTION);
    if (x > 0) x += textWidth(p.attrs.includes("stage-label") ? "    " : " ", CAPTION);
    if (x > 0 && x + w > width) {
      line++;
      x = 0;
    }
    out.push(`<text ${p.attrs} x="${r(MARGIN + x)}" y="${r(y + 12 + line * 15)}" font-size="${CAPTION}">${escapeXml(p.text)}</text>`);
    x += w;
  }
  return CAPTION_H + line * 15;
}

function tokenizationSvg(steps: TokenizationSteps, unchanged: TokenizationStage[], options: TokenizationViewOptions): string {
  const maxWidth = options.maxWidth ?? 760;
  const width = Math.max(200, maxWidth - 2 * MARGIN);
  const words = wordsOf(steps.tokens);
  const bWords = basicWords(steps, words);
  const body: string[] = [];
  let y = MARGIN + (options.title ? 20 : 0);
  const stage = (key: TokenizationStage, draw: (y: number) => number, extra: CaptionPart[] = []) => {
    if (key !== "input") body.push(`<line class="rule" x1="${MARGIN}" x2="${MARGIN + width}" y1="${r(y - STAGE_GAP / 2)}" y2="${r(y - STAGE_GAP / 2)}" stroke="#eeeeee"/>`);
    body.push(`<g class="stage" data-stage="${key}">`);
    const top = drawCaption(body, [...captionParts(key, unchanged.includes(key)), ...extra], y, width);
    y += top + draw(y + top) + STAGE_GAP;
    body.push(`</g>`);
  };
  stage("input", (y0) => drawText(body, inputCells(steps.text), y0, width));
  stage("cleaned", (y0) => drawText(body, cleanedCells(steps.text, steps.cleaned), y0, width));
  stage("cjk", (y0) => drawText(body, cjkCells(steps.cleaned, steps.cjkSpaced), y0, width));
  const plain = (t: string): TokenBox => ({ label: t, fill: "#ffffff" });
  stage("whitespace", (y0) => drawBoxes(body, steps.whitespaceTokens.map(plain), y0, width, "token-box"));
  const normalized = steps.normalized.map((t, i): TokenBox => (t === steps.whitespaceTokens[i] ? plain(t) : { label: t, before: steps.whitespaceTokens[i], fill: "#ffffff" }));
  stage("normalized", (y0) => drawBoxes(body, normalized, y0, width, "token-box"));
  const basic = steps.basicTokens.map((t, i): TokenBox => ({ label: t, fill: bWords[i] === null ? "#ffffff" : WORD_PALETTE[bWords[i]! % WORD_PALETTE.length] }));
  stage("basic", (y0) => drawBoxes(body, basic, y0, width, "token-box basic"));
  stage("pieces", (y0) => drawPieces(body, steps, words, y0, width), captionParts("ids", false));
  const widest = Math.max(...TOKENIZATION_STAGES.map((s) => textWidth(s.note, CAPTION)), options.title ? textWidth(options.title) : 0);
  const svgWidth = Math.ceil(Math.max(maxWidth, widest + 2 * MARGIN));
  const height = Math.ceil(y - STAGE_GAP + MARGIN);
  const out: string[] = [];
  svgOpen(out, svgWidth, height, options.title);
  return [...out, ...body, `</svg>`].join("\n");
}

/** Display width in monospace cells. */
function cells(s: string): number {
  return Math.round(textWidth(s, 10) / 6);
}

function padCells(s: string, n: number, right = false): string {
  const fill = " ".repeat(Math.max(0, n - cells(s)));
  return right ? fill + s : s + fill;
}

/** The text rendering: one aligned line (or more, wrapped) per stage. */
function tokenizationText(steps: TokenizationSteps, unchanged: TokenizationStage[], title?: string): string {
  const labels = TOKENIZATION_STAGES.map((s) => s.short + (unchanged.includes(s.key) ? " (unchanged)" : ""));
  const col = Math.max(...labels.map((l) => l.length)) + 2;
  const indent = " ".repeat(col);
  const lines: string[] = title ? [title] : [];
  const line = (i: number, content: string) => lines.push((padCells(labels[i], col) + content).trimEnd());
  const quoted = (s: string) => `"${Array.from(s, (ch) => (ch === " " ? " " : visibleChar(ch).kind === "code" ? `<${visibleChar(ch).glyph}>` : visibleChar(ch).glyph)).join("")}"`;
  const wrapList = (i: number, items: string[]) => {
    let cur = "";
    let first = true;
    for (const item of items) {
      if (cur && cells(cur) + 1 + cells(item) > 100 - col) {
        first ? line(i, cur) : lines.push(indent + cur);
        first = false;
        cur = "";
      }
      cur += (cur ? " " : "") + item;
    }
    first ? line(i, cur) : lines.push(indent + cur);
  };
  line(0, quoted(steps.text));
  line(1, quoted(steps.cleaned));
  line(2, quoted(steps.cjkSpaced));
  wrapList(3, steps.whitespaceTokens.map((t) => `[${t}]`));
  wrapList(4, steps.normalized.map((t, i) => (t === steps.whitespaceTokens[i] ? `[${t}]` : `[${steps.whitespaceTokens[i]} → ${t}]`)));
  wrapList(5, steps.basicTokens.map((t) => `[${t}]`));
  // pieces over ids, one column per piece, wrapped together
  const widths = steps.tokens.map((t, i) => Math.max(cells(t), String(steps.ids[i] ?? "").length));
  let tok = "";
  let ids = "";
  let first = true;
  const flush = () => {
    if (first) {
      line(6, tok);
      line(7, ids);
    } else {
      lines.push((indent + tok).trimEnd(), (indent + ids).trimEnd());
    }
    first = false;
    tok = ids = "";
  };
  steps.tokens.forEach((t, i) => {
    if (tok && cells(tok) + 1 + widths[i] > 100 - col) flush();
    const sep = tok ? " " : "";
    tok += sep + padCells(t, widths[i]);
    ids += sep + padCells(String(steps.ids[i] ?? ""), widths[i], true);
  });
  flush();
  return lines.join("\n");
}

/**
 * Every stage of BERT's tokenizer on one text, as a picture (one labelled row per stage, top to
 * bottom) and as aligned text. Pass what `tokenizeWithSteps` returns.
 *
 * @example
 *   const tok = BertTokenizer.fromFile("vocab.txt", { doLowerCase: true });
 *   tokenizationView(tok.tokenizeWithSteps("Héllo, 世界!\tUnaffable"))
 *   // the cell shows 8 rows: the input with ␉ visible, cleaned, 世 界 spaced (highlighted),
 *   // whitespace boxes, [Héllo, → hello,] highlighted, basic tokens, word pieces coloured by
 *   // word (un ##aff ##able), ids beneath; as text:
 *   // 4 whitespace split     [Héllo,] [世] [界] [!] [Unaffable]
 *   // 5 lower, no accents    [Héllo, → hello,] [世] [界] [!] [Unaffable → unaffable]
 */
export function tokenizationView(steps: TokenizationSteps, options: TokenizationViewOptions = {}): TokenizationView {
  const unchanged = unchangedStages(steps);
  const svg = tokenizationSvg(steps, unchanged, options);
  const text = tokenizationText(steps, unchanged, options.title);
  return {
    svg,
    text,
    unchanged,
    [DISPLAY]: (): MimeBundle => ({ "image/svg+xml": svg, "text/plain": text }),
    toString: () => text,
  } as TokenizationView;
}
