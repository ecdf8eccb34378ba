// BERT_LAB_BACKEND and the prefer option: what they choose and the errors they give.
// Its own process (tfjs's backend registry is global).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { BertLabError } from "../util/errors";
import { isInstalled } from "./optional-module";
import { BACKEND_NAMES, getBackendReport, initBackend } from "./select";

test("the valid names, best first", () => {
  assert.deepEqual(BACKEND_NAMES, ["tensorflow", "webgpu", "wasm", "cpu"]);
});

test("an unknown BERT_LAB_BACKEND is a BertLabError listing the valid names, and changes nothing", async () => {
  process.env.BERT_LAB_BACKEND = "tpu";
  try {
    await assert.rejects(initBackend(), (e: unknown) => {
      assert.ok(e instanceof BertLabError);
      assert.equal(e.code, "UNKNOWN_BACKEND");
      assert.match(e.message, /unknown backend "tpu" \(from BERT_LAB_BACKEND\)/);
      assert.match(e.message, /tensorflow, webgpu, wasm, cpu/);
      return true;
    });
    assert.equal(getBackendReport(), null);
  } finally {
    delete process.env.BERT_LAB_BACKEND;
  }
});

test("an unknown prefer is the same error, naming the option", async () => {
  await assert.rejects(initBackend({ prefer: "gpu" }), /unknown backend "gpu" \(from the prefer option\) — valid choices: tensorflow, webgpu, wasm, cpu/);
});

test("a known backend that is not installed is a BertLabError saying why", { skip: isInstalled("webgpu") && "webgpu is installed here" }, async () => {
  await assert.rejects(initBackend({ prefer: "webgpu" }), (e: unknown) => {
    assert.ok(e instanceof BertLabError);
    assert.equal(e.code, "BACKEND_UNAVAILABLE");
    assert.match(e.message, /backend "webgpu" \(from the prefer option\) cannot run here: not installed/);
    assert.match(e.message, /valid choices: tensorflow, webgpu, wasm, cpu/);
    return true;
  });
  assert.equal(getBackendReport(), null);
});

test("BERT_LAB_BACKEND=cpu picks cpu; the others are reported without being loaded", async () => {
  process.env.BERT_LAB_BACKEND = "cpu";
  try {
    const r = await initBackend({ quiet: true });
    assert.equal(r.chosen, "cpu");
    assert.equal(tf.getBackend(), "cpu");
    assert.equal(r.requestedBy, "BERT_LAB_BACKEND");
    assert.equal(r.threads, 1);
    assert.deepEqual(r.candidates.map((c) => c.name), ["tensorflow", "webgpu", "wasm", "cpu"]);
    assert.equal(r.candidates[3].status, "chosen");
    assert.equal(r.candidates[2].status, "available");
    assert.equal(r.candidates[2].detail, "installed; not tried: cpu was requested");
    assert.equal(await initBackend(), r, "same request, same report");
  } finally {
    delete process.env.BERT_LAB_BACKEND;
  }
});

test("prefer wins over BERT_LAB_BACKEND, case-insensitively", async () => {
  process.env.BERT_LAB_BACKEND = "cpu";
  try {
    const r = await initBackend({ prefer: "WASM", quiet: true });
    assert.equal(r.chosen, "wasm");
    assert.equal(r.requestedBy, "prefer");
    assert.equal(tf.getBackend(), "wasm");
  } finally {
    delete process.env.BERT_LAB_BACKEND;
  }
});
