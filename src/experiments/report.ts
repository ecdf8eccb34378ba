/**
 * An experiment's results as files and as a notebook display: the table (ours beside the
 * paper's, mean ± sd over seeds), the charts, the verdicts, and one HTML page holding them all.
 * In a notebook the report displays as the table, notes and verdicts; its charts are shown
 * with `chart(report.charts["scores.svg"])`.
 * Rewritten after every run, so a folder always shows what has finished.
 *
 *   table.md         the table as Markdown, with the notes and verdicts
 *   summary.json     the cells (values per seed, mean, sd) and the comparisons
 *   scores.svg       ours per task (charts.ts: scoresSpec); differences.svg: ours vs the paper
 *   figure5.svg      (figure5) the curves
 *   report.html      all of it on one page, offline (inline SVG, no script)
 */
import * as path from "node:path";
import { renderSvg, VegaLiteSpec } from "../display/charts/render";
import { DISPLAY, MimeBundle } from "../display/mime";
import { escapeHtml, Row, table, Table } from "../display/table";
import { writeFileAtomic } from "../util/atomic-write";
import { differenceSpec, figure5Spec, scoresSpec } from "./charts";
import type { Plan } from "./recipes";
import type { Scale } from "./scales";
import { cellText, figure5Points, Score, summarize, Summary } from "./summary";

export interface ExperimentReport {
  summary: Summary;
  /** the table as rows (ours and the paper's per column) */
  rows: Row[];
  /** the table alone (what a live display redraws) */
  table: Table;
  /** the Vega-Lite specs of the charts written, by file name */
  charts: Record<string, VegaLiteSpec>;
  /** the files written, by name */
  files: Record<string, string>;
  /** the table, charts and verdicts in a notebook */
  [DISPLAY](): MimeBundle;
}

/** The table's rows: a row per variant; per task our mean ± sd, and the paper's number where it has one. */
export function tableRows(plan: Plan, summary: Summary): Row[] {
  return plan.rows.map((r) => {
    const row: Row = { row: r.paper === undefined ? `${r.name} (ours only)` : r.name };
    for (const c of plan.columns) {
      const cell = summary.cells[r.name]?.[c.key];
      row[`${c.title} (${c.task.metric})`] = cellText(cell);
      if (c.paperKey) row[`paper: ${c.paperTitle}`] = r.paper?.[c.paperKey] ?? "—";
    }
    // the paper's columns we have no task for, so that its whole table stands beside ours
    for (const [key, title] of Object.entries(plan.paperColumns)) {
      if (!plan.columns.some((c) => c.paperKey === key)) row[`paper: ${title}`] = r.paper?.[key] ?? "—";
    }
    const n = Math.max(0, ...plan.columns.map((c) => summary.cells[r.name]?.[c.key]?.n ?? 0));
    row.seeds = n;
    return row;
  });
}

function markdown(rows: Row[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const line = (cells: unknown[]) => `| ${cells.map((c) => String(c).replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(cols), line(cols.map(() => "---")), ...rows.map((r) => line(cols.map((c) => r[c])))].join("\n");
}

export async function writeReport(outDir: string, plan: Plan, scale: Scale, scores: readonly Score[]): Promise<ExperimentReport> {
  const summary = summarize(plan, scores);
  const rows = tableRows(plan, summary);
  const charts: Record<string, VegaLiteSpec> = {};
  if (plan.steps) {
    if (figure5Points(plan, scores).length) charts["figure5.svg"] = figure5Spec(plan, scores);
  } else if (scores.length) {
    charts["scores.svg"] = scoresSpec(plan, summary, scores);
    if (summary.comparisons.length) charts["differences.svg"] = differenceSpec(plan, summary);
  }
  const svgs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(charts)) svgs[name] = await renderSvg(spec);

  const files: Record<string, string> = {};
  const write = (name: string, text: string) => {
    const file = path.join(outDir, name);
    writeFileAtomic(file, text);
    files[name] = file;
  };
  const heading = `${plan.title} — scale ${scale.name}: ${scale.model}, ${scale.pretrain.steps} pre-training steps of ${scale.pretrain.batchSize} × ${scale.pretrain.maxSeqLength} tokens, ${scale.seeds} seed${scale.seeds > 1 ? "s" : ""}`;
  const progress = `${summary.done} of ${summary.planned} evaluations done`;
  const verdicts = [...(summary.ordering ? [summary.ordering] : []), ...summary.comparisons.map((c) => c.verdict)];
  const md = [`# ${heading}`, "", progress, "", markdown(rows), "", ...plan.notes.map((n) => `- ${n}`), "", "## Differences from the reference row", "", ...(verdicts.length ? verdicts.map((v) => `- ${v}`) : ["- (none yet)"]), ""].join("\n");
  write("table.md", md);
  write("summary.json", JSON.stringify({ recipe: plan.recipe, scale: scale.name, ...summary }, null, 2) + "\n");
  for (const [name, svg] of Object.entries(svgs)) write(name, svg);
  const t: Table = table(rows, { title: `${heading} (${progress})`, maxRows: Infinity });
  // the page has the charts inline; a notebook shows them with chart(report.charts[name]), as vega-lite
  const html = (inPage: boolean) =>
    [
      inPage ? `<h2>${escapeHtml(heading)}</h2><p>${escapeHtml(progress)}</p>` : "",
      t.html,
      `<ul>${plan.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`,
      ...(inPage ? Object.values(svgs).map((svg) => `<div style="margin:8px 0">${svg}</div>`) : []),
      verdicts.length ? `<p><b>Differences from "${escapeHtml(plan.reference)}"</b></p><ul>${verdicts.map((v) => `<li>${escapeHtml(v)}</li>`).join("")}</ul>` : "",
    ].join("\n");
  write("report.html", `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(plan.title)}</title><style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px}</style></head><body>\n${html(true)}\n</body></html>\n`);
  const text = [t.text, "", ...verdicts].join("\n");
  return { summary, rows, table: t, charts, files, [DISPLAY]: () => ({ "text/html": html(false), "text/plain": text }) };
}
