// The embedded token-level task: WordNet's usage examples tagged from the words' noun senses,
// written in WNUT-17's layout so that finetune's NER path reads it.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadNerTask } from "../finetuning/task-data";
import { WORDNET_TAG_TYPES, wordnetTagging, writeConllFolder } from "./wordnet-tagging";
import type { Synset } from "./wordnet";

const synset = (lexname: string, words: string[], examples: string[] = [], pos: Synset["pos"] = "n"): Synset =>
  ({ offset: "0", lexname, pos, words, definitions: [], examples } as unknown as Synset);

test("a word is tagged by the category holding more than half of its noun senses; plurals and a sentence's capital are matched", () => {
  const synsets = [
    synset("noun.animal", ["cat"]),
    synset("noun.animal", ["cat"]),
    synset("noun.artifact", ["cat"]), // 2 of 3 senses are animals → ANIMAL
    synset("noun.person", ["baker"]),
    synset("noun.plant", ["rose"]),
    synset("noun.artifact", ["rose"]), // 1 of 2: no majority → O
    synset("verb.motion", ["run"], [], "v"),
    synset("noun.act", ["x"], ["Bakers run after cats near the rose .", "no entity in this one at all", "a cat"]),
  ];
  const t = wordnetTagging({ synsets });
  const all = [...t.train, ...t.dev];
  assert.equal(all.length, 1, "sentences without a tag and sentences under 3 tokens are left out");
  assert.deepEqual(all[0].tokens, ["Bakers", "run", "after", "cats", "near", "the", "rose", "."]);
  assert.deepEqual(all[0].tags, ["B-PER", "O", "O", "B-ANIMAL", "O", "O", "O", "O"]);
});

test("the real task: only the five types, every 10th sentence of a fixed shuffle is dev, the same every time; finetune's NER reader reads its folder", async () => {
  const a = wordnetTagging();
  assert.ok(a.train.length > 1000 && a.dev.length > 100, `${a.train.length} / ${a.dev.length}`);
  assert.ok(Math.abs(a.train.length / 9 - a.dev.length) <= 1);
  const tags = new Set([...a.train, ...a.dev].flatMap((s) => s.tags));
  assert.deepEqual([...tags].filter((t) => t !== "O").sort(), Object.values(WORDNET_TAG_TYPES).map((t) => "B-" + t).sort());
  const b = wordnetTagging();
  assert.deepEqual(b.dev.slice(0, 20), a.dev.slice(0, 20));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wn-tags-"));
  try {
    writeConllFolder(dir, a);
    const ner = await loadNerTask({ task: "wnut17", data: dir });
    assert.equal(ner.train.length, a.train.length);
    assert.deepEqual({ tokens: ner.dev[3].tokens, tags: ner.dev[3].tags }, a.dev[3]);
    assert.equal(ner.labels[0], "O");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
