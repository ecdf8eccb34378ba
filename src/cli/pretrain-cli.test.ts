import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { Writable } from "node:stream";
import { trainVocab } from "../tokenization/vocab-trainer";
import { repoRoot } from "../util/shared-folder";
import { embeddedCorpusPath } from "./embedded";
import { main } from "./main";
import { tempFolders } from "../util/temp-folders.test.helper";

const cli = path.join(repoRoot(), "dist", "src", "cli", "main.js");
const dir = tempFolders()("pretrain-cli");
const vocabFile = path.join(dir, "vocab.txt");
fs.writeFileSync(vocabFile, trainVocab({ files: [embeddedCorpusPath()] }, { vocabSize: 300, doLowerCase: true }).vocab.toText());

const args = (out: string, extra: string[] = []) => [
  cli, "pretrain", "--config", "tiny", "--vocab", vocabFile, "--input", embeddedCorpusPath(), "--out", out,
  "--steps", "12", "--batch-size", "4", "--max-seq-length", "32", "--log-every", "1", "--save-every", "4", "--dupe-factor", "2", ...extra,
];

const losses = (out: string) =>
  fs.readFileSync(path.join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((r) => "loss" in r).map((r) => [r.step, r.loss]);

test("pretrain CLI: killed while writing a checkpoint, it resumes from the previous one and ends as an uninterrupted run", () => {
  const whole = path.join(dir, "whole");
  const ok = spawnSync(process.execPath, args(whole), { encoding: "utf8" });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, /finished step 12\/12/);

  const out = path.join(dir, "killed");
  const killed = spawnSync(process.execPath, args(out), { encoding: "utf8", env: { ...process.env, BERT_LAB_FAULT: "checkpoint@8" } });
  assert.equal(killed.signal, "SIGKILL", `the fault should kill the run: ${killed.stderr}`);
  const left = fs.readdirSync(out);
  assert.ok(left.some((n) => n.startsWith(".checkpoint-8.partial")), `a half-written checkpoint is left: ${left}`);
  assert.ok(left.includes("checkpoint-4") && !left.includes("checkpoint-8"), `${left}`);

  const resumed = spawnSync(process.execPath, args(out, ["--resume"]), { encoding: "utf8" });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /resumed from 4/);
  assert.ok(!fs.readdirSync(out).some((n) => n.includes("partial")), "the half-written folder was cleaned up");
  assert.deepEqual(losses(out), losses(whole), "the same losses, step for step");
});

test("pretrain CLI: Ctrl-C stops at a step boundary, saves a checkpoint, and --resume finishes the run", async () => {
  const out = path.join(dir, "interrupted");
  const child = spawn(process.execPath, args(out, ["--steps", "200", "--save-every", "1000"]), { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let sent = false;
  child.stderr.on("data", (d) => {
    stderr += d;
    if (!sent && /step\s+3 /.test(stderr)) {
      sent = true;
      child.kill("SIGINT");
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /saving a checkpoint/);
  const match = /interrupted at step (\d+)\/200/.exec(stderr);
  assert.ok(match, stderr);
  const step = Number(match[1]);
  assert.ok(fs.existsSync(path.join(out, `checkpoint-${step}`, "trainer_state.json")), `checkpoint-${step} saved`);
  const resumed = spawnSync(process.execPath, args(out, ["--steps", String(step + 3), "--resume"]), { encoding: "utf8" });
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.deepEqual(losses(out).map((r) => r[0]), Array.from({ length: step + 3 }, (_, i) => i + 1));
});

function sink(): { stream: Writable; text: () => string } {
  let text = "";
  return { stream: new Writable({ write: (c, _e, cb) => ((text += c), cb()) }), text: () => text };
}

test("pretrain CLI: bad input is refused with the reason, exit code 2", async () => {
  const run = async (argv: string[]) => {
    const out = sink();
    const err = sink();
    const code = await main(argv, { stdin: process.stdin, stdout: out.stream, stderr: err.stream });
    return { code, err: err.text() };
  };
  const base = args(path.join(dir, "bad")).slice(1);
  const withOption = (name: string, value: string) => base.map((a, i) => (base[i - 1] === name ? value : a));
  let r = await run(withOption("--input", path.join(dir, "nope.txt")));
  assert.equal(r.code, 2);
  assert.match(r.err, /corpus file not found: .*nope\.txt/);
  r = await run([...base, "--objective", "gpt"]);
  assert.match(r.err, /unknown objective "gpt" — choose one of mlm\+nsp, mlm, ltr/);
  r = await run([...base, "--ratios", "0.8,0.2"]);
  assert.match(r.err, /--ratios needs three numbers/);
  r = await run([...base, "--masking", "sometimes"]);
  assert.match(r.err, /--masking must be static or dynamic/);
  r = await run(withOption("--config", "huge"));
  assert.match(r.err, /huge/);
  assert.ok(!fs.existsSync(path.join(dir, "bad", "metrics.jsonl")));
});

test("demo (npm start): pre-trains on the embedded WordNet corpus, fine-tunes it beside random weights, writes the report, replaces only its own folder", async () => {
  const out = path.join(dir, "demo");
  const run = spawnSync(process.execPath, [cli, "demo", "--steps", "6", "--finetune-examples", "64", "--dev-examples", "64", "--out", out], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /finished step 6\/6/);
  assert.match(run.stdout, /next sentence\s+\d+ % of the pairs right; always answering the commoner label \((NotNext|IsNext)\) gets \d+ %/);
  assert.match(run.stdout, /eval at step 6/);
  assert.match(run.stdout, /pre-trained\s+dev accuracy \d+ %/);
  assert.match(run.stdout, /random weights\s+dev accuracy \d+ %/);
  assert.match(run.stdout, /majority class\s+dev accuracy \d+ %/);
  assert.match(run.stdout, /representations mean cosine -?\d\.\d\d between different tokens. final hidden states \(random weights: -?\d\.\d\d\)/);
  assert.ok(fs.existsSync(path.join(out, "checkpoint-6", "model.safetensors")));
  const report = path.join(out, "report.html");
  assert.match(run.stdout, new RegExp(`Report \\(learning curves, attention, results\\): ${report.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  const html = fs.readFileSync(report, "utf8");
  assert.equal((html.match(/<img alt="[^"]*" src="data:image\/svg\+xml;base64,/g) ?? []).length, 3, "pre-training curves, fine-tuning curves, attention");
  assert.match(html, /<td[^>]*>BERT-tiny, random weights<\/td>/);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/, "the report loads nothing");
  const again = spawnSync(process.execPath, [cli, "demo", "--steps", "3", "--finetune-examples", "0", "--out", out], { encoding: "utf8" });
  assert.equal(again.status, 0, again.stderr);
  assert.ok(!fs.existsSync(path.join(out, "checkpoint-6")), "the previous demo was replaced");
  const mine = path.join(dir, "not-a-demo");
  fs.mkdirSync(mine);
  fs.writeFileSync(path.join(mine, "notes.txt"), "keep me");
  const refused = spawnSync(process.execPath, [cli, "demo", "--steps", "3", "--out", mine], { encoding: "utf8" });
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /was not made by bert-lab demo/);
  assert.equal(fs.readFileSync(path.join(mine, "notes.txt"), "utf8"), "keep me");
});
