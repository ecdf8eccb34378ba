import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDuration, ProgressBar, sparkline } from "./progress";

test("sparkline: lowest value ▁, highest █, buckets averaged to the width", () => {
  assert.equal(sparkline([10, 8, 6, 5, 4.5, 4.2]), "█▆▃▂▁▁");
  assert.equal(sparkline([1, 1, 1]), "▁▁▁", "a flat curve");
  assert.equal(sparkline([]), "");
  const long = sparkline(Array.from({ length: 1000 }, (_, i) => 1000 - i), 40);
  assert.equal([...long].length, 40);
  assert.equal(long[0], "█");
  assert.equal(long[long.length - 1], "▁");
  assert.equal(sparkline([3, NaN, 1]), "█ ▁", "a NaN shows as a gap");
});

test("formatDuration", () => {
  assert.equal(formatDuration(7), "7s");
  assert.equal(formatDuration(125), "2m05s");
  assert.equal(formatDuration(3725), "1h02m");
  assert.equal(formatDuration(NaN), "?");
});

function fakeStream(isTTY: boolean) {
  let text = "";
  return { isTTY, columns: 80, write: (s: string) => ((text += s), true), text: () => text };
}

test("ProgressBar: redraws one line on a terminal, prints plain lines elsewhere", () => {
  const tty = fakeStream(true);
  const bar = new ProgressBar(tty, 10);
  bar.update(10, "loss 1.234");
  assert.match(tty.text(), /^\r\x1b\[2K10\/10 █{20} 100%  loss 1\.234  ETA 0s$/);
  bar.log("step 10  loss 1.234");
  assert.ok(tty.text().endsWith("\r\x1b[2Kstep 10  loss 1.234\n10/10 " + "█".repeat(20) + " 100%  loss 1.234  ETA 0s"), "the line goes above, the bar is redrawn");
  bar.finish();
  assert.ok(tty.text().endsWith("\n"));

  const pipe = fakeStream(false);
  const plain = new ProgressBar(pipe, 10);
  plain.update(5, "loss 2");
  plain.log("step 5  loss 2");
  assert.equal(pipe.text(), "step 5  loss 2\n", "no escape codes and no bar in a pipe or a file");
});
