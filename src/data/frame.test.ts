import assert from "node:assert/strict";
import { test } from "node:test";
import { datasetView, labelCounts, lengthHistogram, lengthStats } from "./frame";

const rows = [
  { text: "a fine film", label: 1, labelName: "positive" },
  { text: "dull", label: 0, labelName: "negative" },
  { text: "the best \"quoted\" thing of the year", label: 1, labelName: "positive" },
  { text: "not good at all", label: 0, labelName: "negative" },
  { text: "great", label: 1, labelName: "positive" },
];

test("datasetView: a table of every row, label counts, length statistics, a histogram", () => {
  const v = datasetView(rows, { label: "labelName" });
  assert.equal(v.table.numRows(), 5);
  assert.deepEqual(v.table.columnNames(), ["text", "label", "labelName", "length"]);
  assert.deepEqual(v.labels, [
    { label: "positive", count: 3, share: 0.6 },
    { label: "negative", count: 2, share: 0.4 },
  ]);
  assert.deepEqual(v.lengths, { count: 5, min: 1, max: 7, mean: 16 / 5, median: 3, p95: 7 });
  const html = v.table.toHTML();
  assert.match(html, /<table>/);
  assert.ok(html.includes("the best &quot;quoted&quot; thing") || html.includes('the best "quoted" thing'), "quotes are text");
});

test("datasetView: custom text, label function and length (e.g. a tokenizer's)", () => {
  const pairs = [
    { textA: "a b", textB: "c", score: 4.5 },
    { textA: "d", textB: "e f g", score: 1 },
  ];
  const v = datasetView(pairs, { text: (r) => `${r.textA} ${r.textB}`, label: (r) => (r.score >= 2.5 ? "similar" : "different"), length: (t) => t.length });
  assert.deepEqual(v.lengths.max, 7);
  assert.deepEqual(v.labels.map((l) => l.label).sort(), ["different", "similar"]);
});

test("lengthStats and labelCounts on edge cases", () => {
  assert.deepEqual(lengthStats([]), { count: 0, min: 0, max: 0, mean: 0, median: 0, p95: 0 });
  const many = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(lengthStats(many).p95, 95, "nearest-rank 95th percentile");
  assert.equal(lengthStats(many).median, 50);
  assert.deepEqual(labelCounts([]), []);
  assert.deepEqual(labelCounts(["b", "a"]).map((l) => l.label), ["a", "b"], "ties sorted by label");
});

test("lengthHistogram: a vega-lite spec with the data inlined (nothing to fetch)", () => {
  const spec = lengthHistogram([1, 2, 2, 3, 10], "SST-2 dev");
  assert.equal(spec.title, "SST-2 dev");
  const layers = spec.layer as { mark: { type: string }; data?: { values: unknown[] } }[];
  assert.equal(layers[0].mark.type, "bar");
  assert.deepEqual((spec.data as { values: unknown[] }).values.length, 5);
  assert.deepEqual(layers[1].data?.values, [{ p95: 10 }]);
  assert.ok(!JSON.stringify(spec).includes("\"url\""), "no data url");
});
