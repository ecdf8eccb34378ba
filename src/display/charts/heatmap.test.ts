import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { attentionHeatmapSpec } from "./heatmap";
import { renderSvg } from "./render";
import { assertWellFormedSvg, markCounts } from "./svg.test.helper";
import { Rng } from "../../util/rng";
import { repoRoot } from "../../util/shared-folder";
import { assertSnapshot } from "../snapshot.test.helper";

/** Softmax rows of seeded random scores: a plausible attention map. */
function seededAttention(n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const e = Array.from({ length: n }, () => Math.exp(3 * rng.random()));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => Math.round((x / s) * 1e4) / 1e4);
  });
}

test("tokens stay in sentence order on both axes, repeats included", () => {
  const toks = ["[CLS]", "the", "cat", "the", "[SEP]"];
  const spec = attentionHeatmapSpec(seededAttention(5, 1), toks, toks) as { encoding: Record<string, { sort?: unknown; axis: { labelExpr: string } }>; data: { values: unknown[] } };
  assert.equal(spec.encoding.x.sort, null);
  assert.equal(spec.encoding.y.sort, null);
  assert.equal(spec.encoding.x.axis.labelExpr, `["[CLS]","the","cat","the","[SEP]"][datum.value]`);
  assert.equal(spec.data.values.length, 25);
  const cell = spec.data.values[8] as { i: number; j: number; query: string; key: string };
  assert.deepEqual([cell.i, cell.j, cell.query, cell.key], [1, 3, "the", "the"]); // keyed by position, labelled by token
});

test("rows × cols cells, query rows and key columns may differ", async () => {
  const w = seededAttention(3, 2).map((r) => [...r, 0]);
  const svg = await renderSvg(attentionHeatmapSpec(w, ["a", "b", "c"], ["a", "b", "c", "d"]));
  assert.deepEqual(markCounts(svg, "rect"), [12]);
  assert.throws(() => attentionHeatmapSpec(w, ["a", "b"], ["a", "b", "c", "d"]), /3 rows of weights but 2 row tokens/);
  assert.throws(() => attentionHeatmapSpec(w, ["a", "b", "c"], ["a"]), /row 0 has 4 weights but there are 1 column tokens/);
});

test("SVG snapshot of a seeded 5×5 heatmap (UPDATE_SNAPSHOTS=1 rewrites it)", async () => {
  const toks = ["[CLS]", "my", "dog", "##gy", "[SEP]"];
  const svg = await renderSvg(attentionHeatmapSpec(seededAttention(5, 42), toks, toks, { title: "seed 42" }));
  assertWellFormedSvg(svg);
  assert.deepEqual(markCounts(svg, "rect"), [25]);
  assertSnapshot("heatmap-5x5.svg", svg, path.join(repoRoot(), "src", "display", "charts", "__snapshots__"));
});

test("timing: one 128×128 attention map", async () => {
  const toks = Array.from({ length: 128 }, (_, i) => `t${i}`);
  const spec = attentionHeatmapSpec(seededAttention(128, 7), toks, toks);
  const t0 = performance.now();
  const svg = await renderSvg(spec);
  console.log(`render 128×128 attention map: ${(performance.now() - t0).toFixed(0)} ms, ${(svg.length / 1024 / 1024).toFixed(1)} MB SVG`);
  assert.deepEqual(markCounts(svg, "rect"), [128 * 128]);
});

test("attentionHeatmapSpec: the colour scale ends at the largest weight (or vmax), and a pair's boundary is a dashed rule on both axes", async () => {
  const toks = ["[CLS]", "a", "[SEP]", "b", "[SEP]"];
  const w = toks.map((_, i) => toks.map((_, j) => (i === j ? 0.4 : 0.15)));
  const flat = attentionHeatmapSpec(w, toks, toks) as { encoding: { color: { scale: { domain: number[] } } } };
  assert.deepEqual(flat.encoding.color.scale.domain, [0, 0.4]);
  const fixed = attentionHeatmapSpec(w, toks, toks, { vmax: 1 }) as { encoding: { color: { scale: { domain: number[] } } } };
  assert.deepEqual(fixed.encoding.color.scale.domain, [0, 1]);
  const pair = attentionHeatmapSpec(w, toks, toks, { segments: [0, 0, 0, 1, 1] }) as { layer: { mark: { type: string }; data?: { values: { at: number }[] } }[] };
  assert.deepEqual(pair.layer.map((l) => l.mark.type), ["rect", "rule", "rule"]);
  assert.deepEqual(pair.layer.slice(1).map((l) => l.data?.values[0].at), [3, 3]);
  const svg = await renderSvg(pair as never);
  assert.equal((svg.match(/stroke-dasharray="4,3"/g) ?? []).length, 2, "two dashed lines drawn");
});
