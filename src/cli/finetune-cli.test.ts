import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { BertForPreTraining } from "../model/bert-for-pretraining";
import { bertConfig } from "../model/config";
import { ensureBackend } from "../backend/select";
import { Vocab } from "../tokenization/vocab";
import { needsShared, sharedPath } from "../util/shared-folder";
import { tempFolders } from "../util/temp-folders.test.helper";
import { main } from "./main";

const tmp = tempFolders();

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const stdout = new Writable({ write: (c, _e, cb) => ((out += c), cb()) });
  const stderr = new Writable({ write: (c, _e, cb) => ((err += c), cb()) });
  const code = await main(argv, { stdin: process.stdin, stdout, stderr });
  return { code, out, err };
}

test("finetune then evaluate (SST-2 slice --from the mirror): eval.json, the best model, the same metric again", needsShared("data/glue/SST-2"), async () => {
  await ensureBackend();
  const vocab = Vocab.fromFile(sharedPath("data/vocab/bert-base-uncased/vocab.txt"));
  const base = tmp("ft-base");
  const m = new BertForPreTraining(bertConfig("tiny", { vocabSize: vocab.size }), { seed: 5 });
  m.savePretrained(base, { vocabText: vocab.toText() });
  m.dispose();
  const out = tmp("ft-out");
  const common = ["--task", "sst2", "--from", sharedPath("data"), "--max-seq-length", "32", "--max-dev-examples", "40"];
  const ft = await run(["finetune", ...common, "--model", base, "--out", out, "--epochs", "1", "--batch-size", "16", "--max-train-examples", "48"]);
  assert.equal(ft.code, 0, ft.err);
  const line = JSON.parse(ft.out.trim());
  assert.equal(line.task, "sst2");
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, "eval.json"), "utf8")).metric, line.metric);
  const ev = await run(["evaluate", ...common, "--model", path.join(out, "best")]);
  assert.equal(ev.code, 0, ev.err);
  assert.deepEqual(JSON.parse(ev.out.trim()).metric, line.metric, "evaluate reproduces the best model's dev metric");
  const notTuned = await run(["evaluate", ...common, "--model", base]);
  assert.equal(notTuned.code, 2);
  assert.match(notTuned.err, /no trained classifier/);
});

test("finetune: tasks not built yet and unknown tasks are named", async () => {
  let r = await run(["finetune", "--task", "conll2003", "--model", "tiny", "--out", tmp("x")]);
  assert.equal(r.code, 2);
  assert.match(r.err, /task conll2003 is not supported here yet/);
  r = await run(["finetune", "--task", "glue", "--model", "tiny", "--out", tmp("x")]);
  assert.match(r.err, /unknown task "glue" — choose one of sst2/);
});
