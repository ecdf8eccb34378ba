/**
 * CoNLL-style NER files: one token per line with its tag in the last column, a blank line
 * between sentences, `-DOCSTART-` lines between documents. Two layouts: WNUT-17's
 * `token<TAB>tag` and CoNLL-2003's `token POS chunk NER` (space-separated).
 *
 * Tags come in two schemes. IOB1 (CoNLL-2003 as released): I-X opens an entity unless it
 * follows an X token; B-X appears only where two X entities touch. IOB2 (WNUT-17, and what
 * the lab trains on): B-X opens every entity. toIob2 converts; entitySpans reads either the
 * way seqeval does, so the spans are the same before and after conversion.
 *
 * Every malformed line is either an error naming file:line (onError "stop", the default) or
 * a skipped sentence listed in `skipped` with its line and reason (onError "skip"): nothing
 * is dropped silently.
 */
import * as fs from "node:fs";
import { BertLabError } from "../util/errors";

export interface ConllSentence {
  tokens: string[];
  tags: string[];
  /** 4-column files: the POS and chunk columns */
  pos?: string[];
  chunk?: string[];
  /** 1-based line of the first token; token i is on line `line + i` */
  line: number;
  /** which -DOCSTART- section the sentence is in (0: after the first); absent before any */
  document?: number;
}

export interface ConllSkip {
  /** 1-based line of the first problem in the skipped sentence */
  line: number;
  reason: string;
}

export interface ConllOptions {
  /** 2 (token, tag), 4 (token, POS, chunk, NER) or "auto": from the first data line (default) */
  columns?: 2 | 4 | "auto";
  /** the file's tag scheme; "iob2" is checked (an I-X must continue an X entity); default: not checked */
  scheme?: "iob1" | "iob2";
  /** convert IOB1 tags to IOB2 (a no-op on IOB2 tags) */
  toIob2?: boolean;
  /** "stop" (default): throw on the first bad line; "skip": skip its sentence and list it in `skipped` */
  onError?: "stop" | "skip";
  /** the training split's labels (labelList); a tag outside them is an error… */
  labels?: readonly string[];
  /** …unless this is true: then it is kept and listed in `newLabels` */
  allowNewLabels?: boolean;
}

export interface ConllFile {
  file: string;
  sentences: ConllSentence[];
  skipped: ConllSkip[];
  /** tags outside options.labels, sorted (only ever non-empty with allowNewLabels) */
  newLabels: string[];
}

export interface EntitySpan {
  type: string;
  /** first token */
  start: number;
  /** one past the last token: tokens.slice(start, end) */
  end: number;
}

const TAG = /^(?:O|[BI]-\S+)$/;
const LAYOUT = { 0: "2 columns (token TAB tag) or 4 (token POS chunk NER)", 2: "2 columns (token TAB tag)", 4: "4 columns (token POS chunk NER)" };

/**
 * Reads a CoNLL NER file (UTF-8; a BOM is dropped; LF or CRLF).
 *
 * @example
 *   const train = readConll("wnut17train.conll");                  // 3,394 sentences
 *   const labels = labelList(train.sentences);                       // ["O", "B-corporation", …] (13)
 *   const dev = readConll("emerging.dev.conll", { labels });         // unknown tags → error
 *   const eng = readConll("eng.train", { scheme: "iob1", toIob2: true }); // CoNLL-2003
 */
export function readConll(file: string, options: ConllOptions = {}): ConllFile {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new BertLabError("INPUT_NOT_FOUND", `cannot read CoNLL file ${file}: ${(e as Error).message}`);
  }
  return parseConll(decodeUtf8(bytes, file), file, options);
}

/**
 * Parses the text of a CoNLL file; `file` names it in messages.
 *
 * @example
 *   parseConll("EU B-ORG\nrejects O\n\nPeter B-PER\n", "inline").sentences.length // → 2
 */
export function parseConll(text: string, file: string, options: ConllOptions = {}): ConllFile {
  const { columns: wanted = "auto", scheme, onError = "stop", labels } = options;
  if (wanted !== 2 && wanted !== 4 && wanted !== "auto") throw new BertLabError("BAD_OPTION", `columns must be 2, 4 or "auto", not ${JSON.stringify(wanted)}`);
  if (scheme !== undefined && scheme !== "iob1" && scheme !== "iob2") throw new BertLabError("BAD_OPTION", `scheme must be "iob1" or "iob2", not ${JSON.stringify(scheme)}`);
  if (onError !== "stop" && onError !== "skip") throw new BertLabError("BAD_OPTION", `onError must be "stop" or "skip", not ${JSON.stringify(onError)}`);
  const known = labels ? new Set(labels) : null;
  const listed = labels ? labels.slice(0, 20).join(", ") + (labels.length > 20 ? ", …" : "") : "";
  const newLabels = new Set<string>();
  const sentences: ConllSentence[] = [];
  const skipped: ConllSkip[] = [];
  let columns: 0 | 2 | 4 = wanted === "auto" ? 0 : wanted;
  let documents = 0;
  let cur: ConllSentence | null = null;
  let problem: ConllSkip | null = null; // set: the rest of this sentence is skipped

  const fail = (line: number, reason: string, code = "BAD_CONLL") => {
    if (onError === "stop") throw new BertLabError(code, `${file}:${line}: ${reason} — fix the line, or pass onError: "skip" to skip its sentence`);
    problem ??= { line, reason };
  };
  const checkTags = (s: ConllSentence) => {
    if (scheme === "iob2") {
      s.tags.forEach((tag, i) => {
        if (tag.startsWith("I-") && (i === 0 || s.tags[i - 1].slice(2) !== tag.slice(2))) {
          fail(s.line + i, `${tag} after ${i === 0 ? "the sentence start" : s.tags[i - 1]}: in IOB2 every entity opens with B- (if the file is IOB1, as CoNLL-2003 is, pass scheme: "iob1", toIob2: true)`);
        }
      });
      if (problem) return;
    }
    if (options.toIob2) s.tags = toIob2(s.tags);
    if (known) {
      s.tags.forEach((tag, i) => {
        if (known.has(tag)) return;
        if (options.allowNewLabels) newLabels.add(tag);
        else fail(s.line + i, `label ${tag} is not among the ${known.size} training labels (${listed}); pass allowNewLabels: true to accept new labels`, "UNKNOWN_LABEL");
      });
    }
  };
  const endSentence = () => {
    if (cur && !problem) checkTags(cur);
    if (problem) skipped.push(problem);
    else if (cur) sentences.push(cur);
    cur = null;
    problem = null;
  };

  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const line = n + 1;
    // WNUT-17's train file separates most sentences with a line holding one tab: blank too
    const raw = lines[n].replace(/[ \t\r]+$/, "");
    if (raw === "") {
      endSentence();
      continue;
    }
    const cols = raw.includes("\t") ? raw.split("\t") : raw.split(/ +/);
    if (cols[0] === "-DOCSTART-") {
      endSentence();
      documents++;
      continue;
    }
    if (problem) continue;
    if (cols.length !== columns && !(columns === 0 && (cols.length === 2 || cols.length === 4))) {
      fail(line, `expected ${LAYOUT[columns]}, found ${cols.length} in ${JSON.stringify(raw)}`);
      continue;
    }
    columns = cols.length as 2 | 4;
    const tag = cols[columns - 1];
    if (cols.some((c) => c === "")) {
      fail(line, `empty ${cols[0] === "" ? "token" : "column"} in ${JSON.stringify(raw)}`);
      continue;
    }
    if (!TAG.test(tag)) {
      fail(line, `tag ${JSON.stringify(tag)} is not O, B-TYPE or I-TYPE`);
      continue;
    }
    cur ??= { tokens: [], tags: [], ...(columns === 4 ? { pos: [], chunk: [] } : {}), line, ...(documents > 0 ? { document: documents - 1 } : {}) };
    cur.tokens.push(cols[0]);
    cur.tags.push(tag);
    if (cur.pos && cur.chunk) {
      cur.pos.push(cols[1]);
      cur.chunk.push(cols[2]);
    }
  }
  endSentence();
  if (sentences.length === 0 && skipped.length === 0) {
    throw new BertLabError("NO_SENTENCES", `${file}: no sentences — expected lines of ${LAYOUT[columns]}, a blank line after each sentence`);
  }
  return { file, sentences, skipped, newLabels: [...newLabels].sort() };
}

/**
 * IOB1 → IOB2: an I-X that does not follow an X token opens an entity, so it becomes B-X.
 *
 * @example
 *   toIob2(["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG", "I-LOC"])
 *   // → ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "B-ORG", "B-LOC"]
 */
export function toIob2(tags: readonly string[]): string[] {
  return tags.map((tag, i) => {
    if (!tag.startsWith("I-")) return tag;
    const prev = i > 0 ? tags[i - 1] : "O";
    return prev !== "O" && prev.slice(2) === tag.slice(2) ? tag : `B-${tag.slice(2)}`;
  });
}

/**
 * The entities of a tag sequence, read as seqeval does by default (conlleval's rules): B-X
 * opens an entity, so does an I-X not following an X token; O or another type closes it.
 * So IOB1 and its IOB2 conversion give the same spans.
 *
 * @example
 *   entitySpans(["B-PER", "I-PER", "O", "I-LOC", "B-LOC"])
 *   // → [{ type: "PER", start: 0, end: 2 }, { type: "LOC", start: 3, end: 4 }, { type: "LOC", start: 4, end: 5 }]
 */
export function entitySpans(tags: readonly string[]): EntitySpan[] {
  const spans: EntitySpan[] = [];
  let open: EntitySpan | null = null;
  tags.forEach((tag, i) => {
    if (!TAG.test(tag)) throw new BertLabError("BAD_TAG", `tag ${i} ${JSON.stringify(tag)} is not O, B-TYPE or I-TYPE`);
    const type = tag.slice(2);
    if (open && tag.startsWith("I-") && open.type === type) {
      open.end = i + 1;
      return;
    }
    open = tag === "O" ? null : { type, start: i, end: i + 1 };
    if (open) spans.push(open);
  });
  return spans;
}

/**
 * The label list of a training split: "O" first (always), then every other tag sorted —
 * the same list, in the same order, however the sentences are ordered.
 *
 * @example
 *   labelList([{ tags: ["B-PER", "O", "I-PER"] }, { tags: ["B-LOC"] }]) // → ["O", "B-LOC", "B-PER", "I-PER"]
 */
export function labelList(sentences: readonly { tags: readonly string[] }[]): string[] {
  const tags = new Set<string>();
  for (const s of sentences) for (const t of s.tags) if (t !== "O") tags.add(t);
  return ["O", ...[...tags].sort()];
}

/** UTF-8 text of a file; invalid bytes are an error naming the line they are on. */
function decodeUtf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    let line = 1;
    for (let start = 0; start <= bytes.length; line++) {
      const nl = bytes.indexOf(10, start);
      const end = nl < 0 ? bytes.length : nl;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(start, end));
      } catch {
        break;
      }
      start = end + 1;
    }
    throw new BertLabError("BAD_ENCODING", `${file}:${line}: not valid UTF-8 — convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)`);
  }
}
