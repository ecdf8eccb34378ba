import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { LiveClock, LiveDisplay } from "./live";
import { DisplaySink, SendOptions } from "./show";
import { MimeBundle } from "./mime";

type Sent = { text: unknown; opts: SendOptions };

function recordingSink(): DisplaySink & { sent: Sent[] } {
  const sent: Sent[] = [];
  return { name: "test", sent, send: (b: MimeBundle, opts) => void sent.push({ text: b["text/plain"], opts }) };
}

/** Time moves only when the test says so. */
class FakeClock implements LiveClock {
  t = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  get pending(): number {
    return this.timers.size;
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}

test("fake clock: first frame at once, then at most one per interval, latest value wins", () => {
  const sink = recordingSink();
  const clock = new FakeClock();
  const live = new LiveDisplay({ sink, clock, displayId: "L" });
  live.update("a");
  assert.deepEqual(sink.sent, [{ text: "a", opts: { displayId: "L", update: false } }]);
  for (let i = 0; i < 24; i++) {
    clock.advance(10);
    live.update(`b${i}`);
  }
  assert.equal(sink.sent.length, 1, "nothing more inside the first 250 ms");
  clock.advance(10); // t = 250: the timer sends the pending frame
  assert.deepEqual(sink.sent[1], { text: "b23", opts: { displayId: "L", update: true } });
  clock.advance(1000);
  assert.equal(sink.sent.length, 2, "no new value, no new frame");
  live.update("c"); // idle longer than the interval: sent at once
  assert.equal(sink.sent.length, 3);
  assert.deepEqual(live.stats, { requested: 26, sent: 3, failed: 0 });
});

test("1,000 rapid updates send ≤ 2 frames; after flush() the last frame is the last value", async () => {
  const sink = recordingSink();
  const live = new LiveDisplay({ sink }); // real clock, 250 ms
  const start = performance.now();
  for (let i = 0; i < 1000; i++) live.update(`v${i}`);
  assert.ok(performance.now() - start < 100, "the loop itself must take < 100 ms for this test to mean anything");
  assert.ok(sink.sent.length <= 2, `sent ${sink.sent.length} frames`);
  const stats = await live.flush();
  assert.ok(sink.sent.length <= 2, `sent ${sink.sent.length} frames`);
  assert.equal(sink.sent.at(-1)?.text, "v999");
  assert.deepEqual(stats, { requested: 1000, sent: sink.sent.length, failed: 0 });
  await live.flush();
  assert.equal(sink.sent.length, stats.sent, "flush() with nothing new sends nothing");
  await live.close();
});

test("an update after flush() is an update_display_data of the same id; nothing after close()", async () => {
  const sink = recordingSink();
  const clock = new FakeClock();
  const live = new LiveDisplay({ sink, clock });
  live.update(1);
  live.update(2);
  await live.flush();
  assert.equal(clock.pending, 0, "flush() leaves no timer behind");
  clock.advance(5);
  live.update(3);
  await live.flush();
  assert.deepEqual(
    sink.sent.map((s) => [s.text, s.opts.update, s.opts.displayId]),
    [
      ["1", false, live.displayId],
      ["2", true, live.displayId],
      ["3", true, live.displayId],
    ],
  );
  live.update(4); // pending behind the interval
  await live.close();
  assert.equal(sink.sent.at(-1)?.text, "4", "close() flushes the final frame");
  const n = sink.sent.length;
  live.update(5);
  clock.advance(10_000);
  await live.flush();
  assert.equal(sink.sent.length, n, "nothing is sent after close()");
  assert.equal(clock.pending, 0);
});

test("a pending frame's timer does not keep Node alive", () => {
  const live = require.resolve("./live");
  const script = `
    const { LiveDisplay } = require(${JSON.stringify(live)});
    const d = new LiveDisplay({ intervalMs: 60000, sink: { name: "t", send() {} } });
    d.update(1); d.update(2); // the second waits a minute on a timer
    console.log("armed");`;
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 20_000, cwd: path.dirname(live) });
  assert.equal(r.status, 0, `exit ${r.status} signal ${r.signal}: ${r.stderr}`);
  assert.equal(r.stdout.trim(), "armed");
  assert.ok(Date.now() - t0 < 15_000, "node waited for the timer");
});

test("a slow async sink never has two sends in flight, and frames are coalesced", async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const texts: unknown[] = [];
  const sink: DisplaySink = {
    name: "slow",
    async send(b) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 25));
      texts.push(b["text/plain"]);
      inFlight--;
    },
  };
  const live = new LiveDisplay({ sink, intervalMs: 0 }); // no throttle: only the in-flight rule holds sends back
  const end = performance.now() + 200;
  let i = 0;
  while (performance.now() < end) {
    live.update(`f${i++}`);
    await new Promise((r) => setImmediate(r));
  }
  const stats = await live.flush();
  assert.equal(maxInFlight, 1, "two sends overlapped");
  assert.ok(texts.length >= 3, `expected several frames in 200 ms, got ${texts.length}`);
  assert.ok(stats.sent < stats.requested / 2, `not coalesced: ${JSON.stringify(stats)}`);
  assert.equal(texts.at(-1), `f${i - 1}`);
  assert.equal(stats.sent, texts.length);
  await live.close();
});

test("a failing sink: counted, rethrown by flush(), and the next frame re-creates the output", async () => {
  let fail = true;
  const sent: SendOptions[] = [];
  const sink: DisplaySink = {
    name: "flaky",
    send(_b, opts) {
      if (fail) throw new Error("EBUSY");
      sent.push(opts);
    },
  };
  const errors: unknown[] = [];
  const consoleError = console.error;
  console.error = (...a: unknown[]) => void errors.push(a);
  try {
    const live = new LiveDisplay({ sink, clock: new FakeClock() });
    live.update("x");
    await assert.rejects(live.flush(), /EBUSY/);
    fail = false;
    live.update("y");
    await live.flush();
    assert.deepEqual(live.stats, { requested: 2, sent: 2, failed: 1 });
    assert.equal(sent[0].update, false, "the first frame failed, so the next is display_data again");
  } finally {
    console.error = consoleError;
  }
  assert.equal(errors.length, 1);
});

test("updateWith: the render runs only for frames that are sent, an async frame is awaited, and sends never overlap", async () => {
  const clock = new FakeClock();
  const sink = recordingSink();
  const live = new LiveDisplay({ sink, clock, intervalMs: 250 });
  let renders = 0;
  for (let i = 0; i < 500; i++) {
    live.updateWith(async () => {
      renders++;
      await new Promise((r) => setTimeout(r, 1));
      return `frame ${i}`;
    });
  }
  await live.flush();
  assert.equal(renders, 2, "only the first and the final frame are rendered");
  assert.deepEqual(sink.sent.map((s) => s.text), ["frame 0", "frame 499"]);
  assert.deepEqual(sink.sent.map((s) => s.opts.update), [false, true]);
  live.updateWith(() => {
    throw new Error("render failed");
  });
  await assert.rejects(live.flush(), /render failed/);
  await live.close();
});
