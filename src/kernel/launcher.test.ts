import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { cellError, serializeSends, withLastValueHook } from "./launcher";

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

test("the kernel exits when the process that started it (JPY_PARENT_PID) is gone: no orphan kernel keeps training", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bert-lab-orphan-"));
  const base = 40000 + Math.floor(Math.random() * 20000);
  const connection = { ip: "127.0.0.1", transport: "tcp", signature_scheme: "hmac-sha256", key: "k", shell_port: base, iopub_port: base + 1, stdin_port: base + 2, control_port: base + 3, hb_port: base + 4 };
  fs.writeFileSync(path.join(dir, "connection.json"), JSON.stringify(connection));
  const parent = spawn("sleep", ["60"]);
  const kernel = spawn(process.execPath, [path.join(__dirname, "launcher.js"), "--config-path", path.join(dir, "connection.json")], { env: { ...process.env, JPY_PARENT_PID: String(parent.pid) }, stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => kernel.on("exit", (code) => resolve(code)));
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(kernel.exitCode, null, "the kernel runs while its parent does");
  parent.kill();
  const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("still running"), 10_000))]);
  if (code === "still running") kernel.kill();
  assert.equal(code, 0, "the kernel exits by itself within a few seconds of its parent");
});

test("serializeSends: one send at a time per socket, in order; a failed send is logged, not thrown", async () => {
  class FakeSocket {
    busy = false;
    sent: unknown[] = [];
    async send(msg: unknown): Promise<void> {
      if (this.busy) throw Object.assign(new Error("Socket is busy writing"), { code: "EBUSY" });
      this.busy = true;
      await new Promise((r) => setTimeout(r, 1));
      if (msg === "bad") {
        this.busy = false;
        throw new Error("bad message");
      }
      this.sent.push(msg);
      this.busy = false;
    }
  }
  serializeSends(FakeSocket.prototype);
  serializeSends(FakeSocket.prototype); // idempotent
  const a = new FakeSocket();
  const b = new FakeSocket();
  const errors: unknown[] = [];
  const saved = console.error;
  console.error = (...x: unknown[]) => void errors.push(x);
  try {
    await Promise.all([...Array.from({ length: 30 }, (_, i) => a.send(i)), b.send("x"), a.send("bad"), a.send("after")]);
  } finally {
    console.error = saved;
  }
  assert.deepEqual(a.sent, [...Array.from({ length: 30 }, (_, i) => i), "after"]);
  assert.deepEqual(b.sent, ["x"]);
  assert.equal(errors.length, 1, "the failed send is reported once");
});
