import { test } from "node:test";
import assert from "node:assert/strict";
import { attentionHeatmap, AttentionRaster } from "./attention-view";
import { Chart, VEGA_LITE_MIME, SVG_MIME } from "./charts/render";
import { bundleOf } from "./mime";
import { assertWellFormedSvg, markCounts } from "./charts/svg.test.helper";
import { seededInput } from "./attention.test.helper";
import { BertLabError } from "../util/errors";

test("≤ 48 tokens: a rendered vega-lite Chart with our text fallback", async () => {
  const att = seededInput(2, 3, 9, 1);
  const c = await attentionHeatmap(att, { layer: 1, head: 2 });
  assert.ok(c instanceof Chart);
  const b = bundleOf(c);
  assert.deepEqual(Object.keys(b).sort(), [VEGA_LITE_MIME, SVG_MIME, "text/plain"].sort());
  assert.deepEqual(markCounts(b[SVG_MIME] as string, "rect"), [81]);
  const text = b["text/plain"] as string;
  const lines = text.split("\n");
  assert.match(lines[0], /^Attention: layer 1, head 2 — 9 tokens/);
  assert.equal(lines.length, 10);
  const map = att.attention[1][2];
  const best = map[3].indexOf(Math.max(...map[3]));
  assert.equal(lines[4], `3 ${att.tokens[3].padEnd(14)} → ${best} ${att.tokens[best].padEnd(14)} ${map[3][best].toFixed(2)}`);
});

test("> 48 tokens: the raster SVG and text, no vega-lite spec", async () => {
  const att = seededInput(1, 2, 64, 2);
  const r = await attentionHeatmap(att, { head: "mean", title: "mean" });
  assert.ok(r instanceof AttentionRaster);
  const b = bundleOf(r);
  assert.deepEqual(Object.keys(b).sort(), [SVG_MIME, "text/plain"].sort());
  assertWellFormedSvg(b[SVG_MIME] as string);
  assert.match(b[SVG_MIME] as string, /class="segment-boundary"/);
  assert.match(r.text, /^mean — 64 tokens/);
  assert.match(r.text, /… 40 more tokens$/);
  // "mean" averages the heads
  const r0 = await attentionHeatmap({ tokens: ["a", "b"], attention: [[[[1, 0], [0, 1]], [[0, 1], [0, 1]]]] }, { head: "mean", raster: true });
  assert.match(r0.toString(), /0 a → 0 a 0\.50\n1 b → 1 b 1\.00/);
});

test("a bare T × T map works with tokens; wrong layers, heads and shapes say how to fix them", async () => {
  const c = await attentionHeatmap([[0.2, 0.8], [1, 0]], { tokens: ["x", "y"] });
  assert.match(c.toString(), /^Attention: attention — 2 tokens/);
  const att = seededInput(2, 3, 5, 3);
  await assert.rejects(attentionHeatmap(att, { layer: 2 }), (e: unknown) => e instanceof RangeError && /layer 2 does not exist: the input has 2 layers — pass layer: 0\.\.1/.test(e.message));
  await assert.rejects(attentionHeatmap(att, { head: 3 }), /head 3 does not exist: each layer has 3 heads — pass head: 0\.\.2 or "mean"/);
  await assert.rejects(attentionHeatmap([[1]]), (e: unknown) => e instanceof BertLabError && /needs its labels/.test(e.message));
  await assert.rejects(attentionHeatmap({ ...att, tokens: att.tokens.slice(1) }), /layer 0 head 0 has 5 rows but there are 4 tokens/);
  await assert.rejects(attentionHeatmap({ ...att, segments: [0, 1] }), /segments must be 5 values of 0 or 1/);
  const bad = seededInput(1, 1, 3, 4);
  bad.attention[0][0][1][2] = NaN;
  await assert.rejects(attentionHeatmap(bad), /\[1\]\[2\] = NaN is not a finite number/);
});
