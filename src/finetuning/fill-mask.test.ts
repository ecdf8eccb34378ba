// fill-mask: [MASK] found as a literal, the MLM softmax read at the mask's position and mapped
// to the right token, sequences decoded, batches equal to single texts, no tensor leaks; and
// `bert-lab fill-mask` end to end on a saved HF folder, with its errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { PassThrough, Readable } from "node:stream";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { parseArgs } from "../cli/args";
import { fillMaskCommand } from "../cli/commands/fill-mask";
import { BertForPreTraining } from "../model/bert-for-pretraining";
import { BertModel, disposeOutput } from "../model/bert-model";
import { bertConfig } from "../model/config";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { BertLabError } from "../util/errors";
import { tempFolders } from "../util/temp-folders.test.helper";
import { cleanUpSpaces, encodeForFillMask, fillMask, fillMaskBatch } from "./fill-mask";

const TOKENS = [
  "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
  "the", "capital", "of", "france", "is", "paris", "par", "##is", "london", "a", "city", ".", ",", "big", "##s",
];
const vocabText = TOKENS.join("\n") + "\n";
const vocab = Vocab.fromText(vocabText, "<test>");
const tok = new BertTokenizer(vocab, { doLowerCase: true });
const config = bertConfig("tiny", { vocabSize: TOKENS.length, hiddenSize: 16, numAttentionHeads: 2, intermediateSize: 32, maxPositionEmbeddings: 16 });
const id = (t: string) => vocab.requireId(t);
const temp = tempFolders();
const tmp = () => temp("fill-mask");

/** A model whose MLM bias makes `token` the guess everywhere (logit + 30). */
function biasedModel(token: string, seed = 3): BertForPreTraining {
  const model = new BertForPreTraining(config, { seed });
  const bias = new Float32Array(config.vocabSize);
  bias[id(token)] = 30;
  tf.tidy(() => model.mlm.bias.assign(tf.tensor1d(bias)));
  return model;
}

const throwsCode = (fn: () => unknown, code: string, re?: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BertLabError, String(e));
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });

test("setup: cpu backend", async () => {
  await tf.setBackend("cpu");
});

test("[MASK] is the mask token, not '[', 'mask', ']'", () => {
  assert.notDeepEqual(tok.tokenize("[MASK]"), ["[MASK]"], "the basic tokenizer alone splits it");
  const e = encodeForFillMask(new BertForPreTraining(config), tok, "the capital of france is [MASK].");
  assert.deepEqual(tok.convertIdsToTokens(e.inputIds), ["[CLS]", "the", "capital", "of", "france", "is", "[MASK]", ".", "[SEP]"]);
  assert.deepEqual(e.maskPositions, [6]);
  const glued = encodeForFillMask(new BertForPreTraining(config), tok, "par[MASK] is big", "a [MASK]");
  assert.deepEqual(tok.convertIdsToTokens(glued.inputIds), ["[CLS]", "par", "[MASK]", "is", "big", "[SEP]", "a", "[MASK]", "[SEP]"]);
  assert.deepEqual(glued.tokenTypeIds, [0, 0, 0, 0, 0, 0, 1, 1, 1]);
  assert.deepEqual(glued.maskPositions, [2, 7]);
});

test("candidates: sorted probabilities read at the mask's position, topK respected", () => {
  const model = new BertForPreTraining(config, { seed: 7 });
  const text = "the capital of france is [MASK].";
  const [only, ...rest] = fillMask(model, tok, text, { topK: 3 });
  assert.equal(rest.length, 0);
  assert.equal(only.position, 6);
  assert.equal(only.candidates.length, 3);
  const scores = only.candidates.map((c) => c.score);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), "best first");
  assert.ok(scores.every((s) => s > 0 && s < 1), `probabilities: ${scores}`);
  assert.ok(scores.reduce((a, b) => a + b) <= 1 + 1e-6);
  for (const c of only.candidates) {
    assert.equal(c.token, vocab.token(c.id));
    assert.ok(c.sequence.includes(c.token.replace(/^##/, "")), `${c.sequence} holds ${c.token}`);
  }
  // the same numbers as the full forward pass's softmax at position 6
  const e = encodeForFillMask(model, tok, text);
  const out = model.forward({ inputIds: [e.inputIds] });
  const probs = tf.tidy(() => tf.softmax(out.mlmLogits!).arraySync() as number[][][])[0][6];
  disposeOutput(out);
  const ranked = probs.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]);
  only.candidates.forEach((c, k) => {
    assert.equal(c.id, ranked[k][1]);
    assert.ok(Math.abs(c.score - ranked[k][0]) < 1e-5);
  });
  // topK above the vocabulary: every token once, probabilities summing to 1
  const all = fillMask(model, tok, text, { topK: 1000 })[0].candidates;
  assert.equal(all.length, TOKENS.length);
  assert.equal(new Set(all.map((c) => c.id)).size, TOKENS.length);
  assert.ok(Math.abs(all.reduce((a, c) => a + c.score, 0) - 1) < 1e-4);
  assert.equal(fillMask(model, tok, text).length, 1);
  assert.equal(fillMask(model, tok, text)[0].candidates.length, 5, "default topK 5");
  model.dispose();
});

test("a bias towards one token ranks it first at every mask, in the right sequence", () => {
  const model = biasedModel("paris");
  const res = fillMask(model, tok, "[MASK] is the capital of [MASK].", { topK: 2 });
  assert.deepEqual(res.map((r) => r.position), [1, 6]);
  for (const r of res) {
    assert.equal(r.candidates[0].token, "paris");
    assert.equal(r.candidates[0].id, id("paris"));
    assert.ok(r.candidates[0].score > 0.99, String(r.candidates[0].score));
  }
  assert.equal(res[0].candidates[0].sequence, "paris is the capital of [MASK].");
  assert.equal(res[1].candidates[0].sequence, "[MASK] is the capital of paris.");
  model.dispose();
  // a continuation piece is glued to the word before it
  const glue = biasedModel("##is");
  const [g] = fillMask(glue, tok, "the capital of france is par[MASK].", { topK: 1 });
  assert.deepEqual(g.candidates.map((c) => [c.token, c.sequence]), [["##is", "the capital of france is paris."]]);
  const [p] = fillMask(glue, tok, "[MASK] is big", { pair: "a city." });
  assert.equal(p.candidates[0].sequence, "##is is big [SEP] a city.");
  glue.dispose();
});

test("fillMaskBatch: padded batches give each text's own answer", () => {
  const model = new BertForPreTraining(config, { seed: 5 });
  const texts = ["the capital of france is [MASK].", "[MASK] is a big city", { text: "paris is [MASK]", pair: "a [MASK] city." }];
  for (const batchSize of [1, 2, 16]) {
    const batch = fillMaskBatch(model, tok, texts, { topK: 4, batchSize });
    assert.equal(batch.length, 3);
    texts.forEach((t, i) => {
      const single = typeof t === "string" ? fillMask(model, tok, t, { topK: 4 }) : fillMask(model, tok, t.text, { topK: 4, pair: t.pair });
      assert.deepEqual(batch[i].map((m) => m.position), single.map((m) => m.position));
      batch[i].forEach((m, k) =>
        m.candidates.forEach((c, j) => {
          assert.equal(c.sequence, single[k].candidates[j].sequence);
          assert.ok(Math.abs(c.score - single[k].candidates[j].score) < 1e-5, `text ${i} mask ${k} rank ${j}`);
        }),
      );
    });
  }
  assert.deepEqual(fillMaskBatch(model, tok, []), []);
  throwsCode(() => fillMaskBatch(model, tok, ["a [MASK]", "no mask"]), "NO_MASK", /text 2 of 2/);
  model.dispose();
});

test("no tensor leaks", () => {
  const model = new BertForPreTraining(config, { seed: 1 });
  fillMask(model, tok, "the [MASK] of france"); // tfjs' own first-use tensors
  const before = tf.memory().numTensors;
  fillMask(model, tok, "the [MASK] of [MASK] is paris.", { topK: 3 });
  fillMaskBatch(model, tok, ["[MASK] is big", "the capital of [MASK] is paris."], { batchSize: 1 });
  assert.throws(() => fillMask(model, tok, "no mask here"));
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test("errors: no mask, too long (by how much), bad topK", () => {
  const model = new BertForPreTraining(config);
  throwsCode(() => fillMask(model, tok, "the capital of france is paris."), "NO_MASK", /\[MASK\]/);
  throwsCode(() => fillMask(model, tok, "the [mask] is lower case"), "NO_MASK");
  // 16 positions: [CLS] + 15 pieces + [SEP] = 17 → 1 too many
  const long = "the capital of france is [MASK] " + "big ".repeat(9);
  throwsCode(() => fillMask(model, tok, long), "TOO_LONG", /17 tokens.*1 more than the model's 16 positions/);
  assert.equal(fillMask(model, tok, "the capital of france is [MASK] " + "big ".repeat(8)).length, 1, "16 fits");
  throwsCode(() => fillMask(model, tok, "[MASK]", { topK: 0 }), "BAD_TOP_K");
  throwsCode(() => fillMask(model, tok, "[MASK]", { topK: 1.5 }), "BAD_TOP_K");
  const noMask = new BertTokenizer(new Vocab(TOKENS.filter((t) => t !== "[MASK]")));
  throwsCode(() => fillMask(model, noMask, "[MASK]"), "NO_SPECIAL");
  model.dispose();
});

test("cleanUpSpaces: as HF's clean_up_tokenization", () => {
  assert.equal(cleanUpSpaces("it is paris . is n't it , ok ? yes !"), "it is paris. isn't it, ok? yes!");
});

/** Runs the command as main.ts does, with captured streams. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const code = await fillMaskCommand.run(parseArgs(argv, fillMaskCommand.spec), { stdin: Readable.from([]), stdout, stderr });
  return { code, out, err };
}

const rejectsCode = (p: Promise<unknown>, code: string, re?: RegExp) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof BertLabError, String(e));
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });

test("bert-lab fill-mask: tables, --json, several texts, a failing text", async () => {
  const dir = tmp();
  const model = biasedModel("paris");
  model.savePretrained(dir, { vocabText });
  model.dispose();
  const before = tf.memory().numTensors;

  const human = await run(["--model", dir, "--backend", "cpu", "--top-k", "3", "the capital of france is [MASK]."]);
  assert.equal(human.code, 0, human.err);
  assert.equal(human.err, "");
  const lines = human.out.split("\n");
  assert.equal(lines[0], "the capital of france is [MASK].");
  assert.match(lines[1], /\[MASK\] \(token 6\)/);
  assert.match(lines[3], /^\s+1\s+paris\s+100 %\s+the capital of france is paris\.$/);
  assert.equal(lines.filter((l) => /^\s+\d\s/.test(l)).length, 3, human.out);

  const json = await run(["--model", dir, "--json", "--top-k", "2", "[MASK] is big", "the [MASK] of [MASK]"]);
  assert.equal(json.code, 0, json.err);
  const rows = json.out.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(rows.length, 2);
  assert.equal(rows[0].text, "[MASK] is big");
  assert.deepEqual(rows[1].masks.map((m: { position: number }) => m.position), [2, 4]);
  assert.deepEqual(Object.keys(rows[1].masks[0].candidates[0]).sort(), ["id", "score", "sequence", "token"]);
  assert.equal(rows[1].masks[1].candidates[0].sequence, "the [MASK] of paris");
  assert.equal(rows[1].masks[1].candidates.length, 2);

  const partly = await run(["--model", dir, "--json", "the [MASK] is big", "no blank here"]);
  assert.equal(partly.code, 1);
  assert.equal(partly.out.trim().split("\n").length, 1, "the good text is still answered");
  assert.match(partly.err, /text 2: no \[MASK\]/);
  assert.match(partly.err, /1 of 2 text\(s\) failed/);
  assert.equal(tf.memory().numTensors, before, "the command frees its model");
});

test("bert-lab fill-mask: errors say what is wrong", async () => {
  const dir = tmp();
  await rejectsCode(run(["--model", path.join(dir, "nope"), "[MASK]"]), "MODEL_NOT_FOUND", /not found/);
  const noVocab = tmp();
  new BertForPreTraining(config).savePretrained(noVocab);
  await rejectsCode(run(["--model", noVocab, "[MASK]"]), "VOCAB_NOT_FOUND", /no vocab\.txt/);
  await rejectsCode(run(["--model", noVocab]), "NO_TEXT");
  await rejectsCode(run(["--model", noVocab, "--top-k", "0", "[MASK]"]), "BAD_OPTION", /--top-k/);
  assert.throws(() => parseArgs(["[MASK]"], fillMaskCommand.spec), /needs --model/);
  // a bare BertModel has no masked-LM head
  const bare = tmp();
  const encoder = new BertModel(config);
  encoder.savePretrained(bare, { vocabText });
  encoder.dispose();
  await rejectsCode(run(["--model", bare, "[MASK]"]), "MISSING_WEIGHTS", /masked-LM head.*--allow-missing/);
  const anyway = await run(["--model", bare, "--allow-missing", "--json", "[MASK]"]);
  assert.equal(anyway.code, 0);
  assert.match(anyway.err, /at random/);
  // too long for the model: an error for that text, exit code 1
  const ok = tmp();
  new BertForPreTraining(config).savePretrained(ok, { vocabText });
  const long = await run(["--model", ok, "[MASK] " + "big ".repeat(20)]);
  assert.equal(long.code, 1);
  assert.match(long.err, /text 1: .*23 tokens.*7 more than the model's 16 positions/);
});
