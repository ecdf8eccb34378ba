// attentionHeatmap: one attention map (a layer's head, or the mean of its heads) as a picture.
// Small maps (≤ 48 tokens) are a vega-lite Chart (interactive in JupyterLab, tooltips per cell);
// larger ones are the raster SVG of attention-raster.ts plus text, because the vega-lite spec
// carries one data row per cell (128 tokens: 16 384 rows, ~1.5 MB of JSON in the notebook) and
// its SVG one <rect> per cell (3 MB), while the raster is one embedded PNG (~60 KB).
import { Chart } from "./charts/render";
import { attentionHeatmapSpec } from "./charts/heatmap";
import { DISPLAY, Displayable, MimeBundle } from "./mime";
import { AttentionInput, HeadChoice, checkAttention, checkHead, checkLayer, pickMap, topAttendedLines } from "./attention-input";
import { attentionRasterSvg } from "./attention-raster";
import { BertLabError } from "../util/errors";

export type { AttentionInput, HeadChoice } from "./attention-input";

/** Above this many tokens the heatmap is a raster SVG instead of a vega-lite chart. */
export const VEGA_MAX_TOKENS = 48;

export interface AttentionHeatmapOptions {
  /** which layer (0-based); default 0 */
  layer?: number;
  /** a head (0-based) or "mean" over the layer's heads; default "mean" */
  head?: HeadChoice;
  title?: string;
  /** axis labels; default the input's tokens (required when `att` is a bare T × T map) */
  tokens?: string[];
  /** force the raster SVG (true) or the vega chart (false); default: raster above 48 tokens */
  raster?: boolean;
  /** top of the raster's colour scale; default the map's largest weight */
  vmax?: number;
}

/** The raster form: SVG + text (no vega-lite spec: its data would be one row per cell). */
export class AttentionRaster implements Displayable {
  readonly svg: string;
  readonly text: string;

  constructor(svg: string, text: string) {
    this.svg = svg;
    this.text = text;
  }

  [DISPLAY](): MimeBundle {
    return { "image/svg+xml": this.svg, "text/plain": this.text };
  }

  toString(): string {
    return this.text;
  }
}

/** A bare map becomes a one-layer, one-head input. */
function asInput(att: AttentionInput | number[][], tokens: string[] | undefined): AttentionInput {
  if (!Array.isArray(att)) return tokens ? { ...att, tokens } : att;
  if (!tokens) throw new BertLabError("BAD_ATTENTION", "attentionHeatmap: a bare T × T map needs its labels — pass { tokens: [...] } (one per row)");
  return { tokens, attention: [[att]] };
}

/**
 * One attention map as a picture: a vega-lite chart for ≤ 48 tokens, a raster SVG above.
 * The text form lists, for each token, the token it attends to most and the weight.
 *
 * @example
 *   const att = attentionOf(model, tokenizer, "the cat sat", "it purred");
 *   await attentionHeatmap(att, { layer: 1, head: 0 })       // the cell shows a 9 × 9 heatmap
 *   await attentionHeatmap(att, { layer: 1, head: "mean" })  // the average of the layer's heads
 */
export async function attentionHeatmap(att: AttentionInput | number[][], options: AttentionHeatmapOptions = {}): Promise<Chart | AttentionRaster> {
  const input = asInput(att, options.tokens);
  const { layers, heads, T } = checkAttention(input, "attentionHeatmap");
  const layer = options.layer ?? 0;
  const head = options.head ?? "mean";
  checkLayer(layer, layers, "attentionHeatmap");
  checkHead(head, heads, "attentionHeatmap");
  const map = pickMap(input.attention, layer, head);
  const which = Array.isArray(att) ? "attention" : `layer ${layer}, ${head === "mean" ? `mean of ${heads} heads` : `head ${head}`}`;
  const title = options.title ?? `Attention: ${which}`;
  const text = [`${title} — ${T} tokens; each query → the key it attends to most:`, ...topAttendedLines(input.tokens, map)].join("\n");
  const raster = options.raster ?? T > VEGA_MAX_TOKENS;
  if (!raster) {
    return new Chart(attentionHeatmapSpec(map, input.tokens, input.tokens, { title, vmax: options.vmax, segments: input.segments }), { textPlain: text }).render();
  }
  return new AttentionRaster(attentionRasterSvg(map, input.tokens, { title, segments: input.segments, vmax: options.vmax }), text);
}
