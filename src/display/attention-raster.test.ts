import { test } from "node:test";
import assert from "node:assert/strict";
import { attentionRasterSvg, mapPixels } from "./attention-raster";
import { blues } from "./attention-input";
import { assertWellFormedSvg } from "./charts/svg.test.helper";
import { pairTokens, pngsIn, seededAttention } from "./attention.test.helper";
import { assertSnapshot } from "./snapshot.test.helper";

const count = (svg: string, re: RegExp) => [...svg.matchAll(re)].length;

test("a 128 × 128 map: one PNG for the cells, 128 row and column labels, well under 150 KB", () => {
  const { tokens, segments } = pairTokens(128);
  const map = seededAttention(1, 1, 128, 7)[0][0];
  const t0 = performance.now();
  const svg = attentionRasterSvg(map, tokens, { title: "layer 0, head 0", segments });
  const ms = performance.now() - t0;
  console.log(`128×128 raster heatmap: ${svg.length} bytes, ${ms.toFixed(0)} ms`);
  assertWellFormedSvg(svg);
  assert.ok(svg.length < 150_000, `${svg.length} bytes`);
  assert.equal(count(svg, /<image class="cells"/g), 1);
  assert.equal(count(svg, /<rect /g), 3, "background, frame, legend outline — no rect per cell");
  assert.match(svg, /<image class="cells"[^>]*image-rendering="optimizeSpeed" style="image-rendering:pixelated" href="data:image\/png;base64,/);
  assert.equal(count(svg, /class="row-label"/g), 128);
  assert.equal(count(svg, /class="col-label"[^>]*rotate\(-90\)/g), 128);
  assert.equal(count(svg, /class="segment-boundary"/g), 1);
  assert.ok(svg.includes("&lt;&amp;&gt;") && svg.includes("unbelievablye…"), "labels escaped and shortened");
});

test("the PNG's pixels are the weights on the Blues scale: sharp (cell × cell) and one pixel per cell", () => {
  const { tokens } = pairTokens(6);
  const map = seededAttention(1, 1, 6, 3)[0][0];
  const vmax = Math.max(...map.flat());
  const one = pngsIn(attentionRasterSvg(map, tokens, { sharp: false }))[0];
  assert.deepEqual([one.width, one.height], [6, 6]);
  const sharp = pngsIn(attentionRasterSvg(map, tokens, { cellSize: 10 }))[0];
  assert.deepEqual([sharp.width, sharp.height], [60, 60]);
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 6; j++) {
      const want = blues(map[i][j] / vmax);
      assert.deepEqual([...one.rgb.subarray((i * 6 + j) * 3, (i * 6 + j) * 3 + 3)], want, `cell ${i},${j}`);
      const o = ((i * 10 + 5) * 60 + j * 10 + 5) * 3;
      assert.deepEqual([...sharp.rgb.subarray(o, o + 3)], want, `sharp cell ${i},${j}`);
    }
  }
  assert.deepEqual(blues(1), [8, 48, 107]);
  assert.equal(mapPixels(seededAttention(1, 1, 8, 1)[0][0], 1, 4).size, 4, "averaged down");
});

test("no segments, no boundary; bad shapes say what to pass", () => {
  const { tokens } = pairTokens(10);
  const map = seededAttention(1, 1, 10, 2)[0][0];
  assert.doesNotMatch(attentionRasterSvg(map, tokens), /segment-boundary/);
  assert.doesNotMatch(attentionRasterSvg(map, tokens, { segments: tokens.map(() => 0) }), /segment-boundary/);
  assert.throws(() => attentionRasterSvg(map, tokens.slice(1)), /must be 9 × 9/);
  assert.throws(() => attentionRasterSvg(map, tokens, { segments: [0, 1] }), /2 segments for 10 tokens/);
  assert.throws(() => attentionRasterSvg(map, tokens, { vmax: 0 }), /vmax must be > 0/);
});

test("SVG snapshot of a seeded 12-token raster heatmap (UPDATE_SNAPSHOTS=1 rewrites it)", () => {
  const { tokens, segments } = pairTokens(12);
  const svg = attentionRasterSvg(seededAttention(1, 1, 12, 42)[0][0], tokens, { title: "seed 42", segments });
  assertWellFormedSvg(svg);
  assertSnapshot("attention-raster-12.svg", svg);
});
