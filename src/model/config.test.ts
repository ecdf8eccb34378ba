import { test } from "node:test";
import assert from "node:assert/strict";
import { BertLabError } from "../util/errors";
import { bertConfig, configFromHf, configToHf, countParams, PRESETS } from "./config";

test("presets are the published sizes, intermediate 4H, vocab 30522, 512 positions, 2 segments", () => {
  const want: Record<string, [number, number, number]> = {
    tiny: [2, 128, 2], mini: [4, 256, 4], small: [4, 512, 8], medium: [8, 512, 8], base: [12, 768, 12], large: [24, 1024, 16],
  };
  for (const [name, [L, H, A]] of Object.entries(want)) {
    const c = PRESETS[name as keyof typeof PRESETS];
    assert.deepEqual([c.numHiddenLayers, c.hiddenSize, c.numAttentionHeads, c.intermediateSize], [L, H, A, 4 * H], name);
    assert.deepEqual([c.vocabSize, c.maxPositionEmbeddings, c.typeVocabSize, c.hiddenAct, c.layerNormEps], [30522, 512, 2, "gelu", 1e-12]);
  }
});

test("parameter counts of the published models (BertModel with pooler; with MLM and NSP heads)", () => {
  assert.deepEqual(countParams(bertConfig("base")), { model: 109_482_240, pretraining: 110_106_428 });
  assert.deepEqual(countParams(bertConfig("large")), { model: 335_141_888, pretraining: 336_226_108 });
});

test("a config that cannot work is refused, naming the field and why", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ hiddenSize: 100, numAttentionHeads: 3 }, /hiddenSize \(100\) must be divisible by numAttentionHeads \(3\)/],
    [{ hiddenAct: "swish2" }, /hiddenAct must be one of gelu, gelu_new/],
    [{ vocabSize: 0 }, /vocabSize must be a positive integer, got 0/],
    [{ numHiddenLayers: 1.5 }, /numHiddenLayers must be a positive integer/],
    [{ hiddenDropoutProb: 1 }, /hiddenDropoutProb must be a probability/],
  ];
  for (const [over, re] of cases) {
    assert.throws(() => bertConfig("tiny", over as object), (e: unknown) => e instanceof BertLabError && e.code === "BAD_CONFIG" && re.test(e.message));
  }
  assert.throws(() => bertConfig("huge" as "tiny"), /unknown preset "huge" — choose one of tiny, mini/);
});

test("HF config.json (snake_case) round trip", () => {
  const c = bertConfig("mini", { vocabSize: 8000, hiddenAct: "gelu_new" });
  const hf = configToHf(c);
  assert.equal(hf.hidden_size, 256);
  assert.equal(hf.num_attention_heads, 4);
  assert.equal(hf.hidden_act, "gelu_new");
  assert.equal(hf.layer_norm_eps, 1e-12);
  assert.equal(hf.model_type, "bert");
  assert.deepEqual(configFromHf(JSON.parse(JSON.stringify(hf))), c);
  // missing fields take BERT's defaults; unknown ones are ignored
  const minimal = configFromHf({ hidden_size: 64, num_attention_heads: 4, num_hidden_layers: 2, intermediate_size: 128, vocab_size: 100, foo: 1 });
  assert.equal(minimal.layerNormEps, 1e-12);
  assert.equal(minimal.maxPositionEmbeddings, 512);
});
