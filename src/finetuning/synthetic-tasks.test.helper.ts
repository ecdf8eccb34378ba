// For tests: tiny synthetic task data (a CoNLL-2003-format folder, TSV files) and a tiny
// pre-trained folder whose vocab covers them — fast, and needing nothing from ../shared.
import * as fs from "node:fs";
import * as path from "node:path";
import { BertForPreTraining } from "../model/bert-for-pretraining";
import { bertConfig } from "../model/config";
import { Vocab } from "../tokenization/vocab";

const PEOPLE = ["smith", "jones", "garcia", "chen", "okafor", "novak"];
const PLACES = ["paris", "lagos", "lima", "oslo", "hanoi"];
const ORGS = ["reuters", "fifa", "nasa"];
const VERBS = ["visited", "left", "praised", "met"];
const GOOD = ["great", "lovely", "superb", "fine", "bright"];
const BAD = ["awful", "dull", "grim", "poor", "weak"];
const PLAIN = ["long", "red", "new", "quiet"];
const NOUNS = ["film", "book", "meal", "song", "trip", "day"];
const OTHER = ["the", "a", "was", "in", "and", "very", "on", "monday", ".", ",", "!"];

export const SYNTHETIC_WORDS = [...PEOPLE, ...PLACES, ...ORGS, ...VERBS, ...GOOD, ...BAD, ...PLAIN, ...NOUNS, ...OTHER];

export function syntheticVocab(): Vocab {
  return new Vocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ...SYNTHETIC_WORDS]);
}

/** A tiny BertForPreTraining (64 positions) saved as an HF folder with the synthetic vocab. */
export function tinyPretrainedFolder(dir: string, seed: number): string {
  const vocab = syntheticVocab();
  const model = new BertForPreTraining(bertConfig("tiny", { vocabSize: vocab.size, maxPositionEmbeddings: 64 }), { seed });
  model.savePretrained(dir, { vocabText: vocab.toText() });
  model.dispose();
  return dir;
}

const cap = (w: string) => w[0].toUpperCase() + w.slice(1);

/**
 * CoNLL-2003 English as released: `token POS chunk NER`, IOB1 (an entity opens with I-; B- only
 * where two of one type touch), -DOCSTART- lines. n sentences, from `offset`.
 */
export function conll2003Text(n: number, offset = 0): string {
  const lines = ["-DOCSTART- -X- -X- O", ""];
  for (let i = offset; i < offset + n; i++) {
    const p = PEOPLE[i % PEOPLE.length];
    const q = PEOPLE[(i + 1) % PEOPLE.length];
    const rows: [string, string, string, string][] = [];
    // two people side by side every third sentence: the second opens with B-PER (IOB1)
    rows.push([cap(p), "NNP", "I-NP", "I-PER"]);
    if (i % 3 === 0) rows.push([cap(q), "NNP", "I-NP", "B-PER"]);
    else if (i % 5 === 4) rows.push([cap(q), "NNP", "I-NP", "I-PER"]); // one person of two words
    rows.push([VERBS[i % VERBS.length], "VBD", "I-VP", "O"]);
    rows.push([cap(PLACES[i % PLACES.length]), "NNP", "I-NP", "I-LOC"]);
    if (i % 2 === 1) rows.push(["on", "IN", "I-PP", "O"], ["Monday", "NNP", "I-NP", "O"]);
    if (i % 4 === 2) rows.push(["and", "CC", "O", "O"], [cap(ORGS[i % ORGS.length]), "NNP", "I-NP", "I-ORG"]);
    rows.push([".", ".", "O", "O"]);
    lines.push(...rows.map((r) => r.join(" ")), "");
    if (i % 10 === 9) lines.push("-DOCSTART- -X- -X- O", "");
  }
  return lines.join("\n");
}

/** A CoNLL-2003-format folder: eng.train / eng.testa / eng.testb, or train.txt / valid.txt / test.txt. */
export function writeConll2003(dir: string, layout: "eng" | "txt" = "eng", sizes = { train: 24, dev: 8, test: 8 }): string {
  fs.mkdirSync(dir, { recursive: true });
  const names = layout === "eng" ? ["eng.train", "eng.testa", "eng.testb"] : ["train.txt", "valid.txt", "test.txt"];
  fs.writeFileSync(path.join(dir, names[0]), conll2003Text(sizes.train));
  fs.writeFileSync(path.join(dir, names[1]), conll2003Text(sizes.dev, 100));
  fs.writeFileSync(path.join(dir, names[2]), conll2003Text(sizes.test, 200));
  return dir;
}

/**
 * A sentiment task as TSV: "the great film was lovely" → pos, "… awful …" → neg, and with
 * `classes: 3` plain ones → neu; `regression`: a score (the count of good words minus bad ones).
 */
export function tsvRows(n: number, options: { classes?: 2 | 3; regression?: boolean; offset?: number } = {}): string[] {
  const classes = options.classes ?? 2;
  const rows: string[] = [];
  for (let i = options.offset ?? 0; rows.length < n; i++) {
    const noun = NOUNS[i % NOUNS.length];
    const kind = i % classes; // 0 pos, 1 neg, 2 neu
    const words = kind === 0 ? GOOD : kind === 1 ? BAD : PLAIN;
    const a = words[i % words.length];
    const b = words[(i + 2) % words.length];
    const text = i % 2 ? `the ${a} ${noun} was very ${b}` : `a ${a} ${noun} , ${b} !`;
    const label = options.regression ? String(kind === 0 ? 2 + (i % 3) * 0.5 : kind === 1 ? -2 - (i % 2) : 0) : ["pos", "neg", "neu"][kind];
    rows.push(`${text}\t${label}`);
  }
  return rows;
}

/** train.tsv and dev.tsv with a "sentence\tlabel" header. */
export function writeTsvTask(dir: string, options: { classes?: 2 | 3; regression?: boolean; train?: number; dev?: number } = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "train.tsv"), ["sentence\tlabel", ...tsvRows(options.train ?? 24, options)].join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "dev.tsv"), ["sentence\tlabel", ...tsvRows(options.dev ?? 12, { ...options, offset: 1000 })].join("\n") + "\n");
  return dir;
}
