/**
 * Character classes of google-research/bert tokenization.py, by code point.
 *
 * The reference asks Python's `unicodedata` (Unicode 14.0 in CPython 3.11); Node's ICU is
 * newer, so the categories come from tables generated from Python (unicode-tables.ts) and
 * code points unassigned in Unicode 14 are never lower-cased or decomposed.
 */
import {
  CONTROL,
  NONSPACING_MARK,
  PUNCTUATION,
  PY_ISSPACE,
  SPACE_SEPARATOR,
  UNASSIGNED,
} from "./unicode-tables";

/** How the basic tokenizer treats one code point. */
export const enum CharClass {
  /** part of a word */
  Word = 0,
  /** separates words (tokenization.py _is_whitespace, or str.split()'s whitespace) */
  Space = 1,
  /** a token by itself (tokenization.py _is_punctuation) */
  Punct = 2,
  /** removed by _clean_text: U+0000, U+FFFD, Cc, Cf */
  Drop = 3,
  /** a CJK ideograph: a token by itself (tokenization.py _is_chinese_char) */
  Cjk = 4,
}

function inRanges(table: readonly number[], cp: number): boolean {
  // binary search over [start, end] pairs
  let lo = 0;
  let hi = table.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < table[2 * mid]) hi = mid - 1;
    else if (cp > table[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** tokenization.py _is_chinese_char: the CJK Unified Ideographs blocks, not kana or Hangul. */
export function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** tokenization.py _is_punctuation: ASCII 33–47, 58–64, 91–96, 123–126, or any P* category. */
export function isPunctuation(cp: number): boolean {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
    return true;
  }
  return inRanges(PUNCTUATION, cp);
}

/** tokenization.py _is_control (tab, LF and CR count as whitespace, not control). */
export function isControl(cp: number): boolean {
  if (cp === 9 || cp === 10 || cp === 13) return false;
  return inRanges(CONTROL, cp);
}

/** tokenization.py _is_whitespace: space, tab, LF, CR or category Zs. */
export function isWhitespace(cp: number): boolean {
  return cp === 32 || cp === 9 || cp === 10 || cp === 13 || inRanges(SPACE_SEPARATOR, cp);
}

/** Python's str.isspace(), used by str.split() and str.strip() (e.g. U+2028 is Zl, not Zs). */
export function isPySpace(cp: number): boolean {
  return inRanges(PY_ISSPACE, cp);
}

/** Category Mn, which _run_strip_accents removes after NFD. */
export function isNonspacingMark(cp: number): boolean {
  return inRanges(NONSPACING_MARK, cp);
}

/** Unassigned in the reference's Unicode version: Python leaves these untouched. */
export function isUnassigned(cp: number): boolean {
  return inRanges(UNASSIGNED, cp);
}

function classify(cp: number): CharClass {
  // order as in BasicTokenizer.tokenize: _clean_text, then _tokenize_chinese_chars, then split
  if (cp === 0 || cp === 0xfffd || isControl(cp)) return CharClass.Drop;
  if (isWhitespace(cp) || isPySpace(cp)) return CharClass.Space;
  if (isChineseChar(cp)) return CharClass.Cjk;
  if (isPunctuation(cp)) return CharClass.Punct;
  return CharClass.Word;
}

// One byte per code point, filled lazily: 0 = not yet known, else class + 1.
const classCache = new Uint8Array(0x110000);
for (let cp = 0; cp < 128; cp++) classCache[cp] = classify(cp) + 1;

/** The class of a code point before any lower-casing (cached). */
export function charClass(cp: number): CharClass {
  const c = classCache[cp];
  if (c !== 0) return (c - 1) as CharClass;
  const k = classify(cp);
  classCache[cp] = k + 1;
  return k;
}

// 0 = not yet known, 1 = punctuation, 2 = not
const punctCache = new Uint8Array(0x110000);

/** isPunctuation, cached per code point. */
export function isPunctuationCached(cp: number): boolean {
  let c = punctCache[cp];
  if (c === 0) c = punctCache[cp] = isPunctuation(cp) ? 1 : 2;
  return c === 1;
}

const ASCII_LOWER: string[] = [];
for (let c = 0; c < 128; c++) ASCII_LOWER.push(String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c));

const normCache = new Map<number, string>();

/**
 * What lower-casing and accent stripping make of one code point, as tokenization.py does it
 * for an uncased model: `lower()`, then NFD, then drop every Mn mark. "É" → "e", "ß" → "ß",
 * "İ" → "i" (lower gives "i̇", the dot is Mn). Capital sigma depends on its neighbours: see
 * lowerSigma.
 */
export function lowerAndStrip(cp: number): string {
  if (cp < 128) return ASCII_LOWER[cp];
  let out = normCache.get(cp);
  if (out !== undefined) return out;
  const ch = String.fromCodePoint(cp);
  if (isUnassigned(cp)) {
    out = ch;
  } else {
    out = "";
    for (const lc of ch.toLowerCase()) {
      const lcp = lc.codePointAt(0)!;
      const decomposed = isUnassigned(lcp) ? lc : lc.normalize("NFD");
      for (const d of decomposed) {
        if (!isNonspacingMark(d.codePointAt(0)!)) out += d;
      }
    }
  }
  normCache.set(cp, out);
  return out;
}

const CASED = /\p{Cased}/u;
const CASE_IGNORABLE = /\p{Case_Ignorable}/u;

/**
 * Python's str.lower() maps U+03A3 Σ to final ς when it ends a word:
 * `\p{cased} \p{case-ignorable}* Σ !(\p{case-ignorable}* \p{cased})` (unicodeobject.c).
 * `cps` is the whitespace-delimited token, as Python lower-cases it, and `i` the Σ.
 */
export function lowerSigma(cps: ArrayLike<number>, i: number, start: number, end: number): string {
  let j = i - 1;
  while (j >= start && CASE_IGNORABLE.test(String.fromCodePoint(cps[j]))) j--;
  const casedBefore = j >= start && CASED.test(String.fromCodePoint(cps[j]));
  let k = i + 1;
  while (k < end && CASE_IGNORABLE.test(String.fromCodePoint(cps[k]))) k++;
  const casedAfter = k < end && CASED.test(String.fromCodePoint(cps[k]));
  return casedBefore && !casedAfter ? "\u03c2" : "\u03c3";
}

/** Python's str.strip() with no argument: trims str.isspace() characters at both ends. */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPySpace(s.charCodeAt(a))) a++;
  while (b > a && isPySpace(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}
