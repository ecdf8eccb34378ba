import { test } from "node:test";
import assert from "node:assert/strict";
import { blockBar, clockTime, progress, ProgressStream, terminalLine } from "./progress";
import { DisplaySink, SendOptions } from "./show";
import { MimeBundle } from "./mime";

class FakeClock {
  t = 1000;
  now(): number {
    return this.t;
  }
}

function recordingStream(isTTY: boolean, columns?: number): ProgressStream & { out: string } {
  const s = { out: "", isTTY, columns, write: (x: string) => void (s.out += x) };
  return s;
}

test("rate and ETA with a fake clock: 10 steps/s → 9 s left at 10 of 100", async () => {
  const clock = new FakeClock();
  const bar = progress(100, { clock, stream: recordingStream(false), unit: "batches" });
  for (let i = 0; i < 10; i++) {
    clock.t += 100; // 10 steps per second
    bar.tick(1, { loss: 2.5 - i / 10 });
  }
  const s = bar.state();
  assert.equal(s.done, 10);
  assert.equal(s.percent, 10);
  assert.ok(Math.abs(s.rate - 10) < 1e-9, `rate ${s.rate}`);
  assert.ok(Math.abs(s.eta - 9) < 1e-9, `eta ${s.eta}`);
  assert.equal(s.elapsed, 1);
  assert.deepEqual(s.extra, { loss: 1.6 });
  // the rate is smoothed: a burst moves it only part of the way
  clock.t += 200;
  bar.tick(10);
  const burst = bar.state().rate;
  assert.ok(burst > 10 && burst < 50, `smoothed rate ${burst}`);
  clock.t += 1000;
  bar.set(100);
  await bar.done();
  const final = bar.state();
  assert.equal(final.percent, 100);
  assert.equal(final.eta, 0);
  assert.ok(Math.abs(final.rate - 100 / 2.2) < 1e-9, "the final rate is the overall average");
  assert.ok(final.finished);
  bar.tick(5);
  assert.equal(bar.count, 100, "ticks after done() are ignored");
  assert.equal(clockTime(75), "1:15");
  assert.equal(clockTime(3725), "1:02:05");
  assert.equal(clockTime(NaN), "?");
});

test("terminal: one line redrawn with \\r, ≤ 10 Hz, fitting the width, a newline at done()", async () => {
  const clock = new FakeClock();
  const stream = recordingStream(true, 60);
  const bar = progress(1000, { clock, stream, label: "train" });
  assert.equal(bar.mode, "terminal");
  for (let i = 0; i < 1000; i++) {
    clock.t += 5; // 200 steps/s for 5 s: at most 10 frames per second
    bar.tick(1, { loss: 1 / (i + 1), lr: "1e-4" });
  }
  await bar.done();
  const frames = stream.out.split("\r").slice(1);
  assert.ok(frames.length <= 5 * 10 + 2, `${frames.length} frames`);
  assert.ok(stream.out.startsWith("\r") && stream.out.endsWith("\n"));
  assert.equal(stream.out.split("\n").length, 2, "exactly one newline, at the end");
  for (const f of frames) assert.ok([...f.replace(/\n$/, "")].length <= 59, `too wide: ${JSON.stringify(f)}`);
  const last = frames.at(-1)!;
  assert.match(last, /^train \|█+\| 1000\/1000 100% 200 steps\/s 0:05/);
  for (const cols of [20, 40, 80, 200]) {
    const line = terminalLine(bar.state(), cols);
    assert.ok([...line].length <= Math.max(10, cols - 1), `${cols}: ${line}`);
  }
  assert.equal(blockBar(0.5, 8), "████    ");
  assert.equal(blockBar(1 / 8, 1), "▏");
  assert.equal(blockBar(1, 3), "███");
});

test("notebook: one display id, updates only, the final frame 100 % with an html bar and no script", async () => {
  const sent: { bundle: MimeBundle; opts: SendOptions }[] = [];
  const sink: DisplaySink = { name: "test", send: (bundle, opts) => void sent.push({ bundle, opts }) };
  const clock = new FakeClock();
  const bar = progress(500, { sink, clock, label: "epoch <1>" });
  assert.equal(bar.mode, "notebook");
  for (let i = 0; i < 500; i++) {
    clock.t += 2;
    bar.tick(1, { loss: 0.5 });
  }
  await bar.done();
  assert.ok(sent.length >= 2 && sent.length < 20, `${sent.length} frames`);
  assert.deepEqual(new Set(sent.map((s) => s.opts.displayId)), new Set([bar.displayId]));
  assert.deepEqual(sent.map((s) => s.opts.update), [false, ...sent.slice(1).map(() => true)]);
  const final = sent.at(-1)!.bundle;
  assert.match(String(final["text/plain"]), /500\/500 100%/);
  const html = String(final["text/html"]);
  assert.match(html, /width:100\.0%/);
  assert.match(html, /epoch &lt;1&gt;/);
  assert.match(html, /loss=0\.5/);
  assert.ok(!/<script/i.test(html));
});

test("piped: ≤ 12 plain lines for 10,000 ticks, no \\r", async () => {
  const clock = new FakeClock();
  const stream = recordingStream(false);
  const bar = progress(10_000, { clock, stream, label: "eval" });
  assert.equal(bar.mode, "log");
  for (let i = 0; i < 10_000; i++) {
    clock.t += 1;
    bar.tick();
  }
  await bar.done();
  const lines = stream.out.trimEnd().split("\n");
  assert.ok(lines.length <= 12 && lines.length >= 10, `${lines.length} lines:\n${stream.out}`);
  assert.ok(!stream.out.includes("\r"));
  assert.match(lines[0], /^\[eval\] 1000\/10000 10%/);
  assert.match(lines.at(-1)!, /^\[eval\] 10000\/10000 100%/);
});

test("piped and slow: a line every 30 s between the 10 % marks", async () => {
  const clock = new FakeClock();
  const stream = recordingStream(false);
  const bar = progress(100, { clock, stream });
  for (let i = 0; i < 5; i++) {
    clock.t += 20_000; // 5 steps in 100 s: under 10 %, but 30 s pass
    bar.tick();
  }
  await bar.done();
  const lines = stream.out.trimEnd().split("\n");
  assert.equal(lines.length, 3, stream.out); // at 40 s and 80 s, then the final line
  assert.match(lines[2], /5\/100 5% .* done$/);
});
