/**
 * A token-level task built from the embedded WordNet, for when no NER data is at hand: the
 * sentences are WordNet's usage examples; each word is tagged B-PER, B-ANIMAL, B-PLANT, B-LOC
 * or B-FOOD when more than half of its noun senses (matched as written, plurals stripped) lie
 * in that WordNet category, and O otherwise. The labels are a dictionary lookup, with a
 * dictionary's mistakes: a tagger mostly learns a word list, and context helps only with
 * ambiguous and unseen words. Scored like NER (seqeval entity F1). Every 10th sentence, in a
 * fixed shuffle, is dev.
 *
 * @example
 *   const t = wordnetTagging();
 *   t.train[0]; // { tokens: ["the", "cat", …], tags: ["O", "B-ANIMAL", …] } (say)
 *   writeConllFolder("data/wordnet-tags", t); // wnut17train.conll + emerging.dev.conll: finetune's task wnut17 reads it
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { TaggedSentence } from "../finetuning/token-classification";
import { writeFileAtomic } from "../util/atomic-write";
import { readWordNet, Synset } from "./wordnet";

/** WordNet noun categories (lexicographer files) → tag types */
export const WORDNET_TAG_TYPES: Readonly<Record<string, string>> = {
  "noun.person": "PER",
  "noun.animal": "ANIMAL",
  "noun.plant": "PLANT",
  "noun.location": "LOC",
  "noun.food": "FOOD",
};

export interface WordNetTagging {
  train: TaggedSentence[];
  dev: TaggedSentence[];
}

/** FNV-1a, for a shuffle that is the same everywhere. */
function fnv1a(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function wordnetTagging(options: { synsets?: Synset[] } = {}): WordNetTagging {
  const synsets = options.synsets ?? readWordNet();
  const senses = new Map<string, Map<string, number>>(); // word as written → lexname → senses
  for (const s of synsets) {
    if (s.pos !== "n") continue;
    for (const w of s.words) {
      if (w.includes(" ")) continue;
      const m = senses.get(w) ?? new Map<string, number>();
      m.set(s.lexname, (m.get(s.lexname) ?? 0) + 1);
      senses.set(w, m);
    }
  }
  const typeOfForm = (w: string): string | null => {
    const m = senses.get(w);
    if (!m) return null;
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    for (const [lex, n] of m) if (n * 2 > total && WORDNET_TAG_TYPES[lex]) return WORDNET_TAG_TYPES[lex];
    return null;
  };
  const typeOf = (w: string, first: boolean): string | null => {
    const forms = [w, w.replace(/ies$/, "y"), w.replace(/es$/, ""), w.replace(/s$/, "")];
    if (first) forms.push(...forms.map((f) => f.toLowerCase())); // a sentence's capital
    for (const f of forms) if (f.length > 2 && typeOfForm(f)) return typeOfForm(f);
    return null;
  };
  const sentences: TaggedSentence[] = [];
  const seen = new Set<string>();
  for (const s of synsets) {
    for (const text of s.examples) {
      if (seen.has(text)) continue;
      seen.add(text);
      const tokens = text.match(/[A-Za-z]+(?:['-][A-Za-z]+)*|\d+(?:[.,]\d+)*|[^\sA-Za-z\d]/g) ?? [];
      if (tokens.length < 3 || tokens.length > 40) continue;
      const tags = tokens.map((w, i) => {
        const t = /^[A-Za-z]/.test(w) ? typeOf(w, i === 0) : null;
        return t ? "B-" + t : "O";
      });
      if (tags.some((t) => t !== "O")) sentences.push({ tokens, tags });
    }
  }
  const key = new Map(sentences.map((s) => [s, fnv1a(s.tokens.join(" "))]));
  sentences.sort((a, b) => key.get(a)! - key.get(b)!);
  return { train: sentences.filter((_, i) => i % 10 !== 0), dev: sentences.filter((_, i) => i % 10 === 0) };
}

/** Two-column CoNLL text: a word and its tag per line, a blank line between sentences. */
export function conllText(sentences: readonly TaggedSentence[]): string {
  return sentences.map((s) => s.tokens.map((w, i) => `${w}\t${s.tags[i]}`).join("\n")).join("\n\n") + "\n";
}

/** Writes a tagging task in WNUT-17's file names (wnut17train.conll, emerging.dev.conll), which `finetune({ task: "wnut17", data: dir })` reads. */
export function writeConllFolder(dir: string, task: WordNetTagging): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, "wnut17train.conll"), conllText(task.train));
  writeFileAtomic(path.join(dir, "emerging.dev.conll"), conllText(task.dev));
}
