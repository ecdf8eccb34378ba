/**
 * BERT's full tokenizer: BasicTokenizer then WordPiece (tokenization.py FullTokenizer), plus
 * what models need around it: [CLS]/[SEP], segment ids, attention masks, truncation,
 * padding, and the character span of every token in the original text.
 */
import { BertLabError } from "../util/errors";
import { BasicTokenizer, BasicTokenSink } from "./basic-tokenizer";
import { IntBuffer } from "./int-buffer";
import { basicSteps, BasicSteps } from "./steps";
import { Vocab, SPECIAL_TOKENS } from "./vocab";
import { WordPiece } from "./wordpiece";

/** A character span [start, end) in code points of the original text. */
export interface Span {
  start: number;
  end: number;
}

export interface BertTokenizerOptions {
  /** Lower-case and strip accents: true for uncased and Chinese models, false for cased. */
  doLowerCase?: boolean;
  /** Longer words become [UNK]. Default 200. */
  maxInputCharsPerWord?: number;
}

export type Truncation = "longest_first" | "only_first" | "only_second" | false;

export interface EncodeOptions {
  /** Add [CLS] … [SEP] (… [SEP]). Default true. */
  addSpecialTokens?: boolean;
  /** Maximum length including special tokens. */
  maxLength?: number;
  /** How to cut when longer than maxLength. Default "longest_first" when maxLength is set. */
  truncation?: Truncation;
  /** "max_length" pads with [PAD] up to maxLength. Default false. */
  padding?: "max_length" | false;
}

/** One encoded text or text pair, ready for the model. */
export interface Encoding {
  tokens: string[];
  inputIds: number[];
  /** 0 for the first text (and [CLS]), 1 for the second: the segment embedding index */
  tokenTypeIds: number[];
  /** 1 for real tokens, 0 for padding */
  attentionMask: number[];
  /** span of each token in its own text; null for special tokens and padding */
  offsets: (Span | null)[];
  /** which text each token came from: 0, 1, or null for special tokens and padding */
  sequenceIds: (0 | 1 | null)[];
  /** 1 for [CLS], [SEP] and [PAD] */
  specialTokensMask: number[];
  /** how many word pieces truncation removed */
  numTruncated: number;
}

/** Pieces of one text: ids and spans. */
export interface TokenizedText {
  tokens: string[];
  ids: number[];
  offsets: Span[];
}

/** Every stage of tokenization, for notebooks. */
export interface TokenizationSteps extends BasicSteps {
  /** each basic token and the word pieces WordPiece made of it */
  wordPieces: { word: string; pieces: string[] }[];
  tokens: string[];
  ids: number[];
}

const SPECIAL_SET = new Set<string>(Object.values(SPECIAL_TOKENS));

/** Collects ids (and spans) while the basic tokenizer streams words. */
class PieceCollector implements BasicTokenSink {
  readonly starts: IntBuffer | undefined;
  readonly ends: IntBuffer | undefined;
  private readonly wordStarts: IntBuffer | undefined;
  private readonly wordEnds: IntBuffer | undefined;

  constructor(
    private readonly wordPiece: WordPiece,
    withOffsets: boolean,
    readonly ids: IntBuffer = new IntBuffer(1024),
  ) {
    if (withOffsets) {
      this.starts = new IntBuffer(1024);
      this.ends = new IntBuffer(1024);
      this.wordStarts = new IntBuffer(16);
      this.wordEnds = new IntBuffer(16);
    }
  }

  word(token: string, start: number, origin: Int32Array | null, originEnd: Int32Array | null): void {
    if (!this.starts) {
      this.wordPiece.encodeWord(token, { ids: this.ids });
      return;
    }
    const ws = this.wordStarts!;
    const we = this.wordEnds!;
    ws.clear();
    we.clear();
    this.wordPiece.encodeWord(token, { ids: this.ids, starts: ws, ends: we });
    for (let k = 0; k < ws.length; k++) {
      const s = ws.data[k];
      const e = we.data[k];
      this.starts.push(origin ? origin[s] : start + s);
      this.ends!.push(originEnd ? originEnd[e - 1] : start + e);
    }
  }
}

export class BertTokenizer {
  readonly vocab: Vocab;
  readonly doLowerCase: boolean;
  readonly basic: BasicTokenizer;
  readonly wordPiece: WordPiece;

  /**
   * @example
   *   const tok = new BertTokenizer(Vocab.fromFile("vocab.txt"), { doLowerCase: true });
   */
  constructor(vocab: Vocab, options: BertTokenizerOptions = {}) {
    this.vocab = vocab;
    this.doLowerCase = options.doLowerCase ?? true;
    this.basic = new BasicTokenizer({ doLowerCase: this.doLowerCase });
    this.wordPiece = new WordPiece(vocab, { maxInputCharsPerWord: options.maxInputCharsPerWord });
  }

  /**
   * Loads a tokenizer from a vocab.txt.
   *
   * @example
   *   const tok = BertTokenizer.fromFile("../shared/data/vocab/bert-base-uncased/vocab.txt");
   *   tok.tokenize("unaffable") // → ["una", "##ffa", "##ble"]
   */
  static fromFile(vocabPath: string, options: BertTokenizerOptions = {}): BertTokenizer {
    return new BertTokenizer(Vocab.fromFile(vocabPath), options);
  }

  /**
   * The word pieces of a text, without special tokens (FullTokenizer.tokenize).
   *
   * @example
   *   tok.tokenize("Héllo, naïve world!") // → ["hello", ",", "naive", "world", "!"]
   */
  tokenize(text: string): string[] {
    return this.encodeToIds(text).toArray().map((id) => this.vocab.tokens[id]);
  }

  /** The ids of the word pieces of a text, without special tokens. */
  tokenizeToIds(text: string): number[] {
    return this.encodeToIds(text).toArray();
  }

  /**
   * Ids into a reusable buffer: the fastest path (what the benchmark measures). The buffer is
   * cleared first unless `append` is true.
   */
  encodeToIds(text: string, into?: IntBuffer, append = false): IntBuffer {
    if (into && !append) into.clear();
    const collector = new PieceCollector(this.wordPiece, false, into);
    this.basic.scan(text, collector);
    return collector.ids;
  }

  /**
   * Word pieces with their character spans in the original text (code points).
   *
   * @example
   *   tok.tokenizeWithOffsets("naïve café").offsets // → [{start:0,end:5},{start:6,end:10}]
   */
  tokenizeWithOffsets(text: string): TokenizedText {
    const c = new PieceCollector(this.wordPiece, true);
    this.basic.scan(text, c);
    const ids = c.ids.toArray();
    const offsets: Span[] = ids.map((_, i) => ({ start: c.starts!.data[i], end: c.ends!.data[i] }));
    return { tokens: ids.map((id) => this.vocab.tokens[id]), ids, offsets };
  }

  /**
   * Encodes a text or a text pair for the model: [CLS] A [SEP] (B [SEP]).
   *
   * @example
   *   const e = tok.encode("Is it?", "Yes.", { maxLength: 10, padding: "max_length" });
   *   console.log(e.tokens.join(" "));      // prints: [CLS] is it ? [SEP] yes . [SEP] [PAD] [PAD]
   *   console.log(e.tokenTypeIds.join("")); // prints: 0000011100
   */
  encode(text: string, pair?: string | null, options: EncodeOptions = {}): Encoding {
    if (typeof text !== "string") {
      throw new BertLabError("BAD_INPUT", `encode expects a string, got ${typeof text}`);
    }
    const addSpecial = options.addSpecialTokens ?? true;
    const a = this.tokenizeWithOffsets(text);
    const b = pair === undefined || pair === null ? null : this.tokenizeWithOffsets(pair);
    const numSpecial = addSpecial ? (b ? 3 : 2) : 0;
    let numTruncated = 0;
    const { maxLength } = options;
    if (maxLength !== undefined) {
      if (!Number.isInteger(maxLength) || maxLength < numSpecial) {
        throw new BertLabError(
          "BAD_MAX_LENGTH",
          `maxLength must be an integer of at least ${numSpecial} (room for the special tokens), got ${maxLength}`,
        );
      }
      const truncation = options.truncation ?? "longest_first";
      const total = a.ids.length + (b ? b.ids.length : 0) + numSpecial;
      if (total > maxLength && truncation !== false) {
        numTruncated = truncate(a, b, total - maxLength, truncation);
      }
    }
    const enc: Encoding = {
      tokens: [],
      inputIds: [],
      tokenTypeIds: [],
      attentionMask: [],
      offsets: [],
      sequenceIds: [],
      specialTokensMask: [],
      numTruncated,
    };
    const push = (id: number, type: number, offset: Span | null, seq: 0 | 1 | null, special: number) => {
      enc.tokens.push(this.vocab.tokens[id]);
      enc.inputIds.push(id);
      enc.tokenTypeIds.push(type);
      enc.attentionMask.push(1);
      enc.offsets.push(offset);
      enc.sequenceIds.push(seq);
      enc.specialTokensMask.push(special);
    };
    const cls = addSpecial ? this.vocab.requireId(SPECIAL_TOKENS.cls) : -1;
    const sep = addSpecial ? this.vocab.requireId(SPECIAL_TOKENS.sep) : -1;
    if (addSpecial) push(cls, 0, null, null, 1);
    a.ids.forEach((id, i) => push(id, 0, a.offsets[i], 0, 0));
    if (addSpecial) push(sep, 0, null, null, 1);
    if (b) {
      b.ids.forEach((id, i) => push(id, 1, b.offsets[i], 1, 0));
      if (addSpecial) push(sep, 1, null, null, 1);
    }
    if (options.padding === "max_length") {
      if (maxLength === undefined) {
        throw new BertLabError("BAD_PADDING", `padding "max_length" needs maxLength`);
      }
      const pad = this.vocab.requireId(SPECIAL_TOKENS.pad);
      while (enc.inputIds.length < maxLength) {
        push(pad, 0, null, null, 1);
        enc.attentionMask[enc.attentionMask.length - 1] = 0;
      }
    }
    return enc;
  }

  /**
   * Encodes many texts (or pairs); with padding "longest" every encoding is padded to the
   * longest one.
   */
  encodeBatch(
    texts: readonly (string | { text: string; pair?: string | null })[],
    options: Omit<EncodeOptions, "padding"> & { padding?: "max_length" | "longest" | false } = {},
  ): Encoding[] {
    const { padding, ...rest } = options;
    const encs = texts.map((t) =>
      typeof t === "string"
        ? this.encode(t, null, { ...rest, padding: padding === "max_length" ? "max_length" : false })
        : this.encode(t.text, t.pair, { ...rest, padding: padding === "max_length" ? "max_length" : false }),
    );
    if (padding === "longest") {
      const longest = Math.max(0, ...encs.map((e) => e.inputIds.length));
      const pad = this.vocab.requireId(SPECIAL_TOKENS.pad);
      for (const e of encs) {
        while (e.inputIds.length < longest) {
          e.tokens.push(SPECIAL_TOKENS.pad);
          e.inputIds.push(pad);
          e.tokenTypeIds.push(0);
          e.attentionMask.push(0);
          e.offsets.push(null);
          e.sequenceIds.push(null);
          e.specialTokensMask.push(1);
        }
      }
    }
    return encs;
  }

  /**
   * Joins word pieces back into text: `##` pieces are glued to the previous piece, others are
   * separated by one space.
   *
   * @example
   *   tok.decode(tok.tokenizeToIds("unaffable naïve")) // → "unaffable naive"
   */
  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    const prefix = this.wordPiece.continuationPrefix;
    let out = "";
    for (const id of ids) {
      const t = this.vocab.token(id);
      if (options.skipSpecialTokens && SPECIAL_SET.has(t)) continue;
      if (t.startsWith(prefix) && t.length > prefix.length && out.length > 0) out += t.slice(prefix.length);
      else out += (out.length > 0 ? " " : "") + t;
    }
    return out;
  }

  /** Tokens for ids. */
  convertIdsToTokens(ids: readonly number[]): string[] {
    return ids.map((id) => this.vocab.token(id));
  }

  /** Ids for tokens ([UNK] for unknown ones). */
  convertTokensToIds(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.vocab.id(t));
  }

  /**
   * Every stage of tokenization, as the original runs them one after another.
   *
   * @example
   *   const s = tok.tokenizeWithSteps("Héllo 東京");  // bert-base-uncased
   *   console.log(s.cleaned, "|", s.cjkSpaced, "|", s.tokens.join(" "));
   *   // prints: Héllo 東京 | Héllo  東  京  | hello 東 京
   */
  tokenizeWithSteps(text: string): TokenizationSteps {
    const basic = basicSteps(text, this.doLowerCase);
    const wordPieces = basic.basicTokens.map((word) => ({ word, pieces: this.wordPiece.tokenize(word) }));
    const tokens = wordPieces.flatMap((w) => w.pieces);
    return { ...basic, wordPieces, tokens, ids: tokens.map((t) => this.vocab.id(t)) };
  }
}

/**
 * Cuts `excess` pieces, as google-research/bert _truncate_seq_pair does for longest_first:
 * one piece at a time from the end of the longer text (the second on a tie).
 */
function truncate(a: TokenizedText, b: TokenizedText | null, excess: number, how: Exclude<Truncation, false>): number {
  const cut = (t: TokenizedText) => {
    t.ids.pop();
    t.tokens.pop();
    t.offsets.pop();
  };
  for (let i = 0; i < excess; i++) {
    let target: TokenizedText | null;
    if (how === "only_first") target = a;
    else if (how === "only_second") target = b;
    else target = b && b.ids.length >= a.ids.length ? b : a;
    if (!target || target.ids.length === 0) {
      throw new BertLabError(
        "CANNOT_TRUNCATE",
        `cannot truncate with "${how}": that text is too short to remove ${excess} pieces — raise maxLength or use "longest_first"`,
      );
    }
    cut(target);
  }
  return excess;
}
