// AttentionInput: what the attention pictures draw (tokens, segments, layers × heads × T × T
// weights as plain numbers), its checks, and the helpers they share: picking one map
// (a head or the mean of a layer's heads), the colour scale, short token labels.
import { BertLabError } from "../util/errors";

/**
 * Attention of one sentence (pair), as plain numbers: `attention[layer][head][query][key]`.
 * `attentionOf(model, tokenizer, "…")` makes one; so does `out.attentions[l].arraySync()[0]` per layer.
 */
export interface AttentionInput {
  tokens: string[];
  /** segment of each token: 0 = sentence A (with [CLS] and its [SEP]), 1 = sentence B */
  segments?: number[];
  /** layers × heads × T × T; each row (a query) sums to 1 */
  attention: number[][][][];
}

/** Which map: a head number, or "mean" for the average over the layer's heads. */
export type HeadChoice = number | "mean";

/**
 * Checks shapes and values; returns `{ layers, heads, T }`. Errors name the field and how to fix it.
 *
 * @example
 *   checkAttention({ tokens: ["a", "b"], attention: [[[[1, 0], [0.5, 0.5]]]] }) // → { layers: 1, heads: 1, T: 2 }
 */
export function checkAttention(input: AttentionInput, what = "attention"): { layers: number; heads: number; T: number } {
  if (input === null || typeof input !== "object") throw new BertLabError("BAD_ATTENTION", `${what}: expected { tokens, attention }, got ${String(input)}`);
  const { tokens, attention, segments } = input;
  if (!Array.isArray(tokens) || tokens.length === 0 || !tokens.every((t) => typeof t === "string")) {
    throw new BertLabError("BAD_ATTENTION", `${what}: tokens must be a non-empty array of strings (one per position)`);
  }
  const T = tokens.length;
  if (!Array.isArray(attention) || attention.length === 0) {
    throw new BertLabError("BAD_ATTENTION", `${what}: attention must be layers × heads × ${T} × ${T} numbers, got ${Array.isArray(attention) ? "no layers" : typeof attention}`);
  }
  const heads = Array.isArray(attention[0]) ? attention[0].length : 0;
  attention.forEach((layer, l) => {
    if (!Array.isArray(layer) || layer.length !== heads || heads === 0) {
      throw new BertLabError("BAD_ATTENTION", `${what}: layer ${l} has ${Array.isArray(layer) ? layer.length : "no"} heads but layer 0 has ${heads}: every layer needs the same number of heads (≥ 1)`);
    }
    layer.forEach((map, h) => {
      if (!Array.isArray(map) || map.length !== T) {
        throw new BertLabError("BAD_ATTENTION", `${what}: layer ${l} head ${h} has ${Array.isArray(map) ? map.length : "no"} rows but there are ${T} tokens: pass one row per query token`);
      }
      map.forEach((row, i) => {
        if (!Array.isArray(row) || row.length !== T) {
          throw new BertLabError("BAD_ATTENTION", `${what}: layer ${l} head ${h} row ${i} has ${Array.isArray(row) ? row.length : "no"} weights but there are ${T} tokens: pass one weight per key token`);
        }
        for (let j = 0; j < T; j++) {
          const w = row[j];
          if (typeof w !== "number" || !Number.isFinite(w)) {
            throw new BertLabError("BAD_ATTENTION", `${what}: layer ${l} head ${h} [${i}][${j}] = ${String(w)} is not a finite number`);
          }
        }
      });
    });
  });
  if (segments !== undefined) {
    if (!Array.isArray(segments) || segments.length !== T || !segments.every((s) => s === 0 || s === 1)) {
      throw new BertLabError("BAD_ATTENTION", `${what}: segments must be ${T} values of 0 or 1 (one per token), or left out`);
    }
  }
  return { layers: attention.length, heads, T };
}

/** Throws a RangeError naming the valid layers when `layer` is not one. */
export function checkLayer(layer: number, layers: number, what = "attention"): void {
  if (!Number.isInteger(layer) || layer < 0 || layer >= layers) {
    throw new RangeError(`${what}: layer ${layer} does not exist: the input has ${layers} layer${layers === 1 ? "" : "s"} — pass layer: 0..${layers - 1}`);
  }
}

/** Throws a RangeError naming the valid heads when `head` is neither one nor "mean". */
export function checkHead(head: HeadChoice, heads: number, what = "attention"): void {
  if (head === "mean") return;
  if (!Number.isInteger(head) || head < 0 || head >= heads) {
    throw new RangeError(`${what}: head ${String(head)} does not exist: each layer has ${heads} head${heads === 1 ? "" : "s"} — pass head: 0..${heads - 1} or "mean"`);
  }
}

/**
 * One T × T map: a head's, or the mean over the layer's heads.
 *
 * @example
 *   pickMap([[[[1, 0], [0, 1]], [[0, 1], [1, 0]]]], 0, "mean") // → [[0.5, 0.5], [0.5, 0.5]]
 */
export function pickMap(attention: number[][][][], layer: number, head: HeadChoice): number[][] {
  const maps = attention[layer];
  if (head !== "mean") return maps[head];
  const T = maps[0].length;
  return Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => maps.reduce((s, m) => s + m[i][j], 0) / maps.length));
}

/** Index of the first token of segment B, or null when there is none. */
export function segmentBoundary(segments: readonly number[] | undefined): number | null {
  if (!segments) return null;
  const b = segments.indexOf(1);
  return b > 0 ? b : null;
}

/** ColorBrewer Blues, white at 0 (the vega heatmap's scale). */
export const BLUES: readonly string[] = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"];

const BLUES_RGB: number[][] = BLUES.map((c) => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)));

/**
 * The colour of `t` in 0..1 on the Blues ramp (clamped), as [r, g, b], interpolated between stops.
 *
 * @example
 *   blues(0) // → [247, 251, 255]
 */
export function blues(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (BLUES_RGB.length - 1);
  const k = Math.min(BLUES_RGB.length - 2, Math.floor(x));
  const f = x - k;
  const a = BLUES_RGB[k];
  const b = BLUES_RGB[k + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as [number, number, number];
}

/** The largest value of some maps (at least a tiny positive number, so scales never divide by 0). */
export function maxWeight(maps: readonly (readonly (readonly number[])[])[]): number {
  let m = 0;
  for (const map of maps) for (const row of map) for (const w of row) if (w > m) m = w;
  return Math.max(m, 1e-6);
}

/**
 * A token shortened for an axis label: at most `max` characters, an ellipsis when cut.
 *
 * @example
 *   shortLabel("unbelievably", 8) // → "unbelie…"
 */
export function shortLabel(token: string, max = 14): string {
  const chars = [...token];
  return chars.length <= max ? token : chars.slice(0, max - 1).join("") + "…";
}

/** A weight with 2 decimals, for text. */
export function fmtWeight(w: number): string {
  return w.toFixed(2);
}

/**
 * Text lines "query → most-attended key (weight)", one per token, at most `limit` of them.
 *
 * @example
 *   topAttendedLines(["a", "b"], [[0.9, 0.1], [0.3, 0.7]]) // → ["0 a → 0 a 0.90", "1 b → 1 b 0.70"]
 */
export function topAttendedLines(tokens: readonly string[], map: readonly (readonly number[])[], limit = 24): string[] {
  const width = Math.min(14, Math.max(...tokens.map((t) => [...shortLabel(t)].length)));
  const idx = String(tokens.length - 1).length;
  const lines: string[] = [];
  for (let i = 0; i < Math.min(tokens.length, limit); i++) {
    let best = 0;
    for (let j = 1; j < map[i].length; j++) if (map[i][j] > map[i][best]) best = j;
    const q = `${String(i).padStart(idx)} ${shortLabel(tokens[i]).padEnd(width)}`;
    const k = `${String(best).padStart(idx)} ${shortLabel(tokens[best]).padEnd(width)}`;
    lines.push(`${q} → ${k} ${fmtWeight(map[i][best])}`);
  }
  if (tokens.length > limit) lines.push(`… ${tokens.length - limit} more tokens`);
  return lines;
}
