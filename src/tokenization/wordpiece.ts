/**
 * WordPiece (google-research/bert tokenization.py WordpieceTokenizer): greedy longest match
 * first, left to right; pieces after the first carry the `##` prefix; a word longer than
 * 200 code points, or one the vocabulary cannot cover, becomes a single [UNK].
 */
import { IntBuffer } from "./int-buffer";
import { Vocab, SPECIAL_TOKENS } from "./vocab";

export interface WordPieceOptions {
  /** Token for words that cannot be covered. Default "[UNK]". */
  unkToken?: string;
  /** Longer words (in code points) become [UNK]. Default 200, as in the original. */
  maxInputCharsPerWord?: number;
  /** Prefix of continuation pieces. Default "##". */
  continuationPrefix?: string;
}

/** Where each piece of a word goes: its id, and its span in UTF-16 units of the word. */
export interface PieceOutput {
  ids: IntBuffer;
  /** when present, receive start and end (exclusive) unit of each piece within the word */
  starts?: IntBuffer;
  ends?: IntBuffer;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

export class WordPiece {
  readonly vocab: Vocab;
  readonly unkId: number;
  readonly maxInputCharsPerWord: number;
  readonly continuationPrefix: string;
  /** continuation pieces keyed without their prefix, so lookups need no string concatenation */
  private readonly continuations = new Map<string, number>();
  private readonly maxStartLen: number;
  private readonly maxContinuationLen: number;

  constructor(vocab: Vocab, options: WordPieceOptions = {}) {
    this.vocab = vocab;
    this.unkId = vocab.requireId(options.unkToken ?? SPECIAL_TOKENS.unk);
    this.maxInputCharsPerWord = options.maxInputCharsPerWord ?? 200;
    this.continuationPrefix = options.continuationPrefix ?? "##";
    let maxStart = 0;
    let maxCont = 0;
    const p = this.continuationPrefix;
    vocab.tokens.forEach((t, id) => {
      maxStart = Math.max(maxStart, t.length);
      if (t.startsWith(p)) {
        this.continuations.set(t.slice(p.length), id);
        maxCont = Math.max(maxCont, t.length - p.length);
      }
    });
    this.maxStartLen = maxStart;
    this.maxContinuationLen = maxCont;
  }

  /**
   * The pieces of one word (a basic token: no whitespace inside).
   *
   * @example
   *   wordPiece.tokenize("unaffable") // → ["una", "##ffa", "##ble"] with bert-base-uncased
   */
  tokenize(word: string): string[] {
    const ids = new IntBuffer(8);
    this.encodeWord(word, { ids });
    return ids.toArray().map((id) => this.vocab.tokens[id]);
  }

  /** Appends the piece ids of `word` (and their spans, when asked) to `out`. */
  encodeWord(word: string, out: PieceOutput): void {
    const n = word.length;
    if (n > this.maxInputCharsPerWord && codePointLength(word) > this.maxInputCharsPerWord) {
      this.pushUnk(n, out);
      return;
    }
    // the common case: the whole word is in the vocabulary
    const whole = this.vocab.ids.get(word);
    if (whole !== undefined) {
      out.ids.push(whole);
      out.starts?.push(0);
      out.ends?.push(n);
      return;
    }
    const firstPiece = out.ids.length;
    const firstSpan = out.starts ? out.starts.length : 0;
    let start = 0;
    while (start < n) {
      const table = start === 0 ? this.vocab.ids : this.continuations;
      let end = Math.min(n, start + (start === 0 ? this.maxStartLen : this.maxContinuationLen));
      if (end < n && end > start && isHighSurrogate(word.charCodeAt(end - 1))) end--;
      let found = -1;
      while (end > start) {
        const id = table.get(word.substring(start, end));
        if (id !== undefined) {
          found = id;
          break;
        }
        end--;
        // never split a surrogate pair: pieces are whole code points, as in Python
        if (end > start && isHighSurrogate(word.charCodeAt(end - 1))) end--;
      }
      if (found < 0) {
        // is_bad: the whole word becomes one [UNK]; undo the pieces pushed so far
        out.ids.length = firstPiece;
        if (out.starts) out.starts.length = firstSpan;
        if (out.ends) out.ends.length = firstSpan;
        this.pushUnk(n, out);
        return;
      }
      out.ids.push(found);
      out.starts?.push(start);
      out.ends?.push(end);
      start = end;
    }
  }

  private pushUnk(n: number, out: PieceOutput): void {
    out.ids.push(this.unkId);
    out.starts?.push(0);
    out.ends?.push(n);
  }
}

/** Length in code points (Python's len() of a str). */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    if (isHighSurrogate(s.charCodeAt(i))) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
