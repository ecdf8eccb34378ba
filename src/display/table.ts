// table(): rows of records (or an arquero table) as a styled HTML table and an aligned text
// table, both cut to the first rows with "… N more rows". describeRows(): one summary row per
// column (type, non-null, distinct, min/max or the most frequent value).
// Arquero is duck-typed (numRows() + objects()): a table is passed in, nothing is imported.
import { DISPLAY, Displayable, MimeBundle } from "./mime";
import { escapeXml } from "./tokens-view";

/** One row: column name → cell value. */
export type Row = Record<string, unknown>;

/** What table() needs of an arquero table (any object with these methods works). */
export interface TableLike {
  numRows(): number;
  objects(options?: { limit?: number }): object[];
  columnNames?(): string[];
}

/** Rows of records, or an arquero table. */
export type TableInput = readonly Row[] | TableLike;

/** Options of table(). */
export interface TableOptions {
  /** a caption above the table */
  title?: string;
  /** rows shown; the rest are counted as "… N more rows" (default 20; Infinity: all) */
  maxRows?: number;
  /** significant digits of non-integer numbers (default 4) */
  digits?: number;
  /** group the digits of integers by thousands: 4,385,920 (default false: ids and years stay as they are) */
  thousands?: boolean;
  /** columns to show, in this order (default: every key, in order of first appearance) */
  columns?: readonly string[];
}

/** A rendered table: its HTML, its text, and what it was made of. */
export interface Table extends Displayable {
  html: string;
  text: string;
  columns: string[];
  /** the rows shown */
  rows: Row[];
  /** all rows, shown or not */
  totalRows: number;
}

const MAX_CELL_CHARS = 80;

/** True for an arquero table (or anything with numRows() and objects()). */
export function isTableLike(x: unknown): x is TableLike {
  return typeof x === "object" && x !== null && typeof (x as TableLike).numRows === "function" && typeof (x as TableLike).objects === "function";
}

/**
 * A number as table text: integers as they are, others to `digits` significant digits,
 * tiny or huge ones in exponent form; NaN and ±∞ spelled out.
 *
 * @example
 *   formatNumber(0.123456)   // "0.1235"
 *   formatNumber(30522)      // "30522"
 *   formatNumber(4385920, 4, true)   // "4,385,920"
 *   formatNumber(1.5e-7)     // "1.500e-7"
 */
export function formatNumber(v: number, digits = 4, thousands = false): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return thousands ? v.toLocaleString("en-US") : String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e15)) return v.toExponential(Math.max(0, digits - 1)).replace("e+", "e");
  const s = String(Number(v.toPrecision(digits)));
  return thousands && a >= 1000 ? Number(s).toLocaleString("en-US", { maximumFractionDigits: 20 }) : s;
}

/**
 * One cell as text: numbers formatted, strings cut at 80 characters on one line, dates as
 * ISO, other objects as JSON; null and undefined empty.
 *
 * @example
 *   formatCell("a\nb")   // "a⏎b"
 *   formatCell([1, 2])   // "[1,2]"
 */
export function formatCell(v: unknown, digits = 4, thousands = false): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return formatNumber(v, digits, thousands);
  if (typeof v === "bigint") return thousands ? v.toLocaleString("en-US") : String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "Invalid Date" : v.toISOString();
  let s: string;
  if (typeof v === "string") s = v;
  else if (typeof v === "object") s = jsonOf(v);
  else s = String(v);
  s = s.replace(/\r?\n/g, "⏎").replace(/\t/g, " ");
  return [...s].length > MAX_CELL_CHARS ? [...s].slice(0, MAX_CELL_CHARS - 1).join("") + "…" : s;
}

function jsonOf(v: object): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? String(x) : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Escapes text for HTML content and attribute values (the same five characters as XML). */
export const escapeHtml: (s: string) => string = escapeXml;

/** Monospace cells a string takes: wide East Asian characters 2, combining marks 0. */
export function displayWidth(s: string): number {
  let n = 0;
  for (const ch of s) {
    if (/\p{Mn}|\p{Me}|\u200b|\u200d/u.test(ch)) continue;
    n += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) || ch.codePointAt(0)! > 0x1ffff ? 2 : 1;
  }
  return n;
}

function padTo(s: string, width: number, right: boolean): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(s)));
  return right ? fill + s : s + fill;
}

/** The shown rows and the total count of rows or an arquero table. */
function headOf(input: TableInput, maxRows: number): { rows: Row[]; total: number; names?: string[] } {
  if (isTableLike(input)) {
    const total = input.numRows();
    const rows = input.objects(Number.isFinite(maxRows) ? { limit: maxRows } : undefined) as Row[];
    return { rows, total, names: typeof input.columnNames === "function" ? input.columnNames() : undefined };
  }
  if (!Array.isArray(input)) throw new TypeError("table(): pass an array of row objects or an arquero table");
  return { rows: input.slice(0, maxRows), total: input.length };
}

/** Column names in order of first appearance. */
export function columnsOf(rows: readonly Row[]): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r ?? {})) seen.add(k);
  return [...seen];
}

function isNumeric(rows: readonly Row[], col: string): boolean {
  let any = false;
  for (const r of rows) {
    const v = r?.[col];
    if (v === null || v === undefined) continue;
    if (typeof v !== "number" && typeof v !== "bigint") return false;
    any = true;
  }
  return any;
}

/** A short hash of a string (FNV-1a, 32 bits) in base 36: the same table gets the same class. */
function hashOf(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

function moreRows(n: number): string {
  return `… ${n} more row${n === 1 ? "" : "s"}`;
}

function tableStyle(cls: string): string {
  // div.bl-table.CLS outranks JupyterLab's `:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td { text-align: right }`
  const c = `div.bl-table.${cls}`;
  return [
    `${c}{margin:4px 0;font:13px/1.45 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:inherit}`,
    `${c} table{border-collapse:collapse;border:none;margin:0}`,
    `${c} caption{caption-side:top;text-align:left;font-weight:600;padding:0 0 4px 2px}`,
    `${c} th,${c} td{padding:3px 10px;border:none;border-bottom:1px solid rgba(127,127,127,.22);text-align:left;vertical-align:top;white-space:pre-wrap;overflow-wrap:break-word;max-width:40em}`,
    `${c} tbody td:first-child{min-width:9em}`, // row labels stay readable when a wide table is squeezed
    `${c} thead th{white-space:nowrap;font-weight:600;border-bottom:1.5px solid rgba(127,127,127,.6);background:rgba(127,127,127,.08)}`,
    `${c} tbody tr:nth-child(even){background:rgba(127,127,127,.05)}`,
    `${c} .num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums;font-feature-settings:"tnum"}`,
    `${c} .more{color:rgba(127,127,127,1);padding:3px 2px;font-style:italic}`,
  ].join("\n");
}

function htmlOf(cols: string[], cells: string[][], numeric: boolean[], title: string | undefined, hidden: number): string {
  const head = cols.map((c, j) => `<th${numeric[j] ? ' class="num"' : ""}>${escapeHtml(c)}</th>`).join("");
  const body = cells.map((r) => `<tr>${r.map((v, j) => `<td${numeric[j] ? ' class="num"' : ""}>${escapeHtml(v)}</td>`).join("")}</tr>`).join("\n");
  const caption = title ? `<caption>${escapeHtml(title)}</caption>` : "";
  const more = hidden > 0 ? `\n<div class="more">${escapeHtml(moreRows(hidden))}</div>` : "";
  const inner = `<table>${caption}\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>${more}`;
  const cls = `bl-table-${hashOf(inner)}`;
  return `<div class="bl-table ${cls}">\n<style>\n${tableStyle(cls)}\n</style>\n${inner}\n</div>`;
}

function textOfTable(cols: string[], cells: string[][], numeric: boolean[], title: string | undefined, hidden: number): string {
  const widths = cols.map((c, j) => Math.max(displayWidth(c), ...cells.map((r) => displayWidth(r[j]))));
  const line = (r: string[]) => r.map((v, j) => padTo(v, widths[j], numeric[j])).join("  ").trimEnd();
  const out: string[] = title ? [title] : [];
  out.push(line(cols), widths.map((w) => "─".repeat(w)).join("  "));
  for (const r of cells) out.push(line(r));
  if (hidden > 0) out.push(moreRows(hidden));
  return out.join("\n");
}

/**
 * Rows as a table that displays itself: a styled HTML table (numbers right-aligned in
 * tabular figures, cells escaped) and an aligned text table, both the first `maxRows` rows.
 *
 * @example
 *   table([{ word: "the", count: 1061 }, { word: "<b>", count: 3.14159 }], { title: "counts" })
 *   // text/plain:
 *   // counts
 *   // word  count
 *   // ────  ─────
 *   // the     1061
 *   // <b>    3.142
 *   table(aq.fromCSV(csv), { maxRows: 5 })   // an arquero table: its first 5 rows + "… N more rows"
 */
export function table(input: TableInput, options: TableOptions = {}): Table {
  const maxRows = Math.max(0, options.maxRows ?? 20);
  const digits = options.digits ?? 4;
  const { rows, total, names } = headOf(input, maxRows);
  const columns = options.columns ? [...options.columns] : names ?? columnsOf(rows);
  const numeric = columns.map((c) => isNumeric(rows, c));
  const cells = rows.map((r) => columns.map((c) => formatCell(r?.[c], digits, options.thousands ?? false)));
  const hidden = total - rows.length;
  const html = htmlOf(columns, cells, numeric, options.title, hidden);
  const text = textOfTable(columns, cells, numeric, options.title, hidden);
  return {
    html,
    text,
    columns,
    rows,
    totalRows: total,
    [DISPLAY]: (): MimeBundle => ({ "text/plain": text, "text/html": html }),
    toString: () => text,
  } as Table;
}

/** The kind of a column's non-null values. */
function kindOf(v: unknown): string {
  if (v instanceof Date) return "date";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** One column's summary row. */
function describeColumn(name: string, values: unknown[]): Row {
  const present = values.filter((v) => v !== null && v !== undefined && !(typeof v === "number" && Number.isNaN(v)));
  const kinds = new Set(present.map(kindOf));
  const type = kinds.size === 0 ? "empty" : kinds.size === 1 ? [...kinds][0] : "mixed";
  const keys = present.map((v) => (typeof v === "object" ? formatCell(v) : v));
  const distinct = new Set(keys).size;
  const row: Row = { column: name, type, "non-null": present.length, distinct, min: null, max: null, top: null };
  if (type === "number" || type === "bigint" || type === "date") {
    const nums = present.map((v) => (v instanceof Date ? v.getTime() : Number(v)));
    let lo = Infinity;
    let hi = -Infinity;
    for (const x of nums) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    row.min = type === "date" ? new Date(lo).toISOString() : lo;
    row.max = type === "date" ? new Date(hi).toISOString() : hi;
  } else if (present.length > 0) {
    const counts = new Map<unknown, number>();
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    let best: unknown;
    let n = 0;
    for (const [k, c] of counts) if (c > n) [best, n] = [k, c];
    row.top = `${formatCell(best)} (×${n})`;
  }
  return row;
}

/**
 * A quick summary of a dataset: one row per column with its type, non-null count, distinct
 * values, and min/max (numbers, dates) or the most frequent value with its count.
 *
 * @example
 *   describeRows([{ label: "pos", len: 12 }, { label: "neg", len: 30 }, { label: "pos", len: null }])
 *   // 3 rows × 2 columns
 *   // column  type    non-null  distinct  min  max  top
 *   // label   string         3         2            pos (×2)
 *   // len     number         2         2   12   30
 */
export function describeRows(input: TableInput, options: Omit<TableOptions, "columns"> = {}): Table {
  const rows = isTableLike(input) ? (input.objects() as Row[]) : [...input];
  const names = isTableLike(input) && typeof input.columnNames === "function" ? input.columnNames() : columnsOf(rows);
  const summary = names.map((c) => describeColumn(c, rows.map((r) => r?.[c])));
  const title = options.title ?? `${rows.length} row${rows.length === 1 ? "" : "s"} × ${names.length} column${names.length === 1 ? "" : "s"}`;
  return table(summary, { maxRows: Infinity, ...options, title });
}
