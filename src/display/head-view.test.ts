import { test } from "node:test";
import assert from "node:assert/strict";
import { headView, compactRow, expandRow, HEAD_VIEW_DATA_MIN } from "./head-view";
import { bundleOf } from "./mime";
import { assertWellFormedSvg } from "./charts/svg.test.helper";
import { seededInput } from "./attention.test.helper";
import { assertSnapshot } from "./snapshot.test.helper";

const count = (s: string, re: RegExp) => [...s.matchAll(re)].length;
const dataOf = (html: string) => JSON.parse(/<script type="application\/json" class="hv-data">([\s\S]*?)<\/script>/.exec(html)![1]);

test("static SVG: two token columns and one line per (head, query, key) at or above minWeight", () => {
  const att = seededInput(3, 4, 10, 1);
  const v = headView(att, { layer: 1, heads: [0, 2] });
  assertWellFormedSvg(v.svg);
  assert.equal(count(v.svg, /<text class="hv-left"/g), 10);
  assert.equal(count(v.svg, /<text class="hv-right"/g), 10);
  assert.equal(count(v.svg, /<g class="head-lines"/g), 2);
  const want = [0, 2].reduce((n, h) => n + att.attention[1][h].flat().filter((w) => w >= 0.05).length, 0);
  assert.equal(count(v.svg, /<line /g), want);
  assert.equal(count(v.svg, /class="head-swatch"/g), 2);
  assert.equal(count(v.svg, /class="segment-boundary"/g), 1);
  assert.match(v.svg, /Head view: layer 1 of 3, heads 0, 2/);
  assert.deepEqual(Object.keys(bundleOf(v)).sort(), ["image/svg+xml", "text/html", "text/plain"]);
  assert.match(v.text, /^Head view: layer 1 of 3, heads 0, 2 — 10 tokens, 3 layers × 4 heads/);
});

test("html: self-contained (no script src, no URL but SVG's namespace), data JSON with every layer × head × T × T", () => {
  const att = seededInput(2, 3, 12, 2);
  att.tokens[3] = "</script><b>";
  const v = headView(att);
  assert.doesNotMatch(v.html, /<script[^>]*\ssrc=/i);
  assert.deepEqual([...new Set(v.html.match(/https?:\/\/[^\s"'<>)]*/g))], ["http://www.w3.org/2000/svg"]);
  assert.equal(count(v.html, /<\/script>/g), 2, "the token cannot close the script early");
  const d = dataOf(v.html);
  assert.deepEqual([d.layers, d.heads, d.attention.length, d.attention[0].length, d.attention[0][0].length], [2, 3, 2, 3, 12]);
  assert.deepEqual(d.tokens, att.tokens);
  assert.deepEqual(d.segments, att.segments);
  for (let l = 0; l < 2; l++) {
    for (let h = 0; h < 3; h++) {
      for (let i = 0; i < 12; i++) {
        const row = expandRow(d.attention[l][h][i]);
        assert.equal(row.length, 12);
        row.forEach((w, j) => {
          const x = att.attention[l][h][i][j];
          assert.equal(w, x < HEAD_VIEW_DATA_MIN ? 0 : Math.round(x * 1000) / 1000);
        });
      }
    }
  }
  const script = /<script>([\s\S]*?)<\/script>/.exec(v.html)![1];
  assert.doesNotThrow(() => new Function(script), "the inline script parses");
  assert.ok(script.includes(JSON.stringify(v.id)));
  assert.equal(count(v.html, /class="hv-swatch"/g), 3);
  assert.equal(count(v.html, /<option /g), 2);
});

test("two views get different element ids; no segments, no boundary", () => {
  const a = headView(seededInput(1, 2, 5, 3));
  const b = headView(seededInput(1, 2, 5, 3));
  assert.notEqual(a.id, b.id);
  assert.ok(a.html.includes(`id="${a.id}"`));
  const plain = headView(seededInput(1, 2, 5, 3, false));
  assert.doesNotMatch(plain.svg, /segment-boundary|class="segments"/);
  assert.doesNotMatch(plain.html, /segment-boundary/);
  assert.equal(dataOf(plain.html).segments, null);
  assert.equal(headView(seededInput(1, 1, 4, 1), { id: "mine" }).id, "mine");
});

test("compactRow: thousandths, tiny weights dropped, zero runs as negative counts", () => {
  assert.deepEqual(compactRow([0.5, 0.001, 0.002, 0.4971]), [500, -2, 497]);
  assert.deepEqual(compactRow([0, 0, 0]), [-3]);
  assert.deepEqual(expandRow([500, -2, 497]), [0.5, 0, 0, 0.497]);
});

test("12 layers × 12 heads × 32 tokens: size and time", () => {
  const att = seededInput(12, 12, 32, 5);
  const t0 = performance.now();
  const v = headView(att, { layer: 3 });
  console.log(`head view 12×12×32: html ${v.html.length} bytes, svg ${v.svg.length} bytes, ${(performance.now() - t0).toFixed(0)} ms`);
  assert.ok(v.html.length < 1_000_000);
});

test("wrong layer or head numbers say what exists", () => {
  const att = seededInput(2, 3, 4, 6);
  assert.throws(() => headView(att, { layer: 5 }), /layer 5 does not exist: the input has 2 layers — pass layer: 0\.\.1/);
  assert.throws(() => headView(att, { heads: [0, 3] }), /head 3 does not exist: each layer has 3 heads/);
});

test("SVG snapshot of a seeded head view (UPDATE_SNAPSHOTS=1 rewrites it)", () => {
  const v = headView(seededInput(2, 3, 8, 42), { layer: 1, title: "seed 42" });
  assertWellFormedSvg(v.svg);
  assertSnapshot("head-view-8.svg", v.svg);
});
