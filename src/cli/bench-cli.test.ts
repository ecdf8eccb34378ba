// `bert-lab bench train`: the JSON line's contract, the text report, the PyTorch peer, bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import { nativeStatus } from "../backend/native";
import { needsTorch } from "../util/find-python";
import { runCli } from "./run-cli.test.helper";

const SMALL = ["--config", "tiny", "--batch-size", "2", "--max-seq-length", "16", "--steps", "2"];

test("bench train --json: one line with tokens_per_second, step_ms, peak_rss_mb, backend, native; nothing leaks", async () => {
  const r = await runCli(["bench", "train", ...SMALL, "--threads", "1", "--json"]);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split("\n");
  assert.equal(lines.length, 1, "exactly one line");
  const j = JSON.parse(lines[0]);
  for (const key of ["tokens_per_second", "step_ms", "peak_rss_mb"]) assert.ok(typeof j[key] === "number" && j[key] > 0, `${key}: ${j[key]}`);
  assert.equal(j.backend, "wasm");
  assert.equal(j.native, nativeStatus().active, "native says whether the native kernels ran");
  assert.equal(j.threads, 1);
  assert.equal(j.step_times_ms.length, 2);
  const expected = (2 * 16 * 1000) / j.step_ms;
  assert.ok(Math.abs(j.tokens_per_second - expected) / expected < 0.01, `tokens/s ${j.tokens_per_second} is batch × length / step time (${expected})`);
  assert.equal(j.tensors_leaked, 0);
  assert.ok(Number.isFinite(j.loss) && j.loss > 0);
});

test("bench train (text) with --profile lists the kernels of one step", async () => {
  const r = await runCli(["bench", "train", ...SMALL, "--profile"]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /pre-training tiny: batch 2 × 16 tokens/);
  assert.match(r.out, /throughput\s+\d+ tokens\/s/);
  assert.match(r.out, /kernels of one step/);
  assert.match(r.out, /BatchMatMul|_FusedMatMul/);
});

test("bench train --peer: PyTorch's step on the same threads, and the ratio", needsTorch(), async () => {
  const r = await runCli(["bench", "train", ...SMALL, "--threads", "1", "--json", "--peer"]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.pytorch.threads, 1);
  assert.ok(j.pytorch.tokens_per_s > 0);
  assert.ok(Math.abs(j.pytorch.ratio - j.tokens_per_second / j.pytorch.tokens_per_s) < 1e-9);
});

test("bench train: bad options are named", async () => {
  const bad = async (args: string[], message: RegExp) => {
    const r = await runCli(["bench", "train", ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: exit code`);
    assert.match(r.err, message);
  };
  await bad(["--config", "huge"], /unknown config preset "huge" — choose one of tiny, mini/);
  await bad(["--batch-size", "0"], /batch size must be an integer ≥ 1, got 0/);
  await bad(["--max-seq-length", "600"], /max sequence length 600 is longer than tiny's 512 positions/);
  await bad(["--batch-size", "6", "--micro-batches", "4"], /micro-batches must be an integer ≥ 1 that divides the batch size 6/);
  await bad(["--threads", "0"], /threads must be an integer ≥ 1, got 0/);
});
