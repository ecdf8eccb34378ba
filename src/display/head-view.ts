// headView: a bertviz-style HEAD VIEW of one sentence (pair). Tokens in two columns (queries
// left, keys right), a line from query i to key j per head whose opacity is the weight, one
// colour per head. As text/html it is interactive — a layer dropdown, clickable head swatches
// (click: show/hide, double-click: only that head), hovering a token shows only its lines —
// with the data inline as JSON and a small inline script (no CDN, nothing fetched). As
// image/svg+xml it is the static picture of the chosen layer and heads, for nbconvert,
// GitHub and front ends that do not run scripts.
import { randomBytes } from "node:crypto";
import { DISPLAY, Displayable, MimeBundle } from "./mime";
import { AttentionInput, checkAttention, checkHead, checkLayer, pickMap, segmentBoundary, shortLabel, topAttendedLines } from "./attention-input";
import { labelColor } from "./attention-raster";
import { FONT, SEGMENT_COLORS, escapeXml, svgOpen, textWidth } from "./tokens-view";

export interface HeadViewOptions {
  /** the layer shown first (0-based); default 0 */
  layer?: number;
  /** the heads shown first; default all */
  heads?: number[];
  title?: string;
  /** the static SVG draws lines of at least this weight (default 0.05; fainter ones are invisible anyway) */
  minWeight?: number;
  /** the html element id; default a fresh unique one, so two views in one notebook do not clash */
  id?: string;
}

/** A drawn head view: interactive html, static SVG, text, and the id of its html element. */
export interface HeadView extends Displayable {
  html: string;
  svg: string;
  text: string;
  id: string;
}

/** One colour per head (d3 category10, then its light variants); cycles past 16 heads. */
export const HEAD_COLORS: readonly string[] = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94",
];

/** Weights below this are left out of the embedded data (the html draws the rest). */
export const HEAD_VIEW_DATA_MIN = 0.01;

const MARGIN = 10;
const GAP = 220;
let counter = 0;

/** Where things go; shared by the static SVG and (as JSON) the script. */
interface Layout {
  fs: number;
  rowH: number;
  labelW: number;
  xLeft: number;
  x1: number;
  x2: number;
  xRight: number;
  y0: number;
  width: number;
  height: number;
  legendY: number;
}

function layoutOf(tokens: readonly string[], heads: number, title: string, legend: boolean): Layout {
  const T = tokens.length;
  const fs = T > 64 ? 10 : 12;
  const rowH = T > 64 ? 13 : 18;
  const labelW = Math.ceil(Math.max(30, ...tokens.map((t) => textWidth(shortLabel(t, 16), fs)))) + 4;
  const xLeft = MARGIN + 8 + labelW;
  const x1 = xLeft + 6;
  const x2 = x1 + GAP;
  const xRight = x2 + 6;
  const legendW = legend ? Math.min(heads, 8) * 44 : 0;
  const width = Math.ceil(Math.max(xRight + labelW + 8 + MARGIN, textWidth(title) + 2 * MARGIN, legendW + 2 * MARGIN));
  const top = MARGIN + 20;
  const legendRows = legend ? Math.ceil(heads / 8) : 0;
  const legendY = top + 4;
  const y0 = top + legendRows * 18 + 22 + rowH / 2;
  const height = Math.ceil(y0 + (T - 0.5) * rowH + MARGIN);
  return { fs, rowH, labelW, xLeft, x1, x2, xRight, y0, width, height, legendY };
}

function headColor(h: number): string {
  return HEAD_COLORS[h % HEAD_COLORS.length];
}

/** The static picture: token columns, segment marks, and the chosen heads' lines. */
function headViewSvg(input: AttentionInput, layer: number, heads: number[], lay: Layout, title: string, minWeight: number, legend: boolean): string {
  const { tokens, segments } = input;
  const T = tokens.length;
  const out: string[] = [];
  svgOpen(out, lay.width, lay.height, title);
  if (legend) {
    out.push(`<g class="head-legend" font-size="11" fill="#444444">`);
    heads.forEach((h, k) => {
      const x = MARGIN + (k % 8) * 44;
      const y = lay.legendY + Math.floor(k / 8) * 18;
      out.push(`<rect class="head-swatch" data-head="${h}" x="${x}" y="${y}" width="12" height="12" fill="${headColor(h)}"/><text x="${x + 16}" y="${y + 10}">h${h}</text>`);
    });
    out.push(`</g>`);
  }
  const headerY = lay.y0 - lay.rowH / 2 - 6;
  out.push(`<g class="column-captions" font-size="10" fill="#777777"><text x="${lay.xLeft}" y="${headerY}" text-anchor="end">queries</text><text x="${lay.xRight}" y="${headerY}">keys</text></g>`);
  out.push(`<g class="hv-lines" fill="none">`);
  for (const h of heads) {
    const map = input.attention[layer][h];
    out.push(`<g class="head-lines" data-head="${h}" stroke="${headColor(h)}" stroke-width="2">`);
    for (let i = 0; i < T; i++) {
      for (let j = 0; j < T; j++) {
        const w = map[i][j];
        if (w < minWeight) continue;
        out.push(`<line x1="${lay.x1}" y1="${rowY(lay, i)}" x2="${lay.x2}" y2="${rowY(lay, j)}" stroke-opacity="${Math.min(1, w).toFixed(2)}"/>`);
      }
    }
    out.push(`</g>`);
  }
  out.push(`</g>`);
  out.push(`<g class="tokens" font-size="${lay.fs}">`);
  tokens.forEach((t, i) => {
    const y = +(rowY(lay, i) + lay.fs * 0.35).toFixed(2);
    const fill = labelColor(t, segments?.[i]);
    const label = escapeXml(shortLabel(t, 16));
    out.push(`<text class="hv-left" data-i="${i}" x="${lay.xLeft}" y="${y}" text-anchor="end" fill="${fill}">${label}</text>`);
    out.push(`<text class="hv-right" data-i="${i}" x="${lay.xRight}" y="${y}" fill="${fill}">${label}</text>`);
  });
  out.push(`</g>`);
  if (segments) {
    out.push(`<g class="segments">`);
    tokens.forEach((_, i) => {
      const y = rowY(lay, i) - lay.rowH / 2 + 1;
      const c = SEGMENT_COLORS[segments[i] === 1 ? 1 : 0];
      out.push(`<rect x="${MARGIN}" y="${y}" width="3" height="${lay.rowH - 2}" fill="${c}"/><rect x="${lay.width - MARGIN - 3}" y="${y}" width="3" height="${lay.rowH - 2}" fill="${c}"/>`);
    });
    out.push(`</g>`);
  }
  const b = segmentBoundary(segments);
  if (b !== null) {
    const y = rowY(lay, b) - lay.rowH / 2;
    out.push(`<path class="segment-boundary" d="M${MARGIN},${y}H${lay.x1 - 2}M${lay.x2 + 2},${y}H${lay.width - MARGIN}" stroke="${SEGMENT_COLORS[1]}" stroke-width="1" stroke-dasharray="4 2"/>`);
  }
  out.push(`</svg>`);
  return out.join("\n");
}

function rowY(lay: Layout, i: number): number {
  return +(lay.y0 + i * lay.rowH).toFixed(2);
}

/**
 * One row of weights for the embedded JSON: integers in thousandths (3 decimals), weights
 * below 0.01 as 0, and each run of k zeros written as -k (long rows are mostly tiny weights).
 *
 * @example
 *   compactRow([0.5, 0.001, 0.002, 0.4971]) // → [500, -2, 497]
 */
export function compactRow(row: readonly number[]): number[] {
  const out: number[] = [];
  for (const w of row) {
    const v = w < HEAD_VIEW_DATA_MIN ? 0 : Math.round(w * 1000);
    if (v !== 0) out.push(v);
    else if (out.length > 0 && out[out.length - 1] < 0) out[out.length - 1]--;
    else out.push(-1);
  }
  return out;
}

/**
 * The inverse of compactRow: thousandths back to a full row of weights.
 *
 * @example
 *   expandRow([500, -2, 497]) // → [0.5, 0, 0, 0.497]
 */
export function expandRow(packed: readonly number[]): number[] {
  const out: number[] = [];
  for (const v of packed) {
    if (v < 0) for (let k = 0; k < -v; k++) out.push(0);
    else out.push(v / 1000);
  }
  return out;
}

/** JSON safe inside a <script> element: no "</script>", no "<!--". */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** The inline script: redraws the lines for the chosen layer, heads and hovered token. */
const SCRIPT = `(function(){
var root=document.getElementById(__ID__);if(!root)return;
var d=JSON.parse(root.querySelector("script.hv-data").textContent);
var NS="http://www.w3.org/2000/svg",g=root.querySelector("g.hv-lines"),sel=root.querySelector("select.hv-layer");
var sw=root.querySelectorAll(".hv-swatch"),on=[],hover=null,h,k;
for(h=0;h<d.heads;h++)on.push(d.shown.indexOf(h)>=0);
function draw(){
 while(g.firstChild)g.removeChild(g.firstChild);
 var A=d.attention[+sel.value],T=d.tokens.length;
 for(var h=0;h<d.heads;h++){if(!on[h])continue;
  var grp=document.createElementNS(NS,"g");grp.setAttribute("stroke",d.colors[h]);grp.setAttribute("stroke-width","2");
  for(var i=0;i<T;i++){if(hover&&hover.q&&hover.i!==i)continue;
   var row=A[h][i],j=0;
   for(var p=0;p<row.length;p++){var w=row[p];if(w<0){j-=w;continue;}
    if(!hover||hover.q||hover.i===j){var ln=document.createElementNS(NS,"line");
     ln.setAttribute("x1",d.x1);ln.setAttribute("x2",d.x2);ln.setAttribute("y1",d.y0+i*d.rowH);ln.setAttribute("y2",d.y0+j*d.rowH);
     ln.setAttribute("stroke-opacity",Math.min(1,w/d.scale));grp.appendChild(ln);}
    j++;}}
  g.appendChild(grp);}
 var tt=root.querySelector("text.title");if(d.autoTitle&&tt){var n=0;for(var x=0;x<on.length;x++)if(on[x])n++;
  tt.textContent="Head view: layer "+sel.value+" of "+d.layers+", "+(n===d.heads?"all "+n+" heads":n+" of "+d.heads+" heads");}
 for(var s=0;s<sw.length;s++)sw[s].style.opacity=on[+sw[s].getAttribute("data-head")]?"1":"0.25";
 var ts=root.querySelectorAll("text.hv-left,text.hv-right");
 for(var t=0;t<ts.length;t++){var q=ts[t].getAttribute("class")==="hv-left";
  ts[t].setAttribute("font-weight",hover&&hover.q===q&&hover.i===+ts[t].getAttribute("data-i")?"bold":"normal");}
}
sel.addEventListener("change",function(){draw();});
for(k=0;k<sw.length;k++)(function(el){var h=+el.getAttribute("data-head");
 el.addEventListener("click",function(){on[h]=!on[h];draw();});
 el.addEventListener("dblclick",function(){for(var x=0;x<on.length;x++)on[x]=x===h;draw();});})(sw[k]);
var toks=root.querySelectorAll("text.hv-left,text.hv-right");
for(k=0;k<toks.length;k++)(function(el){var q=el.getAttribute("class")==="hv-left",i=+el.getAttribute("data-i");
 el.style.cursor="pointer";
 el.addEventListener("mouseenter",function(){hover={q:q,i:i};draw();});
 el.addEventListener("mouseleave",function(){hover=null;draw();});})(toks[k]);
draw();
})();`;

function headViewHtml(id: string, input: AttentionInput, layer: number, shown: number[], heads: number, lay: Layout, svg: string, autoTitle: boolean): string {
  const data = {
    autoTitle,
    tokens: input.tokens,
    segments: input.segments ?? null,
    layers: input.attention.length,
    heads,
    shown,
    colors: Array.from({ length: heads }, (_, h) => headColor(h)),
    scale: 1000,
    x1: lay.x1,
    x2: lay.x2,
    y0: lay.y0,
    rowH: lay.rowH,
    attention: input.attention.map((layer) => layer.map((map) => map.map(compactRow))),
  };
  const options = input.attention.map((_, l) => `<option value="${l}"${l === layer ? " selected" : ""}>${l}</option>`).join("");
  const swatches = Array.from(
    { length: heads },
    (_, h) => `<span class="hv-swatch" data-head="${h}" title="head ${h}: click to show/hide, double-click for only this head" style="display:inline-block;width:14px;height:14px;margin:0 2px;cursor:pointer;vertical-align:middle;background:${headColor(h)};opacity:${shown.includes(h) ? 1 : 0.25}"></span>`,
  ).join("");
  return [
    `<div id="${escapeXml(id)}" class="bert-lab-head-view" style="font-family:${FONT};font-size:12px;color:#333">`,
    `<div class="hv-controls" style="margin:4px 0 6px 10px">Layer <select class="hv-layer">${options}</select> <span style="margin-left:12px">Heads</span> ${swatches}</div>`,
    svg,
    `<script type="application/json" class="hv-data">${scriptJson(data)}</script>`,
    `<script>${SCRIPT.replace("__ID__", () => scriptJson(id))}</script>`,
    `</div>`,
  ].join("\n");
}

/**
 * A bertviz-style head view of every layer and head of one input.
 *
 * @example
 *   headView(attentionOf(model, tokenizer, "the cat sat on the mat", "it purred"), { layer: 1 })
 *   // the cell shows tokens in two columns joined by coloured lines, one colour per head;
 *   // pick the layer in the dropdown, click head swatches, hover a token to see its lines
 */
export function headView(input: AttentionInput, options: HeadViewOptions = {}): HeadView {
  const { layers, heads, T } = checkAttention(input, "headView");
  const layer = options.layer ?? 0;
  checkLayer(layer, layers, "headView");
  const shown = options.heads ?? Array.from({ length: heads }, (_, h) => h);
  if (!Array.isArray(shown)) throw new RangeError(`headView: heads must be an array of head numbers 0..${heads - 1}`);
  shown.forEach((h) => checkHead(h, heads, "headView"));
  const minWeight = options.minWeight ?? 0.05;
  const title = options.title ?? `Head view: layer ${layer} of ${layers}, ${shown.length === heads ? `all ${heads} heads` : `heads ${shown.join(", ")}`}`;
  const id = options.id ?? `bert-lab-head-view-${++counter}-${randomBytes(4).toString("hex")}`;
  const svg = headViewSvg(input, layer, shown, layoutOf(input.tokens, shown.length, title, true), title, minWeight, true);
  const htmlLayout = layoutOf(input.tokens, heads, title, false);
  const html = headViewHtml(id, input, layer, shown, heads, htmlLayout, headViewSvg(input, layer, shown, htmlLayout, title, minWeight, false), options.title === undefined);
  const text = [
    `${title} — ${T} tokens, ${layers} layers × ${heads} heads (interactive in JupyterLab / VS Code).`,
    `Mean over the shown heads of layer ${layer}: each query → the key it attends to most:`,
    ...topAttendedLines(input.tokens, meanOf(input.attention[layer], shown)),
  ].join("\n");
  return {
    html,
    svg,
    text,
    id,
    [DISPLAY]: (): MimeBundle => ({ "text/html": html, "image/svg+xml": svg, "text/plain": text }),
    toString: () => text,
  } as HeadView;
}

function meanOf(maps: number[][][], heads: number[]): number[][] {
  if (heads.length === 0) return pickMap([maps], 0, "mean");
  return pickMap([heads.map((h) => maps[h])], 0, "mean");
}
