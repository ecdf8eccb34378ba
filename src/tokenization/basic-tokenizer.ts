/**
 * BERT's BasicTokenizer (google-research/bert tokenization.py): clean the text, put spaces
 * around CJK ideographs, split on whitespace, lower-case and strip accents (uncased models
 * only), split off punctuation.
 *
 * This is the fast path: one pass over the code points, no intermediate strings. It keeps,
 * for every character of every token, the code point index it came from in the original
 * text, so word pieces can be mapped back to the input (NER labels are aligned this way).
 * steps.ts is the same algorithm written stage by stage, for teaching and as a test oracle.
 */
import { CharClass, charClass, isPunctuationCached, isUnassigned, lowerAndStrip } from "./char-classes";

/** Receives each basic token as it is found. */
export interface BasicTokenSink {
  /**
   * `origin` gives, for each UTF-16 unit of `token`, the index of the original code point it
   * came from, and `originEnd` the end (exclusive) of what it stands for — past the original
   * character when accent stripping removed marks after it ("e\u0301" → "e" spans both).
   * When they are null the token is a verbatim copy of code points `start…`.
   * The arrays are reused: read them before returning.
   */
  word(token: string, start: number, origin: Int32Array | null, originEnd: Int32Array | null): void;
}

export interface BasicTokenizerOptions {
  /** Lower-case and strip accents (uncased models). Default true, as in the original. */
  doLowerCase?: boolean;
}

// ASCII classes after lower-casing (lower-casing ASCII never changes a class)
const ASCII_CLASS = new Uint8Array(128);
const ASCII_CHAR: string[] = [];
for (let c = 0; c < 128; c++) {
  ASCII_CLASS[c] = charClass(c);
  ASCII_CHAR.push(String.fromCharCode(c));
}
// Control characters other than tab/LF/CR are dropped inside words; the fast path leaves
// those texts to the general path.
const NON_ASCII_OR_DROPPED = /[^\t\n\r\x20-\x7e]/;
const CASED = /\p{Cased}/u;
const isAsciiSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
const CASE_IGNORABLE = /\p{Case_Ignorable}/u;

export class BasicTokenizer {
  readonly doLowerCase: boolean;
  private origin = new Int32Array(64);
  private originEnd = new Int32Array(64);
  private cps = new Int32Array(256);

  constructor(options: BasicTokenizerOptions = {}) {
    this.doLowerCase = options.doLowerCase ?? true;
  }

  /**
   * The basic tokens of a text.
   *
   * @example
   *   new BasicTokenizer().tokenize("Héllo, WORLD!") // → ["hello", ",", "world", "!"]
   */
  tokenize(text: string): string[] {
    const out: string[] = [];
    this.scan(text, { word: (t) => void out.push(t) });
    return out;
  }

  /** Streams every basic token of `text` into `sink`, in order. */
  scan(text: string, sink: BasicTokenSink): void {
    if (!NON_ASCII_OR_DROPPED.test(text)) {
      this.scanAscii(text, sink, 0);
      return;
    }
    // ASCII whitespace ends every token at every stage, so the text can be cut there: the
    // words holding other characters take the general path, the stretches between them the
    // fast one. `base` counts code points before the current position.
    const special = new RegExp(NON_ASCII_OR_DROPPED.source, "g");
    let pos = 0;
    let base = 0;
    let m: RegExpExecArray | null;
    while ((m = special.exec(text)) !== null) {
      let a = m.index;
      while (a > pos && !isAsciiSpace(text.charCodeAt(a - 1))) a--;
      let e = m.index + 1;
      while (e < text.length && !isAsciiSpace(text.charCodeAt(e))) e++;
      if (a > pos) {
        this.scanAscii(text.substring(pos, a), sink, base);
        base += a - pos;
      }
      base += this.scanGeneral(text.substring(a, e), sink, base);
      pos = e;
      special.lastIndex = e;
    }
    if (pos < text.length) this.scanAscii(text.substring(pos), sink, base);
  }

  /** Text with only printable ASCII, tab, LF and CR; `base` is added to every offset. */
  private scanAscii(text: string, sink: BasicTokenSink, base: number): void {
    const src = this.doLowerCase ? text.toLowerCase() : text;
    const n = src.length;
    let start = -1;
    for (let i = 0; i < n; i++) {
      const c = src.charCodeAt(i);
      const k = ASCII_CLASS[c];
      if (k === CharClass.Word) {
        if (start < 0) start = i;
        continue;
      }
      if (start >= 0) {
        sink.word(src.substring(start, i), start + base, null, null);
        start = -1;
      }
      if (k === CharClass.Punct) sink.word(ASCII_CHAR[c], i + base, null, null);
    }
    if (start >= 0) sink.word(src.substring(start), start + base, null, null);
  }

  /** Any text; `base` is added to every offset. Returns the number of code points. */
  private scanGeneral(text: string, sink: BasicTokenSink, base: number): number {
    // code points of the text; index = position in the original, counted in code points
    let cps = this.cps;
    if (cps.length < text.length) cps = this.cps = new Int32Array(text.length * 2);
    let n = 0;
    for (let u = 0; u < text.length; u++) {
      const c = text.charCodeAt(u);
      if (c >= 0xd800 && c <= 0xdbff && u + 1 < text.length) {
        const d = text.charCodeAt(u + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          cps[n++] = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          u++;
          continue;
        }
      }
      cps[n++] = c;
    }

    const lower = this.doLowerCase;
    let word = "";
    let wordStart = -1;
    const flush = (): void => {
      if (word.length > 0) sink.word(word, wordStart, this.origin, this.originEnd);
      word = "";
    };
    const append = (s: string, from: number): void => {
      if (word.length === 0) wordStart = from;
      this.ensureOrigin(word.length + s.length);
      for (let k = 0; k < s.length; k++) {
        this.origin[word.length + k] = from;
        this.originEnd[word.length + k] = from + 1;
      }
      word += s;
    };
    const single = (s: string, from: number): void => {
      flush();
      this.ensureOrigin(s.length);
      for (let k = 0; k < s.length; k++) {
        this.origin[k] = from;
        this.originEnd[k] = from + 1;
      }
      sink.word(s, from, this.origin, this.originEnd);
    };

    for (let i = 0; i < n; i++) {
      const cp = cps[i];
      const k = charClass(cp);
      if (k === CharClass.Drop) continue; // _clean_text
      if (k === CharClass.Space) {
        flush();
        continue;
      }
      if (k === CharClass.Cjk) {
        // _tokenize_chinese_chars; NFD still applies when lower-casing (U+F900 → U+8C48)
        single(lower ? lowerAndStrip(cp) : String.fromCodePoint(cp), i + base);
        continue;
      }
      if (!lower) {
        const s = cp < 128 ? ASCII_CHAR[cp] : String.fromCodePoint(cp);
        if (k === CharClass.Punct) single(s, i + base);
        else append(s, i + base);
        continue;
      }
      // lower(), NFD, drop Mn — then punctuation is judged on what is left (_run_split_on_punc)
      const s = cp === 0x3a3 ? (this.sigmaIsFinal(cps, i, n) ? "\u03c2" : "\u03c3") : lowerAndStrip(cp);
      if (s.length === 0) {
        // only marks: they belong to the character before them
        if (word.length > 0) {
          this.originEnd[word.length - 1] = i + base + 1;
          if (word.length > 1 && isLowSurrogate(word.charCodeAt(word.length - 1))) this.originEnd[word.length - 2] = i + base + 1;
        }
        continue;
      }
      if (s.length === 1 && !isPunctuationCached(s.charCodeAt(0))) {
        append(s, i + base);
        continue;
      }
      for (const part of s) {
        if (isPunctuationCached(part.codePointAt(0)!)) single(part, i + base);
        else append(part, i + base);
      }
    }
    flush();
    return n;
  }

  /**
   * Python's str.lower() turns Σ into final ς when a cased letter precedes it and none follows
   * (skipping case-ignorable characters), within the whitespace-separated token it lower-cases.
   */
  private sigmaIsFinal(cps: Int32Array, i: number, n: number): boolean {
    const look = (from: number, step: number): boolean => {
      for (let j = from; j >= 0 && j < n; j += step) {
        const k = charClass(cps[j]);
        if (k === CharClass.Drop) continue; // removed before lower() runs
        if (k === CharClass.Space || k === CharClass.Cjk) return false; // token boundary
        if (isUnassigned(cps[j])) return false; // Cn for the reference: neither cased nor ignorable
        const ch = String.fromCodePoint(cps[j]);
        if (CASE_IGNORABLE.test(ch)) continue;
        return CASED.test(ch);
      }
      return false;
    };
    return look(i - 1, -1) && !look(i + 1, 1);
  }

  private ensureOrigin(len: number): void {
    if (this.origin.length < len) {
      const size = Math.max(len, this.origin.length * 2);
      const bigger = new Int32Array(size);
      bigger.set(this.origin);
      this.origin = bigger;
      const biggerEnd = new Int32Array(size);
      biggerEnd.set(this.originEnd);
      this.originEnd = biggerEnd;
    }
  }
}
