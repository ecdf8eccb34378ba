// The pre-training objectives (Table 5: mlm+nsp, mlm, ltr) on a tiny model (cpu backend),
// checked against BertForPreTraining.forward and hand computations: where the LM loss is
// taken, what it predicts, that ltr is causal, the statistics, and collateBatch's errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { BertForPreTraining, IGNORE_INDEX } from "../model/bert-for-pretraining";
import { disposeOutput } from "../model/bert-model";
import { bertConfig } from "../model/config";
import { Vocab } from "../tokenization/vocab";
import { BertLabError } from "../util/errors";
import { Rng } from "../util/rng";
import { collateBatch, PretrainingBatch } from "./batch";
import type { TrainingInstance } from "./instances";
import { maskTokens } from "./masking";
import { checkObjective, Objective, pretrainingLoss } from "./objectives";

const WORDS = Array.from({ length: 55 }, (_, i) => `w${i}`);
const vocab = new Vocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ...WORDS]); // 60 tokens
// initializerRange 0.2 (BERT: 0.02) so attention is far from uniform at initialisation and what a
// token sees (or does not) shows clearly in the outputs
const config = bertConfig("tiny", { vocabSize: 60, numHiddenLayers: 1, hiddenSize: 32, numAttentionHeads: 2, intermediateSize: 64, initializerRange: 0.2 });
const T = 16;

/** [CLS] a [SEP] b [SEP] with random words; masked (maskTokens) unless `masked` is false. */
function instance(aLength: number, bLength: number, isRandomNext: boolean, rng: Rng, masked = true): TrainingInstance {
  const word = () => WORDS[rng.randint(0, WORDS.length - 1)];
  const tokens = ["[CLS]", ...Array.from({ length: aLength }, word), "[SEP]", ...Array.from({ length: bLength }, word), "[SEP]"];
  const segmentIds = tokens.map((_, k) => (k < aLength + 2 ? 0 : 1));
  if (!masked) return { tokens, segmentIds, isRandomNext, maskedLmPositions: [], maskedLmLabels: [], replacements: [] };
  const m = maskTokens(tokens, { maskedLmProb: 0.3, maxPredictionsPerSeq: 5, vocabWords: WORDS }, rng);
  return { tokens: m.tokens, segmentIds, isRandomNext, maskedLmPositions: m.positions, maskedLmLabels: m.labels, replacements: m.replacements };
}

/** Three instances of different lengths (so the batch has padding), masked. */
function maskedInstances(seed: number): TrainingInstance[] {
  const rng = new Rng(seed);
  return [instance(3, 4, false, rng), instance(5, 6, true, rng), instance(2, 2, false, rng)];
}

const rows = (a: Int32Array, B: number): number[][] => Array.from({ length: B }, (_, b) => Array.from(a.subarray(b * T, (b + 1) * T)));

/** forward's inputs for a batch, with MLM labels built from the instances themselves (−100 elsewhere). */
function forwardInput(batch: PretrainingBatch, instances: readonly TrainingInstance[], labels: "masked" | "every" = "masked") {
  const maskedLmLabels = instances.map((inst) => {
    const row = new Array<number>(T).fill(IGNORE_INDEX);
    if (labels === "masked") inst.maskedLmPositions.forEach((p, k) => (row[p] = vocab.ids.get(inst.maskedLmLabels[k])!));
    else {
      // the original token at every real position: what a loss over all positions would use
      const original = inst.tokens.slice();
      inst.maskedLmPositions.forEach((p, k) => (original[p] = inst.maskedLmLabels[k]));
      original.forEach((t, i) => (row[i] = vocab.ids.get(t)!));
    }
    return row;
  });
  return {
    inputIds: rows(batch.inputIds, batch.B),
    tokenTypeIds: rows(batch.tokenTypeIds, batch.B),
    attentionMask: rows(batch.attentionMask, batch.B),
    maskedLmLabels,
    nextSentenceLabel: instances.map((i) => (i.isRandomNext ? 1 : 0)),
  };
}

/** The forward pass's losses for that input. */
function forwardLosses(model: BertForPreTraining, batch: PretrainingBatch, instances: readonly TrainingInstance[], labels: "masked" | "every" = "masked") {
  const out = model.forward(forwardInput(batch, instances, labels));
  const r = { mlm: out.mlmLoss!.dataSync()[0], nsp: out.nspLoss!.dataSync()[0] };
  disposeOutput(out);
  return r;
}

/** pretrainingLoss's value, the tensor disposed. */
function lossOf(model: BertForPreTraining, batch: PretrainingBatch, objective: Objective) {
  const { loss, stats } = pretrainingLoss(model, batch, objective, { training: false });
  const value = loss.dataSync()[0];
  loss.dispose();
  return { value, stats };
}

const bertLabError = (code: string, ...words: RegExp[]) => (e: unknown) => {
  assert.ok(e instanceof BertLabError, `a BertLabError, got ${String(e)}`);
  assert.equal(e.code, code);
  for (const w of words) assert.match(e.message, w);
  return true;
};

const newModel = (seed = 1) => new BertForPreTraining(config, { seed });

test("setup: cpu backend", async () => {
  await tf.setBackend("cpu");
  assert.equal(tf.getBackend(), "cpu");
});

test("mlm: the loss is computed only at the selected positions (= forward's mlmLoss with −100 elsewhere)", () => {
  const model = newModel();
  const instances = maskedInstances(4);
  assert.ok(instances.every((i) => i.maskedLmPositions.length > 0));
  const batch = collateBatch(instances, vocab, { maxSeqLength: T, objective: "mlm" });
  const before = tf.memory().numTensors;
  const mlm = lossOf(model, batch, "mlm");
  assert.equal(tf.memory().numTensors, before, "no tensor leaks");
  const reference = forwardLosses(model, batch, instances);
  assert.ok(Math.abs(mlm.value - reference.mlm) < 1e-5, `pretrainingLoss ${mlm.value} vs forward ${reference.mlm}`);
  assert.ok(Math.abs(mlm.stats.mlmLoss - mlm.value) < 1e-6);
  assert.equal(mlm.stats.nspCount, 0, "no NSP in the mlm objective");
  // a loss over every position would be another number
  const everywhere = forwardLosses(model, batch, instances, "every");
  assert.ok(Math.abs(mlm.value - everywhere.mlm) > 1e-3, `not the all-positions loss ${everywhere.mlm}`);

  // an input token at an unmasked position is context: changing it changes the loss
  const context = instances.map((i) => ({ ...i, tokens: i.tokens.slice() }));
  const p = context[0].tokens.findIndex((t, k) => k > 0 && t !== "[SEP]" && !context[0].maskedLmPositions.includes(k));
  assert.ok(p > 0);
  context[0].tokens[p] = context[0].tokens[p] === "w0" ? "w1" : "w0";
  const changedContext = lossOf(model, collateBatch(context, vocab, { maxSeqLength: T, objective: "mlm" }), "mlm").value;
  assert.ok(Math.abs(changedContext - mlm.value) > 1e-4, "context matters");

  // a label at a masked position is predicted: changing it changes the loss
  const relabelled = instances.map((i) => ({ ...i, maskedLmLabels: i.maskedLmLabels.slice() }));
  relabelled[1].maskedLmLabels[0] = relabelled[1].maskedLmLabels[0] === "w7" ? "w8" : "w7";
  assert.ok(Math.abs(lossOf(model, collateBatch(relabelled, vocab, { maxSeqLength: T, objective: "mlm" }), "mlm").value - mlm.value) > 1e-4);

  // the NSP label (which collateBatch makes, and only mlm+nsp uses) cannot change the mlm loss
  const flipped = instances.map((i) => ({ ...i, isRandomNext: !i.isRandomNext }));
  const flippedBatch = collateBatch(flipped, vocab, { maxSeqLength: T, objective: "mlm" });
  assert.notDeepEqual(flippedBatch.nspLabels, batch.nspLabels);
  assert.equal(lossOf(model, flippedBatch, "mlm").value, mlm.value);
  // …but it does change the BERT loss
  assert.ok(Math.abs(lossOf(model, flippedBatch, "mlm+nsp").value - lossOf(model, batch, "mlm+nsp").value) > 1e-6);
  model.dispose();
});

test("mlm+nsp: loss = forward's mlmLoss + nspLoss; the statistics carry both parts", () => {
  const model = newModel(2);
  const instances = maskedInstances(5);
  const batch = collateBatch(instances, vocab, { maxSeqLength: T, objective: "mlm+nsp" });
  const both = lossOf(model, batch, "mlm+nsp");
  const reference = forwardLosses(model, batch, instances);
  assert.ok(Math.abs(both.value - (reference.mlm + reference.nsp)) < 1e-5, `${both.value} vs ${reference.mlm} + ${reference.nsp}`);
  assert.ok(Math.abs(both.stats.mlmLoss - reference.mlm) < 1e-5);
  assert.ok(Math.abs(both.stats.nspLoss - reference.nsp) < 1e-5);
  assert.ok(reference.nsp > 0.05, "the NSP part is not negligible");
  assert.equal(both.stats.nspCount, 3);
  // the mlm objective on the same batch is the first part alone
  assert.ok(Math.abs(lossOf(model, batch, "mlm").value - reference.mlm) < 1e-5);
  model.dispose();
});

test("statistics: counts, and accuracies equal to argmax counts over forward's logits", () => {
  const model = newModel(3);
  const base = maskedInstances(6);
  const batch0 = collateBatch(base, vocab, { maxSeqLength: T, objective: "mlm+nsp" });
  const out = model.forward({ inputIds: rows(batch0.inputIds, 3), tokenTypeIds: rows(batch0.tokenTypeIds, 3), attentionMask: rows(batch0.attentionMask, 3) });
  const mlmLogits = out.mlmLogits!.arraySync() as number[][][]; // [B, T, V]
  const nspLogits = out.nspLogits.arraySync() as number[][]; // [B, 2]
  disposeOutput(out);
  const argmax = (row: number[]) => row.indexOf(Math.max(...row));
  // relabel so that the untrained model is right at every other masked position and on instance 0's NSP
  let k = 0;
  let expectCorrect = 0;
  const instances = base.map((inst, b) => ({
    ...inst,
    maskedLmLabels: inst.maskedLmPositions.map((p) => {
      const best = argmax(mlmLogits[b][p]);
      const right = k++ % 2 === 0;
      if (right) expectCorrect++;
      return vocab.tokens[right ? best : (best + 1) % 60];
    }),
    isRandomNext: b === 0 ? argmax(nspLogits[b]) === 1 : argmax(nspLogits[b]) !== 1,
  }));
  const batch = collateBatch(instances, vocab, { maxSeqLength: T, objective: "mlm+nsp" });
  assert.deepEqual(batch.inputIds, batch0.inputIds, "relabelling leaves the inputs alone");
  // my own count, from forward's logits and the batch's labels
  let counted = 0;
  batch.lmPositions.forEach((flat, m) => {
    if (argmax(mlmLogits[Math.floor(flat / T)][flat % T]) === batch.lmLabels[m]) counted++;
  });
  const M = instances.reduce((s, i) => s + i.maskedLmPositions.length, 0);
  const { stats, value } = lossOf(model, batch, "mlm+nsp");
  assert.equal(stats.mlmCount, M);
  assert.equal(stats.mlmCorrect, counted);
  assert.equal(stats.mlmCorrect, expectCorrect);
  assert.ok(stats.mlmCorrect > 0 && stats.mlmCorrect < stats.mlmCount);
  assert.equal(stats.nspCount, 3);
  assert.equal(stats.nspCorrect, 1);
  assert.ok(Math.abs(stats.mlmLoss + stats.nspLoss - value) < 1e-5);
  // mlm alone: no NSP statistics
  const mlm = lossOf(model, batch, "mlm").stats;
  assert.deepEqual([mlm.nspCount, mlm.nspCorrect, mlm.nspLoss, mlm.mlmCount, mlm.mlmCorrect], [0, 0, 0, M, expectCorrect]);
  model.dispose();
});

test("ltr: predicts token t+1 at every real position t but the last, with causal attention", () => {
  const rng = new Rng(8);
  const instances = [instance(3, 4, false, rng, false), instance(6, 5, true, rng, false), instance(1, 1, false, rng, false)];
  const batch = collateBatch(instances, vocab, { maxSeqLength: T, objective: "ltr" });
  const positions: number[] = [];
  const labels: number[] = [];
  instances.forEach((inst, b) => {
    for (let t = 0; t + 1 < inst.tokens.length; t++) {
      positions.push(b * T + t);
      labels.push(vocab.ids.get(inst.tokens[t + 1])!);
    }
  });
  assert.deepEqual(Array.from(batch.lmPositions), positions);
  assert.deepEqual(Array.from(batch.lmLabels), labels);
  assert.equal(batch.lmPositions.length, 9 + 13 + 4, "n − 1 per instance (10, 14 and 5 tokens)");
  assert.ok(Array.from(batch.lmPositions).every((f) => batch.attentionMask[f] === 1 && batch.attentionMask[f + 1] === 1), "never at padding, never predicting padding");

  const model = newModel(4);
  const { value, stats } = lossOf(model, batch, "ltr");
  assert.equal(stats.mlmCount, positions.length);
  assert.equal(stats.nspCount, 0, "no NSP in ltr");
  // by hand: causal encoder, LM head at the positions, mean cross-entropy
  const byHand = (causal: boolean) =>
    tf.tidy(() => {
      const out = model.bert.forwardTensors(
        tf.tensor2d(batch.inputIds, [3, T], "int32"),
        tf.tensor2d(batch.tokenTypeIds, [3, T], "int32"),
        tf.tensor2d(batch.attentionMask, [3, T], "int32"),
        { causal },
      );
      const hidden = tf.gather(tf.reshape(out.lastHiddenState, [3 * T, 32]), tf.tensor1d(positions, "int32"));
      const logits = model.mlm.apply(hidden).arraySync() as number[][];
      let sum = 0;
      logits.forEach((row, m) => {
        const mx = Math.max(...row);
        sum += mx + Math.log(row.reduce((s, x) => s + Math.exp(x - mx), 0)) - row[labels[m]];
      });
      return sum / logits.length;
    });
  const causal = byHand(true);
  assert.ok(Math.abs(value - causal) < 1e-5, `ltr ${value} vs causal by hand ${causal}`);
  assert.ok(Math.abs(value - byHand(false)) > 1e-4, "and not the bidirectional one");
  model.dispose();
});

test("causality: changing token k leaves positions < k unchanged with the causal mask, and changes them without", () => {
  const model = newModel(5);
  const n = 12;
  const k = 7;
  const ids = [2, 10, 11, 12, 13, 3, 14, 15, 16, 17, 18, 3, 0, 0, 0, 0];
  const changed = ids.slice();
  changed[k] = 40;
  const mask = ids.map((_, i) => (i < n ? 1 : 0));
  const hidden = (input: number[], causal: boolean): number[][] =>
    tf.tidy(() => {
      const out = model.bert.forwardTensors(tf.tensor2d([input], [1, T], "int32"), tf.zeros([1, T], "int32") as tf.Tensor2D, tf.tensor2d([mask], [1, T], "int32"), { causal });
      return (out.lastHiddenState.arraySync() as number[][][])[0];
    });
  const diff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));
  const [a, b] = [hidden(ids, true), hidden(changed, true)];
  for (let t = 0; t < k; t++) assert.ok(diff(a[t], b[t]) < 1e-6, `causal: position ${t} < ${k} unchanged (${diff(a[t], b[t])})`);
  for (let t = k; t < n; t++) assert.ok(diff(a[t], b[t]) > 1e-4, `causal: position ${t} ≥ ${k} sees the change`);
  const [c, d] = [hidden(ids, false), hidden(changed, false)];
  for (let t = 0; t < k; t++) assert.ok(diff(c[t], d[t]) > 1e-4, `bidirectional: position ${t} sees the change`);
  // so the ltr predictions before k cannot use the token they are about to predict
  model.dispose();
});

test("collateBatch's errors name the problem", () => {
  const rng = new Rng(9);
  const good = instance(3, 3, false, rng);
  const opts = { maxSeqLength: T, objective: "mlm+nsp" as const };
  assert.throws(() => collateBatch([], vocab, opts), bertLabError("EMPTY_BATCH", /at least one instance/));
  const unknown = { ...good, tokens: good.tokens.map((t, i) => (i === 2 ? "zebra" : t)) };
  assert.throws(() => collateBatch([good, unknown], vocab, opts), bertLabError("TOKEN_NOT_IN_VOCAB", /"zebra"/, /instance 1, position 2/, /not in the vocabulary/));
  const unknownLabel = { ...good, maskedLmLabels: good.maskedLmLabels.map(() => "okapi") };
  assert.throws(() => collateBatch([unknownLabel], vocab, opts), bertLabError("TOKEN_NOT_IN_VOCAB", /"okapi"/, /label at position/, /not in the vocabulary/));
  const long = instance(8, 6, false, rng); // 17 tokens
  assert.throws(() => collateBatch([good, long], vocab, opts), bertLabError("INSTANCE_TOO_LONG", /17 tokens/, /max-seq-length 16/));
  assert.doesNotThrow(() => collateBatch([long], vocab, { ...opts, maxSeqLength: 17 }));
  assert.ok(good.maskedLmPositions.length > 0);
  assert.throws(() => collateBatch([good], vocab, { maxSeqLength: T, objective: "ltr" }), bertLabError("MASKED_LTR", /ltr/, /unmasked/, /masking "none"/));
  const outside = { ...good, maskedLmPositions: [good.tokens.length], maskedLmLabels: ["w1"] };
  assert.throws(() => collateBatch([outside], vocab, opts), bertLabError("BAD_INSTANCE", /outside the instance/));
  const segments = { ...good, segmentIds: good.segmentIds.slice(1) };
  assert.throws(() => collateBatch([segments], vocab, opts), bertLabError("BAD_INSTANCE", /segment ids/));
  assert.throws(() => checkObjective("gpt"), bertLabError("UNKNOWN_OBJECTIVE", /"gpt"/, /mlm\+nsp, mlm, ltr/));
});
