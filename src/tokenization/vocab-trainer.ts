/**
 * A WordPiece vocabulary trainer: learns a vocab.txt for BertTokenizer from raw text.
 *
 * 1. Count: every text goes through BERT's own pre-tokenization (BasicTokenizer: clean, split
 *    CJK ideographs, lower-case and strip accents when asked, split punctuation), streamed,
 *    into a table word → frequency. The corpus itself is never held in memory.
 * 2. Alphabet: every character seen at the start of a word becomes a token, and every
 *    character seen inside a word becomes a `##` token — all of them, however rare, so that
 *    WordPiece can always fall back to single characters and no word of the training corpus
 *    becomes [UNK] (except words over 200 code points, which BERT always maps to [UNK]; those
 *    are left out of training).
 * 3. Merge: words are arrays of symbol ids; the most frequent adjacent pair is merged into a
 *    new symbol, again and again, until the vocabulary has `vocabSize` tokens or no pair is
 *    seen `minFrequency` times. Continuation pieces keep their prefix: "a" + "##b" → "ab",
 *    "##a" + "##b" → "##ab".
 *
 * Steps 2 and 3 live in merge-learner.ts (which also explains the merge order and the
 * incremental algorithm), its max-heap in pair-heap.ts; this file holds the public API and
 * the counting.
 *
 * Caveat for vocab.txt files: Vocab.fromText strips each line with Python's str.strip(), so a
 * token containing U+2028/U+2029 at either end (they are not BERT whitespace, so they can be
 * inside words) does not survive a save and reload; in memory it works.
 */
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import { BertLabError } from "../util/errors";
import { BasicTokenizer, BasicTokenSink } from "./basic-tokenizer";
import { Vocab, SPECIAL_TOKENS } from "./vocab";
import { learnMerges, PROGRESS_MS } from "./merge-learner";

export interface TrainVocabOptions {
  /** Total size of the vocabulary, special tokens included (BERT-base: 30522). */
  vocabSize: number;
  /** Lower-case and strip accents, as BertTokenizer's option of the same name. Default true. */
  doLowerCase?: boolean;
  /** Pairs seen fewer times than this are never merged. Default 2. */
  minFrequency?: number;
  /** Placed first, in this order. Default ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]; must hold "[UNK]". */
  specialTokens?: string[];
  /** Called now and then (at most every 200 ms, and once at the end of each phase). */
  onProgress?: (p: { phase: "count" | "merge"; done: number; total: number }) => void;
}

export interface TrainedVocab {
  vocab: Vocab;
  /** The tokens in id order (what vocab.txt holds, one per line). */
  tokens: string[];
  stats: {
    /** basic tokens seen */
    words: number;
    /** distinct basic tokens seen */
    uniqueWords: number;
    /** alphabet tokens: word-initial characters plus `##` characters */
    alphabet: number;
    /** tokens learned by merging */
    merges: number;
    /** time spent counting and merging */
    seconds: number;
    /** UTF-8 bytes of text read */
    bytes: number;
  };
}

/** The largest vocabSize accepted: with at most 2 · 0x110000 alphabet symbols, ids stay < 2^26. */
const MAX_VOCAB_SIZE = 2 ** 25;
const DEFAULT_SPECIALS = [SPECIAL_TOKENS.pad, SPECIAL_TOKENS.unk, SPECIAL_TOKENS.cls, SPECIAL_TOKENS.sep, SPECIAL_TOKENS.mask];

/**
 * A copy of a string that does not keep the text it was cut from alive (V8 represents
 * substrings of 13+ characters as views into their parent).
 */
function detach(s: string): string {
  return s.length < 13 ? s : (" " + s).slice(1);
}

export class VocabTrainer {
  private readonly vocabSize: number;
  private readonly minFrequency: number;
  private readonly specials: string[];
  private readonly onProgress: TrainVocabOptions["onProgress"];
  private readonly basic: BasicTokenizer;
  /** word → frequency */
  private readonly counts = new Map<string, number>();
  private words = 0;
  private bytes = 0;
  private seconds = 0;
  private readonly sink: BasicTokenSink;

  /**
   * A trainer to feed text into, piece by piece; finish() learns the vocabulary.
   *
   * @example
   *   const trainer = new VocabTrainer({ vocabSize: 30522 });
   *   trainer.addFile("../shared/data/corpus/wikitext-2/valid.txt");
   *   trainer.addText("One more sentence.");
   *   const { tokens, stats } = trainer.finish();
   *   console.log(tokens.slice(0, 5).join(" ")); // prints: [PAD] [UNK] [CLS] [SEP] [MASK]
   */
  constructor(opts: TrainVocabOptions) {
    if (typeof opts !== "object" || opts === null) {
      throw new BertLabError("BAD_OPTIONS", "VocabTrainer needs options, e.g. { vocabSize: 30522 }");
    }
    const { vocabSize } = opts;
    if (!Number.isInteger(vocabSize) || vocabSize < 1 || vocabSize > MAX_VOCAB_SIZE) {
      throw new BertLabError(
        "BAD_VOCAB_SIZE",
        `vocabSize must be an integer from 1 to ${MAX_VOCAB_SIZE}, got ${vocabSize} — BERT-base uses 30522`,
      );
    }
    const minFrequency = opts.minFrequency ?? 2;
    if (typeof minFrequency !== "number" || !(minFrequency >= 1) || !Number.isFinite(minFrequency)) {
      throw new BertLabError("BAD_MIN_FREQUENCY", `minFrequency must be a number of at least 1 (a pair must occur to be merged), got ${minFrequency} — the default is 2`);
    }
    const specials = opts.specialTokens ?? DEFAULT_SPECIALS;
    if (!Array.isArray(specials) || specials.some((t) => typeof t !== "string" || t.length === 0)) {
      throw new BertLabError("BAD_SPECIAL_TOKENS", `specialTokens must be an array of non-empty strings, got ${JSON.stringify(specials)}`);
    }
    const seen = new Set<string>();
    for (const t of specials) {
      if (seen.has(t)) {
        throw new BertLabError("BAD_SPECIAL_TOKENS", `specialTokens lists ${JSON.stringify(t)} twice — list each special token once`);
      }
      seen.add(t);
    }
    if (!seen.has(SPECIAL_TOKENS.unk)) {
      throw new BertLabError(
        "BAD_SPECIAL_TOKENS",
        `specialTokens must include "${SPECIAL_TOKENS.unk}" (WordPiece needs it for words it cannot cover) — add it to the list`,
      );
    }
    this.vocabSize = vocabSize;
    this.minFrequency = minFrequency;
    this.specials = specials.slice();
    this.onProgress = opts.onProgress;
    this.basic = new BasicTokenizer({ doLowerCase: opts.doLowerCase ?? true });
    const counts = this.counts;
    this.sink = {
      word: (token: string): void => {
        const c = counts.get(token);
        if (c === undefined) counts.set(detach(token), 1);
        else counts.set(token, c + 1);
        this.words++;
      },
    };
  }

  /** Counts the words of a text (any length; lines are split as BERT splits them). */
  addText(text: string): void {
    if (typeof text !== "string") {
      throw new BertLabError("BAD_INPUT", `addText expects a string, got ${text === null ? "null" : typeof text}`);
    }
    const t0 = performance.now();
    this.basic.scan(text, this.sink);
    this.bytes += Buffer.byteLength(text, "utf8");
    this.seconds += (performance.now() - t0) / 1000;
  }

  /**
   * Counts the words of a UTF-8 text file, read in 1 MiB blocks and scanned line by line, so
   * files of any size work. With `maxBytes`, only the lines that end within the first
   * `maxBytes` bytes are read.
   */
  addFile(path: string, options: { maxBytes?: number } = {}): void {
    const t0 = performance.now();
    let fd: number;
    try {
      fd = fs.openSync(path, "r");
    } catch (e) {
      throw fileError(path, e as NodeJS.ErrnoException);
    }
    try {
      const stat = fs.fstatSync(fd);
      if (stat.isDirectory()) throw fileError(path, { code: "EISDIR" } as NodeJS.ErrnoException);
      const size = stat.size;
      const limit = Math.min(size, options.maxBytes ?? Infinity);
      let buf = Buffer.allocUnsafe(1 << 20);
      let have = 0; // bytes in buf not yet scanned: the start of an unfinished line
      let read = 0;
      let lastReport = performance.now();
      const report = (done: number): void => {
        if (!this.onProgress) return;
        const now = performance.now();
        if (done < limit && now - lastReport < PROGRESS_MS) return;
        lastReport = now;
        this.onProgress({ phase: "count", done, total: limit });
      };
      for (;;) {
        if (have === buf.length) {
          const bigger = Buffer.allocUnsafe(buf.length * 2); // a line longer than the buffer
          buf.copy(bigger, 0, 0, have);
          buf = bigger;
        }
        const want = Math.min(buf.length - have, limit - read);
        const n = want > 0 ? fs.readSync(fd, buf, have, want, null) : 0;
        if (n === 0) {
          // end of file (or of what was asked for); an unfinished line counts only at the end of the file
          if (have > 0 && read >= size) {
            this.scanLines(buf.toString("utf8", 0, have));
            this.bytes += have;
          }
          report(limit);
          break;
        }
        read += n;
        have += n;
        // 0x0A never occurs inside a multi-byte UTF-8 sequence, so cutting after it is safe
        const last = buf.lastIndexOf(10, have - 1);
        if (last < 0) continue;
        this.scanLines(buf.toString("utf8", 0, last + 1));
        this.bytes += last + 1;
        buf.copy(buf, 0, last + 1, have);
        have -= last + 1;
        report(read - have);
      }
    } finally {
      fs.closeSync(fd);
      this.seconds += (performance.now() - t0) / 1000;
    }
  }

  /** Scans line by line: ASCII-only lines then take the tokenizer's fast path. */
  private scanLines(text: string): void {
    let start = 0;
    const n = text.length;
    while (start < n) {
      let nl = text.indexOf("\n", start);
      if (nl < 0) nl = n;
      if (nl > start) this.basic.scan(text.substring(start, nl), this.sink);
      start = nl + 1;
    }
  }

  /**
   * Learns the vocabulary from everything added so far. The counts are kept: more text can be
   * added and finish() called again.
   */
  finish(): TrainedVocab {
    const t0 = performance.now();
    const learned = learnMerges(this.counts, {
      vocabSize: this.vocabSize,
      minFrequency: this.minFrequency,
      specials: this.specials,
      onProgress: this.onProgress,
    });
    const seconds = this.seconds + (performance.now() - t0) / 1000;
    return {
      vocab: new Vocab(learned.tokens, "<trained vocab>"),
      tokens: learned.tokens,
      stats: {
        words: this.words,
        uniqueWords: this.counts.size,
        alphabet: learned.alphabet,
        merges: learned.merges,
        seconds,
        bytes: this.bytes,
      },
    };
  }
}

function fileError(path: string, err: NodeJS.ErrnoException): BertLabError {
  if (err.code === "ENOENT") {
    return new BertLabError("CORPUS_NOT_FOUND", `corpus file not found: ${path} — pass the path of a UTF-8 text file`);
  }
  if (err.code === "EISDIR") {
    return new BertLabError("CORPUS_IS_DIR", `corpus path is a folder: ${path} — pass the text files inside it`);
  }
  return new BertLabError("CORPUS_UNREADABLE", `cannot read corpus file ${path}: ${err.message}`);
}

/**
 * Trains a WordPiece vocabulary on texts and/or UTF-8 files (see VocabTrainer).
 *
 * @example
 *   const { tokens, stats } = trainVocab(
 *     { texts: ["the cat sat on the mat.", "the hat, the bat!"] },
 *     { vocabSize: 30 },
 *   );
 *   console.log(tokens.slice(5).join(" "));
 *   // prints: ! , . b c h m o s t ##a ##e ##h ##n ##t ##at ##he the
 *   console.log(tokens.length, stats.alphabet, stats.merges); // prints: 23 15 3
 *   // 23, not 30: no pair is left that occurs twice (minFrequency 2)
 */
export function trainVocab(input: { texts?: string[]; files?: string[] }, opts: TrainVocabOptions): TrainedVocab {
  const trainer = new VocabTrainer(opts);
  for (const f of input.files ?? []) trainer.addFile(f);
  for (const t of input.texts ?? []) trainer.addText(t);
  return trainer.finish();
}
