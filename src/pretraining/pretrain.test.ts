import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { embeddedCorpusPath } from "../cli/embedded";
import { trainVocab } from "../tokenization/vocab-trainer";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import type { Vocab } from "../tokenization/vocab";
import { PyRandom } from "../util/py-random";
import { documentsFromFiles } from "../data/documents";
import { createTrainingInstances, DEFAULT_INSTANCE_OPTIONS, instanceToJson } from "./instances";
import { pretrain, PretrainOptions } from "./pretrain";
import { tempFolders } from "../util/temp-folders.test.helper";

const made = tempFolders();
const tmp = () => made("pretrain");
let vocabCache: Vocab | null = null;
/** A WordPiece vocab trained on the embedded corpus (every corpus word is in it). */
function vocab(): Vocab {
  vocabCache ??= trainVocab({ files: [embeddedCorpusPath()] }, { vocabSize: 400, doLowerCase: true }).vocab;
  return vocabCache;
}

/** A tiny BERT on the embedded corpus: small enough for a test, real in every part. */
function options(extra: Partial<PretrainOptions> = {}): PretrainOptions {
  return {
    config: "tiny",
    vocab: vocab(),
    input: [embeddedCorpusPath()],
    steps: 24,
    batchSize: 8,
    maxSeqLength: 32,
    learningRate: 1e-3,
    warmupSteps: 2,
    logEvery: 1,
    dupeFactor: 2,
    ...extra,
  };
}

test("pretrain: MLM loss falls well below ln(vocab) within a few hundred steps (tiny, embedded corpus)", async () => {
  const { result, model } = await pretrain(options({ steps: 300, batchSize: 16, objective: "mlm", logEvery: 10, learningRate: 2e-3, warmupSteps: 20 }));
  const lnV = Math.log(vocab().size);
  const first = result.history[0].mlm_loss;
  const last = result.history[result.history.length - 1].mlm_loss;
  assert.ok(first > 0.85 * lnV, `an untrained model is near ln(V) = ${lnV.toFixed(2)}: ${first}`);
  assert.ok(last < 0.5 * lnV, `after 300 steps the MLM loss should be well below ln(V) = ${lnV.toFixed(2)}: ${last}`);
  assert.ok(result.history[result.history.length - 1].mlm_accuracy > 0.2, "and the masked tokens are often right");
  model.dispose();
});

for (const masking of ["static", "dynamic"] as const) {
  test(`pretrain (${masking}): a run stopped and resumed from its checkpoint has the uninterrupted run's losses`, async () => {
    const whole = await pretrain(options({ masking, windowBytes: 1500 }));
    whole.model.dispose();
    const out = tmp();
    const controller = new AbortController();
    const first = await pretrain(options({ masking, windowBytes: 1500, outDir: out, signal: controller.signal, callbacks: { onStep: (s) => void (s.step === 9 && controller.abort()) } }));
    first.model.dispose();
    assert.equal(first.result.stopped, "interrupted");
    assert.ok(fs.existsSync(path.join(out, "checkpoint-9", "model.safetensors")));
    const second = await pretrain(options({ masking, windowBytes: 1500, outDir: out, resume: true }));
    second.model.dispose();
    assert.equal(second.result.startedFrom, 9);
    const a = whole.result.history.map((h) => h.loss);
    const b = second.result.history.map((h) => h.loss);
    assert.equal(b.length, a.length);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-5, `step ${i + 1}: ${a[i]} uninterrupted, ${b[i]} resumed`);
    assert.ok(a.slice(9).some((x, i) => x !== a[i]), "the losses are not all the same (the check could fail)");
  });
}

for (const objective of ["mlm+nsp", "mlm", "ltr"] as const) {
  test(`pretrain (${objective}): numTensors stays flat over 50 steps, and the metrics name the objective's losses`, async () => {
    const counts: number[] = [];
    const { result, model } = await pretrain(
      options({ objective, steps: 50, masking: objective === "ltr" ? "dynamic" : "static", callbacks: { onStep: () => void counts.push(tf.memory().numTensors) } }),
    );
    assert.equal(counts[49], counts[1], `numTensors grew from ${counts[1]} (step 2) to ${counts[49]} (step 50)`);
    const keys = Object.keys(result.history[0]);
    if (objective === "ltr") assert.ok(keys.includes("lm_loss") && !keys.includes("nsp_loss"), keys.join());
    else assert.ok(keys.includes("mlm_loss") && keys.includes("mlm_accuracy"), keys.join());
    assert.equal(keys.includes("nsp_accuracy"), objective === "mlm+nsp");
    model.dispose();
  });
}

test("pretrain: held-out evaluation is logged as eval_* lines", async () => {
  const out = tmp();
  const { result, model, evalInstances } = await pretrain(options({ outDir: out, holdoutEvery: 3, evalEvery: 8 }));
  model.dispose();
  assert.ok(evalInstances.length > 0);
  assert.deepEqual(result.evals.map((e) => e.step), [8, 16, 24]);
  for (const k of ["eval_loss", "eval_mlm_loss", "eval_mlm_accuracy", "eval_nsp_loss", "eval_nsp_accuracy"]) assert.ok(k in result.evals[0], k);
  const lines = fs.readFileSync(path.join(out, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.filter((l) => "eval_loss" in l).length, 3);
});

test("pretrain: --instances (static) writes exactly what create-pretraining-data makes with the same seed", async () => {
  const out = tmp();
  const file = path.join(out, "instances.jsonl");
  const { model } = await pretrain(options({ steps: 1, instancesOut: file, seed: 7 }));
  model.dispose();
  const tok = new BertTokenizer(vocab(), { doLowerCase: true });
  const docs = documentsFromFiles([embeddedCorpusPath()], tok);
  const want = createTrainingInstances(docs, { ...DEFAULT_INSTANCE_OPTIONS, maxSeqLength: 32, maxPredictionsPerSeq: 5, dupeFactor: 2, vocabWords: vocab().tokens }, new PyRandom(7));
  assert.equal(fs.readFileSync(file, "utf8"), want.map((i) => JSON.stringify(instanceToJson(i)) + "\n").join(""));
});

test("pretrain: bad input fails with a clear error before any step", async () => {
  const dir = tmp();
  const onStep = () => assert.fail("no step may run");
  const bad = (extra: Partial<PretrainOptions>) => pretrain(options({ outDir: path.join(dir, "run"), callbacks: { onStep }, ...extra }));
  await assert.rejects(bad({ input: [path.join(dir, "missing.txt")] }), /corpus file not found: .*missing\.txt/);
  fs.writeFileSync(path.join(dir, "empty.txt"), "");
  await assert.rejects(bad({ input: [path.join(dir, "empty.txt")] }), /corpus file is empty/);
  fs.writeFileSync(path.join(dir, "blank.txt"), "\n\n  \n");
  await assert.rejects(bad({ input: [path.join(dir, "blank.txt")] }), /corpus file is empty: .*blank\.txt/);
  fs.writeFileSync(path.join(dir, "control.txt"), "\u0001\n\n\u0002\n");
  await assert.rejects(bad({ input: [path.join(dir, "control.txt")] }), /no document with any text/);
  fs.writeFileSync(path.join(dir, "one-line-docs.txt"), "the cat sat.\n\nthe dog ran.\n\n");
  await assert.rejects(bad({ input: [path.join(dir, "one-line-docs.txt")] }), /two sentences or more.*--objective mlm/);
  await assert.rejects(bad({ input: [path.join(dir, "one-line-docs.txt")], masking: "dynamic" }), /two sentences or more/);
  fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ vocab_size: 30522, hidden_size: 128, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 512 }));
  await assert.rejects(bad({ config: path.join(dir, "config.json") }), /vocab_size 30522 but .* has 400 tokens/);
  fs.writeFileSync(path.join(dir, "a-file"), "x");
  await assert.rejects(bad({ outDir: path.join(dir, "a-file", "run") }), (e: unknown) => (e as { code: string }).code === "OUT_NOT_WRITABLE");
  await assert.rejects(bad({ maxSeqLength: 1000 }), /exceeds the model's maxPositionEmbeddings 512/);
  await assert.rejects(bad({ batchSize: 6, microBatches: 4 }), /divisible/);
  await assert.rejects(bad({ ratios: { mask: 0.8, random: 0.1, same: 0.2 } }), /sum to 1/);
  assert.ok(!fs.existsSync(path.join(dir, "run", "metrics.jsonl")), "nothing was trained");
});

test("pretrain (dynamic): --instances lists each step's batch once, also across a resume", async () => {
  const out = tmp();
  const file = path.join(out, "batches.jsonl");
  const controller = new AbortController();
  const first = await pretrain(options({ masking: "dynamic", steps: 8, outDir: path.join(out, "run"), instancesOut: file, signal: controller.signal, callbacks: { onStep: (s) => void (s.step === 5 && controller.abort()) } }));
  first.model.dispose();
  // as if a killed run had gone on past its checkpoint, with a torn last line
  fs.appendFileSync(file, JSON.stringify({ step: 6, tokens: ["[CLS]"] }) + "\n{\"step\": 7, \"tok");
  const second = await pretrain(options({ masking: "dynamic", steps: 8, outDir: path.join(out, "run"), instancesOut: file, resume: true }));
  second.model.dispose();
  const steps = fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l).step);
  assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8].flatMap((s) => Array(8).fill(s)));
  const line = JSON.parse(fs.readFileSync(file, "utf8").split("\n")[0]);
  for (const k of ["tokens", "segment_ids", "is_random_next", "masked_lm_positions", "masked_lm_labels"]) assert.ok(k in line, k);
});

test("pretrain: --holdout-every larger than the corpus's document count is an error, not a run without evaluation", async () => {
  for (const masking of ["static", "dynamic"] as const) {
    await assert.rejects(pretrain(options({ outDir: tmp(), holdoutEvery: 100000, evalEvery: 8, masking })), /holdout-every 100000 held out no document: .*--eval-input FILE/);
  }
});
