// The curriculum's notebooks (notebooks/*.ipynb, committed without outputs): execute each
// through real Jupyter with the BERT Lab kernel, export it to HTML with our template, and
// count the pictures it drew against what the notebook promises in its metadata
// (metadata.bert_lab.expects: MIME type → at least this many outputs). Used by
// `npm run notebooks` and by the curriculum test.
import * as fs from "node:fs";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { repoRoot } from "../util/shared-folder";
import { escapeHtml } from "../display/table";
import { executeNotebook, exportHtml, readOutputs } from "../kernel/jupyter-tools";

/** The committed notebooks, in curriculum order. */
export function listNotebooks(dir: string = path.join(repoRoot(), "notebooks")): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d\d_.*\.ipynb$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

interface NotebookJson {
  cells: { cell_type: string; source: string | string[]; outputs?: unknown[]; execution_count?: number | null }[];
  metadata: { kernelspec?: { name?: string }; bert_lab?: { expects?: Record<string, number>; title?: string } };
}

function readNotebook(file: string): NotebookJson {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as NotebookJson;
  } catch (e) {
    throw new BertLabError("BAD_NOTEBOOK", `${file} is not a readable notebook (${(e as Error).message}): open it in Jupyter and save it again, or restore it with git`);
  }
}

/** What a notebook promises to draw: MIME type → at least this many outputs. */
export function notebookExpectations(file: string): Record<string, number> {
  return readNotebook(file).metadata.bert_lab?.expects ?? {};
}

/** The notebook's title: metadata.bert_lab.title, else its first markdown heading, else its file name. */
export function notebookTitle(file: string): string {
  const nb = readNotebook(file);
  if (nb.metadata.bert_lab?.title) return nb.metadata.bert_lab.title;
  for (const c of nb.cells) {
    if (c.cell_type !== "markdown") continue;
    const text = Array.isArray(c.source) ? c.source.join("") : c.source;
    const m = /^#\s+(.+)$/m.exec(text);
    if (m) return m[1].trim();
  }
  return path.basename(file, ".ipynb");
}

/** Problems with a committed notebook: outputs left in, a wrong kernel. Empty when clean. */
export function committedProblems(file: string): string[] {
  const nb = readNotebook(file);
  const problems: string[] = [];
  if (nb.metadata.kernelspec?.name !== "bert-lab") problems.push(`kernelspec is ${JSON.stringify(nb.metadata.kernelspec?.name)}, not "bert-lab"`);
  nb.cells.forEach((c, i) => {
    if (c.cell_type === "code" && ((c.outputs?.length ?? 0) > 0 || c.execution_count != null)) problems.push(`cell ${i + 1} has outputs or an execution count (clear them before committing)`);
  });
  return problems;
}

/** Pictures (display outputs) by MIME type in an executed notebook, and the cells that failed. */
export function countPictures(executed: string): { byMime: Record<string, number>; errors: string[] } {
  const byMime: Record<string, number> = {};
  const errors: string[] = [];
  readOutputs(executed).forEach((cell, i) => {
    for (const o of cell.outputs) {
      if (o.type === "error") errors.push(`cell ${i + 1}: ${o.text}`);
      // a thrown error prints "XxxError: …"; a cell tslab refused to run prints its type errors as "3:68 - …"
      if (o.type === "stream" && /^(\w*Error|Interrupted)[:\s]|^\d+:\d+ - /m.test(o.text)) errors.push(`cell ${i + 1}: ${o.text.split("\n")[0]}`);
      if (o.type !== "display_data" && o.type !== "execute_result") continue;
      for (const m of o.mimeTypes) if (m !== "text/plain") byMime[m] = (byMime[m] ?? 0) + 1;
    }
  });
  return { byMime, errors };
}

export interface NotebookRun {
  name: string;
  title: string;
  ok: boolean;
  seconds: number;
  executed: string;
  html: string;
  byMime: Record<string, number>;
  /** "image/svg+xml: 2 of at least 3" and failed cells; empty when all is well */
  problems: string[];
  log: string;
}

export interface RunOptions {
  /** BERT_LAB_SMOKE=1 for the kernel (small and fast) */
  smoke?: boolean;
  jupyterDataDir?: string;
  /** seconds a cell may run (default 1800; smoke 600) */
  timeout?: number;
  /** extra environment for the kernel (BERT_LAB_DATA_MIRROR, …) */
  env?: Record<string, string>;
}

/**
 * Executes one notebook into `outDir` (NAME.ipynb with outputs, NAME.html) and checks its pictures.
 *
 * @example
 *   const r = runNotebook("notebooks/01_tokenization.ipynb", "runs/notebooks", { smoke: true });
 *   r.ok, r.seconds, r.html
 */
export function runNotebook(file: string, outDir: string, options: RunOptions = {}): NotebookRun {
  const name = path.basename(file, ".ipynb");
  const executed = path.join(outDir, `${name}.ipynb`);
  const html = path.join(outDir, `${name}.html`);
  fs.rmSync(executed, { force: true });
  const env: Record<string, string> = { ...(options.env ?? {}), BERT_LAB_SMOKE: options.smoke ? "1" : "0" };
  const r = executeNotebook(file, executed, { timeout: options.timeout ?? (options.smoke ? 600 : 1800), jupyterDataDir: options.jupyterDataDir, env, allowErrors: true });
  const problems: string[] = [];
  let byMime: Record<string, number> = {};
  if (!fs.existsSync(executed)) {
    problems.push(`Jupyter wrote no executed notebook: ${r.log.trim().split("\n").slice(-8).join("\n")}`);
  } else {
    const counted = countPictures(executed);
    byMime = counted.byMime;
    problems.push(...counted.errors);
    for (const [mime, atLeast] of Object.entries(notebookExpectations(file))) {
      if ((byMime[mime] ?? 0) < atLeast) problems.push(`${mime}: ${byMime[mime] ?? 0} outputs, expected at least ${atLeast}`);
    }
    exportHtml(executed, html);
  }
  if (!r.ok && problems.length === 0) problems.push(`nbconvert failed: ${r.log.trim().split("\n").slice(-8).join("\n")}`);
  return { name, title: notebookTitle(file), ok: problems.length === 0, seconds: r.seconds, executed, html, byMime, problems, log: r.log };
}

/** An index page linking every executed notebook, with its wall time. */
export function writeIndex(runs: NotebookRun[], outDir: string, mode: string): string {
  const esc = escapeHtml;
  const rows = runs
    .map((r) => `<tr><td><a href="${esc(path.basename(r.html))}">${esc(r.name)}</a></td><td>${esc(r.title)}</td><td class="n">${r.seconds.toFixed(0)} s</td><td>${r.ok ? "✓" : `✗ ${esc(r.problems.join("; "))}`}</td></tr>`)
    .join("\n");
  const page = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>BERT Lab notebooks</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}td,th{padding:.3em .8em;text-align:left;border-bottom:1px solid #ddd}.n{text-align:right;font-variant-numeric:tabular-nums}</style></head>
<body><h1>BERT Lab — the notebooks, executed</h1><p>Mode: ${esc(mode)}. Generated by <code>npm run notebooks</code> on ${esc(new Date().toISOString().slice(0, 16).replace("T", " "))} UTC.</p>
<table><tr><th>notebook</th><th>what it teaches</th><th>wall time</th><th></th></tr>
${rows}
</table></body></html>
`;
  const file = path.join(outDir, "index.html");
  fs.writeFileSync(file, page);
  return file;
}
