import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { ensureBackend } from "../backend/select";
import { labelList, readConll } from "../data/conll";
import { BertForPreTraining } from "../model/bert-for-pretraining";
import { BertModel, disposeOutput } from "../model/bert-model";
import { bertConfig } from "../model/config";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { train } from "../training/trainer";
import { BertLabError } from "../util/errors";
import { Rng } from "../util/rng";
import { needsShared, sharedPath } from "../util/shared-folder";
import { tempFolders } from "../util/temp-folders.test.helper";
import { featureBasedTask, finetuneFeatureBased } from "./feature-based";
import { FeatureTagger, loadFeatureTagger, TaggerSettings } from "./feature-tagger";
import { layerChoiceText, layerSlots, parseLayerChoice, TABLE7_CHOICES } from "./layer-choice";
import { extractWordFeatures, WordFeatures } from "./word-features";
import { encodeTagged, TaggedSentence } from "./token-classification";

const tmp = tempFolders();
const VOCAB = "data/vocab/bert-base-uncased/vocab.txt";
const WNUT = "data/ner/wnut17";

const sharedBoth = (): { skip: string | false } => {
  const a = needsShared(VOCAB);
  return a.skip ? a : needsShared(`${WNUT}/wnut17train.conll`);
};

function wnut(): { sentences: TaggedSentence[]; labels: string[] } {
  const sentences = readConll(sharedPath(`${WNUT}/wnut17train.conll`)).sentences;
  return { sentences, labels: labelList(sentences) };
}

/** Sentence n's features as a batch of one: x [1, W, S, F], mask [1, W]. */
function oneSentence(f: WordFeatures, n: number): { x: tf.Tensor4D; mask: tf.Tensor2D } {
  const W = f.labels[n].length;
  return { x: tf.tensor4d(f.values[n], [1, W, f.slices, f.size]), mask: tf.tensor2d(Array.from(f.labels[n], (y) => (y >= 0 ? 1 : 0)), [1, W]) };
}

test("parseLayerChoice: embeddings, one layer, sum, concat, weighted and Table 7's names; bad text names the accepted forms", () => {
  assert.deepEqual(parseLayerChoice("embeddings"), { kind: "single", layer: "embeddings" });
  assert.deepEqual(parseLayerChoice("-1"), { kind: "single", layer: -1 });
  assert.deepEqual(parseLayerChoice(" -2 "), { kind: "single", layer: -2 });
  assert.deepEqual(parseLayerChoice("0"), { kind: "single", layer: 0 });
  assert.deepEqual(parseLayerChoice("sum:-1,-2,-3,-4"), { kind: "sum", layers: [-1, -2, -3, -4] });
  assert.deepEqual(parseLayerChoice("concat: -1, -2, -3, -4"), { kind: "concat", layers: [-1, -2, -3, -4] });
  assert.deepEqual(parseLayerChoice("sum:embeddings,-1"), { kind: "sum", layers: ["embeddings", -1] });
  assert.deepEqual(parseLayerChoice("weighted"), { kind: "weighted" });
  assert.deepEqual(parseLayerChoice("last"), parseLayerChoice("-1"));
  assert.deepEqual(parseLayerChoice("Second-to-Last"), parseLayerChoice("-2"));
  assert.deepEqual(parseLayerChoice("sum-last-4"), parseLayerChoice("sum:-1,-2,-3,-4"));
  assert.deepEqual(parseLayerChoice("concat-last-4"), parseLayerChoice("concat:-1,-2,-3,-4"));
  assert.deepEqual(parseLayerChoice("weighted-all"), { kind: "weighted" });
  for (const text of ["embeddings", "-2", "sum:-1,-2,-3,-4", "concat:-1,-2,-3,-4", "weighted", "sum:embeddings,3"]) {
    assert.equal(layerChoiceText(parseLayerChoice(text)), text, "the canonical text reads back");
  }
  assert.deepEqual(
    TABLE7_CHOICES.map((c) => [c.row, layerChoiceText(parseLayerChoice(c.layers))]),
    [
      ["Embeddings", "embeddings"],
      ["Second-to-Last Hidden", "-2"],
      ["Last Hidden", "-1"],
      ["Weighted Sum Last Four Hidden", "sum:-1,-2,-3,-4"],
      ["Concat Last Four Hidden", "concat:-1,-2,-3,-4"],
      ["Weighted Sum All 12 Layers", "weighted"],
    ],
  );
  for (const bad of ["", "top", "-1.5", "sum:", "sum:-1,,-2", "concat:-1,-1", "mean:-1", "-1,-2", "weighted:3", "layer-1"]) {
    assert.throws(
      () => parseLayerChoice(bad),
      (e: unknown) => e instanceof BertLabError && e.code === "BAD_LAYER_CHOICE" && e.message.includes(JSON.stringify(bad)) && /"concat:-1,-2,-3,-4", "weighted"/.test(e.message) && e.message.includes("concat-last-4"),
      bad,
    );
  }
  // into a model of L = 4 layers: slot 0 is the embedding output
  assert.deepEqual(layerSlots(parseLayerChoice("-1"), 4), [4]);
  assert.deepEqual(layerSlots(parseLayerChoice("0"), 4), [1]);
  assert.deepEqual(layerSlots(parseLayerChoice("embeddings"), 4), [0]);
  assert.deepEqual(layerSlots(parseLayerChoice("concat-last-4"), 4), [4, 3, 2, 1]);
  assert.deepEqual(layerSlots(parseLayerChoice("weighted"), 4), [0, 1, 2, 3, 4]);
  assert.throws(() => layerSlots(parseLayerChoice("-5"), 4), /layer -5 does not exist: the model has 4 layers \(use -4\.\.3, or "embeddings"\)/);
  assert.throws(() => layerSlots(parseLayerChoice("concat-last-4"), 2), /layer -3 does not exist: the model has 2 layers/);
  assert.throws(() => layerSlots(parseLayerChoice("sum:-1,3"), 4), /names one layer twice/);
});

test("extractWordFeatures: each word's features are the model's hidden states at its first piece; sum, concat and weighted combine them; the scalar mix", sharedBoth(), async () => {
  await ensureBackend();
  const tok = new BertTokenizer(Vocab.fromFile(sharedPath(VOCAB)));
  const { sentences, labels } = wnut();
  const sents = sentences.slice(0, 6);
  const config = bertConfig("tiny", { vocabSize: tok.vocab.size, numHiddenLayers: 4, hiddenSize: 32, numAttentionHeads: 2, intermediateSize: 64 });
  const bert = new BertModel(config, { seed: 3 });
  const H = 32;
  const T = 24; // short: some words get no position
  const enc = encodeTagged(tok, sents, labels, T);
  assert.ok(enc.firstPiece.some((f) => f.some((p) => p < 0)), "the slice has words without a position");
  const ids = tf.tensor2d(enc.inputIds, [enc.N, T], "int32");
  const out = bert.forwardTensors(ids, tf.zerosLike(ids), tf.tensor2d(enc.attentionMask, [enc.N, T], "int32"), { outputHiddenStates: true });
  const hs = out.hiddenStates.map((h) => h.arraySync() as number[][][]); // L + 1 of [N, T, H]
  disposeOutput(out);
  tf.dispose(ids);
  const before = tf.memory().numTensors;

  const cases: [string, number, number, (n: number, p: number) => number[]][] = [
    ["-2", 1, H, (n, p) => hs[3][n][p]],
    ["embeddings", 1, H, (n, p) => hs[0][n][p]],
    ["sum:-1,-2,-3,-4", 1, H, (n, p) => hs[4][n][p].map((_, i) => hs[4][n][p][i] + hs[3][n][p][i] + hs[2][n][p][i] + hs[1][n][p][i])],
    ["concat:-1,-2,-3,-4", 1, 4 * H, (n, p) => [...hs[4][n][p], ...hs[3][n][p], ...hs[2][n][p], ...hs[1][n][p]]],
    ["weighted", 5, H, (n, p) => hs.flatMap((h) => h[n][p])],
  ];
  for (const [layers, S, F, expected] of cases) {
    // batches of 4: two forward passes, each cut to its own longest sentence
    const f = extractWordFeatures(bert, tok, sents, { labels, layers, maxSeqLength: T, batchSize: 4 });
    assert.equal(f.layers, layers);
    assert.equal(f.slices, S, `${layers}: states per word`);
    assert.equal(f.size, F, `${layers}: numbers per state`);
    sents.forEach((s, n) => {
      assert.equal(f.values[n].length, s.tokens.length * S * F);
      enc.firstPiece[n].forEach((p, w) => {
        const got = f.values[n].subarray(w * S * F, (w + 1) * S * F);
        if (p < 0) {
          assert.equal(f.labels[n][w], -1);
          assert.ok(got.every((v) => v === 0), `${layers}: a word without a position has zero features`);
          return;
        }
        assert.equal(f.labels[n][w], enc.labels[n * T + p], "the word's label");
        const want = expected(n, p);
        want.forEach((v, i) => assert.ok(Math.abs(got[i] - v) <= 1e-5 * (1 + Math.abs(v)), `${layers}, sentence ${n}, word ${w}, [${i}]: ${got[i]} vs ${v}`));
      });
    });
  }
  assert.equal(tf.memory().numTensors, before, "extraction frees BERT's tensors");
  assert.throws(() => extractWordFeatures(bert, tok, sents, { labels, layers: "-5", maxSeqLength: T }), /layer -5 does not exist: the model has 4 layers/);

  // the scalar mix: equal weights at first, so γ · the mean; then softmax(log k) = k/15
  const f = extractWordFeatures(bert, tok, sents.slice(0, 1), { labels, layers: "weighted", maxSeqLength: T });
  const tagger = new FeatureTagger({ tagger: "linear", layers: "weighted", slices: 5, featureSize: H, hiddenSize: 0, lstmLayers: 0, labels }, 1);
  assert.deepEqual([...tagger.store.vars.keys()].sort(), ["classifier.bias", "classifier.weight", "scalar_mix.gamma", "scalar_mix.weights"]);
  const { x, mask } = oneSentence(f, 0);
  const W = f.labels[0].length;
  const v = f.values[0];
  const mixedWith = (weights: number[], gamma: number) => {
    tagger.store.get("scalar_mix.gamma").assign(tf.tensor1d([gamma]));
    tagger.store.get("scalar_mix.weights").assign(tf.tensor1d(weights));
    const m = tagger.mix(x);
    assert.deepEqual(m.shape, [1, W, H]);
    const got = m.dataSync();
    m.dispose();
    return got;
  };
  const equal = mixedWith([0, 0, 0, 0, 0], 2.5);
  const ramp = mixedWith([1, 2, 3, 4, 5].map(Math.log), 0.5);
  for (let w = 0; w < W; w++) {
    for (let i = 0; i < H; i++) {
      const at = (s: number) => v[(w * 5 + s) * H + i];
      const mean = (at(0) + at(1) + at(2) + at(3) + at(4)) / 5;
      assert.ok(Math.abs(equal[w * H + i] - 2.5 * mean) <= 1e-5, `equal weights: γ · mean at word ${w}, [${i}]`);
      const weighted = [0, 1, 2, 3, 4].reduce((sum, s) => sum + ((s + 1) / 15) * at(s), 0);
      assert.ok(Math.abs(ramp[w * H + i] - 0.5 * weighted) <= 1e-5, `softmax weights k/15 at word ${w}, [${i}]`);
    }
  }
  tf.dispose([x, mask]);
  tagger.dispose();
  bert.dispose();
});

test("BiLSTM tagger: gradients through the time loop match finite differences; masked words change nothing for the real ones", async () => {
  await ensureBackend();
  const settings: TaggerSettings = { tagger: "bilstm", layers: "-1", slices: 1, featureSize: 3, hiddenSize: 4, lstmLayers: 2, labels: ["O", "B-X", "I-X"] };
  const tagger = new FeatureTagger(settings, 5);
  assert.deepEqual(
    [...tagger.store.vars.entries()].map(([n, v]) => `${n} [${v.shape}]`),
    [
      "lstm.0.forward.weight_ih [3,16]", "lstm.0.forward.weight_hh [4,16]", "lstm.0.forward.bias [16]",
      "lstm.0.backward.weight_ih [3,16]", "lstm.0.backward.weight_hh [4,16]", "lstm.0.backward.bias [16]",
      "lstm.1.forward.weight_ih [8,16]", "lstm.1.forward.weight_hh [4,16]", "lstm.1.forward.bias [16]",
      "lstm.1.backward.weight_ih [8,16]", "lstm.1.backward.weight_hh [4,16]", "lstm.1.backward.bias [16]",
      "classifier.weight [8,3]", "classifier.bias [3]",
    ],
  );
  // the recurrent kernels start orthogonal, gate by gate: Qᵀ·Q = I
  const whh = tagger.store.get("lstm.0.forward.weight_hh").arraySync() as number[][];
  for (let g = 0; g < 4; g++) {
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) {
      const dot = whh.reduce((s, row) => s + row[g * 4 + a] * row[g * 4 + b], 0);
      assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-5, `gate ${g}: columns ${a}·${b} = ${dot}`);
    }
  }
  const rng = new Rng(7);
  const normal = (n: number) => Array.from({ length: n }, () => rng.normal());
  const x = tf.tensor4d(normal(2 * 5 * 3), [2, 5, 1, 3]);
  const mask = tf.tensor2d([[1, 1, 1, 1, 1], [1, 0, 1, 1, 0]], [2, 5]);
  const r = tf.tensor3d(normal(2 * 5 * 3), [2, 5, 3]);
  const f = () => tf.tidy(() => tf.sum(tf.mul(tagger.logits(x, mask), r)) as tf.Scalar);
  const vars = [...tagger.store.vars.values()];
  const { value, grads } = tf.variableGrads(f, vars);
  value.dispose();
  for (const [name, v] of tagger.store.vars) {
    const g = grads[v.name];
    assert.ok(g, `a gradient for ${name}`);
    assert.ok(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) > 1e-4, `the gradient reaches ${name}`);
  }
  const eps = 1e-2;
  const at = (v: tf.Variable, i: number, value: number) => {
    const data = Float32Array.from(v.dataSync() as Float32Array);
    data[i] = value;
    const t = tf.tensor(data, v.shape);
    v.assign(t);
    t.dispose();
  };
  const lossNow = () => {
    const l = f();
    const y = l.dataSync()[0];
    l.dispose();
    return y;
  };
  for (const [name, i] of [["lstm.0.forward.weight_hh", 5], ["lstm.0.backward.weight_ih", 9], ["lstm.1.forward.bias", 4], ["lstm.1.backward.weight_hh", 30], ["classifier.weight", 7]] as const) {
    const v = tagger.store.get(name);
    const x0 = v.dataSync()[i];
    at(v, i, x0 + eps);
    const up = lossNow();
    at(v, i, x0 - eps);
    const down = lossNow();
    at(v, i, x0);
    const numeric = (up - down) / (2 * eps);
    const analytic = grads[v.name].dataSync()[i];
    assert.ok(Math.abs(numeric - analytic) <= 2e-3 + 2e-2 * Math.abs(analytic), `${name}[${i}]: finite differences ${numeric} vs tf.variableGrads ${analytic}`);
  }
  tf.dispose(Object.values(grads));

  // padding: the real words [a, b, c] give the same logits alone, and with masked words between and after them
  const words = normal(3 * 3);
  const junk = normal(3 * 3).map((v) => 10 * v);
  const alone = tagger.logits(tf.tensor4d(words, [1, 3, 1, 3]), tf.tensor2d([[1, 1, 1]]));
  const padded = tagger.logits(
    tf.tensor4d([...words.slice(0, 6), ...junk.slice(0, 3), ...words.slice(6), ...junk.slice(3)], [1, 6, 1, 3]),
    tf.tensor2d([[1, 1, 0, 1, 0, 0]]),
  );
  const a = alone.arraySync()[0];
  const p = padded.arraySync()[0];
  [0, 1, 3].forEach((t, k) => p[t].forEach((v, j) => assert.ok(Math.abs(v - a[k][j]) <= 1e-6, `real word ${k}: ${v} vs ${a[k][j]}`)));
  const changed = tagger.logits(tf.tensor4d([...words.slice(0, 6), ...junk.slice(0, 3), ...words.slice(6), ...junk.slice(3)], [1, 6, 1, 3]), tf.tensor2d([[1, 1, 1, 1, 0, 0]]));
  assert.ok(Math.abs(changed.arraySync()[0][3][0] - a[2][0]) > 1e-4, "an unmasked word in between does change its neighbours (the check can fail)");
  tf.dispose([alone, padded, changed, x, mask, r]);
  tagger.dispose();

  // directions (one layer): the forward half at word t sees words ≤ t only, the backward half words ≥ t only
  const one = new FeatureTagger({ ...settings, lstmLayers: 1 }, 6);
  const encodeOf = (xs: number[]) => tf.tidy(() => one.encode(tf.tensor3d(xs, [1, 4, 3]), tf.ones([1, 4]) as tf.Tensor2D).arraySync()[0]); // [4, 2h]
  const seq = normal(4 * 3);
  const base = encodeOf(seq);
  const lastChanged = encodeOf([...seq.slice(0, 9), 5, -5, 5]);
  const firstChanged = encodeOf([5, -5, 5, ...seq.slice(3)]);
  const differs = (a: number[], b: number[]) => a.some((v, i) => Math.abs(v - b[i]) > 1e-6);
  for (let t = 0; t < 3; t++) {
    assert.ok(!differs(lastChanged[t].slice(0, 4), base[t].slice(0, 4)), `forward at word ${t} does not see the last word`);
    assert.ok(differs(lastChanged[t].slice(4), base[t].slice(4)), `backward at word ${t} sees the last word`);
    assert.ok(!differs(firstChanged[t + 1].slice(4), base[t + 1].slice(4)), `backward at word ${t + 1} does not see the first word`);
    assert.ok(differs(firstChanged[t + 1].slice(0, 4), base[t + 1].slice(0, 4)), `forward at word ${t + 1} sees the first word`);
  }
  one.dispose();
});

test("feature-based NER on a WNUT-17 slice: BERT stays bit-identical, the loss falls, numTensors flat, entity F1, save → load → same predictions", sharedBoth(), async () => {
  await ensureBackend();
  const tok = new BertTokenizer(Vocab.fromFile(sharedPath(VOCAB)));
  const { sentences, labels } = wnut();
  const slice = sentences.filter((s) => s.tags.some((t) => t !== "O")).slice(0, 16);
  const bert = new BertModel(bertConfig("tiny", { vocabSize: tok.vocab.size }), { seed: 2, prefix: "bert." });
  const frozen = new Map([...bert.store.vars].map(([n, v]) => [n, Float32Array.from(v.dataSync() as Float32Array)]));
  const options = { labels, layers: "sum:-1,-2", tagger: "bilstm" as const, hiddenSize: 32, batchSize: 8, maxSeqLength: 48, seed: 1, bertName: "tiny (random)" };
  const task = featureBasedTask(bert, tok, slice, slice, options);
  assert.ok([...task.params.keys()].every((n) => n.startsWith("lstm.") || n.startsWith("classifier.")), "only the tagger trains");
  assert.equal(task.stepsPerEpoch, 2);
  const counts: number[] = [];
  const r = await train(task, { steps: 80, learningRate: 1e-2, warmupSteps: 8, logEvery: 10, callbacks: { onStep: () => void counts.push(tf.memory().numTensors) } });
  const losses = r.history.map((h) => h.loss);
  assert.ok(losses[losses.length - 1] < 0.3 * losses[0], `the loss falls: ${losses.join(" ")}`);
  assert.equal(counts[79], counts[2], "numTensors flat across steps");
  const f1 = r.evals[r.evals.length - 1].eval_f1;
  assert.ok(f1 >= 0 && f1 <= 1, `entity F1 ${f1}`);
  assert.ok(f1 >= 0.5, `the tagger learns the 16 sentences it trains on (dev = train here): entity F1 ${f1}`);
  for (const [n, v] of bert.store.vars) assert.deepEqual(v.dataSync(), frozen.get(n), `BERT's ${n} did not change`);
  const tags = task.predictTags(task.devFeatures);
  tags.forEach((t, i) => assert.equal(t.length, slice[i].tokens.length));
  assert.ok(tags.flat().every((t) => labels.includes(t)));
  assert.deepEqual(task.predictTags(slice.slice(0, 3)), tags.slice(0, 3), "from sentences: extracted, then tagged");

  const dir = tmp("feature-tagger");
  task.saveModel(dir);
  const json = JSON.parse(fs.readFileSync(path.join(dir, "tagger.json"), "utf8"));
  assert.equal(json.tagger, "bilstm");
  assert.equal(json.layers, "sum:-1,-2");
  assert.equal(json.bert, "tiny (random)");
  assert.deepEqual(json.labels, labels);
  const other = featureBasedTask(bert, tok, slice, slice, { ...options, seed: 99 });
  const logitsOf = (t: typeof task) => {
    const { x, mask } = oneSentence(t.devFeatures, 0);
    const l = t.tagger.logits(x, mask);
    const out = Array.from(l.dataSync());
    tf.dispose([x, mask, l]);
    return out;
  };
  assert.notDeepEqual(logitsOf(other), logitsOf(task), "another seed, another tagger");
  other.loadModel(dir);
  assert.deepEqual(logitsOf(other), logitsOf(task), "the loaded tagger computes the same logits");
  assert.deepEqual(other.predictTags(other.devFeatures), tags);
  const loaded = loadFeatureTagger(dir);
  assert.deepEqual(loaded.settings, task.tagger.settings);
  loaded.dispose();
  const linear = new FeatureTagger({ ...task.tagger.settings, tagger: "linear" });
  assert.throws(() => linear.loadWeights(dir), /made for other settings \(tagger: "bilstm" there, "linear" here/);
  linear.dispose();
  assert.throws(() => loadFeatureTagger(tmp("empty")), /no tagger\.json in/);
  other.dispose();
  task.dispose();
  bert.dispose();
});

test("finetuneFeatureBased on WNUT-17 from a pre-trained folder: an evaluation each epoch, the best tagger, eval.json; errors named", sharedBoth(), async () => {
  await ensureBackend();
  const vocab = Vocab.fromFile(sharedPath(VOCAB));
  const pretrained = tmp("fb-base");
  const base = new BertForPreTraining(bertConfig("tiny", { vocabSize: vocab.size }), { seed: 4 });
  base.savePretrained(pretrained, { vocabText: vocab.toText() });
  base.dispose();
  const out = tmp("fb-wnut17");
  const evals: number[] = [];
  const before = tf.memory().numTensors;
  const r = await finetuneFeatureBased({
    task: "wnut17",
    data: sharedPath(WNUT),
    model: pretrained,
    outDir: out,
    epochs: 2,
    batchSize: 16,
    maxSeqLength: 32,
    maxTrainExamples: 32,
    maxDevExamples: 16,
    layers: "weighted-all",
    tagger: "linear",
    callbacks: { onEval: (e) => void evals.push(e.step) },
  });
  assert.equal(tf.memory().numTensors, before, "BERT and the tagger are freed");
  assert.deepEqual(evals, [2, 4], "an evaluation after each epoch of 2 steps");
  assert.equal(r.layers, "weighted");
  assert.equal(r.tagger, "linear");
  const written = JSON.parse(fs.readFileSync(path.join(out, "eval.json"), "utf8"));
  assert.deepEqual(Object.keys(written), ["task", "metric", "epoch", "step", "seconds", "layers", "tagger"]);
  assert.deepEqual(Object.keys(written.metric), ["f1", "precision", "recall"]);
  assert.equal(written.metric.f1, r.best!.metrics.f1);
  assert.equal(written.layers, "weighted");
  const tagger = loadFeatureTagger(r.bestDir);
  assert.deepEqual([...tagger.store.vars.keys()].sort(), ["classifier.bias", "classifier.weight", "scalar_mix.gamma", "scalar_mix.weights"]);
  assert.equal(tagger.settings.slices, 3, "the embedding output and 2 layers");
  tagger.dispose();

  const common = { data: sharedPath(WNUT), model: pretrained, outDir: tmp("fb-x"), maxTrainExamples: 4, maxDevExamples: 4 };
  await assert.rejects(finetuneFeatureBased({ ...common, task: "sst2" }), /the feature-based approach is for NER: task must be one of wnut17/);
  await assert.rejects(finetuneFeatureBased({ ...common, task: "wnut17", layers: "middle" }), /layer choice "middle": unknown form|"middle" is not a layer/);
  await assert.rejects(finetuneFeatureBased({ ...common, task: "wnut17", layers: "concat-last-4" }), /layer -3 does not exist: the model has 2 layers/);
  await assert.rejects(finetuneFeatureBased({ ...common, task: "wnut17", tagger: "crf" as "linear" }), /unknown tagger "crf" — choose bilstm or linear/);
  await assert.rejects(finetuneFeatureBased({ ...common, task: "wnut17", model: "tiny" }), /needs --vocab/);
  assert.equal(tf.memory().numTensors, before, "a refused run frees what it made");
});

test("learnability: on frozen random-BERT features a linear tagger learns a word list, and only the BiLSTM learns a tag that depends on the previous word", needsShared(VOCAB), async () => {
  await ensureBackend();
  const tok = new BertTokenizer(Vocab.fromFile(sharedPath(VOCAB)));
  const words = ["cat", "dog", "house", "tree", "car", "book", "river", "stone", "bird", "fish", "green", "blue", "red", "small", "big", "old", "new", "fast", "slow", "happy", "sad", "run", "jump", "walk"];
  words.forEach((w) => assert.equal(tok.tokenizeToIds(w).length, 1, `${w} is one piece`));
  const listed = new Set(words.slice(0, 12));
  const rng = new Rng(3);
  const make = (n: number, tagOf: (ws: string[], i: number) => string): TaggedSentence[] =>
    Array.from({ length: n }, () => {
      const ws = Array.from({ length: rng.randint(4, 8) }, () => rng.choice(words));
      return { tokens: ws, tags: ws.map((_, i) => tagOf(ws, i)) };
    });
  const inList = (ws: string[], i: number) => (listed.has(ws[i]) ? "B-X" : "O");
  const afterList = (ws: string[], i: number) => (i > 0 && listed.has(ws[i - 1]) ? "B-X" : "O");
  const labels = ["O", "B-X"];
  const bert = new BertModel(bertConfig("tiny", { vocabSize: tok.vocab.size }), { seed: 6 });
  const accuracyOf = async (data: TaggedSentence[], held: TaggedSentence[], layers: string, tagger: "linear" | "bilstm", steps: number) => {
    const task = featureBasedTask(bert, tok, data, held, { labels, layers, tagger, hiddenSize: 16, batchSize: 16, maxSeqLength: 16, seed: 2 });
    await train(task, { steps, learningRate: 1e-2, warmupSteps: Math.trunc(steps / 10), logEvery: steps });
    const predicted = task.predictTags(task.devFeatures).flat();
    const truth = held.flatMap((s) => s.tags);
    task.dispose();
    const acc = predicted.filter((t, i) => t === truth[i]).length / truth.length;
    return acc;
  };
  const listTrain = make(240, inList);
  const listHeld = make(60, inList);
  const linearOnList = await accuracyOf(listTrain, listHeld, "-1", "linear", 60);
  assert.ok(linearOnList >= 0.95, `linear tagger, word in the list: accuracy ${linearOnList}`);
  const nextTrain = make(240, afterList);
  const nextHeld = make(60, afterList);
  const lstmOnNext = await accuracyOf(nextTrain, nextHeld, "embeddings", "bilstm", 90);
  const linearOnNext = await accuracyOf(nextTrain, nextHeld, "embeddings", "linear", 90);
  assert.ok(lstmOnNext >= 0.9, `BiLSTM on the embedding output, previous word in the list: accuracy ${lstmOnNext}`);
  assert.ok(linearOnNext <= 0.8, `a linear tagger cannot see the previous word in the embedding output: accuracy ${linearOnNext}`);
  bert.dispose();
});
