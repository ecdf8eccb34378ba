// progress(): a progress bar that suits where it runs. In a notebook (tslab, Deno, or a given
// sink) one LiveDisplay output redrawn in place (an HTML bar, no script); on a terminal one
// line redrawn with "\r" at ≤ 10 Hz; in a pipe or CI log one plain line per ~10 % or 30 s.
// Shows done/total, percent, a smoothed rate, elapsed, ETA and extra fields such as the loss.
import { DISPLAY, Displayable, MimeBundle } from "./mime";
import { detectKernel, DisplaySink } from "./show";
import { LiveClock, LiveDisplay } from "./live";
import { escapeHtml, formatNumber } from "./table";

/** Milliseconds now; inject a fake one in tests. A full LiveClock also drives the notebook redraws. */
export interface ProgressClock {
  now(): number;
}

/** Where terminal and log lines go (default process.stderr). */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** How the bar is drawn: notebook output, a redrawn terminal line, or sparse log lines. */
export type ProgressMode = "notebook" | "terminal" | "log";

/** Options of progress(). */
export interface ProgressOptions {
  /** what is counted, before the bar ("epoch 1") */
  label?: string;
  /** the unit of the rate (default "steps") */
  unit?: string;
  /** draw into this notebook sink (forces the notebook mode) */
  sink?: DisplaySink;
  clock?: ProgressClock;
  /** terminal / log output (default process.stderr) */
  stream?: ProgressStream;
  /** force a mode instead of detecting it */
  mode?: ProgressMode;
}

/** Extra fields shown after the bar, e.g. `{ loss: 2.31, lr: "1e-4" }`. */
export type ProgressExtra = Record<string, number | string>;

/** A snapshot of a progress bar: everything one frame shows. */
export interface ProgressState {
  label: string;
  unit: string;
  done: number;
  /** NaN when unknown */
  total: number;
  /** 0..100, NaN when the total is unknown */
  percent: number;
  /** units per second (smoothed while running, the overall average once finished) */
  rate: number;
  /** seconds */
  elapsed: number;
  /** seconds left at the current rate, NaN when unknown */
  eta: number;
  extra: ProgressExtra;
  finished: boolean;
}

const realClock: ProgressClock = { now: () => performance.now() };

/** Smoothing of the rate: each ≥ 200 ms window's rate counts this much (tqdm uses 0.3). */
const SMOOTHING = 0.3;
const RATE_WINDOW_MS = 200;
const TERMINAL_INTERVAL_MS = 100;
const LOG_INTERVAL_MS = 30_000;

/**
 * Seconds as a clock, m:ss or h:mm:ss ("?" when not finite) — the progress bar's elapsed and ETA (the CLI's log lines use src/cli/progress.ts's compact 2m05s).
 *
 * @example
 *   clockTime(75)     // "1:15"
 *   clockTime(3725)   // "1:02:05"
 */
export function clockTime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

function fmt(v: number | string): string {
  return typeof v === "number" ? formatNumber(v, 4) : v;
}

function rateText(s: ProgressState): string {
  if (!Number.isFinite(s.rate) || s.rate <= 0) return `? ${s.unit}/s`;
  if (s.rate < 1) return `${formatNumber(1 / s.rate, 3)} s/${s.unit.replace(/s$/, "")}`;
  return `${formatNumber(s.rate, 3)} ${s.unit}/s`;
}

function countText(s: ProgressState): string {
  return Number.isFinite(s.total) ? `${s.done}/${s.total}` : `${s.done}`;
}

function percentText(s: ProgressState): string {
  return Number.isFinite(s.percent) ? `${Math.floor(s.percent)}%` : "";
}

function timeText(s: ProgressState): string {
  if (s.finished) return clockTime(s.elapsed);
  return Number.isFinite(s.total) ? `${clockTime(s.elapsed)}<${clockTime(s.eta)}` : clockTime(s.elapsed);
}

function extraText(s: ProgressState): string {
  return Object.entries(s.extra)
    .map(([k, v]) => `${k}=${fmt(v)}`)
    .join(" ");
}

/**
 * The bar's text after the bar itself: "1234/10000 12% 345 steps/s 0:03<0:25 loss=2.31".
 *
 * @example
 *   progressText(state)   // "50/100 50% 10 steps/s 0:05<0:05 loss=0.5"
 */
export function progressText(s: ProgressState, withExtra = true): string {
  return [countText(s), percentText(s), rateText(s), timeText(s), withExtra ? extraText(s) : ""].filter((x) => x !== "").join(" ");
}

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

/**
 * A unicode block bar `width` cells wide, filled to `fraction` in eighths of a cell.
 *
 * @example
 *   blockBar(0.5, 8)   // "████    "
 */
export function blockBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const eighths = Math.floor(f * width * 8);
  const full = Math.floor(eighths / 8);
  const part = full < width ? EIGHTHS[eighths % 8] : "";
  return ("█".repeat(full) + part).padEnd(width, " ");
}

function cut(s: string, width: number): string {
  const chars = [...s];
  return chars.length <= width ? s : chars.slice(0, Math.max(0, width - 1)).join("") + "…";
}

/**
 * The terminal line for a state, at most `columns - 1` characters (so the cursor never wraps):
 * the bar takes what the text leaves (10–40 cells); extras go first when short of room.
 *
 * @example
 *   terminalLine(state, 80)   // "train |████▌     | 45/100 45% 9.8 steps/s 0:04<0:05 loss=0.51"
 */
export function terminalLine(s: ProgressState, columns = 80): string {
  const room = Math.max(10, columns - 1);
  const label = s.label ? `${s.label} ` : "";
  const hasBar = Number.isFinite(s.total);
  for (const withExtra of [true, false]) {
    const text = progressText(s, withExtra);
    const barWidth = Math.min(40, room - [...label].length - [...text].length - 3);
    if (!hasBar && [...label].length + [...text].length <= room) return label + text;
    if (hasBar && barWidth >= 10) return `${label}|${blockBar(s.percent / 100, barWidth)}| ${text}`;
  }
  return cut(label + progressText(s, false), room);
}

/** The log line for a state: "[train] 1000/10000 10% 512 steps/s 0:02<0:18 loss=2.3". */
export function logLine(s: ProgressState): string {
  return (s.label ? `[${s.label}] ` : "") + progressText(s) + (s.finished ? " done" : "");
}

/** The notebook frame: an HTML bar sized by CSS width (no script) and the terminal line as text. */
export function progressBundle(s: ProgressState): MimeBundle {
  const pct = Number.isFinite(s.percent) ? Math.min(100, Math.max(0, s.percent)) : s.finished ? 100 : 0;
  const color = s.finished && (!Number.isFinite(s.total) || s.done >= s.total) ? "#54a24b" : "#4c78a8";
  const label = s.label ? `<span style="font-weight:600">${escapeHtml(s.label)}</span>` : "";
  const bar =
    `<span style="display:inline-block;width:240px;height:12px;background:rgba(127,127,127,.2);border-radius:3px;overflow:hidden;vertical-align:middle">` +
    `<span class="bl-progress-fill" style="display:block;width:${pct.toFixed(1)}%;height:100%;background:${color}"></span></span>`;
  const html =
    `<div class="bl-progress" style="font:13px/1.6 ui-monospace,Menlo,Consolas,monospace;display:flex;align-items:center;gap:8px;white-space:pre">` +
    `${label}${bar}<span>${escapeHtml(progressText(s))}</span></div>`;
  return { "text/plain": terminalLine(s, 100), "text/html": html };
}

/**
 * Counts steps and shows how far along they are; made by progress().
 * tick()/set() are cheap (no I/O unless a frame is due); done() draws the final frame.
 */
export class Progress implements Displayable {
  readonly total: number;
  readonly label: string;
  readonly unit: string;
  readonly mode: ProgressMode;
  private steps = 0;
  private extra: ProgressExtra = {};
  private readonly clock: ProgressClock;
  private readonly start: number;
  private rate = NaN;
  private rateAt: number;
  private rateCount = 0;
  private finished = false;
  private finishedAt = NaN;
  private readonly stream: ProgressStream | undefined;
  private readonly live: LiveDisplay | undefined;
  private lastDraw = -Infinity;
  private lastWidth = 0;
  private lastLoggedDecile = 0;
  private lastLoggedSteps = NaN;

  constructor(total: number, options: ProgressOptions = {}) {
    this.total = Number.isFinite(total) && total > 0 ? total : NaN;
    this.label = options.label ?? "";
    this.unit = options.unit ?? "steps";
    this.clock = options.clock ?? realClock;
    this.start = this.clock.now();
    this.rateAt = this.start;
    this.mode = options.mode ?? detectMode(options);
    if (this.mode === "notebook") {
      const c = options.clock as Partial<LiveClock> | undefined;
      const liveClock = c && typeof c.setTimeout === "function" && typeof c.clearTimeout === "function" ? (c as LiveClock) : undefined;
      this.live = new LiveDisplay({ sink: options.sink, clock: liveClock });
    } else {
      this.stream = options.stream ?? process.stderr;
    }
    if (this.mode === "log") this.lastDraw = this.start; // the first log line comes after 10 % or 30 s
    this.draw();
  }

  /** The display id of the notebook output (undefined on a terminal or in a log). */
  get displayId(): string | undefined {
    return this.live?.displayId;
  }

  /** Steps done so far. */
  get count(): number {
    return this.steps;
  }

  /** Counts `n` more steps and updates the extra fields (e.g. `{ loss }`). */
  tick(n = 1, extra?: ProgressExtra): void {
    this.set(this.steps + n, extra);
  }

  /** Sets the steps done (it may go back: a restarted epoch). */
  set(done: number, extra?: ProgressExtra): void {
    if (this.finished) return;
    this.steps = done;
    if (extra) Object.assign(this.extra, extra);
    this.updateRate();
    this.draw();
  }

  /**
   * Draws the final frame (a newline on a terminal) and stops; later ticks are ignored.
   * Resolves to nothing, so `await bar.done()` ending a cell prints nothing more; read
   * `bar.state()` for the numbers.
   */
  async done(): Promise<void> {
    if (!this.finished) {
      this.finished = true;
      this.finishedAt = this.clock.now();
      this.draw(true);
      if (this.live) await this.live.close();
    }
  }

  /** A snapshot of what the bar shows now. */
  state(): ProgressState {
    const now = this.finished ? this.finishedAt : this.clock.now();
    const elapsed = Math.max(0, (now - this.start) / 1000);
    const overall = elapsed > 0 ? this.steps / elapsed : NaN;
    const rate = this.finished || !Number.isFinite(this.rate) ? overall : this.rate;
    const known = Number.isFinite(this.total);
    const left = known ? Math.max(0, this.total - this.steps) : NaN;
    return {
      label: this.label,
      unit: this.unit,
      done: this.steps,
      total: this.total,
      percent: known ? (100 * this.steps) / this.total : NaN,
      rate,
      elapsed,
      eta: known ? (left === 0 ? 0 : rate > 0 ? left / rate : NaN) : NaN,
      extra: { ...this.extra },
      finished: this.finished,
    };
  }

  [DISPLAY](): MimeBundle {
    return progressBundle(this.state());
  }

  toString(): string {
    return terminalLine(this.state());
  }

  /** Updates the smoothed rate once per ≥ 200 ms window. */
  private updateRate(): void {
    const now = this.clock.now();
    const dt = now - this.rateAt;
    if (dt < RATE_WINDOW_MS) return;
    const inst = ((this.steps - this.rateCount) * 1000) / dt;
    this.rate = Number.isFinite(this.rate) ? SMOOTHING * inst + (1 - SMOOTHING) * this.rate : inst;
    this.rateAt = now;
    this.rateCount = this.steps;
  }

  private draw(final = false): void {
    if (this.mode === "notebook") return this.drawNotebook();
    if (this.mode === "terminal") return this.drawTerminal(final);
    return this.drawLog(final);
  }

  private drawNotebook(): void {
    const s = this.state();
    this.live!.update({ [DISPLAY]: () => progressBundle(s) });
  }

  private drawTerminal(final: boolean): void {
    const now = this.clock.now();
    if (!final && now - this.lastDraw < TERMINAL_INTERVAL_MS) return;
    this.lastDraw = now;
    const line = terminalLine(this.state(), this.stream!.columns ?? 80);
    const width = [...line].length;
    const pad = " ".repeat(Math.max(0, this.lastWidth - width));
    this.lastWidth = width;
    this.stream!.write(`\r${line}${pad}${final ? "\n" : ""}`);
  }

  private drawLog(final: boolean): void {
    const now = this.clock.now();
    const decile = Number.isFinite(this.total) ? Math.min(10, Math.floor((10 * this.steps) / this.total)) : 0;
    const due = decile > this.lastLoggedDecile || now - this.lastDraw >= LOG_INTERVAL_MS;
    if (final ? this.lastLoggedSteps === this.steps : !due) return;
    this.lastLoggedDecile = Math.max(this.lastLoggedDecile, decile);
    this.lastLoggedSteps = this.steps;
    this.lastDraw = now;
    this.stream!.write(logLine(this.state()) + "\n");
  }
}

function detectMode(options: ProgressOptions): ProgressMode {
  if (options.sink !== undefined || detectKernel() !== "console") return "notebook";
  const stream = options.stream ?? process.stderr;
  return stream.isTTY ? "terminal" : "log";
}

/**
 * A progress bar for `total` steps, drawn where the code runs: a notebook output redrawn in
 * place, a single terminal line redrawn with "\r", or one log line per ~10 % / 30 s.
 *
 * @example
 *   const bar = progress(steps, { label: "pre-train" });
 *   for (let s = 0; s < steps; s++) { const loss = trainStep(); bar.tick(1, { loss }); }
 *   await bar.done();   // pre-train |████████████████████████████████████████| 1000/1000 100% 52.1 steps/s 0:19 loss=2.31
 */
export function progress(total: number, options: ProgressOptions = {}): Progress {
  return new Progress(total, options);
}
