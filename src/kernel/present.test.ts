import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { asDisplay, MimeBundle } from "../display/mime";
import { DisplaySink } from "../display/show";
import { presentValue } from "./present";

function capture(value: unknown): { bundles: MimeBundle[]; logged: unknown[] } {
  const bundles: MimeBundle[] = [];
  const logged: unknown[] = [];
  const sink: DisplaySink = { name: "test", send: (b) => void bundles.push(b) };
  presentValue(value, { log: (v) => logged.push(v), show: { sink } });
  return { bundles, logged };
}

test("presentValue: displayables send their bundle, tensors their view, others print, null shows nothing", async () => {
  await tf.setBackend("cpu");
  const own = capture(asDisplay({ "text/plain": "mine", "text/markdown": "**mine**" }));
  assert.deepEqual(own.bundles, [{ "text/plain": "mine", "text/markdown": "**mine**" }]);
  const t = tf.tensor2d([[1, 2], [3, 4]]);
  const before = tf.memory().numTensors;
  const tensor = capture(t);
  assert.equal(tf.memory().numTensors, before, "showing a tensor leaks nothing");
  assert.equal(tensor.bundles.length, 1);
  assert.match(String(tensor.bundles[0]["text/plain"]), /float32 \[2, ?2\]/);
  assert.match(String(tensor.bundles[0]["image/svg+xml"]), /^<svg/);
  t.dispose();
  assert.deepEqual(capture({ a: 1 }).logged, [{ a: 1 }]);
  assert.deepEqual(capture(null), { bundles: [], logged: [] });
  assert.deepEqual(capture(undefined), { bundles: [], logged: [] });
});
