import assert from "node:assert/strict";
import { test } from "node:test";
import { cellError, withLastValueHook } from "./launcher";

test("withLastValueHook: a cell with a last value ends by awaiting our hook, and tslab no longer prints it", () => {
  const out = withLastValueHook({ output: "exports.tsLastExpr = 1 + 1;", lastExpressionVar: "tsLastExpr", hasToplevelAwait: false });
  assert.equal(out.lastExpressionVar, undefined);
  assert.equal(out.hasToplevelAwait, true);
  assert.ok(out.output.startsWith("exports.tsLastExpr = 1 + 1;\n"));
  assert.match(out.output, /await globalThis\[Symbol\.for\("bert-lab\.kernel\.lastValue"\)\]\(exports, "tsLastExpr"\);$/);
});

test("withLastValueHook: a cell without a last value is left alone", () => {
  const cell = { output: "exports.x = 1;", lastExpressionVar: undefined, hasToplevelAwait: false };
  assert.deepEqual(withLastValueHook(cell), cell);
});

test("cellError: keeps the message and the cell's frames, drops tslab's and Node's", () => {
  const e = new Error("boom");
  e.stack = [
    "Error: boom",
    "    at evalmachine.<anonymous>:2:7",
    "    at sigintHandlersWrap (node:vm:280:12)",
    "    at Object.execute (/x/node_modules/tslab/dist/executor.js:160:38)",
    "    at train (/x/dist/src/training/trainer.js:10:3)",
    "    at handler.handleExecuteImpl (/x/dist/src/kernel/launcher.js:91:16)",
  ].join("\n");
  assert.equal(cellError(e), "Error: boom\n    at evalmachine.<anonymous>:2:7\n    at train (/x/dist/src/training/trainer.js:10:3)");
  assert.match(String(cellError(new Error("Interrupted asynchronously"))), /^Interrupted: .*train\(\) loop stops at its next step/);
  assert.equal(cellError("not an error"), "not an error");
});
