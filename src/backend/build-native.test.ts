// scripts/build-native.cjs (the install step) never fails the install: a missing compiler or
// BERT_LAB_NATIVE=0 is one line naming what to do, exit code 0 (1 with --strict). These cases
// stop before node-gyp runs, so the real build is left alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../util/shared-folder";

const SCRIPT = path.join(repoRoot(), "scripts", "build-native.cjs");

function run(env: Record<string, string>, args: string[] = []) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
}

test("build-native: no compiler, or BERT_LAB_NATIVE=0: one line, the install goes on; --strict fails", () => {
  const before = fs.existsSync(path.join(repoRoot(), "native", "build", "Release", "bert_lab_native.node"));
  const noCompiler = run({ CXX: "/nonexistent/g++" });
  assert.equal(noCompiler.status, 0, noCompiler.stderr);
  assert.match(noCompiler.stdout, /^bert-lab: native kernels not built \(the C\+\+ compiler \$CXX names \(\/nonexistent\/g\+\+\) is not there\); training uses the pure wasm kernels/);
  assert.equal(noCompiler.stdout.trim().split("\n").length, 1, "one line");
  const off = run({ BERT_LAB_NATIVE: "0" });
  assert.equal(off.status, 0);
  assert.match(off.stdout, /not built \(BERT_LAB_NATIVE=0\)/);
  const strict = run({ CXX: "/nonexistent/g++" }, ["--strict"]);
  assert.equal(strict.status, 1, "npm run build:native fails loudly");
  assert.equal(fs.existsSync(path.join(repoRoot(), "native", "build", "Release", "bert_lab_native.node")), before, "the existing build is untouched");
});
