// The training data sources: StaticInstances (a fixed list, reshuffled per epoch) and
// StreamingInstances (the corpus a window at a time, masked afresh each time an instance is
// batched). What a run relies on: the epoch order, dynamic masking, exact resume from a
// checkpoint's state (within a window, across windows and epochs), held-out documents kept out
// of training, and only one window held in memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { Rng } from "../util/rng";
import { CorpusPosition, CorpusStream } from "../data/corpus-stream";
import type { LineTokenizer } from "../data/documents";
import { Holdout, isHeldOut, SourceState, StaticInstances, StreamingInstances } from "./instance-sources";
import type { InstanceOptions, TrainingInstance } from "./instances";

const words: LineTokenizer = { tokenize: (s) => s.split(/\s+/).filter(Boolean) };

/**
 * A corpus of documents whose tokens name their document ("d7t12": document 7, token 12), one
 * sentence per line, a blank line between documents, split over two files. Returns the paths
 * and a cleanup.
 */
function writeCorpus(documents: number, sentences: [number, number], seed: number): { files: string[]; dispose: () => void } {
  const rng = new Rng(seed);
  const texts: string[] = [];
  for (let d = 0; d < documents; d++) {
    const lines: string[] = [];
    let t = 0;
    for (let s = rng.randint(sentences[0], sentences[1]); s > 0; s--) {
      lines.push(Array.from({ length: rng.randint(4, 9) }, () => `d${d}t${t++}`).join(" "));
    }
    texts.push(lines.join("\n") + "\n");
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "instance-sources-"));
  const half = Math.ceil(documents / 2);
  const files = [texts.slice(0, half), texts.slice(half)].map((part, i) => {
    const f = path.join(dir, `part-${i}.txt`);
    fs.writeFileSync(f, part.join("\n") + "\n"); // a blank line at the end: documents do not continue into the next file
    return f;
  });
  return { files, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Random replacements come from these, told apart from the corpus's own tokens. */
const VOCAB_WORDS = Array.from({ length: 20 }, (_, i) => `v${i}`);

const OPTIONS: InstanceOptions & { dynamicMasking: boolean } = {
  maxSeqLength: 32,
  shortSeqProb: 0.1,
  dupeFactor: 1,
  maskedLmProb: 0.15,
  maxPredictionsPerSeq: 5,
  vocabWords: VOCAB_WORDS,
  randomNextProb: 0.5,
  dynamicMasking: true,
};
const WINDOW_BYTES = 600;

/** The document a token comes from, or null for [CLS]/[SEP]/[MASK]/a random replacement. */
function docOf(token: string): number | null {
  const m = /^d(\d+)t\d+$/.exec(token);
  return m ? Number(m[1]) : null;
}

/** The instance before masking: the labels put back. */
function unmask(inst: TrainingInstance): string[] {
  const tokens = inst.tokens.slice();
  inst.maskedLmPositions.forEach((p, k) => (tokens[p] = inst.maskedLmLabels[k]));
  return tokens;
}

/** Instances one at a time with the epoch each came from, for `epochs` whole epochs. */
function takeEpochs(source: StreamingInstances, epochs: number): { epoch: number; window: CorpusPosition; inst: TrainingInstance }[] {
  const out: { epoch: number; window: CorpusPosition; inst: TrainingInstance }[] = [];
  for (;;) {
    const inst = source.next(1)[0];
    const { epoch, window } = source.getState(); // where that instance came from
    if (epoch >= epochs) return out;
    out.push({ epoch, window, inst });
  }
}

const roundTrip = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

const dataMismatch = (e: unknown) => {
  assert.ok(e instanceof BertLabError, String(e));
  assert.equal(e.code, "DATA_MISMATCH");
  return true;
};

function fakeInstances(n: number): TrainingInstance[] {
  return Array.from({ length: n }, (_, i) => ({
    tokens: ["[CLS]", `a${i}`, "[SEP]", `b${i}`, "[SEP]"],
    segmentIds: [0, 0, 0, 1, 1],
    isRandomNext: i % 2 === 0,
    maskedLmPositions: [1],
    maskedLmLabels: [`a${i}`],
    replacements: ["same"],
  }));
}

test("StaticInstances: epoch 0 in the given order, each later epoch a fresh permutation", () => {
  const instances = fakeInstances(12);
  const source = new StaticInstances(instances, 7);
  assert.equal(source.epoch, 0);
  const first = source.next(12);
  first.forEach((inst, i) => assert.equal(inst, instances[i], `epoch 0, position ${i}`));
  assert.equal(source.epoch, 1);
  const orders: number[][] = [];
  for (let e = 1; e <= 3; e++) {
    const order = source.next(12).map((inst) => instances.indexOf(inst));
    assert.deepEqual(order.slice().sort((a, b) => a - b), instances.map((_, i) => i), `epoch ${e} is a permutation`);
    assert.notDeepEqual(order, instances.map((_, i) => i), `epoch ${e} is reshuffled`);
    orders.push(order);
  }
  assert.notDeepEqual(orders[0], orders[1], "each epoch its own order");
  assert.notDeepEqual(orders[1], orders[2]);
  // batches straddle epoch ends: the same sequence in other batch sizes
  const again = new StaticInstances(instances, 7);
  const flat = [first.map((i) => instances.indexOf(i)), ...orders].flat();
  const got: number[] = [];
  while (got.length < flat.length) got.push(...again.next(5).map((i) => instances.indexOf(i)));
  assert.deepEqual(got.slice(0, flat.length), flat);
  // another seed, other later epochs
  const other = new StaticInstances(instances, 8);
  other.next(12);
  assert.notDeepEqual(other.next(12).map((i) => instances.indexOf(i)), orders[0]);
  assert.throws(() => new StaticInstances([], 1), (e: unknown) => e instanceof BertLabError && e.code === "NO_INSTANCES");
});

test("StaticInstances: getState/setState resumes identically; a state that does not fit is DATA_MISMATCH", () => {
  const instances = fakeInstances(10);
  const reference = new StaticInstances(instances, 3);
  const states: SourceState[] = [];
  const batches: TrainingInstance[][] = [];
  for (let k = 0; k < 15; k++) {
    states.push(roundTrip(reference.getState()));
    batches.push(reference.next(3));
  }
  for (let k = 0; k < states.length; k++) {
    const resumed = new StaticInstances(instances, 3);
    resumed.setState(states[k]);
    for (let j = k; j < batches.length; j++) assert.deepEqual(resumed.next(3), batches[j], `resumed at batch ${k}, batch ${j}`);
    assert.deepEqual(resumed.getState(), reference.getState());
  }
  const resumed = new StaticInstances(instances, 3);
  const base = reference.getState();
  assert.throws(() => resumed.setState({ ...base, count: 9 }), dataMismatch);
  assert.throws(() => resumed.setState({ ...base, index: 11 }), dataMismatch);
  assert.throws(() => resumed.setState({ ...base, index: -1 }), dataMismatch);
  assert.throws(() => resumed.setState({ kind: "streaming", epoch: 0, window: { file: 0, offset: 0, document: 0 }, consumed: 0, masking: new Rng(1).getstate() }), dataMismatch);
});

test("StreamingInstances: dynamic masking gives the same sequence different masks in different epochs", () => {
  // two sentences per document, no random next, no short sequences: each document makes exactly
  // one instance, the same in every epoch — only the masks may differ
  const { files, dispose } = writeCorpus(40, [2, 2], 11);
  try {
    const stream = new CorpusStream(files, words, { windowBytes: WINDOW_BYTES });
    assert.ok([...stream.windows()].length >= 4, "several windows");
    const options = { ...OPTIONS, randomNextProb: 0, shortSeqProb: 0 };
    const taken = takeEpochs(new StreamingInstances(stream, options, 5), 2);
    const byEpoch = [0, 1].map((e) => taken.filter((t) => t.epoch === e).map((t) => t.inst));
    assert.equal(byEpoch[0].length, 40);
    assert.equal(byEpoch[1].length, 40);
    const key = (inst: TrainingInstance) => unmask(inst).join(" ");
    const epoch1 = new Map(byEpoch[1].map((inst) => [key(inst), inst]));
    assert.equal(epoch1.size, 40);
    let differ = 0;
    for (const inst of byEpoch[0]) {
      const later = epoch1.get(key(inst));
      assert.ok(later, `the sequence ${key(inst)} comes again in epoch 1`);
      for (const m of [inst, later]) {
        assert.ok(m.maskedLmPositions.length >= 1, "masked");
        assert.ok(m.maskedLmPositions.every((p) => docOf(unmask(m)[p]) !== null), "only corpus tokens are chosen");
      }
      if (JSON.stringify(inst.maskedLmPositions) !== JSON.stringify(later.maskedLmPositions)) differ++;
    }
    assert.ok(differ >= 36, `masked positions differ between epochs for ${differ} of 40 sequences`);
    // and the window's instances come in another order (the shuffle is seeded by the epoch too)
    assert.notDeepEqual(byEpoch[1].map(key), byEpoch[0].map(key));
    // dynamicMasking false: unmasked, as the ltr objective needs
    const plain = new StreamingInstances(stream, { ...options, dynamicMasking: false }, 5).next(20);
    assert.ok(plain.every((i) => i.maskedLmPositions.length === 0 && !i.tokens.includes("[MASK]")));
  } finally {
    dispose();
  }
});

test("StreamingInstances: getState after k batches, setState on a fresh source: identical next batches, across windows and epochs", () => {
  const { files, dispose } = writeCorpus(40, [2, 6], 12);
  try {
    const newSource = () => new StreamingInstances(new CorpusStream(files, words, { windowBytes: WINDOW_BYTES }), OPTIONS, 42);
    const perEpoch = takeEpochs(newSource(), 1).length;
    assert.ok(perEpoch > 30, `${perEpoch} instances an epoch`);
    for (const batchSize of [1, 7]) {
      const reference = newSource();
      const steps = Math.ceil((2.3 * perEpoch) / batchSize);
      const states: SourceState[] = [];
      const batches: TrainingInstance[][] = [];
      const epochs: number[] = [];
      for (let k = 0; k < steps; k++) {
        states.push(roundTrip(reference.getState())); // as it goes through trainer_state.json
        epochs.push(reference.epoch);
        batches.push(reference.next(batchSize));
      }
      states.push(roundTrip(reference.getState()));
      let windowCrossings = 0;
      let epochCrossings = 0;
      let straddling = 0;
      const ahead = 8;
      for (let k = 0; k < steps; k++) {
        const resumed = newSource();
        resumed.setState(states[k]);
        assert.equal(resumed.epoch, epochs[k], `batch size ${batchSize}, resumed at ${k}: epoch`);
        const last = Math.min(steps, k + ahead);
        for (let j = k; j < last; j++) assert.deepEqual(resumed.next(batchSize), batches[j], `batch size ${batchSize}, resumed at ${k}, batch ${j}`);
        assert.deepEqual(resumed.getState(), states[last], `batch size ${batchSize}, resumed at ${k}: state after batch ${last - 1}`);
        const s0 = states[k] as { epoch: number; window: CorpusPosition; consumed: number };
        const s1 = states[last] as typeof s0;
        if (JSON.stringify(s0.window) !== JSON.stringify(s1.window)) windowCrossings++;
        if (s0.epoch !== s1.epoch) epochCrossings++;
        // batch k began in one window and ended in the next (with batch size 1: state k is a window's end)
        if (s0.consumed > 0 && (states[k + 1] as typeof s0).consumed <= batchSize && JSON.stringify((states[k + 1] as typeof s0).window) !== JSON.stringify(s0.window)) straddling++;
      }
      assert.ok(windowCrossings > 5, `batch size ${batchSize}: resumes that crossed a window: ${windowCrossings}`);
      assert.ok(epochCrossings >= 2, `batch size ${batchSize}: resumes that crossed an epoch: ${epochCrossings}`);
      assert.ok(straddling > 3, `batch size ${batchSize}: resumes whose first batch straddles a window end: ${straddling}`);
    }
    // states that do not fit this corpus
    const source = newSource();
    source.next(3);
    const state = source.getState();
    assert.throws(() => newSource().setState({ ...state, consumed: 10_000 }), dataMismatch);
    assert.throws(() => newSource().setState({ kind: "static", epoch: 0, index: 0, count: 5 }), dataMismatch);
  } finally {
    dispose();
  }
});

test("StreamingInstances: held-out documents never appear in training instances; the others all do", () => {
  const { files, dispose } = writeCorpus(40, [2, 6], 13);
  try {
    const stream = new CorpusStream(files, words, { windowBytes: WINDOW_BYTES });
    const holdout: Holdout = { every: 4, limit: 24 };
    const heldOut = Array.from({ length: 40 }, (_, d) => d).filter((d) => isHeldOut(holdout, d));
    assert.deepEqual(heldOut, [3, 7, 11, 15, 19, 23]);
    assert.equal(isHeldOut(null, 3), false);
    const seen = (h: Holdout | null) => {
      const docs = new Set<number>();
      for (const { inst } of takeEpochs(new StreamingInstances(stream, OPTIONS, 9, h), 2)) {
        for (const t of unmask(inst)) {
          const d = docOf(t);
          if (d !== null) docs.add(d);
        }
      }
      return docs;
    };
    const training = seen(holdout);
    for (const d of heldOut) assert.ok(!training.has(d), `held-out document ${d} in a training instance`);
    for (let d = 0; d < 40; d++) if (!heldOut.includes(d)) assert.ok(training.has(d), `document ${d} (${d >= 24 ? "past the limit" : "kept"}) is trained on`);
    // without the holdout they are trained on too
    const all = seen(null);
    for (const d of heldOut) assert.ok(all.has(d), `document ${d} without a holdout`);
  } finally {
    dispose();
  }
});

test("StreamingInstances: only the current window's instances are held", () => {
  const { files, dispose } = writeCorpus(40, [2, 6], 14);
  try {
    const stream = new CorpusStream(files, words, { windowBytes: WINDOW_BYTES });
    const source = new StreamingInstances(stream, OPTIONS, 3);
    // the private fields: no public view of what is held
    const inside = source as unknown as { pending: TrainingInstance[]; window: CorpusPosition; windowEnd: CorpusPosition };
    let total = 0;
    let largest = 0;
    let windows = 0;
    let lastWindow = "";
    let previousEpoch = 0;
    for (;;) {
      source.next(1);
      const { epoch, window } = source.getState();
      if (epoch >= 1) break;
      total++;
      if (JSON.stringify(window) !== lastWindow) {
        windows++;
        lastWindow = JSON.stringify(window);
        largest = Math.max(largest, inside.pending.length);
        // every document in the held instances (A, and B drawn from another document) is one of the window's
        const from = inside.window.document;
        const to = inside.windowEnd.document;
        for (const inst of inside.pending) {
          for (const t of inst.tokens) {
            const d = docOf(t);
            if (d !== null) assert.ok(d >= from && d < to, `document ${d} held with window [${from}, ${to})`);
          }
        }
      }
      assert.ok(source.epoch >= previousEpoch && source.epoch < 1, `epoch ${source.epoch} grows within the first pass (after ${previousEpoch})`);
      previousEpoch = source.epoch;
    }
    assert.ok(windows >= 4, `${windows} windows`);
    assert.ok(largest < total / 2, `at most ${largest} of an epoch's ${total} instances held at once`);
    assert.match(source.describe(), /dynamic masking, streaming 2 file\(s\)/);
  } finally {
    dispose();
  }
});
