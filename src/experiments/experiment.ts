/**
 * One call for a notebook cell (or a script): runs an ablation with everything drawn as it
 * goes — a progress bar over the runs, the live learning curves of every pre-training run,
 * and the table redrawn after each finished run — then returns the result, whose display is
 * the final table, charts and verdicts. A stop (the notebook's interrupt) leaves the folder
 * ready to resume with the same call.
 *
 * @example
 *   const r = await experiment("table5", { scale: "tiny", outDir: "runs/table5" });
 *   r // the table (ours beside the paper's), the charts, the verdicts
 */
import { LiveDisplay } from "../display/live";
import { asDisplay } from "../display/mime";
import { escapeHtml } from "../display/table";
import { liveCurves } from "../display/live-curves";
import { progress, Progress } from "../display/progress";
import { detectKernel } from "../display/show";
import { ExperimentOptions, ExperimentResult, runExperiment } from "./run-experiment";

export interface LiveExperimentOptions extends Omit<ExperimentOptions, "recipe"> {
  /** draw live (default: in a notebook) */
  live?: boolean;
}

export async function experiment(recipe: string, options: LiveExperimentOptions): Promise<ExperimentResult> {
  const live = options.live ?? detectKernel() !== "console";
  if (!live) return runExperiment({ log: (line) => console.log(line), ...options, recipe });
  const curves = liveCurves({ metrics: ["mlm_loss", "lm_loss"], title: "pre-training loss of every run (lm_loss: the LTR runs, predicting every next piece)" });
  const board = new LiveDisplay({ intervalMs: 500 });
  let bar: Progress | null = null;
  try {
    const result = await runExperiment({
      log: (line) => console.log(line),
      ...options,
      recipe,
      async onRun(e) {
        bar ??= progress(e.total, { label: "runs", unit: "runs" });
        if (e.phase !== "start") bar.set(e.index, { last: e.label, ...(e.value !== undefined ? { score: e.value.toFixed(1) } : {}) });
        await options.onRun?.(e);
      },
      async onReport(report) {
        if (report.summary.done > 0) board.update(report.table);
        await options.onReport?.(report);
      },
      callbacks(run) {
        const own = options.callbacks?.(run);
        if (run.kind !== "pretrain") return own;
        const drawn = curves.callbacks(run.label.replace(/^pre-train /, "").replace(/, seed (\d+)$/, " #$1"));
        return own ? { ...drawn, onStep: own.onStep, onCheckpoint: own.onCheckpoint } : drawn;
      },
    });
    // the table was drawn live; the result displays it again with the verdicts, so leave a line here
    const line = `${result.plan.title}: ${result.summary.done} of ${result.summary.planned} evaluations done${result.complete ? "" : " (stopped: run the cell again to resume)"} — folder ${result.outDir}`;
    board.update(asDisplay({ "text/plain": line, "text/html": `<p style="font-family:monospace">${escapeHtml(line)}</p>` }));
    return result;
  } finally {
    await (bar as Progress | null)?.done();
    await curves.close();
    await board.close();
  }
}
