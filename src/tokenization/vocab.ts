/**
 * A WordPiece vocabulary: `vocab.txt`, one token per line, id = line number (0-based).
 *
 * Read as google-research/bert load_vocab reads it: universal newlines, each line stripped of
 * whitespace with Python's str.strip() (so bert-base-chinese's line "\u2028" is the token "").
 */
import * as fs from "node:fs";
import { BertLabError } from "../util/errors";
import { pyStrip } from "./char-classes";

/** The special tokens BERT reserves. */
export const SPECIAL_TOKENS = {
  pad: "[PAD]",
  unk: "[UNK]",
  cls: "[CLS]",
  sep: "[SEP]",
  mask: "[MASK]",
} as const;


export class Vocab {
  /** token → id */
  readonly ids: ReadonlyMap<string, number>;
  /** id → token */
  readonly tokens: readonly string[];
  /** where it came from, for error messages */
  readonly source: string;
  readonly unkId: number;
  readonly padId: number | undefined;
  readonly clsId: number | undefined;
  readonly sepId: number | undefined;
  readonly maskId: number | undefined;

  /**
   * Builds a vocabulary from tokens in id order.
   *
   * @example
   *   const v = new Vocab(["[PAD]", "[UNK]", "hello", "##s"]);
   *   console.log(v.id("hello"), v.token(3)); // prints: 2 ##s
   */
  constructor(tokens: readonly string[], source = "<memory>") {
    const ids = new Map<string, number>();
    const dups: string[] = [];
    tokens.forEach((t, i) => {
      const first = ids.get(t);
      if (first !== undefined) dups.push(`${JSON.stringify(t)} on lines ${first + 1} and ${i + 1}`);
      else ids.set(t, i);
    });
    if (tokens.length === 0) {
      throw new BertLabError("EMPTY_VOCAB", `vocab file is empty: ${source} — expected one token per line`);
    }
    if (dups.length > 0) {
      const shown = dups.slice(0, 5).join("; ") + (dups.length > 5 ? `; and ${dups.length - 5} more` : "");
      throw new BertLabError(
        "DUPLICATE_TOKEN",
        `vocab file has duplicate tokens: ${source}: ${shown} — each token must appear once (ids are line numbers)`,
      );
    }
    const unk = ids.get(SPECIAL_TOKENS.unk);
    if (unk === undefined) {
      throw new BertLabError(
        "NO_UNK",
        `vocab file has no ${SPECIAL_TOKENS.unk} entry: ${source} — add a line "${SPECIAL_TOKENS.unk}" (BERT vocabs have it at id 100)`,
      );
    }
    this.ids = ids;
    this.tokens = tokens.slice();
    this.source = source;
    this.unkId = unk;
    this.padId = ids.get(SPECIAL_TOKENS.pad);
    this.clsId = ids.get(SPECIAL_TOKENS.cls);
    this.sepId = ids.get(SPECIAL_TOKENS.sep);
    this.maskId = ids.get(SPECIAL_TOKENS.mask);
  }

  /** Number of tokens. */
  get size(): number {
    return this.tokens.length;
  }

  /** The id of a token, or the [UNK] id when it is not in the vocabulary. */
  id(token: string): number {
    const i = this.ids.get(token);
    return i === undefined ? this.unkId : i;
  }

  /** The token of an id; throws on an id outside the vocabulary. */
  token(id: number): string {
    const t = this.tokens[id];
    if (t === undefined || !Number.isInteger(id)) {
      throw new BertLabError("BAD_ID", `token id ${id} is outside the vocabulary (0..${this.size - 1}) of ${this.source}`);
    }
    return t;
  }

  /** True when the token is in the vocabulary. */
  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** The id of a special token, with an error naming the vocab when it is missing. */
  requireId(token: string): number {
    const i = this.ids.get(token);
    if (i === undefined) {
      throw new BertLabError("NO_SPECIAL", `vocab has no ${token} entry: ${this.source} — add a line "${token}"`);
    }
    return i;
  }

  /**
   * Parses the text of a vocab.txt.
   *
   * @example
   *   console.log(Vocab.fromText("[PAD]\n[UNK]\nhi\n").size); // prints: 3
   */
  static fromText(text: string, source = "<memory>"): Vocab {
    if (text.length === 0) {
      throw new BertLabError("EMPTY_VOCAB", `vocab file is empty: ${source} — expected one token per line`);
    }
    // Python text mode: universal newlines; readline() returns "" only at end of file
    const lines = text.split(/\r\n|\r|\n/);
    if (lines[lines.length - 1] === "") lines.pop();
    return new Vocab(lines.map(pyStrip), source);
  }

  /**
   * Reads a vocab.txt file.
   *
   * @example
   *   const v = Vocab.fromFile("../shared/data/vocab/bert-base-uncased/vocab.txt");
   *   console.log(v.size, v.unkId); // prints: 30522 100
   */
  static fromFile(path: string): Vocab {
    let text: string;
    try {
      text = fs.readFileSync(path, "utf8");
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === "ENOENT") {
        throw new BertLabError("VOCAB_NOT_FOUND", `vocab file not found: ${path} — pass the path of a vocab.txt (one token per line)`);
      }
      if (err.code === "EISDIR") {
        throw new BertLabError("VOCAB_IS_DIR", `vocab path is a folder: ${path} — pass the vocab.txt inside it`);
      }
      throw new BertLabError("VOCAB_UNREADABLE", `cannot read vocab file ${path}: ${err.message}`);
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return Vocab.fromText(text, path);
  }

  /** The vocab.txt text: one token per line. */
  toText(): string {
    return this.tokens.join("\n") + "\n";
  }
}
