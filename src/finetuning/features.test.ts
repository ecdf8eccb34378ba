import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { ensureBackend } from "../backend/select";
import { main } from "../cli/main";
import { embeddedCorpusPath } from "../cli/embedded";
import { BertModel, disposeOutput } from "../model/bert-model";
import { bertConfig } from "../model/config";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { trainVocab } from "../tokenization/vocab-trainer";
import { tempFolders } from "../util/temp-folders.test.helper";
import { combineLayers, extractFeatures } from "./features";

const tmp = tempFolders();
const vocab = trainVocab({ files: [embeddedCorpusPath()] }, { vocabSize: 300, doLowerCase: true }).vocab;
const tok = new BertTokenizer(vocab);
const config = bertConfig("tiny", { vocabSize: vocab.size, numHiddenLayers: 4, maxPositionEmbeddings: 32 });

test("extractFeatures: extract_features.py's layers (−1 the last encoder layer), per real token, rounded to 6 decimals", async () => {
  await ensureBackend();
  const model = new BertModel(config, { seed: 3 });
  const rows = extractFeatures(model, tok, ["the model reads text ||| it learns", "a token"], { layers: [-1, 0, "embeddings"], maxSeqLength: 16 });
  assert.deepEqual(rows.map((r) => r.linex_index), [0, 1]);
  const e = tok.encode("the model reads text", "it learns");
  assert.deepEqual(rows[0].features.map((f) => f.token), e.tokens, "[CLS] A [SEP] B [SEP], no padding");
  const out = model.forward({ inputIds: [e.inputIds], tokenTypeIds: [e.tokenTypeIds] }, { outputHiddenStates: true });
  const hs = out.hiddenStates.map((h) => h.arraySync() as number[][][]);
  disposeOutput(out);
  const f = rows[0].features[2];
  assert.deepEqual(f.layers.map((l) => l.index), [-1, 0, "embeddings"]);
  // −1 → layer 4 of 4; 0 → layer 1; the embedding output (rounding 5e-7, padding ~1e-7)
  const expect = [hs[4][0][2], hs[1][0][2], hs[0][0][2]];
  f.layers.forEach((l, j) => l.values.forEach((v, i) => assert.ok(Math.abs(v - expect[j][i]) <= 2e-6, `layer ${l.index}[${i}]: ${v} vs ${expect[j][i]}`)));
  assert.equal(combineLayers(rows[0], "concat")[2].length, 3 * config.hiddenSize);
  const sum = combineLayers(rows[0], "sum")[2];
  assert.ok(Math.abs(sum[0] - (f.layers[0].values[0] + f.layers[1].values[0] + f.layers[2].values[0])) < 1e-9);
  assert.throws(() => extractFeatures(model, tok, ["x"], { layers: [4] }), /layer 4 does not exist: the model has 4 layers/);
  model.dispose();
});

test("bert-lab features writes extract_features.py's JSON Lines", async () => {
  await ensureBackend();
  const dir = tmp("features");
  const model = new BertModel(config, { seed: 4 });
  model.savePretrained(path.join(dir, "model"), { vocabText: vocab.toText() });
  model.dispose();
  fs.writeFileSync(path.join(dir, "input.txt"), "the encoder is a stack of layers\nattention weights ||| a second sentence\n");
  let err = "";
  const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  const code = await main(["features", "--model", path.join(dir, "model"), "--input", path.join(dir, "input.txt"), "--output", path.join(dir, "out.jsonl"), "--layers", "-1,-2", "--max-seq-length", "24"], {
    stdin: process.stdin,
    stdout: sink(() => {}),
    stderr: sink((s) => (err += s)),
  });
  assert.equal(code, 0, err);
  const lines = fs.readFileSync(path.join(dir, "out.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual(Object.keys(lines[1]), ["linex_index", "features"]);
  assert.equal(lines[1].features[0].token, "[CLS]");
  assert.deepEqual(lines[1].features[0].layers.map((l: { index: number }) => l.index), [-1, -2]);
  assert.equal(lines[1].features[0].layers[0].values.length, config.hiddenSize);
});
