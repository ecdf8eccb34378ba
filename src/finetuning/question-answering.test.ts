// Span QA (SQuAD v1.1) as run_squad.py does it: windows, max context, answer labels and the
// projection of predicted pieces back onto the text, first on hand-made passages with
// hand-computed answers, then on the real dev file, then a tiny model trained end to end.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { ensureBackend } from "../backend/select";
import { readSquad, SquadExample } from "../data/squad";
import { bertConfig } from "../model/config";
import { BertForQuestionAnswering } from "../model/task-models";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { train } from "../training/trainer";
import { BertLabError } from "../util/errors";
import { needsShared, sharedPath } from "../util/shared-folder";
import { tempFolders } from "../util/temp-folders.test.helper";
import { squadScores } from "./metrics";
import { questionAnsweringTask } from "./question-answering";
import { docWindows, improveAnswerSpan, maxContextWindow, squadFeatures } from "./squad-features";
import { getFinalText, squadPredictions } from "./squad-predictions";

const DEV = "data/squad/dev-v1.1.json";
const VOCAB = "data/vocab/bert-base-uncased/vocab.txt";
const tmpFolder = tempFolders();

const NUMBERS = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty".split(" ");
const tok = new BertTokenizer(
  new Vocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "what", "?", ...NUMBERS, "the", "leader", "was", "john", "smith", "(", ")", "-", ".", "1895", "1943", "japanese", "japan", "electronics", "industry", "is", "largest", "in", "world"]),
);
// 20 one-piece words; with "what?" (2 pieces) and maxSeqLength 12 a window holds 12 − 2 − 3 = 7 of them
const COUNTING = NUMBERS.join(" ");
const example = (id: string, context: string, answer = "", question = "what?"): SquadExample => ({
  id,
  title: "t",
  context,
  question,
  answers: answer ? [{ text: answer, start: context.indexOf(answer) }] : [],
});

function throwsCode(fn: () => unknown, code: string, part: string) {
  assert.throws(fn, (e: unknown) => e instanceof BertLabError && e.code === code && e.message.includes(part));
}

test("docWindows and maxContextWindow: run_squad.py's sliding windows and max-context rule, by hand", () => {
  // 20 pieces, 7 per window, stride 3: 0–6, 3–9, 6–12, 9–15, 12–18, then 15–19 reaches the end
  assert.deepEqual(docWindows(20, 7, 3), [0, 3, 6, 9, 12].map((start) => ({ start, length: 7 })).concat([{ start: 15, length: 5 }]));
  assert.deepEqual(docWindows(5, 7, 3), [{ start: 0, length: 5 }]);
  assert.deepEqual(docWindows(10, 4, 10), [{ start: 0, length: 4 }, { start: 4, length: 4 }, { start: 8, length: 2 }]); // stride capped by the length
  const w = docWindows(20, 7, 3);
  // piece 8: window 1 (3–9) has 5 left, 1 right → 1.07; window 2 (6–12) has 2 left, 4 right → 2.07
  assert.equal(maxContextWindow(w, 8), 2);
  assert.equal(maxContextWindow(w, 6), 1); // 0.07, 3.07, 0.07
  assert.equal(maxContextWindow(w, 19), 5); // only in the last window
  assert.equal(maxContextWindow(w, 0), 0);
  assert.equal(maxContextWindow(w, 20), -1);
  // equal min(left, right): the longer window wins by 0.01 · length; a full tie goes to the first
  assert.equal(maxContextWindow([{ start: 2, length: 4 }, { start: 0, length: 5 }], 3), 1);
  assert.equal(maxContextWindow([{ start: 0, length: 5 }, { start: 0, length: 5 }], 2), 0);
});

test("squadFeatures: [CLS] question [SEP] window [SEP], segments, word map, one max-context window per piece, answer labels or 0,0", () => {
  const f = squadFeatures(tok, [example("q", COUNTING, "nine ten"), example("r", COUNTING, "ten eleven")], { maxSeqLength: 12, docStride: 3, maxQueryLength: 8, training: true });
  assert.equal(f.N, 12);
  assert.deepEqual(Array.from(f.exampleIndex), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(Array.from(f.windowIndex), [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
  assert.deepEqual(Array.from(f.lengths), [12, 12, 12, 12, 12, 10, 12, 12, 12, 12, 12, 10]);
  assert.equal(f.docs[0], f.docs[1]); // one passage, tokenized once
  const row = (a: ArrayLike<number>, n: number) => Array.from(a).slice(n * 12, (n + 1) * 12);
  assert.equal(tok.decode(row(f.inputIds, 2)), "[CLS] what ? [SEP] seven eight nine ten eleven twelve thirteen [SEP]");
  assert.deepEqual(row(f.tokenTypeIds, 2), [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(row(f.tokenToWord, 2), [-1, -1, -1, -1, 6, 7, 8, 9, 10, 11, 12, -1]);
  assert.deepEqual(row(f.attentionMask, 5), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  assert.deepEqual(row(f.inputIds, 5).slice(9), [tok.vocab.requireId("[SEP]"), 0, 0]);
  // window 2 is the max-context window of pieces 8, 9, 10 ("nine", "ten", "eleven") only
  assert.deepEqual(row(f.maxContext, 2), [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0]);
  for (let word = 0; word < 20; word++) {
    const windows: number[] = [];
    for (let i = 0; i < 6 * f.T; i++) if (f.tokenToWord[i] === word && f.maxContext[i]) windows.push(Math.floor(i / f.T));
    assert.deepEqual(windows, [maxContextWindow(docWindows(20, 7, 3), word)], `word ${word}`);
  }
  // "nine ten" = pieces 8–9: wholly inside windows 1 (3–9: positions 8−3+4, 9−3+4) and 2 (6–12);
  // window 3 (9–15) holds only its end, and points at [CLS] (0, 0) like the windows without it
  assert.deepEqual(Array.from(f.startPositions!.subarray(0, 6)), [0, 9, 6, 0, 0, 0]);
  assert.deepEqual(Array.from(f.endPositions!.subarray(0, 6)), [0, 10, 7, 0, 0, 0]);
  // "ten eleven" = pieces 9–10: window 1 holds only its start (0, 0); inside windows 2 and 3
  assert.deepEqual(Array.from(f.startPositions!.subarray(6)), [0, 0, 7, 4, 0, 0]);
  assert.deepEqual(Array.from(f.endPositions!.subarray(6)), [0, 0, 8, 5, 0, 0]);
  // without training there are no labels; the question is cut to maxQueryLength pieces
  const g = squadFeatures(tok, [example("q", COUNTING, "", "what what what?")], { maxSeqLength: 12, docStride: 3, maxQueryLength: 2 });
  assert.equal(g.startPositions, null);
  assert.equal(tok.decode(Array.from(g.inputIds.subarray(0, 5))), "[CLS] what what [SEP] one");
  throwsCode(() => squadFeatures(tok, [], { maxSeqLength: 67 }), "BAD_OPTION", "must be greater than maxQueryLength (64) + 3");
  throwsCode(() => squadFeatures(tok, [example("q", COUNTING)], { training: true }), "NO_ANSWER", "training example q has no answer");
});

test("answer labels: _improve_answer_span narrows '(1895-1943).' to '1895', keeps 'Japanese' for 'Japan', skips an answer not in the words", () => {
  assert.deepEqual(improveAnswerSpan(["(", "1895", "-", "1943", ")", "."], 0, 5, ["1895"]), { start: 1, end: 1 });
  assert.deepEqual(improveAnswerSpan(["japanese", "electronics"], 0, 0, ["japan"]), { start: 0, end: 0 });
  const smith = example("smith", "The leader was John Smith (1895-1943).", "1895");
  const japan = example("japan", "The Japanese electronics industry is the largest in the world.", "Japan");
  const nbsp = example("nbsp", "one\u00a0two three", "one\u00a0two"); // one word "one\u00a0two": its text is not "one two"
  const f = squadFeatures(tok, [smith, japan, nbsp], { maxSeqLength: 32, maxQueryLength: 8, training: true });
  assert.deepEqual(f.skipped, ["nbsp"]);
  assert.equal(f.N, 2);
  // [CLS] what ? [SEP] the leader was john smith ( 1895 …: "1895" is position 4 + 6
  assert.deepEqual([f.startPositions![0], f.endPositions![0]], [10, 10]);
  assert.deepEqual([f.startPositions![1], f.endPositions![1]], [5, 5]); // "japanese"
  // the labels read back through the predictions give the annotated answer, and the whole word for "Japan"
  const start = new Float32Array(f.N * f.T);
  const end = new Float32Array(f.N * f.T);
  for (let n = 0; n < f.N; n++) {
    start[n * f.T + f.startPositions![n]] = 1;
    end[n * f.T + f.endPositions![n]] = 1;
  }
  assert.deepEqual(squadPredictions([smith, japan, nbsp], f, start, end).answers, { smith: "1895", japan: "Japanese", nbsp: "empty" });
});

test("getFinalText: the original characters of a normalized prediction (casing, accents, punctuation), else the whole words", () => {
  assert.equal(getFinalText("stephen hawking", "Stephen Hawking's", true), "Stephen Hawking");
  assert.equal(getFinalText("hawking", "Stephen Hawking's", true), "Hawking");
  assert.equal(getFinalText("1 , 000", "1,000", true), "1,000");
  assert.equal(getFinalText("1 , 000", "$1,000.", true), "1,000");
  assert.equal(getFinalText("5 . 4 million", "$5.4 million,", true), "5.4 million");
  assert.equal(getFinalText("jose", "José,", true), "José"); // é stripped to e: still one character
  assert.equal(getFinalText("jose", "Jose\u0301,", true), "Jose\u0301,"); // a combining accent: lengths differ, whole words
  assert.equal(getFinalText("steve", "Steve's", false), "Steve's"); // cased: "steve" is not in "Steve ' s"
  assert.equal(getFinalText("Steve", "Steve's", false), "Steve");
  assert.equal(getFinalText("smith", "Jones", true), "Jones");
  assert.equal(getFinalText("x", "\u{1F600}x.", true), "x"); // positions count code points
});

test("squadPredictions: end before start, too long, not max context and outside the passage are skipped; 'empty' when nothing is left", () => {
  const ex = example("q", COUNTING);
  const f = squadFeatures(tok, [ex], { maxSeqLength: 12, docStride: 3, maxQueryLength: 8 });
  // logits −10 everywhere but at [window, position] = value
  const logits = (marks: [number, number, number][]) => {
    const l = new Float32Array(f.N * f.T).fill(-10);
    for (const [w, p, v] of marks) l[w * f.T + p] = v;
    return l;
  };
  const predict = (s: [number, number, number][], e: [number, number, number][], maxAnswerLength = 30, nBestSize = 20) =>
    squadPredictions([ex], f, logits(s), logits(e), { maxAnswerLength, nBestSize });
  // window 2 holds pieces 6–12 at positions 4–10
  // end argmax (position 6, "nine") before the start (position 8, "eleven"): the next end wins
  let p = predict([[2, 8, 5]], [[2, 6, 6], [2, 9, 3]]);
  assert.equal(p.answers.q, "eleven twelve");
  assert.equal(p.nbest.q[0].startLogit + p.nbest.q[0].endLogit, 8);
  assert.ok(p.nbest.q[0].probability > 0.99 && p.nbest.q.length > 1 && new Set(p.nbest.q.map((c) => c.text)).size === p.nbest.q.length);
  assert.ok(Math.abs(p.nbest.q.reduce((s, c) => s + c.probability, 0) - 1) < 1e-9);
  // a five-piece span is the best while maxAnswerLength allows it
  assert.equal(predict([[2, 6, 5]], [[2, 10, 5], [2, 7, 1]], 5).answers.q, "nine ten eleven twelve thirteen");
  assert.equal(predict([[2, 6, 5]], [[2, 10, 5], [2, 7, 1]], 4).answers.q, "nine ten");
  // piece 6 ("seven") starts at window 2 position 4, but its max context is window 1 (position 7)
  assert.equal(predict([[2, 4, 9], [1, 7, 1]], [[2, 6, 9], [1, 8, 1]]).answers.q, "seven eight");
  // a start in the question, or on [CLS], is never an answer
  assert.equal(predict([[2, 1, 9], [2, 8, 1]], [[2, 9, 1]]).answers.q, "eleven twelve");
  p = predict([0, 1, 2, 3, 4, 5].map((w) => [w, 0, 5] as [number, number, number]), [], 30, 1);
  assert.deepEqual(p.nbest.q, [{ text: "empty", startLogit: 0, endLogit: 0, probability: 1 }]);
  throwsCode(() => squadPredictions([ex], f, new Float32Array(5), logits([])), "BAD_LOGITS", "startLogits has 5 values but the features need N·T = 6·12 = 72");
  throwsCode(() => squadPredictions([example("other", COUNTING)], f, logits([]), logits([])), "FEATURES_MISMATCH", "pass the same examples");
});

test("SQuAD dev round trip: one-hot logits at the training labels give back the gold answers (EM ≥ 97, F1 ≥ 99)", needsShared(DEV), () => {
  const vocabTok = BertTokenizer.fromFile(sharedPath(VOCAB));
  // every 35th question: 302 questions from all 48 articles (the first 300 are two articles
  // whose many answers are parts of words, e.g. "5" of "50", which word pieces cannot express)
  const dev = readSquad(sharedPath(DEV)).examples.filter((_, i) => i % 35 === 0);
  // short windows, so most passages span several and many windows do not hold the answer
  const f = squadFeatures(vocabTok, dev, { maxSeqLength: 128, docStride: 32, training: true });
  assert.ok(f.N > 2.5 * dev.length, `${f.N} windows`);
  const outside = Array.from(f.startPositions!).filter((s) => s === 0).length;
  assert.ok(outside > 0.2 * f.N && outside < f.N - dev.length, `${outside} of ${f.N} windows without the answer`);
  const start = new Float32Array(f.N * f.T);
  const end = new Float32Array(f.N * f.T);
  for (let n = 0; n < f.N; n++) {
    const [a, b] = [f.startPositions![n], f.endPositions![n]];
    // a label is [CLS] twice, or a span of passage pieces of this window
    if (a !== 0 || b !== 0) assert.ok(a <= b && b < f.lengths[n] - 1 && f.tokenToWord[n * f.T + a] >= 0, `window ${n}: ${a}–${b} of ${f.lengths[n]}`);
    start[n * f.T + a] = 1;
    end[n * f.T + b] = 1;
  }
  const p = squadPredictions(dev, f, start, end);
  const s = squadScores(p.answers, dev);
  assert.ok(s.exact_match >= 97 && s.f1 >= 99, JSON.stringify(s));
  // and character for character: get_final_text trims what the words add ("Broncos." → "Broncos")
  const verbatim = dev.filter((x) => x.answers.some((a) => a.text === p.answers[x.id])).length;
  assert.ok(verbatim >= 0.97 * dev.length, `${verbatim} of ${dev.length} answers verbatim`);
  assert.equal(p.answers[dev[0].id], "Denver Broncos");
});

test("end to end: a tiny BertForQuestionAnswering overfits 8 questions, numTensors stays flat, evaluate gives F1 and EM in percent, save/load round-trips", needsShared(DEV), async () => {
  await ensureBackend();
  const vocab = Vocab.fromFile(sharedPath(VOCAB));
  const vocabTok = new BertTokenizer(vocab);
  const all = readSquad(sharedPath(DEV)).examples;
  const trainSet = all.filter((_, i) => i % 300 === 0).slice(0, 8);
  const devSet = all.filter((_, i) => i % 300 === 7).slice(0, 32);
  const model = new BertForQuestionAnswering(bertConfig("tiny", { vocabSize: vocab.size }), { seed: 1 });
  // one batch holds every training window: the loss is that of the same batch each step
  const task = questionAnsweringTask(model, vocabTok, trainSet, devSet, { batchSize: 32, maxSeqLength: 128, docStride: 64, seed: 1 });
  assert.ok(task.trainFeatures.N <= 32 && task.stepsPerEpoch === 1, `${task.trainFeatures.N} windows`);
  const counts: number[] = [];
  const r = await train(task, { steps: 30, learningRate: 1e-3, warmupSteps: 3, logEvery: 5, callbacks: { onStep: () => void counts.push(tf.memory().numTensors) } });
  const losses = r.history.map((h) => h.loss);
  assert.ok(losses[losses.length - 1] < 0.3 * losses[0], losses.join(" "));
  assert.ok(r.history[r.history.length - 1].start_accuracy > r.history[0].start_accuracy, JSON.stringify(r.history));
  assert.equal(counts[29], counts[2], counts.join(" "));
  const ev = r.evals[r.evals.length - 1];
  assert.deepEqual(Object.keys(ev).filter((k) => k.startsWith("eval_")), ["eval_f1", "eval_exact_match"]);
  assert.ok(ev.eval_f1 >= 0 && ev.eval_f1 <= 100 && ev.eval_exact_match >= 0 && ev.eval_exact_match <= 100, JSON.stringify(ev));
  const before = tf.memory().numTensors;
  const answers = task.predictAnswers(trainSet);
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(Object.keys(answers), trainSet.map((x) => x.id));
  // overfitted: most training questions are answered (their windows were all seen every step)
  assert.ok(squadScores(answers, trainSet).f1 > 75, JSON.stringify(answers));
  const dir = tmpFolder("qa");
  task.saveModel(dir);
  const copy = new BertForQuestionAnswering(bertConfig("tiny", { vocabSize: vocab.size }), { seed: 9 });
  const copyTask = questionAnsweringTask(copy, vocabTok, trainSet, [], { batchSize: 32, maxSeqLength: 128, docStride: 64 });
  copyTask.loadModel(dir);
  assert.deepEqual(copyTask.predictAnswers(trainSet), answers);
  assert.equal(copyTask.evaluate, undefined);
  throwsCode(() => questionAnsweringTask(copy, vocabTok, trainSet, [], { batchSize: 4, maxSeqLength: 1024 }), "BAD_OPTION", "longer than the model's 512 positions");
  throwsCode(() => questionAnsweringTask(copy, vocabTok, [], [], { batchSize: 4 }), "NO_EXAMPLES", "no training questions");
  model.dispose();
  copy.dispose();
});
