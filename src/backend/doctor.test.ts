// `bert-lab doctor` (src/cli/commands/doctor.ts), run in-process: text and --json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { parseArgs } from "../cli/args";
import { doctorCommand } from "../cli/commands/doctor";

async function doctor(argv: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (d) => (out += d));
  const code = await doctorCommand.run(parseArgs(argv, doctorCommand.spec), { stdin: new PassThrough(), stdout, stderr: new PassThrough() });
  return { code, out };
}

test("doctor --json: machine, every candidate, the chosen backend and a matMul speed", async () => {
  delete process.env.BERT_LAB_BACKEND;
  const { code, out } = await doctor(["--json"]);
  assert.equal(code, 0);
  const r = JSON.parse(out);
  assert.equal(r.node, process.version);
  assert.ok(r.cpu.cores >= 1 && typeof r.cpu.model === "string");
  assert.deepEqual(r.backend.candidates.map((c: { name: string }) => c.name), ["tensorflow", "webgpu", "wasm", "cpu"]);
  assert.equal(r.backend.candidates.filter((c: { status: string }) => c.status === "chosen").length, 1);
  assert.ok(["tensorflow", "webgpu", "wasm", "cpu"].includes(r.backend.chosen));
  assert.deepEqual(r.matMul.shape, [512, 512, 512]);
  assert.ok(r.matMul.gflops > 0 && r.matMul.products >= 1);
});

test("doctor --backend cpu: text naming the choice, every candidate's status and the speed", async () => {
  const { code, out } = await doctor(["--backend", "cpu"]);
  assert.equal(code, 0);
  assert.match(out, /^node {8}v\d+/m);
  assert.match(out, /^ {2}tensorflow +\S/m);
  assert.match(out, /^ {2}wasm +available/m);
  assert.match(out, /^ {2}cpu +chosen/m);
  assert.match(out, /^chosen {6}cpu \(requested by --backend\)$/m);
  assert.match(out, /^threads {5}1$/m);
  assert.match(out, /^matMul {6}[\d.]+ GFLOP\/s \(512×512×512/m);
});

test("doctor --backend with an unknown name is a BertLabError listing the valid ones", async () => {
  await assert.rejects(doctor(["--backend", "tpu"]), /valid choices: tensorflow, webgpu, wasm, cpu/);
});
