import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { ensureBackend } from "../backend/select";
import { labelList, readConll } from "../data/conll";
import { bertConfig } from "../model/config";
import { BertForTokenClassification } from "../model/task-models";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { train } from "../training/trainer";
import { needsShared, sharedPath } from "../util/shared-folder";
import { encodeTagged, tokenClassificationTask } from "./token-classification";

const VOCAB = "data/vocab/bert-base-uncased/vocab.txt";

test("encodeTagged: a word's label sits on its first piece, the others are −100; words past the length get no position", needsShared(VOCAB), () => {
  const tok = BertTokenizer.fromFile(sharedPath(VOCAB));
  const labels = ["O", "B-person", "I-person"];
  const e = encodeTagged(tok, [{ tokens: ["unaffable", "John", "Smith", "laughed"], tags: ["O", "B-person", "I-person", "O"] }], labels, 6);
  // [CLS] una ##ffa ##ble john [SEP]: "smith" and "laughed" do not fit
  assert.deepEqual(tok.vocab.tokens.length > 0 && Array.from(e.inputIds).map((i) => tok.vocab.token(i)), ["[CLS]", "una", "##ffa", "##ble", "john", "[SEP]"]);
  assert.deepEqual(Array.from(e.labels), [-100, 0, -100, -100, 1, -100]);
  assert.deepEqual(Array.from(e.firstPiece[0]), [1, 4, -1, -1]);
  assert.throws(() => encodeTagged(tok, [{ tokens: ["x"], tags: ["B-city"] }], labels, 8), /tag "B-city" is not in the label list/);
  assert.throws(() => encodeTagged(tok, [{ tokens: ["x", "y"], tags: ["O"] }], labels, 8), /2 words but 1 tags/);
});

test("fine-tuning NER on a WNUT-17 slice: the loss falls, tags come back one per word, entity F1 is computed, numTensors stays flat", needsShared("data/ner/wnut17/wnut17train.conll"), async () => {
  await ensureBackend();
  const vocab = Vocab.fromFile(sharedPath(VOCAB));
  const tok = new BertTokenizer(vocab);
  const all = readConll(sharedPath("data/ner/wnut17/wnut17train.conll")).sentences;
  const labels = labelList(all);
  const withEntities = all.filter((s) => s.tags.some((t) => t !== "O")).slice(0, 8);
  const model = new BertForTokenClassification(bertConfig("tiny", { vocabSize: vocab.size }), labels.length, { seed: 1 });
  const task = tokenClassificationTask(model, tok, withEntities, withEntities, { labels, batchSize: 8, maxSeqLength: 64, seed: 1 });
  const counts: number[] = [];
  // 3e-4: at 2e-3 a random tiny BERT collapses to the majority tag (loss stuck at the tags' entropy, F1 0)
  const r = await train(task, { steps: 60, learningRate: 3e-4, warmupSteps: 6, logEvery: 10, callbacks: { onStep: () => void counts.push(tf.memory().numTensors) } });
  assert.ok(r.history[r.history.length - 1].loss < 0.6 * r.history[0].loss, r.history.map((h) => h.loss).join(" "));
  assert.equal(counts[59], counts[2]);
  const f1 = r.evals[0].eval_f1;
  assert.ok(f1 >= 0.5 && f1 <= 1, `entity F1 on the 8 sentences it overfits: ${f1}`); // all-"O" (the majority tag) scores 0
  const tags = task.predictTags(encodeTagged(tok, withEntities, labels, 64));
  tags.forEach((t, i) => assert.equal(t.length, withEntities[i].tokens.length));
  assert.ok(tags.flat().every((t) => labels.includes(t)));
  model.dispose();
});
