// Learning curves that redraw while train() runs: one notebook output (a LiveDisplay) fed
// by the trainer's onLog / onEval callbacks, redrawn at most ~4 times a second, several runs
// overlaid with a legend (for ablations), optional reference lines (the paper's numbers).
import type { EvalRecord, LogRecord, TrainCallbacks } from "../training/trainer";
import { chart, Chart } from "./charts/render";
import { learningCurveSpec, LearningCurveOptions, MetricRecord } from "./charts/learning-curves";
import { LiveClock, LiveDisplay, LiveDisplayStats } from "./live";
import { DisplaySink } from "./show";

/** Options of `liveCurves()`: the chart's (metrics, reference lines, size) and the display's. */
export interface LiveCurvesOptions extends Omit<LearningCurveOptions, "runs"> {
  /** at most one redraw per this many ms (default 1000: a frame costs ~16 ms, so ~1.6 % of a core) */
  intervalMs?: number;
  /** draw at most about this many train points per run (default 500): longer runs are thinned for the picture, evaluations and the last point always kept; `records` keeps everything */
  maxPoints?: number;
  sink?: DisplaySink;
  clock?: LiveClock;
}

/**
 * A live learning-curve output. Pass `curves.callbacks()` to train() / pretrain() /
 * finetune(); `curves.callbacks("no NSP")` for a second run drawn beside the first.
 *
 * @example
 *   const curves = liveCurves({ metrics: ["mlm_loss", "nsp_loss"] });
 *   await pretrain({ ...options, callbacks: curves.callbacks() });
 *   await curves.close();   // the output keeps the final curves
 */
export class LiveCurves {
  /** every record so far, by run */
  readonly records: Record<string, MetricRecord[]> = {};
  readonly live: LiveDisplay;
  private readonly options: LiveCurvesOptions;
  private canDraw = false;

  constructor(options: LiveCurvesOptions = {}) {
    this.options = options;
    this.live = new LiveDisplay({ intervalMs: options.intervalMs ?? 1000, sink: options.sink, clock: options.clock });
  }

  /** Adds one record (a train log line or an eval line) to `run` and asks for a redraw. */
  add(run: string, record: MetricRecord): void {
    (this.records[run] ??= []).push(record);
    if (!this.drawable()) return;
    this.live.updateWith(() => this.chart());
  }

  /** train()'s callbacks for one run: every log line and every evaluation is drawn. */
  callbacks(run = "run"): TrainCallbacks {
    return {
      onLog: (r: LogRecord) => this.add(run, r),
      onEval: (r: EvalRecord) => this.add(run, r),
    };
  }

  /** The curves now, rendered (SVG included). */
  chart(): Promise<Chart> {
    const { intervalMs: _i, sink: _s, clock: _c, maxPoints = 500, ...chartOptions } = this.options;
    const thinned: Record<string, MetricRecord[]> = {};
    for (const [run, recs] of Object.entries(this.records)) thinned[run] = thin(recs, maxPoints);
    const runs = Object.keys(thinned);
    const records = runs.length === 1 && runs[0] === "run" ? thinned.run : thinned;
    return chart(learningCurveSpec(records, chartOptions), { textPlain: this.summary() });
  }

  /** One line per run: its latest step and metrics (train and eval). */
  summary(): string {
    const lines = Object.entries(this.records).map(([run, recs]) => {
      if (recs.length === 0) return `${run}: no records yet`;
      const last: MetricRecord = Object.assign({}, ...recs.slice(-4)); // the latest train line and eval line, merged
      const fields = Object.entries(last)
        .filter(([k, v]) => k !== "step" && typeof v === "number" && /loss|accuracy|acc|f1|exact|mcc|pearson|spearman/.test(k))
        .map(([k, v]) => `${k} ${(v as number).toFixed(4)}`);
      return `${run}: step ${last.step}${fields.length ? ", " + fields.join(", ") : ""}`;
    });
    return `Learning curves — ${lines.join("; ")}`;
  }

  /**
   * Sends the final frame and waits for it (the saved notebook then holds the last curves).
   * Resolves to nothing, so a cell ending in `await curves.close()` prints nothing more.
   */
  async close(): Promise<void> {
    await this.live.close();
  }

  /** Frames asked for and sent so far. */
  get stats(): LiveDisplayStats {
    return this.live.stats;
  }

  /** True once some record has a metric the chart would draw (a chart with nothing is an error). */
  private drawable(): boolean {
    if (this.canDraw) return true;
    try {
      const { intervalMs: _i, sink: _s, clock: _c, maxPoints: _m, ...chartOptions } = this.options;
      learningCurveSpec(this.records, chartOptions);
      return (this.canDraw = true);
    } catch {
      return false;
    }
  }
}

/**
 * About `maxPoints` train records and about `maxPoints` evaluation records (every k-th of
 * each, the last of each kept), in their order: a 100k-step run would otherwise send
 * megabytes per frame.
 *
 * @example
 *   thin(records, 500).length   // ≤ ~1000 for any records.length
 */
export function thin(records: MetricRecord[], maxPoints: number): MetricRecord[] {
  const isEval = (r: MetricRecord) => Object.keys(r).some((key) => key.startsWith("eval_"));
  const evals = records.filter(isEval).length;
  const trains = records.length - evals;
  if (trains <= maxPoints && evals <= maxPoints) return records;
  const strideTrain = Math.max(1, Math.ceil(trains / maxPoints));
  const strideEval = Math.max(1, Math.ceil(evals / maxPoints));
  let iTrain = 0;
  let iEval = 0;
  return records.filter((r) => {
    if (isEval(r)) return iEval++ % strideEval === 0 || iEval === evals;
    return iTrain++ % strideTrain === 0 || iTrain === trains;
  });
}

/** `new LiveCurves(options)`: a live learning-curve output for train()'s callbacks. */
export function liveCurves(options: LiveCurvesOptions = {}): LiveCurves {
  return new LiveCurves(options);
}
