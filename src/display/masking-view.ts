// maskingView: one pre-training instance as the model sees it — the chosen positions
// coloured by what they became (BERT §3.1: 80 % [MASK], 10 % random, 10 % unchanged), the
// original token beneath each changed one, and a marker on exactly the positions the MLM
// loss reads (masked_lm_positions). A static SVG built here, like tokensView.
import { DISPLAY, Displayable, MimeBundle } from "./mime";
import type { MaskedInstance, Replacement } from "../pretraining/masking";
import { BertLabError } from "../util/errors";
import { escapeXml, layoutBoxes, pieceLabel, SEGMENT_COLORS, specialStyle, svgOpen, textWidth } from "./tokens-view";

/** A TrainingInstance fits as it is; `segmentIds` adds the A/B band. */
export interface MaskingViewInput extends MaskedInstance {
  segmentIds?: readonly number[];
  isRandomNext?: boolean;
}

export interface MaskingViewOptions {
  /** wrap rows at this width in pixels (default 760) */
  maxWidth?: number;
  title?: string;
}

/** How many chosen positions became each kind. */
export interface MaskingCounts {
  mask: number;
  random: number;
  same: number;
  /** all chosen positions: the ones the MLM loss reads */
  selected: number;
}

export interface MaskingView extends Displayable {
  svg: string;
  text: string;
  counts: MaskingCounts;
}

/** Fill, stroke and legend name of each kind of chosen position. */
export const KIND_STYLE: Readonly<Record<Replacement, { fill: string; stroke: string; name: string; code: string }>> = {
  mask: { fill: "#9ecae9", stroke: "#2f6ea5", name: "[MASK]", code: "M" },
  random: { fill: "#ffb3a7", stroke: "#c0392b", name: "random", code: "R" },
  same: { fill: "#b5e3a4", stroke: "#3b8a2e", name: "unchanged", code: "=" },
};

const KINDS: Replacement[] = ["mask", "random", "same"];
const SMALL = 10;
const BOX_H = 26;
const MARGIN = 10;

/**
 * One pre-training instance's masking, drawn.
 *
 * @example
 *   maskingView(instances[0])
 *   // the cell shows the tokens, chosen positions coloured by kind with the original beneath; as text:
 *   // masked LM: 5 positions — [MASK] 4, random 1, unchanged 0
 *   // [CLS] the [MASK] sat on the mat [SEP] …
 */
export function maskingView(instance: MaskingViewInput, options: MaskingViewOptions = {}): MaskingView {
  checkInstance(instance);
  const kindAt = new Map<number, { how: Replacement; original: string }>();
  instance.maskedLmPositions.forEach((p, k) => kindAt.set(p, { how: instance.replacements[k], original: instance.maskedLmLabels[k] }));
  const counts: MaskingCounts = { mask: 0, random: 0, same: 0, selected: instance.maskedLmPositions.length };
  for (const r of instance.replacements) counts[r]++;
  const svg = maskingSvg(instance, kindAt, counts, options);
  const text = maskingText(instance, kindAt, counts, options.title);
  return {
    svg,
    text,
    counts,
    [DISPLAY]: (): MimeBundle => ({ "image/svg+xml": svg, "text/plain": text }),
    toString: () => text,
  } as MaskingView;
}

function checkInstance(inst: MaskingViewInput): void {
  const n = inst.maskedLmPositions.length;
  if (inst.maskedLmLabels.length !== n || inst.replacements.length !== n) {
    throw new BertLabError(
      "MASKING_VIEW_INPUT",
      `maskingView: ${n} masked positions but ${inst.maskedLmLabels.length} labels and ${inst.replacements.length} replacements — pass one TrainingInstance as createTrainingInstances made it`,
    );
  }
  for (const p of inst.maskedLmPositions) {
    if (!Number.isInteger(p) || p < 0 || p >= inst.tokens.length) {
      throw new BertLabError("MASKING_VIEW_INPUT", `maskingView: masked position ${p} is outside the ${inst.tokens.length} tokens`);
    }
  }
}

function countsLine(c: MaskingCounts): string {
  return `masked LM: ${c.selected} position${c.selected === 1 ? "" : "s"} — [MASK] ${c.mask}, random ${c.random}, unchanged ${c.same}`;
}

function maskingSvg(inst: MaskingViewInput, kindAt: Map<number, { how: Replacement; original: string }>, counts: MaskingCounts, options: MaskingViewOptions): string {
  const tokens = inst.tokens;
  const maxWidth = options.maxWidth ?? 760;
  const hasSeg = inst.segmentIds !== undefined && inst.segmentIds.length === tokens.length;
  const widths = tokens.map((t, i) => {
    const k = kindAt.get(i);
    const below = k && k.how !== "same" ? textWidth(k.original, SMALL + 1) + 8 : 0;
    return Math.max(26, textWidth(t) + 12, below);
  });
  // a ## piece stays glued to its word, as in tokensView (also to a [MASK] that hides the word's start)
  const joined = tokens.map((t, i) => i > 0 && t.startsWith("##") && t.length > 2 && !["[CLS]", "[SEP]", "[PAD]"].includes(tokens[i - 1]));
  const layout = layoutBoxes(widths, joined, maxWidth - 2 * MARGIN, 6);
  const MARK = 10;
  const rowH = MARK + BOX_H + (hasSeg ? 6 : 0) + 14 + 10;
  const legendH = 22;
  const top = MARGIN + (options.title ? 20 : 0) + legendH;
  const legendW = 470;
  const width = Math.ceil(Math.max(layout.width + 2 * MARGIN, legendW, options.title ? textWidth(options.title) + 2 * MARGIN : 0));
  const lastRow = tokens.some((_, i) => layout.row[i] === layout.rows - 1 && kindAt.get(i)?.how !== undefined && kindAt.get(i)!.how !== "same") ? 14 : 0;
  const height = Math.ceil(top + (layout.rows - 1) * rowH + MARK + BOX_H + (hasSeg ? 6 : 0) + lastRow + MARGIN);
  const out: string[] = [];
  let y0 = svgOpen(out, width, height, options.title);
  // legend: one swatch and count per kind, then the loss marker
  out.push(`<g class="legend" font-size="${SMALL + 1}" fill="#333333">`);
  let lx = MARGIN;
  for (const kind of KINDS) {
    const s = KIND_STYLE[kind];
    const label = `${s.name} ${counts[kind]}`;
    out.push(`<rect class="legend-${kind}" x="${lx}" y="${y0 + 1}" width="14" height="12" rx="2" fill="${s.fill}" stroke="${s.stroke}"/>`);
    out.push(`<text x="${lx + 19}" y="${y0 + 11}" data-kind="${kind}" data-count="${counts[kind]}">${escapeXml(label)}</text>`);
    lx += 19 + textWidth(label, SMALL + 1) + 16;
  }
  out.push(`<path d="M${lx} ${y0 + 2} h10 l-5 8 z" fill="#222222"/>`);
  out.push(`<text x="${lx + 15}" y="${y0 + 11}">MLM loss reads ${counts.selected}</text>`);
  out.push(`</g>`);
  tokens.forEach((t, i) => {
    const x = MARGIN + layout.x[i];
    const y = top + layout.row[i] * rowH + MARK;
    const w = widths[i];
    const k = kindAt.get(i);
    const sp = specialStyle(t);
    let fill = "#ffffff";
    let stroke = "#9a9a9a";
    let color = "#1a1a1a";
    let cls = "piece";
    let dash = "";
    if (k) {
      fill = KIND_STYLE[k.how].fill;
      stroke = KIND_STYLE[k.how].stroke;
      cls = `piece selected ${k.how}`;
    } else if (sp) {
      fill = sp.fill;
      stroke = sp.stroke;
      color = sp.color;
      cls = `piece ${sp.cls}`;
      dash = sp.dash ? ` stroke-dasharray="${sp.dash}"` : "";
    }
    const rx = joined[i] || joined[i + 1] ? 0 : 4;
    out.push(`<g class="token" data-index="${i}">`);
    if (k) out.push(`<path class="loss-marker" data-position="${i}" d="M${x + w / 2 - 5} ${y - MARK} h10 l-5 7 z" fill="#222222"/>`);
    out.push(`<rect class="${cls}" x="${x}" y="${y}" width="${w}" height="${BOX_H}" rx="${rx}" fill="${fill}" stroke="${stroke}" stroke-width="${k ? 1.6 : 1}"${dash}/>`);
    out.push(pieceLabel({ label: t, token: t }, x + w / 2, y + BOX_H / 2 + 4.5, color, t === "[MASK]"));
    let by = y + BOX_H;
    if (hasSeg) {
      const s = inst.segmentIds![i] === 1 ? 1 : 0;
      out.push(`<rect class="segment seg-${s ? "b" : "a"}" x="${x}" y="${by + 2}" width="${w}" height="3" fill="${SEGMENT_COLORS[s]}"/>`);
      by += 6;
    }
    if (k && k.how !== "same") {
      out.push(`<text class="original" x="${x + w / 2}" y="${by + 12}" text-anchor="middle" font-size="${SMALL + 1}" fill="${KIND_STYLE[k.how].stroke}">${escapeXml(k.original)}</text>`);
    }
    out.push(`</g>`);
  });
  out.push(`</svg>`);
  return out.join("\n");
}

function cellsOf(s: string): number {
  return Math.round(textWidth(s, 10) / 6);
}

function padTo(s: string, n: number): string {
  return s + " ".repeat(Math.max(0, n - cellsOf(s)));
}

/** Aligned text: the tokens, a kind code under each chosen one (M / R / =), the original under changed ones. */
function maskingText(inst: MaskingViewInput, kindAt: Map<number, { how: Replacement; original: string }>, counts: MaskingCounts, title?: string): string {
  const lines: string[] = title ? [title] : [];
  lines.push(countsLine(counts) + "   (M = [MASK], R = random, = unchanged; the loss reads the marked positions)");
  let a = "";
  let b = "";
  let c = "";
  const flush = () => {
    if (!a) return;
    lines.push(a.trimEnd(), b.trimEnd(), c.trimEnd());
    a = b = c = "";
  };
  inst.tokens.forEach((t, i) => {
    const k = kindAt.get(i);
    const orig = k && k.how !== "same" ? k.original : "";
    const w = Math.max(cellsOf(t), cellsOf(orig), 1);
    if (a && cellsOf(a) + w + 1 > 100) flush();
    const s = a ? " " : "";
    a += s + padTo(t, w);
    b += s + padTo(k ? KIND_STYLE[k.how].code : "", w);
    c += s + padTo(orig, w);
  });
  flush();
  return lines.join("\n");
}
