import { test } from "node:test";
import assert from "node:assert/strict";
import { modelView, headPattern } from "./model-view";
import { bundleOf } from "./mime";
import { assertWellFormedSvg } from "./charts/svg.test.helper";
import { pngsIn, seededInput } from "./attention.test.helper";

const count = (s: string, re: RegExp) => [...s.matchAll(re)].length;

test("a layers × heads grid of thumbnails, one PNG each, labelled rows and columns", () => {
  const v = modelView(seededInput(3, 4, 10, 1));
  assertWellFormedSvg(v.svg);
  assert.equal(count(v.svg, /<image class="cell"/g), 12);
  assert.equal(count(v.svg, /class="head-label"/g), 4);
  assert.equal(count(v.svg, /class="layer-label"/g), 3);
  assert.match(v.svg, /<title>layer 2, head 3<\/title>/);
  const pngs = pngsIn(v.svg);
  assert.equal(pngs.length, 13, "12 thumbnails and the legend");
  assert.deepEqual([pngs[0].width, pngs[0].height], [10, 10]);
  assert.equal(count(v.svg, /class="segment-boundary"/g), 1);
  assert.equal(count(/class="segment-boundary"[^>]*d="([^"]*)"/.exec(v.svg)![1], /M/g), 24, "two lines per thumbnail");
  assert.deepEqual(Object.keys(bundleOf(v)).sort(), ["image/svg+xml", "text/plain"]);
  assert.equal(v.text.split("\n").length, 1 + 3);
  assert.match(v.text, /sentence B from token 5/);
});

test("long inputs are averaged down to the thumbnail size; a layer subset; no segments, no boundary", () => {
  const v = modelView(seededInput(4, 2, 100, 2, false), { layers: [1, 3], cellSize: 40 });
  assert.equal(count(v.svg, /<image class="cell"/g), 4);
  assert.deepEqual([pngsIn(v.svg)[0].width], [40]);
  assert.match(v.svg, />layer 3<\/text>/);
  assert.doesNotMatch(v.svg, /segment-boundary/);
  assert.throws(() => modelView(seededInput(2, 2, 4, 3), { layers: [2] }), /layer 2 does not exist: the input has 2 layers/);
});

test("headPattern names previous-token, [CLS] and broad heads", () => {
  const toks = ["[CLS]", "a", "b", "[SEP]"];
  const prev = [[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
  assert.deepEqual(headPattern(prev, toks), { kind: "prev", weight: 0.75 });
  assert.equal(headPattern([[1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]], toks).kind, "[CLS]");
  assert.equal(headPattern(toks.map(() => [0.25, 0.25, 0.25, 0.25]), toks).kind, "broad");
});

test("12 layers × 12 heads × 32 tokens: size and time", () => {
  const att = seededInput(12, 12, 32, 5);
  const t0 = performance.now();
  const v = modelView(att);
  console.log(`model view 12×12×32: ${v.svg.length} bytes, ${(performance.now() - t0).toFixed(0)} ms`);
  assert.equal(count(v.svg, /<image class="cell"/g), 144);
  assert.ok(v.svg.length < 600_000);
});
