import { test } from "node:test";
import assert from "node:assert/strict";
import { bundleOf } from "./mime";
import { assertWellFormedSvg } from "./charts/svg.test.helper";
import { maskingView } from "./masking-view";
import { trainVocab } from "../tokenization/vocab-trainer";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { embeddedCorpusPath } from "../cli/embedded";
import { documentsFromFiles } from "../data/documents";
import { createTrainingInstances, DEFAULT_INSTANCE_OPTIONS, TrainingInstance } from "../pretraining/instances";
import { PyRandom } from "../util/py-random";

const hand: TrainingInstance = {
  tokens: ["[CLS]", "the", "[MASK]", "sat", "<&>", "the", "mat", "[SEP]", "it", "pur", "##red", "[SEP]"],
  segmentIds: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1],
  isRandomNext: false,
  maskedLmPositions: [2, 4, 6],
  maskedLmLabels: ["cat", "on", "mat"],
  replacements: ["mask", "random", "same"],
};

const markers = (svg: string) => [...svg.matchAll(/class="loss-marker" data-position="(\d+)"/g)].map((m) => Number(m[1]));
const selected = (svg: string) => [...svg.matchAll(/<rect class="piece selected (mask|random|same)"/g)].map((m) => m[1]);

test("maskingView: markers on exactly the masked positions, kinds coloured, originals beneath changed ones", () => {
  const v = maskingView(hand);
  assertWellFormedSvg(v.svg);
  assert.equal([...v.svg.matchAll(/<rect class="piece/g)].length, hand.tokens.length);
  assert.deepEqual(markers(v.svg), [2, 4, 6]);
  assert.deepEqual(selected(v.svg), ["mask", "random", "same"]);
  assert.deepEqual(v.counts, { mask: 1, random: 1, same: 1, selected: 3 });
  for (const k of ["mask", "random", "same"]) assert.match(v.svg, new RegExp(`data-kind="${k}" data-count="1"`));
  const originals = [...v.svg.matchAll(/class="original"[^>]*>([^<]*)</g)].map((m) => m[1]);
  assert.deepEqual(originals, ["cat", "on"], "the original beneath [MASK] and random, not beneath unchanged");
  assert.ok(v.svg.includes("&lt;&amp;&gt;"));
  assert.equal([...v.svg.matchAll(/class="segment seg-b"/g)].length, 4);
  assert.deepEqual(Object.keys(bundleOf(v)).sort(), ["image/svg+xml", "text/plain"]);
  const lines = v.text.split("\n");
  assert.match(lines[0], /^masked LM: 3 positions — \[MASK\] 1, random 1, unchanged 1/);
  assert.equal(lines[1], "[CLS] the [MASK] sat <&> the mat [SEP] it pur ##red [SEP]");
  assert.equal(lines[2], "          M          R       =");
  assert.equal(lines[3], "          cat        on");
});

test("maskingView: inconsistent instances fail with a clear error", () => {
  assert.throws(() => maskingView({ ...hand, replacements: ["mask"] }), /3 masked positions but 3 labels and 1 replacements/);
  assert.throws(() => maskingView({ ...hand, maskedLmPositions: [2, 4, 99] }), /position 99 is outside the 12 tokens/);
});

test("maskingView: a seeded real instance from the embedded corpus", () => {
  const vocab = trainVocab({ files: [embeddedCorpusPath()] }, { vocabSize: 300, doLowerCase: true }).vocab;
  const tok = new BertTokenizer(vocab, { doLowerCase: true });
  const docs = documentsFromFiles([embeddedCorpusPath()], tok);
  const instances = createTrainingInstances(docs, { ...DEFAULT_INSTANCE_OPTIONS, maxSeqLength: 64, dupeFactor: 1, vocabWords: vocab.tokens }, new PyRandom(12345));
  assert.ok(instances.length > 0);
  for (const inst of instances.slice(0, 5)) {
    const v = maskingView(inst);
    assertWellFormedSvg(v.svg);
    assert.deepEqual(markers(v.svg), inst.maskedLmPositions);
    assert.equal([...v.svg.matchAll(/<rect class="piece/g)].length, inst.tokens.length);
    const kinds = selected(v.svg);
    for (const k of ["mask", "random", "same"] as const) {
      const n = inst.replacements.filter((r) => r === k).length;
      assert.equal(v.counts[k], n);
      assert.equal(kinds.filter((x) => x === k).length, n);
    }
  }
});
