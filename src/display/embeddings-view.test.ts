import { test } from "node:test";
import assert from "node:assert/strict";
import { bundleOf } from "./mime";
import { assertWellFormedSvg } from "./charts/svg.test.helper";
import { countDistinctRows, divergingColor, DIVERGING, EmbeddingParts, embeddingsView } from "./embeddings-view";
import { Rng } from "../util/rng";
import { assertSnapshot } from "./snapshot.test.helper";

/** Seeded tables and a lookup like BERT's: token rows by id, segment rows by A/B, one position row per index. */
function seededParts(tokens: string[], segments: number[], H: number, seed: number): EmbeddingParts {
  const rng = new Rng(seed);
  const row = () => Array.from({ length: H }, () => Math.round(rng.normal(0, 0.05) * 1e4) / 1e4);
  const vocab = new Map<string, number[]>();
  const types = [row(), row()];
  const token = tokens.map((t) => {
    if (!vocab.has(t)) vocab.set(t, row());
    return vocab.get(t)!;
  });
  const segment = segments.map((s) => types[s]);
  const position = tokens.map(() => row());
  const sum = token.map((r, i) => r.map((v, j) => v + segment[i][j] + position[i][j]));
  const normed = sum.map((r) => {
    const m = r.reduce((a, b) => a + b, 0) / H;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / H);
    return r.map((v) => (v - m) / sd);
  });
  return { tokens, segments, token, segment, position, sum, normed };
}

const PAIR = ["[CLS]", "the", "cat", "sat", "[SEP]", "it", "pur", "##red", "[SEP]"];
const SEGS = [0, 0, 0, 0, 0, 1, 1, 1, 1];

/** The fills of each rect of one strip, as [x, y, height, fill]. */
function stripRects(svg: string, component: string): { x: number; y: number; h: number; fill: string }[] {
  const m = new RegExp(`<g class="strip" data-component="${component}"[^>]*>([\\s\\S]*?)<rect class="frame"`).exec(svg);
  assert.ok(m, `no ${component} strip`);
  return [...m[1].matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="(#[0-9a-f]{6})"\/>/g)].map((r) => ({ x: Number(r[1]), y: Number(r[2]), h: Number(r[3]), fill: r[4] }));
}

test("embeddingsView: the segment strip has exactly 2 row patterns (A, B), position one per row", () => {
  const parts = seededParts(PAIR, SEGS, 12, 1);
  const v = embeddingsView(parts, { dims: 8, raster: false });
  assertWellFormedSvg(v.svg);
  assert.deepEqual(v.distinctRows, { token: 8, segment: 2, position: 9, sum: 9 });
  // vertical runs of one colour are merged: A rows (0–4) make one rect per column, B rows (5–8) another
  const seg = stripRects(v.svg, "segment");
  assert.equal(seg.length, 2 * 8, "two rects per column in the segment strip");
  const h = seg[0].h / 5;
  for (let j = 0; j < 8; j++) {
    const [a, b] = [seg[2 * j], seg[2 * j + 1]];
    assert.equal(a.h, 5 * h);
    assert.equal(b.h, 4 * h);
    assert.equal(b.y, a.y + a.h);
    assert.equal(a.fill, divergingColor(parts.segment[0][j], maxAbsFirst(parts, 8)), "A's row, column j");
    assert.equal(b.fill, divergingColor(parts.segment[5][j], maxAbsFirst(parts, 8)), "B's row, column j");
  }
  assert.ok(stripRects(v.svg, "position").length > 8 * 8, "position rows differ");
  assert.match(v.svg, /data-component="segment" data-distinct-rows="2"/);
  assert.match(v.svg, />2 distinct rows \(A, B\)</);
  const lines = v.text.split("\n");
  assert.ok(lines.includes("segment embedding: 2 distinct rows (A, B) — an index embedding: every token of a sentence gets that sentence's row"), v.text);
  assert.ok(lines.includes("position embedding: 9 distinct rows — one per position 0–8"));
  assert.match(v.text, /token embedding: 8 distinct rows for 9 tokens — one row per vocabulary id \(repeated pieces share their row: \[SEP\] ×2\)/);
  assert.deepEqual(Object.keys(bundleOf(v)).sort(), ["image/svg+xml", "text/plain"]);
});

function maxAbsFirst(p: EmbeddingParts, dims: number): number {
  let m = 0;
  for (const rows of [p.token, p.segment, p.position, p.sum]) for (const r of rows) for (const x of r.slice(0, dims)) m = Math.max(m, Math.abs(x));
  return m;
}

test("embeddingsView: the norms table is over all H dims and the operators are drawn", () => {
  const parts = seededParts(PAIR, SEGS, 12, 2);
  const v = embeddingsView(parts, { dims: 4, raster: false });
  const row3 = v.text.split("\n")[2 + 3].trim().split(/\s+/);
  assert.equal(row3[1], "sat");
  assert.equal(row3[2], "A");
  const n = (r: number[]) => Math.hypot(...r).toFixed(3);
  assert.deepEqual(row3.slice(3), [n(parts.token[3]), n(parts.segment[3]), n(parts.position[3]), n(parts.sum[3]), n(parts.normed![3])]);
  assert.deepEqual([...v.svg.matchAll(/class="operator"[^>]*>([^<]*)</g)].map((m) => m[1]), ["+", "+", "=", "→"]);
  assert.equal([...v.svg.matchAll(/class="segment seg-b"/g)].length, 4);
  assert.match(v.svg, /columns: hidden dims 0–3 of 12/);
});

test("embeddingsView: one sentence → 1 segment row; no LayerNorm strip without normed", () => {
  const parts = seededParts(["[CLS]", "a", "b", "[SEP]"], [0, 0, 0, 0], 6, 3);
  delete parts.normed;
  const v = embeddingsView(parts, { raster: false });
  assert.equal(v.distinctRows.segment, 1);
  assert.equal(stripRects(v.svg, "segment").length, 6, "one rect per column");
  assert.match(v.text, /segment embedding: 1 distinct row \(A\) — an index embedding: every token of the sentence gets the same row/);
  assert.doesNotMatch(v.svg, /data-component="normed"/);
  assert.equal([...v.svg.matchAll(/class="strip"/g)].length, 4);
});

test("embeddingsView: large inputs become one pixelated PNG per strip", () => {
  const tokens = ["[CLS]", ...Array.from({ length: 40 }, (_, i) => `w${i % 13}`), "[SEP]", ...Array.from({ length: 20 }, (_, i) => `v${i}`), "[SEP]"];
  const segs = tokens.map((_, i) => (i <= 41 ? 0 : 1));
  const v = embeddingsView(seededParts(tokens, segs, 40, 4));
  assertWellFormedSvg(v.svg);
  const images = [...v.svg.matchAll(/<image class="cells-raster"[^>]*href="data:image\/png;base64,([^"]+)"/g)];
  assert.equal(images.length, 5);
  assert.match(v.svg, /style="image-rendering:pixelated"/);
  assert.doesNotMatch(v.svg, /<g class="cells"/);
  const png = Buffer.from(images[0][1], "base64");
  assert.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
  // width = 32 dims × the cell width in pixels, height = 63 rows × the cell height
  const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
  assert.equal(w % 32, 0);
  assert.equal(h % tokens.length, 0);
  assert.equal(v.distinctRows.segment, 2);
  assert.ok(v.svg.length < 120_000, `${v.svg.length} bytes`);
});

test("embeddingsView: bad shapes are refused with a clear message", () => {
  const parts = seededParts(["[CLS]", "a", "[SEP]"], [0, 0, 0], 4, 5);
  assert.throws(() => embeddingsView({ ...parts, segments: [0, 0] }), /2 segments for 3 tokens/);
  assert.throws(() => embeddingsView({ ...parts, position: parts.position.slice(0, 2) }), /position must be \[3\]\[4\]/);
  assert.throws(() => embeddingsView({ ...parts, sum: parts.sum.map((r) => r.slice(1)) }), /sum must be \[3\]\[4\]/);
});

test("divergingColor and countDistinctRows", () => {
  assert.equal(divergingColor(0, 1), DIVERGING[4]);
  assert.equal(divergingColor(-2, 1), DIVERGING[0]);
  assert.equal(divergingColor(1, 1), DIVERGING[8]);
  assert.equal(divergingColor(0.5, 0), DIVERGING[4]);
  const r = parseInt(divergingColor(0.3, 1).slice(1, 3), 16);
  const b = parseInt(divergingColor(0.3, 1).slice(5, 7), 16);
  assert.ok(r > b, "positive is red");
  assert.equal(countDistinctRows([[1, 2], [1, 2], [2, 1]]), 2);
});

test("SVG snapshot of seeded embeddings (UPDATE_SNAPSHOTS=1 rewrites it)", () => {
  const v = embeddingsView(seededParts(PAIR, SEGS, 16, 42), { dims: 12, title: "seed 42", raster: false });
  assertWellFormedSvg(v.svg);
  assertSnapshot("embeddings-view.svg", v.svg);
});
