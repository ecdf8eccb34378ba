/**
 * Raw running text → BERT's pre-training corpus format (one sentence per line, a blank line
 * between documents; see documents.ts). A rule-based splitter, no model; its rules:
 *
 * - Documents: each paragraph (lines up to a blank line) is a document, or with
 *   `documentPer: "file"` the whole input is one. A sentence never runs across a blank line.
 *   A line is blank when Python's str.strip() leaves nothing, as create_pretraining_data.py
 *   sees it. Lines end at "\n" or "\r\n"; a UTF-8 BOM at the start is dropped.
 * - Lines of a paragraph are joined with a space, or with nothing between CJK characters (a
 *   quote mark “”‘’ next to a CJK character counts as one). Runs of whitespace in a sentence
 *   become one space.
 * - English: a sentence ends at . ! ? … or a run of them (?! ... !!), with any closing quotes
 *   or brackets after it, when whitespace follows and then a sentence start: an uppercase
 *   letter, a digit, an opening quote or bracket, or a letter of a script without case (CJK).
 *   So decimals (3.14), "e.g. this" and "Wait... what" do not end a sentence; "Wait... What"
 *   does.
 * - A single "." does not end a sentence after a common abbreviation (Mr. Mrs. Dr. St. e.g.
 *   i.e. etc. vs. No. Jan. Inc. … see ABBREVIATIONS), after dotted initials (U.S. a.m. p.m.),
 *   or after a single capital letter, an initial ("J. R. R. Tolkien") — except "I".
 * - Chinese/Japanese: 。！？｡ (also !? in a run with them), with any closing quotes or
 *   brackets after them (」』”’）》…), end a sentence at once: no whitespace needed.
 *
 * @example
 *   splitSentences("Mr. Smith paid $3.50. He left!  她笑了。“好！”")
 *   // → ["Mr. Smith paid $3.50.", "He left!", "她笑了。", "“好！”"]
 *   toBertCorpus("One. Two.\n\nThree.") // → "One.\nTwo.\n\nThree.\n"
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pyStrip } from "../tokenization/char-classes";
import { BertLabError } from "../util/errors";

/** Words that a single "." follows without ending a sentence (case as written). */
export const ABBREVIATIONS: ReadonlySet<string> = new Set([
  "Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sr", "Jr", "St", "Mt", "Ft", "Rev", "Hon", "Gov", "Sen", "Rep", "Pres",
  "Gen", "Col", "Lt", "Sgt", "Capt", "Cmdr", "Adm", "Maj", "Messrs", "Mme", "Mlle",
  "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
  "No", "Nos", "Vol", "Vols", "Fig", "Figs", "Eq", "Ch", "Sec", "Art", "Ed", "Eds", "Ph.D",
  "Inc", "Ltd", "Co", "Corp", "Bros", "Ave", "Blvd", "Rd",
  "e.g", "i.e", "etc", "vs", "cf", "al", "approx", "ca", "pp", "viz",
]);

const CLOSERS = new Set([..."\"'”’)]}»」』）》〉】〕"]);
const TERMINATORS = /[.!?…。！？｡]+/gu;
const CJK_TERMINATOR = /[。！？｡]/u;
const START = /^[\p{Lu}\p{Lt}\p{Lo}\p{Nd}"'“‘(\[{«「『（《¿¡]/u;
const OPENERS = /^[("'“‘\[{«「『（《]+/u;
const TRAILING_CLOSERS = /[)"'”’\]}»」』）》]+$/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff01-\uff60]/u;
const QUOTE = /[“”‘’]/u;
/** the word before a ".": back to whitespace or a CJK character */
const WORD_BEFORE = /[^\s\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f\uff01-\uff60]*$/u;

/** Whether a single "." after `word` (the text since the last whitespace or CJK character) can end a sentence. */
function periodEnds(word: string): boolean {
  const w = word.replace(OPENERS, "").replace(TRAILING_CLOSERS, "");
  if (ABBREVIATIONS.has(w)) return false;
  if (/^\p{Lu}$/u.test(w)) return w === "I"; // an initial; "I." ends "… and so did I."
  return !/^(\p{L}\.)+\p{L}$/u.test(w); // U.S, e.g, a.m
}

/** Splits one paragraph (no line breaks) into sentences. */
function splitParagraph(p: string): string[] {
  const out: string[] = [];
  let start = 0;
  TERMINATORS.lastIndex = 0;
  for (let m = TERMINATORS.exec(p); m; m = TERMINATORS.exec(p)) {
    let end = m.index + m[0].length;
    while (end < p.length && CLOSERS.has(p[end])) end++;
    if (!CJK_TERMINATOR.test(m[0])) {
      const ws = /\s+/y;
      ws.lastIndex = end;
      if (!ws.test(p) || !START.test(p.slice(ws.lastIndex, ws.lastIndex + 2))) continue;
      if (m[0] === "." && !periodEnds(WORD_BEFORE.exec(p.slice(start, m.index))![0])) continue;
    }
    const s = pyStrip(p.slice(start, end));
    if (s) out.push(s);
    start = end;
    TERMINATORS.lastIndex = end;
  }
  const s = pyStrip(p.slice(start));
  if (s) out.push(s);
  return out;
}

/** Joins the (stripped, non-blank) lines of a paragraph: a space, or nothing between CJK. */
function joinLines(lines: string[]): string {
  let text = "";
  for (const line of lines) {
    if (text) {
      const last = Array.from(text.slice(-2)).pop()!;
      const first = Array.from(line.slice(0, 2))[0];
      const cjk = (CJK.test(last) && (CJK.test(first) || QUOTE.test(first))) || (QUOTE.test(last) && CJK.test(first));
      if (!cjk) text += " ";
    }
    text += line;
  }
  return text.replace(/\s+/gu, " ");
}

/** Splits lines as the corpus writers do: "\n" or "\r\n"; a BOM at the start dropped. */
function lines(text: string): string[] {
  const ls = text.replace(/^\ufeff/, "").split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (ls[ls.length - 1] === "") ls.pop();
  return ls;
}

export interface RawCorpusOptions {
  /** "paragraph" (default): each paragraph is a document; "file": the whole input is one */
  documentPer?: "paragraph" | "file";
}

export interface RawCorpusStats {
  documents: number;
  sentences: number;
}

/** Takes raw lines one at a time and emits corpus text; shared by toBertCorpus and the file writer. */
class CorpusBuilder {
  readonly stats: RawCorpusStats = { documents: 0, sentences: 0 };
  private paragraph: string[] = [];
  private inDocument = false;

  constructor(
    private readonly emit: (chunk: string) => void,
    private readonly per: "paragraph" | "file",
  ) {
    if (per !== "paragraph" && per !== "file") throw new BertLabError("BAD_OPTION", `documentPer must be "paragraph" or "file", not ${JSON.stringify(per)}`);
  }

  line(raw: string): void {
    const line = pyStrip(raw);
    if (line) this.paragraph.push(line);
    else this.endParagraph();
  }

  endParagraph(): void {
    if (this.paragraph.length === 0) return;
    const sentences = splitParagraph(joinLines(this.paragraph));
    this.paragraph = [];
    if (sentences.length === 0) return;
    if (this.per === "paragraph" || !this.inDocument) {
      if (this.stats.documents > 0) this.emit("\n");
      this.stats.documents++;
      this.inDocument = true;
    }
    this.stats.sentences += sentences.length;
    this.emit(sentences.join("\n") + "\n");
  }
}

/**
 * Splits text into sentences by the rules above (a blank line always ends one).
 *
 * @example
 *   splitSentences("J. R. R. Tolkien wrote it, i.e. the book. It sold.") // → ["J. R. R. Tolkien wrote it, i.e. the book.", "It sold."]
 *   splitSentences("这是第一句。这是第二句！")                               // → ["这是第一句。", "这是第二句！"]
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  const b = new CorpusBuilder((chunk) => out.push(...chunk.split("\n").filter((s) => s !== "")), "file");
  for (const l of lines(text)) b.line(l);
  b.endParagraph();
  return out;
}

/**
 * Raw text in BERT's corpus format: one sentence per line, a blank line between documents,
 * a newline at the end ("" when there are no sentences).
 *
 * @example
 *   toBertCorpus("A first line\nwraps here. Second one.\n\nNew paragraph.")
 *   // → "A first line wraps here.\nSecond one.\n\nNew paragraph.\n"
 */
export function toBertCorpus(text: string, options: RawCorpusOptions = {}): string {
  const out: string[] = [];
  const b = new CorpusBuilder((chunk) => out.push(chunk), options.documentPer ?? "paragraph");
  for (const l of lines(text)) b.line(l);
  b.endParagraph();
  return out.join("");
}

/**
 * Streams a raw UTF-8 text file into a corpus file, line by line (any size), as toBertCorpus
 * would write it. The output is written to a temporary file beside it and renamed, so it is
 * never left half written.
 *
 * @example
 *   await corpusFromRawFile("books/alice.txt", "corpus/alice.txt", { documentPer: "file" })
 *   // → { documents: 1, sentences: … }
 */
export async function corpusFromRawFile(input: string, output: string, options: RawCorpusOptions = {}): Promise<RawCorpusStats> {
  if (!fs.existsSync(input)) throw new BertLabError("INPUT_NOT_FOUND", `raw text file not found: ${input}`);
  const tmp = path.join(path.dirname(path.resolve(output)), `.${path.basename(output)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(tmp, "w");
  let pending = "";
  const flush = () => {
    fs.writeSync(fd, pending);
    pending = "";
  };
  try {
    const b = new CorpusBuilder((chunk) => {
      pending += chunk;
      if (pending.length > 1 << 20) flush();
    }, options.documentPer ?? "paragraph");
    const decoder = new TextDecoder("utf-8", { fatal: true });
    let rest = "";
    let offset = 0;
    let first = true;
    for await (const chunk of fs.createReadStream(input)) {
      let text: string;
      try {
        text = rest + decoder.decode(chunk as Buffer, { stream: true });
      } catch {
        throw new BertLabError("BAD_ENCODING", `${input}: not valid UTF-8 (in bytes ${offset}–${offset + (chunk as Buffer).length}) — convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)`);
      }
      offset += (chunk as Buffer).length;
      if (first) text = text.replace(/^\ufeff/, "");
      first = false;
      const ls = text.split("\n");
      rest = ls.pop()!;
      for (const l of ls) b.line(l.endsWith("\r") ? l.slice(0, -1) : l);
    }
    rest += decoder.decode();
    if (rest) b.line(rest.endsWith("\r") ? rest.slice(0, -1) : rest);
    b.endParagraph();
    flush();
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, output);
    return b.stats;
  } catch (e) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
