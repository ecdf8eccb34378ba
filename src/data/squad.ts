/**
 * SQuAD v1.1 JSON: articles → paragraphs (a context) → questions, each with one answer
 * (train) or several (dev), an answer being a text and its character offset in the context.
 * Every answer is checked: context.slice(start, start + text.length) must be its text.
 *
 * Offsets: SQuAD's answer_start is a Python str index, i.e. it counts code points, while a
 * JS string index counts UTF-16 units; they differ after any character outside the BMP
 * (an emoji is 1 in Python, 2 here). readSquad converts, so `start` is a JS index. (The
 * v1.1 dev file has no such character, so there the two agree.)
 *
 * squadDocTokens and answerWordSpan give the whitespace words and answer word positions of
 * google-research/bert run_squad.py (read_squad_examples), for features built as it does.
 */
import { BertLabError } from "../util/errors";
import { isPySpace } from "../tokenization/char-classes";
import { readUtf8 } from "./read-utf8";

export interface SquadAnswer {
  text: string;
  /** offset of the text in the context, as a JS string index (UTF-16 units) */
  start: number;
}

export interface SquadExample {
  /** the question id */
  id: string;
  /** the article title */
  title: string;
  context: string;
  question: string;
  answers: SquadAnswer[];
}

export interface SquadSkip {
  /** the question id, when the question has one */
  id?: string;
  /** where in the JSON, e.g. data[3].paragraphs[12].qas[4] */
  where: string;
  reason: string;
}

export interface SquadOptions {
  /** "stop" (default): throw on the first problem; "skip": skip the question (or paragraph, article) and list it */
  onError?: "stop" | "skip";
}

export interface SquadFile {
  file: string;
  /** the file's "version" field ("1.1"), or "" */
  version: string;
  examples: SquadExample[];
  skipped: SquadSkip[];
  /** articles and paragraphs in the file (skipped ones included) */
  articles: number;
  paragraphs: number;
}

/** A context split on whitespace as run_squad.py does. */
export interface SquadDocTokens {
  docTokens: string[];
  /** for each UTF-16 unit of the context, the index of its word (-1 before the first word) */
  charToWord: number[];
}

/** An answer's first and last word (inclusive), as run_squad.py's start_position/end_position. */
export interface AnswerWords {
  startWord: number;
  endWord: number;
  /** run_squad.py's check: the words contain the answer text (training skips examples where not) */
  recoverable: boolean;
}

/**
 * Reads a SQuAD v1.1 JSON file and checks every question and answer.
 *
 * @example
 *   const dev = readSquad("squad/dev-v1.1.json");
 *   dev.examples.length;     // → 10570
 *   dev.examples[0].answers; // → [{ text: "Denver Broncos", start: 177 }, …]
 */
export function readSquad(file: string, options: SquadOptions = {}): SquadFile {
  const text = readUtf8(file, "SQuAD file", "download SQuAD v1.1 (bert-lab data fetch squad-v1.1-dev) or check the path");
  return parseSquad(text, file, options);
}

/**
 * Parses and checks the text of a SQuAD file; `file` names it in messages.
 *
 * @example
 *   parseSquad('{"data": []}', "inline").examples // → []
 */
export function parseSquad(text: string, file: string, options: SquadOptions = {}): SquadFile {
  const { onError = "stop" } = options;
  if (onError !== "stop" && onError !== "skip") throw new BertLabError("BAD_OPTION", `onError must be "stop" or "skip", not ${JSON.stringify(onError)}`);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw jsonError(text, file, e as Error);
  }
  const data = isObject(root) ? root.data : undefined;
  if (!Array.isArray(data)) throw new BertLabError("BAD_SQUAD", `${file}: expected a JSON object {"version": "1.1", "data": [articles]} — is this a SQuAD file?`);

  const out: SquadFile = { file, version: isObject(root) && typeof root.version === "string" ? root.version : "", examples: [], skipped: [], articles: 0, paragraphs: 0 };
  const ids = new Set<string>();
  // false: the item is skipped (onError "skip"); with "stop" this throws
  const check = (ok: boolean, where: string, id: string | undefined, reason: string, code = "BAD_SQUAD"): boolean => {
    if (ok) return true;
    if (onError === "stop") throw new BertLabError(code, `${file}: ${id === undefined ? "" : `question ${id} `}(${where}): ${reason}`);
    out.skipped.push({ ...(id === undefined ? {} : { id }), where, reason });
    return false;
  };

  data.forEach((article: unknown, a) => {
    out.articles++;
    const at = `data[${a}]`;
    if (!check(isObject(article) && typeof article.title === "string" && Array.isArray(article.paragraphs), at, undefined, `an article needs "title" (a string) and "paragraphs" (a list)`)) return;
    const { title, paragraphs } = article as { title: string; paragraphs: unknown[] };
    paragraphs.forEach((paragraph: unknown, p) => {
      out.paragraphs++;
      const pat = `${at}.paragraphs[${p}]`;
      if (!check(isObject(paragraph) && typeof paragraph.context === "string" && Array.isArray(paragraph.qas), pat, undefined, `a paragraph needs "context" (a string) and "qas" (a list)`)) return;
      const { context, qas } = paragraph as { context: string; qas: unknown[] };
      const astral = /[\uD800-\uDFFF]/.test(context);
      qas.forEach((qa: unknown, q) => {
        const where = `${pat}.qas[${q}]`;
        const id = isObject(qa) && typeof qa.id === "string" ? qa.id : undefined;
        if (!check(isObject(qa) && id !== undefined, where, undefined, `a question needs "id" (a string)`)) return;
        const { question, answers } = qa as { question: unknown; answers: unknown };
        if (!check(typeof question === "string", where, id, `no "question" (a string)`)) return;
        if (!check(Array.isArray(answers) && answers.length > 0, where, id, `no "answers" (a non-empty list of {"text", "answer_start"}; SQuAD 2.0's unanswerable questions are not read here)`)) return;
        if (!check(!ids.has(id!), where, id, `the id is used twice`)) return;
        const checked: SquadAnswer[] = [];
        for (const [k, answer] of (answers as unknown[]).entries()) {
          const aw = `${where}.answers[${k}]`;
          const { text, answer_start } = (isObject(answer) ? answer : {}) as { text?: unknown; answer_start?: unknown };
          if (!check(typeof text === "string" && text !== "" && Number.isInteger(answer_start) && (answer_start as number) >= 0, aw, id, `an answer needs "text" (a non-empty string) and "answer_start" (an integer ≥ 0)`)) return;
          const t = text as string;
          const s = answer_start as number;
          const start = astral ? codePointToIndex(context, s) : s;
          const found = context.slice(start, start + t.length);
          if (found !== t) {
            const occurs = context.indexOf(t);
            const hint =
              astral && context.slice(s, s + t.length) === t
                ? " (it would match as a UTF-16 index, but SQuAD offsets count code points, as Python does)"
                : occurs >= 0 ? ` (the text first occurs at ${[...context.slice(0, occurs)].length})` : " (the text is nowhere in the context)";
            if (!check(false, aw, id, `the answer ${JSON.stringify(t)} is not at answer_start ${s}: the context there reads ${JSON.stringify(found)}${hint} — fix answer_start`, "BAD_ANSWER_OFFSET")) return;
          }
          checked.push({ text: t, start });
        }
        ids.add(id!);
        out.examples.push({ id: id!, title, context, question: question as string, answers: checked });
      });
    });
  });
  return out;
}

/**
 * run_squad.py's whitespace words of a context: split on " ", "\t", "\r", "\n" and U+202F
 * only (not on U+00A0 or other Unicode spaces), each character mapped to its word.
 *
 * @example
 *   squadDocTokens(" Denver  Broncos.") // → { docTokens: ["Denver", "Broncos."], charToWord: [-1, 0,0,0,0,0,0, 0,0, 1,1,1,1,1,1,1,1] }
 */
export function squadDocTokens(context: string): SquadDocTokens {
  const docTokens: string[] = [];
  const charToWord: number[] = [];
  let prevIsWhitespace = true;
  // by UTF-16 unit: the whitespace is all in the BMP, so the words are those Python finds
  for (let i = 0; i < context.length; i++) {
    const c = context[i];
    if (c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\u202F") {
      prevIsWhitespace = true;
    } else {
      if (prevIsWhitespace) docTokens.push(c);
      else docTokens[docTokens.length - 1] += c;
      prevIsWhitespace = false;
    }
    charToWord.push(docTokens.length - 1);
  }
  return { docTokens, charToWord };
}

/**
 * The first and last word of an answer, and whether run_squad.py's training check (the
 * words, joined by spaces, contain the answer's whitespace-normalized text) passes.
 *
 * @example
 *   const doc = squadDocTokens("The leader was John Smith (1895-1943).");
 *   answerWordSpan(doc, { text: "1895", start: 27 }) // → { startWord: 5, endWord: 5, recoverable: true }
 */
export function answerWordSpan(doc: SquadDocTokens, answer: SquadAnswer): AnswerWords {
  const startWord = doc.charToWord[answer.start];
  const endWord = doc.charToWord[answer.start + answer.text.length - 1];
  const actual = doc.docTokens.slice(startWord, endWord + 1).join(" ");
  // tokenization.whitespace_tokenize: Python's str.split(), on every str.isspace() character
  const cleaned = answer.text.split("").map((c) => (isPySpace(c.charCodeAt(0)) ? " " : c)).join("").split(" ").filter(Boolean).join(" ");
  return { startWord, endWord, recoverable: actual.includes(cleaned) };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** The JS index of code point `n` of s (Python's s[n]). */
function codePointToIndex(s: string, n: number): number {
  let i = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return i;
}

/** A JSON syntax error as file, line, column and what was found there. */
function jsonError(text: string, file: string, e: Error): BertLabError {
  if (text.trim() === "") return new BertLabError("BAD_JSON", `${file}: the file is empty — expected SQuAD JSON {"version": "1.1", "data": [articles]}`);
  const at = jsonErrorPosition(text);
  if (at < 0) return new BertLabError("BAD_JSON", `${file}: not valid JSON: ${e.message.slice(0, 200)}`);
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  const column = at - before.lastIndexOf("\n");
  const where = `${file}:${line}:${column} (character ${at})`;
  if (at >= text.length) return new BertLabError("BAD_JSON", `${where}: the JSON ends in the middle of a value — the file looks truncated; fetch it again`);
  const near = text.slice(Math.max(0, at - 30), at + 30).replace(/\s+/g, " ");
  return new BertLabError("BAD_JSON", `${where}: not valid JSON: unexpected ${JSON.stringify(text[at])} near ${JSON.stringify(near)}`);
}

/**
 * Where JSON.parse failed (V8 does not always say): a JSON syntax scan that stops at the
 * first character that cannot continue a valid document; -1 if there is none.
 */
function jsonErrorPosition(s: string): number {
  let i = 0;
  const space = /[ \t\n\r]*/y;
  const literal = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const string = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const match = (re: RegExp) => {
    re.lastIndex = i;
    if (!re.test(s)) return false;
    i = re.lastIndex;
    return true;
  };
  const ws = () => match(space);
  const expect = (c: string) => {
    ws();
    if (s[i] !== c) throw i;
    i++;
  };
  const value = (): void => {
    ws();
    const open = s[i];
    if (open === "{" || open === "[") {
      i++;
      ws();
      if (s[i] === (open === "{" ? "}" : "]")) return void i++;
      for (;;) {
        if (open === "{") {
          ws();
          if (!match(string)) throw stringEnd(i);
          expect(":");
        }
        value();
        ws();
        if (s[i] === ",") i++;
        else return expect(open === "{" ? "}" : "]");
      }
    }
    if (open === '"' ? !match(string) : !match(literal)) throw open === '"' ? stringEnd(i) : i;
  };
  // inside a bad string: the first character that is not allowed (or the end of the text)
  const stringEnd = (from: number) => {
    if (s[from] !== '"') return from;
    const partial = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*/y;
    partial.lastIndex = from;
    partial.test(s);
    return partial.lastIndex;
  };
  try {
    value();
    ws();
    return i < s.length ? i : -1;
  } catch (at) {
    return at as number;
  }
}
