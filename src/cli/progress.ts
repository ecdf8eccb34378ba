/**
 * Terminal output for long runs: a one-line progress bar redrawn in place on a terminal
 * (plain lines otherwise), sparklines for loss curves, durations.
 *
 * @example
 *   sparkline([10, 8, 6, 5, 4.5, 4.2]) // → "█▆▃▂▁▁"
 *   formatDuration(125)                // → "2m05s"
 */

const BLOCKS = "▁▂▃▄▅▆▇█";

/** The values as a row of block characters, at most `width` wide (buckets averaged). */
export function sparkline(values: readonly number[], width = 40): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return "";
  const buckets = Math.min(width, values.length);
  const means: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * values.length) / buckets);
    const to = Math.max(from + 1, Math.floor(((b + 1) * values.length) / buckets));
    const part = values.slice(from, to).filter((v) => Number.isFinite(v));
    means.push(part.length ? part.reduce((a, c) => a + c, 0) / part.length : NaN);
  }
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return means.map((m) => (Number.isFinite(m) ? BLOCKS[hi > lo ? Math.round(((m - lo) / (hi - lo)) * (BLOCKS.length - 1)) : 0] : " ")).join("");
}

/** 7 → "7s", 125 → "2m05s", 3725 → "1h02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

interface Tty {
  write(s: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/**
 * A progress bar on the last terminal line; `log` prints above it. On anything that is not a
 * terminal (a pipe, a file, CI) `update` prints nothing and `log` prints plain lines.
 */
export class ProgressBar {
  private line = "";
  private lastDraw = 0;
  private readonly started = performance.now();
  readonly tty: boolean;

  constructor(private readonly out: Tty, private readonly total: number, private readonly from = 0) {
    this.tty = Boolean(out.isTTY);
  }

  /** Redraws (at most 10 times a second, always at the end). */
  update(done: number, status: string): void {
    if (!this.tty) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && done < this.total) return;
    this.lastDraw = now;
    const elapsed = (now - this.started) / 1000;
    const rate = (done - this.from) / Math.max(elapsed, 1e-9);
    const eta = done - this.from >= 2 && rate > 0 ? formatDuration((this.total - done) / rate) : "?"; // the first step includes start-up
    const share = this.total > 0 ? done / this.total : 1;
    const width = 20;
    const filled = Math.round(share * width);
    const head = `${String(done).padStart(String(this.total).length)}/${this.total} ${"█".repeat(filled)}${"░".repeat(width - filled)} ${(share * 100).toFixed(0).padStart(3)}%`;
    const text = `${head}  ${status}  ETA ${eta}`;
    const columns = this.out.columns || 120; // a pty may report 0
    this.line = text.length > columns - 1 ? text.slice(0, columns - 1) : text;
    this.out.write(`\r\x1b[2K${this.line}`);
  }

  /** A line above the bar (or a plain line). */
  log(text: string): void {
    if (this.tty) this.out.write(`\r\x1b[2K${text}\n${this.line}`);
    else this.out.write(text + "\n");
  }

  /** Leaves the bar's last state on its own line. */
  finish(): void {
    if (this.tty && this.line) this.out.write("\n");
    this.line = "";
  }
}
