// The bert-lab command end to end, as a user (or the held-back checks) runs it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { needsShared, repoRoot, sharedPath } from "../util/shared-folder";
import { COMMANDS } from "./main";
import { tempFolders } from "../util/temp-folders.test.helper";

const tmpFolder = tempFolders();

const MAIN = path.join(repoRoot(), "dist", "src", "cli", "main.js");

function cli(args: string[], input = "") {
  const r = spawnSync(process.execPath, [MAIN, ...args], { input, encoding: "utf8", cwd: repoRoot() });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dir = tmpFolder("cli");
const vocabFile = path.join(dir, "vocab.txt");
fs.writeFileSync(
  vocabFile,
  ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "un", "##aff", "##able", "!", "?", "is", "it", "yes", "."].join("\n") + "\n",
);

test("--help lists every command, and every command has --help", () => {
  const top = cli(["--help"]);
  assert.equal(top.code, 0);
  for (const c of COMMANDS) {
    assert.ok(top.out.includes(c.spec.name), `--help lists ${c.spec.name}`);
    const h = cli([...c.spec.name.split(" "), "--help"]);
    assert.equal(h.code, 0, `${c.spec.name} --help`);
    assert.ok(h.out.includes("Usage: bert-lab " + c.spec.name), h.out);
    for (const opt of Object.keys(c.spec.options)) assert.ok(h.out.includes(`--${opt}`), `${c.spec.name} --help shows --${opt}`);
  }
});

test("tokenize: JSON Lines in, tokens and ids out, no special tokens by default", () => {
  const r = cli(["tokenize", "--vocab", vocabFile], '{"text": "Hello, unaffable world!"}\n{"text": "is it", "text_pair": "yes"}\n');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines[0], { tokens: ["hello", "[UNK]", "un", "##aff", "##able", "world", "!"], ids: [5, 1, 7, 8, 9, 6, 10] });
  assert.deepEqual(lines[1], { tokens: ["is", "it", "yes"], ids: [12, 13, 14] });
});

test("tokenize --special: the pair encoding with type_ids and attention_mask", () => {
  const r = cli(["tokenize", "--vocab", vocabFile, "--special"], '{"text": "is it?", "text_pair": "yes."}\n');
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), {
    tokens: ["[CLS]", "is", "it", "?", "[SEP]", "yes", ".", "[SEP]"],
    ids: [2, 12, 13, 11, 3, 14, 15, 3],
    type_ids: [0, 0, 0, 0, 0, 1, 1, 1],
    attention_mask: [1, 1, 1, 1, 1, 1, 1, 1],
  });
  const padded = cli(["tokenize", "--vocab", vocabFile, "--special", "--max-length", "5", "--pad", "--offsets"], '{"text": "hello"}\n');
  assert.deepEqual(JSON.parse(padded.out), {
    tokens: ["[CLS]", "hello", "[SEP]", "[PAD]", "[PAD]"],
    ids: [2, 5, 3, 0, 0],
    type_ids: [0, 0, 0, 0, 0],
    attention_mask: [1, 1, 1, 0, 0],
    offsets: [null, [0, 5], null, null, null],
  });
});

test("tokenize: a bad line is reported with its number, the others still come out, exit code 1", () => {
  const r = cli(["tokenize", "--vocab", vocabFile], '{"text": "hello"}\n{"text": oops}\n\n{"txt": 1}\n{"text": "world"}\n');
  assert.equal(r.code, 1);
  const out = r.out.trim().split("\n").map((l) => JSON.parse(l).tokens);
  assert.deepEqual(out, [["hello"], ["world"]]);
  assert.match(r.err, /line 2: invalid JSON/);
  assert.match(r.err, /line 4: "text"/);
  assert.doesNotMatch(r.err, /line 3/); // blank lines are skipped
});

test("tokenize: missing or bad vocab and unknown options are clear errors", () => {
  const missing = cli(["tokenize"], "");
  assert.equal(missing.code, 2);
  assert.match(missing.err, /needs --vocab FILE/);
  const notThere = cli(["tokenize", "--vocab", path.join(dir, "nope.txt")], "");
  assert.equal(notThere.code, 2);
  assert.match(notThere.err, /vocab file not found: .*nope\.txt/);
  const unknown = cli(["tokenize", "--vocab", vocabFile, "--lowercase"], "");
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown option --lowercase .*--cased/);
  const noCmd = cli(["tokenise"]);
  assert.equal(noCmd.code, 2);
  assert.match(noCmd.err, /unknown command "tokenise"/);
});

test("vocab train writes a vocab the tokenizer can load, atomically", () => {
  const corpus = path.join(dir, "corpus.txt");
  fs.writeFileSync(corpus, "The cat sat on the mat.\nThe dog sat on the log.\n\nA cat and a dog.\n".repeat(5));
  const out = path.join(dir, "sub", "trained.txt");
  const r = cli(["vocab", "train", "--input", corpus, "--size", "60", "--out", out]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /wrote .*trained\.txt: \d+ tokens/);
  const tokens = fs.readFileSync(out, "utf8").trim().split("\n");
  assert.deepEqual(tokens.slice(0, 5), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
  assert.ok(tokens.length <= 60 && tokens.length > 20, `${tokens.length} tokens`);
  assert.deepEqual(fs.readdirSync(path.dirname(out)), ["trained.txt"]); // no temp file left behind
  const t = cli(["tokenize", "--vocab", out], '{"text": "the cat sat"}\n');
  assert.equal(t.code, 0, t.err);
  assert.ok(!JSON.parse(t.out).tokens.includes("[UNK]"));
  const bad = cli(["vocab", "train", "--input", path.join(dir, "none.txt"), "--size", "60", "--out", out]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /input file not found/);
});

test("walkthrough (npm start) shows every stage offline", () => {
  const r = cli(["walkthrough"]);
  assert.equal(r.code, 0, r.err);
  for (const stage of ["1 clean", "2 space CJK", "3 split on spaces", "4 lower, no accents", "5 split punctuation", "6 WordPiece", "7 ids", "[CLS]", "segment"]) {
    assert.ok(r.out.includes(stage), `walkthrough shows ${stage}`);
  }
  const mine = cli(["walkthrough", "--text", "Ünïcode 東京", "--vocab", vocabFile]);
  assert.equal(mine.code, 0, mine.err);
  assert.ok(mine.out.includes("[unicode] [東] [京]"), mine.out);
});

test("params and forward: the commands the held-back model checks use", { skip: needsShared("golden/golden_model_public.json").skip }, () => {
  const p = cli(["params", "--preset", "base", "--json"]);
  assert.equal(p.code, 0, p.err);
  assert.deepEqual(JSON.parse(p.out), { model: 109482240, pretraining: 110106428 });
  const golden = JSON.parse(fs.readFileSync(sharedPath("golden/golden_model_public.json"), "utf8"));
  const input = path.join(dir, "input.json");
  fs.writeFileSync(input, JSON.stringify(golden.inputs));
  const output = path.join(dir, "out.json");
  const r = cli(["forward", "--config", sharedPath("golden/bert_public_config.json"), "--weights", sharedPath("golden/bert_public.safetensors"), "--input", input, "--output", output]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(fs.readFileSync(output, "utf8"));
  assert.deepEqual(Object.keys(out).sort(), Object.keys(golden.outputs).sort());
  assert.ok(Math.abs(out.total_loss - golden.outputs.total_loss) < 1e-4);
  assert.ok(Math.abs(out.mlm_logits[2][5][17] - golden.outputs.mlm_logits[2][5][17]) < 1e-4);
  fs.writeFileSync(input, JSON.stringify({ input_ids: [[1, 2]], token_type_ids: [[0, 5]] }));
  const bad = cli(["forward", "--config", sharedPath("golden/bert_public_config.json"), "--weights", sharedPath("golden/bert_public.safetensors"), "--input", input, "--output", output]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /tokenTypeIds\[0\]\[1\] = 5 is not a segment id/);
});

test("create-pretraining-data writes the original's instances (the held-back checks' command)", { skip: needsShared("golden/golden_pretraining_public_wwm.json").skip }, () => {
  for (const file of ["golden/golden_pretraining_public.json", "golden/golden_pretraining_public_wwm.json"]) {
    const golden = JSON.parse(fs.readFileSync(sharedPath(file), "utf8"));
    const p = golden.meta.params;
    const out = path.join(dir, "instances.jsonl");
    const r = cli([
      "create-pretraining-data",
      "--input", sharedPath("data/corpus/google-bert-sample/sample_text.txt"),
      "--vocab", sharedPath("data/vocab/bert-base-uncased/vocab.txt"),
      "--output", out,
      "--max-seq-length", String(p.max_seq_length),
      "--max-predictions-per-seq", String(p.max_predictions_per_seq),
      "--masked-lm-prob", String(p.masked_lm_prob),
      "--short-seq-prob", String(p.short_seq_prob),
      "--dupe-factor", String(p.dupe_factor),
      "--random-seed", String(p.random_seed),
      ...(p.do_whole_word_mask ? ["--whole-word-mask"] : []),
    ]);
    assert.equal(r.code, 0, r.err);
    const lines = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines, golden.instances, file);
  }
  const bad = cli(["create-pretraining-data", "--input", path.join(dir, "none.txt"), "--vocab", vocabFile, "--output", path.join(dir, "x.jsonl")]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /corpus file not found: .*none\.txt/);
});
