/**
 * Datasets as tables for a notebook: an arquero table of the examples, label counts, token
 * length statistics, and a vega-lite histogram of the lengths. Works on the rows any reader
 * returns (GLUE examples, NER sentences, SQuAD questions, …): plain objects.
 *
 * @example
 *   const { examples } = readGlue("sst2", "glue/SST-2/dev.tsv");
 *   const view = datasetView(examples, { label: "labelName", text: (e) => e.textA, length: (t) => tok.tokenize(t).length });
 *   view.table.toHTML({ limit: 10 });   // the first rows, as an HTML table (arquero)
 *   view.labels;                        // [{ label: "positive", count: 444, share: 0.509 }, …]
 *   view.lengths;                       // { count, min, max, mean, median, p95 }
 *   view.histogram;                     // a vega-lite spec: display it with the kernel's display helpers
 */
import * as aq from "arquero";

/** arquero's table type (its package types it as ColumnTable). */
export type Table = ReturnType<typeof aq.from>;

export interface LabelCount {
  label: string;
  count: number;
  share: number;
}

export interface LengthStats {
  count: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  /** 95th percentile (nearest rank): a max length that keeps 95 % of the examples whole */
  p95: number;
}

export interface DatasetViewOptions<R> {
  /** the field holding the label, or a function of the row (omit: no label counts) */
  label?: keyof R | ((row: R) => string | number);
  /** the text whose length is measured (default: the field "text") */
  text?: (row: R) => string;
  /** length of a text (default: whitespace words; pass a tokenizer's for word pieces) */
  length?: (text: string) => number;
  /** a title for the histogram */
  title?: string;
}

export interface DatasetView {
  table: Table;
  labels: LabelCount[];
  lengths: LengthStats;
  /** vega-lite v5 spec of the length histogram (data inlined: no fetch, no CDN) */
  histogram: Record<string, unknown>;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** Everything a notebook shows about a dataset split, from its rows. */
export function datasetView<R extends object>(rows: readonly R[], options: DatasetViewOptions<R> = {}): DatasetView {
  const text = options.text ?? ((r: R) => String((r as Record<string, unknown>).text ?? ""));
  const length = options.length ?? words;
  const lengths = rows.map((r) => length(text(r)));
  const label = options.label;
  const labelOf = label === undefined ? null : typeof label === "function" ? label : (r: R) => (r as Record<string, unknown>)[label as string] as string | number;
  const flat = rows.map((r, i) => ({ ...flatten(r), length: lengths[i] }));
  return {
    table: aq.from(flat),
    labels: labelOf ? labelCounts(rows.map(labelOf)) : [],
    lengths: lengthStats(lengths),
    histogram: lengthHistogram(lengths, options.title ?? "token lengths"),
  };
}

/** Counts per label, most frequent first (ties by label). */
export function labelCounts(labels: readonly (string | number)[]): LabelCount[] {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(String(l), (counts.get(String(l)) ?? 0) + 1);
  return [...counts]
    .map(([label, count]) => ({ label, count, share: labels.length ? count / labels.length : 0 }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

export function lengthStats(lengths: readonly number[]): LengthStats {
  if (lengths.length === 0) return { count: 0, min: 0, max: 0, mean: 0, median: 0, p95: 0 };
  const s = lengths.slice().sort((a, b) => a - b);
  const rank = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  return { count: s.length, min: s[0], max: s[s.length - 1], mean: s.reduce((a, b) => a + b, 0) / s.length, median: rank(0.5), p95: rank(0.95) };
}

/** A vega-lite histogram of lengths, with the data inlined and a labelled rule at the 95th percentile. */
export function lengthHistogram(lengths: readonly number[], title = "token lengths"): Record<string, unknown> {
  const p95 = lengthStats(lengths).p95;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 400,
    height: 200,
    data: { values: lengths.map((length) => ({ length })) },
    layer: [
      {
        mark: { type: "bar", tooltip: true },
        encoding: {
          x: { bin: { maxbins: 40 }, field: "length", type: "quantitative", title: "length" },
          y: { aggregate: "count", type: "quantitative", title: "examples" },
        },
      },
      {
        data: { values: [{ p95 }] },
        mark: { type: "rule", color: "firebrick", strokeDash: [4, 3] },
        encoding: { x: { field: "p95", type: "quantitative" }, tooltip: [{ field: "p95", title: "95th percentile" }] },
      },
      {
        data: { values: [{ p95 }] },
        mark: { type: "text", align: "left", baseline: "top", dx: 4, dy: 2, color: "firebrick" },
        encoding: { x: { field: "p95", type: "quantitative" }, y: { value: 0 }, text: { value: `95 % ≤ ${p95}` } },
      },
    ],
  };
}

/** One level of nesting, arrays joined: what a table cell can show. */
function flatten(row: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (Array.isArray(v)) out[k] = v.map((x) => (typeof x === "object" && x !== null ? JSON.stringify(x) : String(x))).join(" ");
    else if (v !== null && typeof v === "object") out[k] = JSON.stringify(v);
    else out[k] = v;
  }
  return out;
}
