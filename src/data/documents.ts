/**
 * Pre-training corpora in BERT's format: one sentence per line, a blank line between
 * documents, read as create_pretraining_data.py reads them (each line stripped with Python's
 * str.strip(), tokenized; empty documents dropped).
 */
import * as fs from "node:fs";
import { BertLabError } from "../util/errors";
import { pyStrip } from "../tokenization/char-classes";

/** A document: its sentences, each a list of word pieces. */
export type Document = string[][];

/** Anything that turns a line into word pieces (BertTokenizer does). */
export interface LineTokenizer {
  tokenize(text: string): string[];
}


/**
 * Splits texts into tokenized documents, as create_training_instances does.
 *
 * @example
 *   documentsFromText("A b.\nC d.\n\nE f.\n", tok).length // → 2
 */
export function documentsFromText(texts: string | string[], tokenizer: LineTokenizer): Document[] {
  const all: Document[] = [[]];
  for (const text of Array.isArray(texts) ? texts : [texts]) {
    // Python text mode: universal newlines
    const lines = text.split(/\r\n|\r|\n/);
    if (lines[lines.length - 1] === "") lines.pop();
    for (const raw of lines) {
      const line = pyStrip(raw);
      if (!line) all.push([]); // empty lines are document delimiters
      const tokens = tokenizer.tokenize(line);
      if (tokens.length > 0) all[all.length - 1].push(tokens);
    }
  }
  return all.filter((d) => d.length > 0);
}

/** Reads and tokenizes corpus files; errors name the file. */
export function documentsFromFiles(files: string[], tokenizer: LineTokenizer): Document[] {
  const texts = files.map((f) => {
    let text: string;
    try {
      text = fs.readFileSync(f, "utf8");
    } catch (e) {
      throw new BertLabError("CORPUS_NOT_FOUND", `cannot read corpus ${f}: ${(e as Error).message}`);
    }
    if (text.trim() === "") throw new BertLabError("EMPTY_CORPUS", `corpus file is empty: ${f} — expected one sentence per line, a blank line between documents`);
    return text;
  });
  return documentsFromText(texts, tokenizer);
}
