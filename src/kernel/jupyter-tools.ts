// Running notebooks without a person: execute one through real Jupyter (nbclient, via
// nbconvert) with the BERT Lab kernel, and export it to HTML with our template
// (kernel/nbconvert/bert-lab: SVG as <img> data URIs, no script from a CDN). Used by the
// notebook tests and by `npm run notebooks`. Jupyter is Python: Debian's python3 first
// (another python3 may come first on PATH and lack Jupyter).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { repoRoot } from "../util/shared-folder";
import { installKernel } from "./kernelspec";

let cachedPython: string | null | undefined;

/** A python3 that can import nbclient and nbconvert, or null. */
export function jupyterPython(): string | null {
  if (cachedPython !== undefined) return cachedPython;
  cachedPython = null;
  for (const exe of [process.env.BERT_LAB_JUPYTER_PYTHON, "/usr/bin/python3", "python3"]) {
    if (!exe) continue;
    const r = spawnSync(exe, ["-c", "import nbclient, nbconvert, nbformat"], { encoding: "utf8" });
    if (r.status === 0) {
      cachedPython = exe;
      break;
    }
  }
  return cachedPython;
}

/**
 * node:test options for a test that needs Jupyter: skips with the reason outside CI;
 * under CI=true it runs (.ci/run installs Debian's jupyter-nbconvert and python3-nbclient).
 */
export function needsJupyter(): { skip: string | false } {
  if (jupyterPython() || process.env.CI === "true") return { skip: false };
  return { skip: "needs Jupyter (Debian: apt-get install jupyter-notebook jupyter-nbconvert python3-nbclient)" };
}

/** A Jupyter data folder of its own with the BERT Lab kernel installed (for tests and CI runs). */
export function privateJupyterDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bert-lab-jupyter-"));
  const saved = process.env.JUPYTER_DATA_DIR;
  process.env.JUPYTER_DATA_DIR = dir;
  try {
    installKernel({ jupyter: null, scope: { kind: "user" } });
  } finally {
    if (saved === undefined) delete process.env.JUPYTER_DATA_DIR;
    else process.env.JUPYTER_DATA_DIR = saved;
  }
  return dir;
}

export interface ExecuteOptions {
  /** seconds a cell may run (default 600); with `interruptOnTimeout` the kernel is interrupted then */
  timeout?: number;
  interruptOnTimeout?: boolean;
  /** keep going after a cell fails, recording the error (default false: stop and fail) */
  allowErrors?: boolean;
  /** JUPYTER_DATA_DIR holding the kernelspec (default: the user's) */
  jupyterDataDir?: string;
  /** extra environment for the kernel (e.g. BERT_LAB_SMOKE=1) */
  env?: Record<string, string>;
  /** the folder the kernel runs in (default: the notebook's) */
  cwd?: string;
}

export interface ExecuteResult {
  ok: boolean;
  /** nbconvert's output (stderr) — it names the failing cell when `ok` is false */
  log: string;
  seconds: number;
}

function requirePython(): string {
  const python = jupyterPython();
  if (!python) {
    throw new BertLabError("NO_JUPYTER", "Jupyter is not installed for python3 (nbclient and nbconvert are missing): on Debian/Ubuntu, apt-get install jupyter-notebook jupyter-nbconvert python3-nbclient");
  }
  return python;
}

/**
 * Executes `input` with the kernel its metadata names and writes the executed notebook to
 * `output` (which may equal `input`).
 *
 * @example
 *   executeNotebook("notebooks/01_tokenization.ipynb", "out/01.ipynb", { timeout: 300 })
 *   // { ok: true, log: "…", seconds: 9.1 }
 */
export function executeNotebook(input: string, output: string, options: ExecuteOptions = {}): ExecuteResult {
  const python = requirePython();
  const args = [
    "-m", "nbconvert", "--to", "notebook", "--execute",
    `--ExecutePreprocessor.timeout=${options.timeout ?? 600}`,
    `--ExecutePreprocessor.interrupt_on_timeout=${options.interruptOnTimeout ? "True" : "False"}`,
    "--output", path.resolve(output),
    path.resolve(input),
  ];
  if (options.allowErrors) args.splice(4, 0, "--allow-errors");
  const env = { ...process.env, ...(options.env ?? {}) };
  if (options.jupyterDataDir) env.JUPYTER_DATA_DIR = options.jupyterDataDir;
  fs.mkdirSync(path.dirname(path.resolve(output)), { recursive: true });
  const t0 = performance.now();
  const r = spawnSync(python, args, { encoding: "utf8", env, cwd: options.cwd ?? path.dirname(path.resolve(input)), maxBuffer: 64 << 20 });
  return { ok: r.status === 0, log: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`, seconds: (performance.now() - t0) / 1000 };
}

/** The folder of BERT Lab's nbconvert templates. */
export function templateDir(): string {
  return path.join(repoRoot(), "kernel", "nbconvert");
}

/**
 * Exports an executed notebook to one self-contained HTML page with our template.
 *
 * @example
 *   exportHtml("out/01.ipynb", "out/01.html")
 */
export function exportHtml(input: string, output: string): void {
  const python = requirePython();
  const out = path.resolve(output);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const r = spawnSync(
    python,
    ["-m", "nbconvert", "--to", "html", `--TemplateExporter.extra_template_basedirs=${templateDir()}`, "--template", "bert-lab", "--output", out, path.resolve(input)],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new BertLabError("NBCONVERT_FAILED", `nbconvert could not export ${input} to HTML (exit ${r.status}): ${(r.stderr || "").trim().split("\n").slice(-5).join("\n")}`);
}

/** One output of a saved notebook, as the tests read it. */
export interface SavedOutput {
  type: string;
  mimeTypes: string[];
  data: Record<string, unknown>;
  text: string;
  displayId?: string;
}

/** Reads a saved notebook's code cells: each cell's source and outputs. */
export function readOutputs(file: string): { source: string; outputs: SavedOutput[] }[] {
  const nb = JSON.parse(fs.readFileSync(file, "utf8")) as { cells: { cell_type: string; source: string | string[]; outputs?: Record<string, unknown>[] }[] };
  const join = (x: unknown): string => (Array.isArray(x) ? x.join("") : typeof x === "string" ? x : "");
  return nb.cells
    .filter((c) => c.cell_type === "code")
    .map((c) => ({
      source: join(c.source),
      outputs: (c.outputs ?? []).map((o) => {
        // nbformat may store a text representation as a list of lines
        const data = Object.fromEntries(Object.entries((o.data ?? {}) as Record<string, unknown>).map(([k, v]) => [k, Array.isArray(v) && v.every((x) => typeof x === "string") ? v.join("") : v]));
        const meta = (o.metadata ?? {}) as Record<string, unknown>;
        return {
          type: String(o.output_type),
          mimeTypes: Object.keys(data),
          data,
          text: o.output_type === "stream" ? join(o.text) : o.output_type === "error" ? `${o.ename}: ${o.evalue}` : join(data["text/plain"]),
          displayId: (o.transient as { display_id?: string } | undefined)?.display_id ?? (meta.display_id as string | undefined),
        };
      }),
    }));
}

/**
 * Writes a notebook of code cells for the BERT Lab kernel (ids included, outputs empty).
 *
 * @example
 *   writeNotebook("t.ipynb", ['import { tokensView } from "bert-lab";', 'tokensView(["[CLS]"])'])
 */
export function writeNotebook(file: string, cells: string[], kernelName = "bert-lab"): void {
  const nb = {
    cells: cells.map((source, i) => ({ cell_type: "code", id: `cell-${i}`, metadata: {}, source, outputs: [], execution_count: null })),
    metadata: { kernelspec: { name: kernelName, display_name: "BERT Lab (TypeScript)", language: "typescript" }, language_info: { name: "typescript" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + "\n");
}
