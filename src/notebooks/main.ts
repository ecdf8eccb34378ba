#!/usr/bin/env node
/**
 * `npm run notebooks [-- --smoke] [--out DIR] [--only 01,05]`: executes the curriculum's
 * notebooks through Jupyter with this checkout's kernel and writes each executed page as
 * HTML (plus an index.html) to DIR (default runs/notebooks), printing each wall time.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { privateJupyterDataDir } from "../kernel/jupyter-tools";
import { repoRoot } from "../util/shared-folder";
import { listNotebooks, runNotebook, writeIndex } from "./curriculum";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function main(): number {
  const smoke = process.argv.includes("--smoke");
  const out = path.resolve(arg("out") ?? path.join(repoRoot(), "runs", "notebooks"));
  const only = arg("only")?.split(",").map((s) => s.trim());
  const notebooks = listNotebooks().filter((f) => !only || only.some((o) => path.basename(f).startsWith(o)));
  if (notebooks.length === 0) {
    console.error(`no notebooks to run${only ? ` matching --only ${only.join(",")}` : ""} in ${path.join(repoRoot(), "notebooks")}`);
    return 2;
  }
  fs.mkdirSync(out, { recursive: true });
  const dataDir = privateJupyterDataDir();
  console.log(`running ${notebooks.length} notebook${notebooks.length === 1 ? "" : "s"} (${smoke ? "smoke mode: BERT_LAB_SMOKE=1" : "full size"}) → ${out}`);
  const runs = notebooks.map((file) => {
    process.stdout.write(`  ${path.basename(file).padEnd(42)}`);
    const r = runNotebook(file, out, { smoke, jupyterDataDir: dataDir });
    console.log(`${r.seconds.toFixed(0).padStart(5)} s  ${r.ok ? "ok" : "FAILED: " + r.problems.join("; ")}`);
    return r;
  });
  fs.rmSync(dataDir, { recursive: true, force: true });
  const index = writeIndex(runs, out, smoke ? "smoke (BERT_LAB_SMOKE=1)" : "full");
  console.log(`open ${index}`);
  return runs.every((r) => r.ok) ? 0 : 1;
}

process.exitCode = main();
