// initBackend() with nothing requested: the best available backend (wasm on a machine without
// tfjs-node or a WebGPU stack), a report on every candidate, idempotence. Its own process:
// tfjs's backend registry is global, so each selection test file runs alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { isInstalled } from "./optional-module";
import { nativeStatus } from "./native";
import { getBackendReport, initBackend } from "./select";
import { wasmFixesRegistered } from "./wasm-fixes";

delete process.env.BERT_LAB_BACKEND;
const optionalInstalled = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node", "@tensorflow/tfjs-backend-webgpu", "webgpu"].filter(isInstalled);

test("before the first call there is no report", () => {
  assert.equal(getBackendReport(), null);
});

test("by default: wasm here, with tensorflow and webgpu reported as not installed", { skip: optionalInstalled.length > 0 && `optional backends installed: ${optionalInstalled.join(", ")}` }, async () => {
  const r = await initBackend({ quiet: true });
  assert.equal(r.chosen, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  assert.equal(r.requestedBy, "auto");
  // one thread without the native kernels; with them, what nativeStatus() says (all cores by default)
  const native = nativeStatus();
  assert.equal(r.threads, native.active ? native.threads : 1);
  assert.match(r.candidates[2].detail ?? "", native.active ? /^native kernels \((avx512|avx2|neon|scalar), \d+ threads?\)/ : /native kernels: /);
  assert.deepEqual(
    r.candidates.map((c) => [c.name, c.status]),
    [
      ["tensorflow", "not installed"],
      ["webgpu", "not installed"],
      ["wasm", "chosen"],
      ["cpu", "available"],
    ],
  );
  assert.equal(r.candidates[0].detail, "not installed: @tensorflow/tfjs-node-gpu, @tensorflow/tfjs-node");
  assert.equal(r.candidates[3].detail, "installed; not tried: wasm was chosen first");
  assert.equal(r.candidates[1].detail, "not installed: @tensorflow/tfjs-backend-webgpu, webgpu");
  assert.ok(wasmFixesRegistered(), "choosing wasm registers the kernel fixes");
  assert.equal(getBackendReport(), r);
});

test("a second call returns the same report; a different prefer selects again", async () => {
  const first = await initBackend({ quiet: true });
  assert.equal(await initBackend({ quiet: true }), first, "same object, nothing probed again");
  const cpu = await initBackend({ prefer: "cpu", quiet: true });
  assert.notEqual(cpu, first);
  assert.equal(cpu.chosen, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  assert.equal(getBackendReport(), cpu);
  assert.equal(await initBackend({ prefer: "cpu" }), cpu);
  const again = await initBackend({ quiet: true });
  assert.equal(again.chosen, first.chosen, "back to the automatic choice");
  assert.equal(tf.getBackend(), first.chosen);
});

test("concurrent first calls share one selection", async () => {
  const [a, b] = await Promise.all([initBackend({ prefer: "wasm", quiet: true }), initBackend({ prefer: "wasm", quiet: true })]);
  assert.equal(a, b);
});

test("the chosen backend computes", async () => {
  await initBackend({ quiet: true });
  const y = tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([1, 0, 0, 1], [2, 2]), false, true);
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
});
