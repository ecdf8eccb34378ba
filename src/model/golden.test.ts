// The model against pytorch-pretrained-BERT's outputs (../shared/golden/golden_model_public.json),
// loaded through the same code a user's `bert-lab forward` uses; every output within 1e-4.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { loadNative, nativeStatus, setNativeEnabled } from "../backend/native";
import { nativeOpsActive, registerNativeKernels } from "../backend/native-kernels";
import { registerWasmFixes } from "../backend/wasm-fixes";
import { needsShared, sharedPath } from "../util/shared-folder";
import { BertForPreTraining } from "./bert-for-pretraining";
import { forwardJson } from "./forward-json";

const FILES = ["golden/golden_model_public.json", "golden/bert_public.safetensors", "golden/bert_public_config.json"];
const skip = FILES.map((f) => needsShared(f).skip).find((s) => s) ?? false;

function maxAbsDiff(got: unknown, want: unknown, path: string): number {
  if (typeof want === "number") {
    assert.equal(typeof got, "number", `${path} is a number`);
    return Math.abs((got as number) - want);
  }
  assert.ok(Array.isArray(want) && Array.isArray(got), `${path} is an array`);
  assert.equal((got as unknown[]).length, (want as unknown[]).length, `${path} length`);
  let m = 0;
  (want as unknown[]).forEach((w, i) => (m = Math.max(m, maxAbsDiff((got as unknown[])[i], w, `${path}[${i}]`))));
  return m;
}

// wasm twice: with the native kernels (native/) and without them (the pure wasm path and its fixes)
const noNative = !nativeStatus().loaded && process.env.CI !== "true" ? `native kernels not available: ${nativeStatus().reason}` : false;
const VARIANTS = [
  { name: "cpu backend", backend: "cpu", native: false, skip },
  { name: "wasm backend, native kernels off", backend: "wasm", native: false, skip },
  { name: "wasm backend, native kernels on", backend: "wasm", native: true, skip: skip || noNative },
];

for (const { name: variant, backend, native, skip } of VARIANTS) {
  test(`every output matches the reference within 1e-4 (${variant})`, { skip }, async () => {
    await tf.setBackend(backend);
    if (backend === "wasm") {
      registerWasmFixes();
      if (native && !loadNative()) assert.fail(`the native kernels must load under CI: ${nativeStatus().reason}`);
      registerNativeKernels();
      setNativeEnabled(native);
      assert.equal(nativeOpsActive(), native);
    }
    const golden = JSON.parse(fs.readFileSync(sharedPath(FILES[0]), "utf8"));
    const { model, report } = BertForPreTraining.fromFiles(sharedPath(FILES[2]), sharedPath(FILES[1]));
    assert.deepEqual(report.initialized, [], "every parameter comes from the checkpoint");
    assert.deepEqual(report.unexpected, []);
    assert.equal(model.store.count(), golden.meta.param_count_BertForPreTraining);
    assert.equal(model.countParams().model, golden.meta.param_count_BertModel);
    const out = forwardJson(model, golden.inputs);
    const names = ["last_hidden_state", "hidden_states", "pooled_output", "attentions", "mlm_logits", "nsp_logits", "mlm_loss", "nsp_loss", "total_loss"];
    for (const name of names) {
      const d = maxAbsDiff(out[name], golden.outputs[name], name);
      assert.ok(d <= 1e-4, `${name}: max abs difference ${d}`);
    }
    assert.deepEqual(Object.keys(golden.outputs).sort(), names.slice().sort(), "the golden file has no output we do not check");
    model.dispose();
  });
}
