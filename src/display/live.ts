// LiveDisplay: one output that redraws in place (a loss curve while training, a progress bar).
// Throttled: tslab's zeromq socket throws EBUSY after ~500 back-to-back sends, and a front
// end gains nothing above a few frames a second (DESIGN.md §5: ~250 ms).
import { BertLabError } from "../util/errors";
import { bundleOf, checkBundle } from "./mime";
import { currentSink, DisplaySink, newDisplayId } from "./show";

/** Time and timers, injectable so tests can drive a fake clock. */
export interface LiveClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: LiveClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref(); // a pending frame must never keep Node alive: flush() sends it on purpose
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Options of `new LiveDisplay()`. */
export interface LiveDisplayOptions {
  /** At most one frame per this many ms (default 250, ≈ 4 Hz). */
  intervalMs?: number;
  /** The output's id (default: a fresh random one). */
  displayId?: string;
  /** Where frames go (default: `currentSink()` at the first send). */
  sink?: DisplaySink;
  clock?: LiveClock;
}

/** Frames asked for vs sent: `requested - sent` were coalesced away. */
export interface LiveDisplayStats {
  requested: number;
  sent: number;
  failed: number;
}

/**
 * One output that redraws in place, throttled, keeping only the latest value.
 * Each value is turned into its bundle only when sent, so costly charts are drawn at ≤ 4 Hz.
 *
 * @example
 *   const live = new LiveDisplay();
 *   for (let step = 0; step < 1000; step++) live.update(`step ${step}`);
 *   await live.close();   // the output reads "step 999"; stats: { requested: 1000, sent: 2, failed: 0 }
 */
export class LiveDisplay {
  readonly displayId: string;
  readonly intervalMs: number;
  private readonly clock: LiveClock;
  private sink: DisplaySink | undefined;
  private latest: unknown;
  /** the latest frame is a function to call when the frame is sent (see updateWith) */
  private latestIsRender = false;
  private dirty = false;
  private sentOnce = false;
  private closed = false;
  private lastSentAt = -Infinity;
  private timer: unknown = undefined;
  private inFlight: Promise<void> | undefined;
  private lastError: unknown = undefined;
  private readonly counts: LiveDisplayStats = { requested: 0, sent: 0, failed: 0 };

  constructor(opts: LiveDisplayOptions = {}) {
    const interval = opts.intervalMs ?? 250;
    if (!(interval >= 0) || !Number.isFinite(interval)) {
      throw new BertLabError("BAD_INTERVAL", `LiveDisplay intervalMs must be a finite number ≥ 0, got ${interval}`);
    }
    this.intervalMs = interval;
    this.displayId = opts.displayId ?? newDisplayId();
    this.sink = opts.sink;
    this.clock = opts.clock ?? realClock;
  }

  /** A copy of the frame counts. */
  get stats(): LiveDisplayStats {
    return { ...this.counts };
  }

  /** Shows `x` now or at the end of the current interval; a newer update replaces it. Ignored after close(). */
  update(x: unknown): void {
    this.setLatest(x, false);
  }

  /**
   * Like update(), but the frame is made by `render` when it is sent (≤ 4 Hz), and may be
   * async — a chart whose SVG must be rendered. Frames asked for in between cost nothing.
   *
   * @example
   *   live.updateWith(() => chart(learningCurveSpec(records)))
   */
  updateWith(render: () => unknown): void {
    this.setLatest(render, true);
  }

  private setLatest(x: unknown, isRender: boolean): void {
    if (this.closed) return;
    this.counts.requested++;
    this.latest = x;
    this.latestIsRender = isRender;
    this.dirty = true;
    this.pump();
  }

  /** Sends the latest frame now if it has not been sent, and waits for it. Rejects with the error of a send that failed since the last flush(). */
  async flush(): Promise<LiveDisplayStats> {
    this.cancelTimer();
    while (this.inFlight !== undefined || this.dirty) {
      if (this.inFlight !== undefined) await this.inFlight;
      else this.sendLatest();
    }
    this.cancelTimer(); // a send that finished may have armed one
    const error = this.lastError;
    this.lastError = undefined;
    if (error !== undefined) throw error;
    return this.stats;
  }

  /** Flushes the final frame and stops: later updates are ignored. */
  async close(): Promise<LiveDisplayStats> {
    this.closed = true;
    return this.flush();
  }

  private pump(): void {
    if (!this.dirty || this.inFlight !== undefined) return; // the send in flight pumps when done
    const wait = this.lastSentAt + this.intervalMs - this.clock.now();
    if (wait <= 0) {
      this.cancelTimer();
      this.sendLatest();
    } else if (this.timer === undefined && !this.closed) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
    }
  }

  private sendLatest(): void {
    this.dirty = false;
    this.lastSentAt = this.clock.now();
    const update = this.sentOnce;
    this.sentOnce = true;
    this.counts.sent++;
    let result: void | Promise<void>;
    try {
      const sink = (this.sink ??= currentSink());
      const send = (frame: unknown) => sink.send(checkBundle(bundleOf(frame)), { displayId: this.displayId, update });
      const frame = this.latestIsRender ? (this.latest as () => unknown)() : this.latest;
      result = isThenable(frame) ? Promise.resolve(frame).then(send) : send(frame);
    } catch (e) {
      this.fail(e, update);
      return;
    }
    if (result === undefined) return;
    this.inFlight = result.then(
      () => this.settle(),
      (e: unknown) => {
        this.fail(e, update);
        this.settle();
      },
    );
  }

  private settle(): void {
    this.inFlight = undefined;
    if (!this.closed) this.pump();
  }

  private fail(e: unknown, wasUpdate: boolean): void {
    this.counts.failed++;
    this.lastError = e;
    if (!wasUpdate) this.sentOnce = false; // the output may not exist: the next frame creates it
    // once per display: a broken sink at 4 Hz would bury the notebook; flush() rethrows
    if (this.counts.failed === 1) console.error(`LiveDisplay ${this.displayId}: sending a frame failed:`, e);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === "object" || typeof x === "function") && typeof (x as { then?: unknown }).then === "function";
}
