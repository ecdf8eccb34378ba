/**
 * BERT's tokenizer one stage at a time, exactly as tokenization.py runs it, for notebooks
 * (`tokenizeWithSteps`) and as the test oracle of the one-pass tokenizer in
 * basic-tokenizer.ts. Slow and plain on purpose: whole strings, one stage after another.
 */
import {
  isChineseChar,
  isControl,
  isNonspacingMark,
  isPunctuation,
  isPySpace,
  isUnassigned,
  isWhitespace,
} from "./char-classes";

/** _clean_text: drop U+0000, U+FFFD and control characters; whitespace becomes " ". */
export function cleanText(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0 || cp === 0xfffd || isControl(cp)) continue;
    out += isWhitespace(cp) ? " " : ch;
  }
  return out;
}

/** _tokenize_chinese_chars: a space on both sides of every CJK ideograph. */
export function spaceCjk(text: string): string {
  let out = "";
  for (const ch of text) out += isChineseChar(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
  return out;
}

/** whitespace_tokenize: Python's str.split() with no argument. */
export function splitWhitespace(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const ch of text) {
    if (isPySpace(ch.codePointAt(0)!)) {
      if (cur) out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** token.lower() then _run_strip_accents: NFD and drop Mn marks. */
export function lowerAndStripAccents(token: string): string {
  // code points the reference's Unicode does not know are left alone by lower() and NFD:
  // stand-in U+0001 (neither cased nor case-ignorable, as Python sees them) while lower-casing
  const unknown: string[] = [];
  const masked = Array.from(token, (c) => (isUnassigned(c.codePointAt(0)!) ? (unknown.push(c), "\u0001") : c)).join("");
  let k = 0;
  const lowered = masked.toLowerCase().replace(/\u0001/g, () => unknown[k++]);
  let out = "";
  for (const ch of lowered) {
    const decomposed = isUnassigned(ch.codePointAt(0)!) ? ch : ch.normalize("NFD");
    for (const d of decomposed) if (!isNonspacingMark(d.codePointAt(0)!)) out += d;
  }
  return out;
}

/** _run_split_on_punc: every punctuation character becomes a token of its own. */
export function splitOnPunctuation(token: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const ch of token) {
    if (isPunctuation(ch.codePointAt(0)!)) {
      if (cur) out.push(cur);
      out.push(ch);
      cur = "";
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

/** What BasicTokenizer.tokenize does to a text, stage by stage. */
export interface BasicSteps {
  /** the input */
  text: string;
  /** after _clean_text */
  cleaned: string;
  /** after _tokenize_chinese_chars */
  cjkSpaced: string;
  /** after whitespace_tokenize */
  whitespaceTokens: string[];
  /** each whitespace token after lower() and accent stripping (unchanged when cased) */
  normalized: string[];
  /** after _run_split_on_punc and the final whitespace split: the basic tokens */
  basicTokens: string[];
}

/**
 * Runs the basic tokenizer stage by stage.
 *
 * @example
 *   basicSteps("Héllo, 世界!", true).basicTokens // → ["hello", ",", "世", "界", "!"]
 */
export function basicSteps(text: string, doLowerCase: boolean): BasicSteps {
  const cleaned = cleanText(text);
  const cjkSpaced = spaceCjk(cleaned);
  const whitespaceTokens = splitWhitespace(cjkSpaced);
  const normalized = whitespaceTokens.map((t) => (doLowerCase ? lowerAndStripAccents(t) : t));
  const basicTokens = splitWhitespace(normalized.flatMap(splitOnPunctuation).join(" "));
  return { text, cleaned, cjkSpaced, whitespaceTokens, normalized, basicTokens };
}
