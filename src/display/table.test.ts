import { test } from "node:test";
import assert from "node:assert/strict";
import * as aq from "arquero";
import { bundleOf, checkBundle } from "./mime";
import { describeRows, displayWidth, formatNumber, table } from "./table";

test("cells are HTML-escaped: a <script> in a cell or header appears as text", () => {
  const t = table([{ "<th>": `<script>alert("x")</script>`, n: 1 }], { title: "a & b" });
  assert.ok(!t.html.includes("<script>"), "raw <script> in the html");
  assert.ok(t.html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
  assert.ok(t.html.includes("<th>&lt;th&gt;</th>"));
  assert.ok(t.html.includes("<caption>a &amp; b</caption>"));
  assert.ok(t.text.includes(`<script>alert("x")</script>`), "text/plain keeps the raw text");
  const b = checkBundle(bundleOf(t));
  assert.deepEqual(Object.keys(b).sort(), ["text/html", "text/plain"]);
});

test("maxRows: the head and '… N more rows' in both forms; default 20", () => {
  const rows = Array.from({ length: 57 }, (_, i) => ({ i, sq: i * i }));
  const t = table(rows);
  assert.equal(t.rows.length, 20);
  assert.equal(t.totalRows, 57);
  assert.equal((t.html.match(/<tr>/g) ?? []).length, 21, "header + 20 rows");
  assert.match(t.html, /… 37 more rows/);
  const lines = t.text.split("\n");
  assert.equal(lines.length, 2 + 20 + 1);
  assert.equal(lines.at(-1), "… 37 more rows");
  const small = table(rows, { maxRows: 3 });
  assert.equal(small.text.split("\n").at(-1), "… 54 more rows");
  assert.ok(!table(rows.slice(0, 3)).text.includes("more row"));
  assert.equal(table(rows.slice(0, 2), { maxRows: 1 }).text.split("\n").at(-1), "… 1 more row");
});

test("numbers: right-aligned in text and html, 4 significant digits, integers whole", () => {
  const t = table([
    { name: "alpha", value: 0.123456, n: 7 },
    { name: "b", value: 12345.678, n: 30522 },
    { name: "c", value: null, n: -3 },
  ]);
  const lines = t.text.split("\n");
  assert.deepEqual(lines, [
    "name    value      n",
    "─────  ──────  ─────",
    "alpha  0.1235      7",
    "b       12350  30522",
    "c                 -3",
  ]);
  const ends = lines.slice(2).map((l) => l.length);
  assert.deepEqual(new Set(ends).size, 1, "numeric last column right-aligned");
  assert.match(t.html, /<th class="num">value<\/th>/);
  assert.match(t.html, /<td class="num">0\.1235<\/td>/);
  assert.match(t.html, /<td>alpha<\/td>/);
  assert.match(t.html, /font-variant-numeric:tabular-nums/);
  assert.equal(formatNumber(1.5e-7), "1.500e-7");
  assert.equal(formatNumber(NaN), "NaN");
  assert.equal(formatNumber(4385920, 4, true), "4,385,920");
  assert.equal(formatNumber(2 / 3, 2), "0.67");
});

test("the style is scoped by a class unique to the content", () => {
  const a = table([{ x: 1 }]);
  const b = table([{ x: 2 }]);
  const cls = (h: string) => /class="bl-table (bl-table-\w+)"/.exec(h)![1];
  assert.notEqual(cls(a.html), cls(b.html));
  assert.equal(cls(a.html), cls(table([{ x: 1 }]).html), "deterministic");
  const style = /<style>([\s\S]*?)<\/style>/.exec(a.html)![1].trim();
  // scoped, and specific enough to beat JupyterLab's right-aligned cells (:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td)
  for (const rule of style.split("\n")) assert.ok(rule.startsWith(`div.bl-table.${cls(a.html)}`), rule);
});

test("an arquero table renders exactly as the same plain rows", () => {
  const rows = Array.from({ length: 30 }, (_, i) => ({ id: i, word: `w<${i}>`, score: i / 7 }));
  const dt = aq.from(rows);
  const a = table(dt, { title: "t", maxRows: 5 });
  const p = table(rows, { title: "t", maxRows: 5 });
  assert.equal(a.html, p.html);
  assert.equal(a.text, p.text);
  assert.equal(a.totalRows, 30);
  assert.deepEqual(describeRows(dt).text, describeRows(rows).text);
});

test("describeRows: type, non-null, distinct, min/max or top per column", () => {
  const d = describeRows([
    { label: "pos", len: 12, when: new Date("2024-01-02") },
    { label: "neg", len: 30, when: new Date("2023-05-06") },
    { label: "pos", len: null },
  ]);
  assert.equal(d.rows.length, 3);
  assert.deepEqual(d.rows[0], { column: "label", type: "string", "non-null": 3, distinct: 2, min: null, max: null, top: "pos (×2)" });
  assert.deepEqual(d.rows[1], { column: "len", type: "number", "non-null": 2, distinct: 2, min: 12, max: 30, top: null });
  assert.equal(d.rows[2].min, "2023-05-06T00:00:00.000Z");
  assert.ok(d.text.startsWith("3 rows × 3 columns\n"));
});

test("wide characters are aligned by display width; long strings are cut", () => {
  assert.equal(displayWidth("日本"), 4);
  const t = table([{ w: "日本", n: 1 }, { w: "ab", n: 22 }]);
  const [, , r1, r2] = t.text.split("\n");
  assert.equal(displayWidth(r1), displayWidth(r2));
  const long = table([{ s: "x".repeat(500) }]);
  assert.ok(long.text.split("\n")[2].length <= 80);
});
