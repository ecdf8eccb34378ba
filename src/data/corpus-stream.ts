/**
 * Pre-training corpora too large for memory, read in windows of whole documents. The documents
 * of all windows, in order, are exactly those documentsFromFiles gives (same stripping,
 * universal newlines, documents continuing across files), but only one window is held at a
 * time, the files are read in chunks, and each window says where the next one begins — a
 * position a training checkpoint can record to resume reading exactly there.
 */
import * as fs from "node:fs";
import { BertLabError } from "../util/errors";
import { pyStrip } from "../tokenization/char-classes";
import type { Document, LineTokenizer } from "./documents";

/**
 * Where reading resumes: the byte offset in files[file] of the first line of the next unread
 * document, and how many documents (non-empty, i.e. those that count) came before it.
 */
export interface CorpusPosition {
  file: number;
  offset: number;
  document: number;
}

/** The beginning of the corpus. */
export const CORPUS_START: CorpusPosition = Object.freeze({ file: 0, offset: 0, document: 0 });

/** Whole documents read from one position up to the next. */
export interface DocumentWindow {
  /** Non-empty documents, in corpus order. */
  documents: Document[];
  /** Where this window began. */
  start: CorpusPosition;
  /** Where the next window begins (pass it to readWindow); the corpus end after the last window. */
  end: CorpusPosition;
  /** Bytes consumed, from start to end. */
  bytes: number;
}

export interface CorpusStreamOptions {
  /** A window ends at the first document boundary after this many bytes (default 4 MiB). */
  windowBytes?: number;
  /** Bytes per read from a file (default 1 MiB). */
  chunkBytes?: number;
}

/** One line of a file: its text without the line break, and where it lies in the file. */
interface Line {
  file: number;
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just after the line break (a \n after a \r is not counted yet). */
  end: number;
  text: string;
}

const LF = 0x0a;
const CR = 0x0d;

function cannotRead(path: string, e: unknown): BertLabError {
  return new BertLabError("CORPUS_NOT_FOUND", `cannot read corpus ${path}: ${(e as Error).message}`);
}

/**
 * The lines of one file from `offset` (a line start), split as Python's universal newlines
 * split them (\r\n, \r, \n; no empty last line after a final break). Each line is decoded from
 * its own bytes, so a character or a \r\n split between two reads stays whole.
 */
function* fileLines(path: string, file: number, offset: number, chunkBytes: number): Generator<Line> {
  let fd: number;
  try {
    fd = fs.openSync(path, "r");
  } catch (e) {
    throw cannotRead(path, e);
  }
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    let parts: Buffer[] = []; // the current line's bytes from earlier reads
    let lineStart = offset;
    let pos = offset; // file offset of buf[0]
    let afterCR = false; // the last byte was a \r, so a \n now belongs to its line break
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, chunkBytes, pos);
      } catch (e) {
        throw cannotRead(path, e);
      }
      if (n === 0) break;
      let from = 0; // index in buf where the current line's bytes (in this read) begin
      for (let i = 0; i < n; i++) {
        const b = buf[i];
        if (afterCR) {
          afterCR = false;
          if (b === LF) {
            from = i + 1;
            lineStart = pos + i + 1;
            continue;
          }
        }
        if (b !== LF && b !== CR) continue;
        const text = parts.length === 0 ? buf.toString("utf8", from, i) : Buffer.concat([...parts, buf.subarray(from, i)]).toString("utf8");
        parts = [];
        afterCR = b === CR;
        yield { file, start: lineStart, end: pos + i + 1, text };
        from = i + 1;
        lineStart = pos + i + 1;
      }
      if (from < n) parts.push(Buffer.from(buf.subarray(from, n))); // a copy: buf is reused
      pos += n;
    }
    if (parts.length > 0) yield { file, start: lineStart, end: pos, text: Buffer.concat(parts).toString("utf8") };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A corpus read window by window. Each window holds whole documents; chaining each window's
 * `end` into the next readWindow goes through the corpus once, and the documents of all windows
 * equal documentsFromFiles(files, tokenizer).
 *
 * @example
 *   const stream = new CorpusStream(["data/corpus/wiki.txt"], tokenizer, { windowBytes: 8 << 20 });
 *   for (const window of stream.windows()) {
 *     train(window.documents);
 *     saveCheckpoint({ corpus: window.end }); // later: stream.windows(checkpoint.corpus)
 *   }
 */
export class CorpusStream {
  readonly files: readonly string[];
  /** Each file's size in bytes, when the stream was made. */
  readonly fileSizes: readonly number[];
  /** The sum of the files' sizes. */
  readonly totalBytes: number;
  private readonly tokenizer: LineTokenizer;
  private readonly windowBytes: number;
  private readonly chunkBytes: number;
  /** Byte offset of each file's start in the concatenated corpus. */
  private readonly firstByte: number[];

  /** Checks every file exists and holds more than whitespace (reading only as far as needed). */
  constructor(files: readonly string[], tokenizer: LineTokenizer, options: CorpusStreamOptions = {}) {
    const { windowBytes = 4 << 20, chunkBytes = 1 << 20 } = options;
    for (const [name, v] of [["windowBytes", windowBytes], ["chunkBytes", chunkBytes]] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new BertLabError("BAD_OPTION", `${name} must be an integer ≥ 1, got ${v}`);
    }
    if (files.length === 0) throw new BertLabError("EMPTY_CORPUS", "no corpus files given — expected one or more files, one sentence per line, a blank line between documents");
    this.files = [...files];
    this.tokenizer = tokenizer;
    this.windowBytes = windowBytes;
    this.chunkBytes = chunkBytes;
    const sizes: number[] = [];
    this.firstByte = [];
    let total = 0;
    this.files.forEach((f, i) => {
      let size: number;
      try {
        size = fs.statSync(f).size;
      } catch (e) {
        throw cannotRead(f, e);
      }
      // As documentsFromFiles: empty if the decoded text trims to nothing (usually line 1 decides)
      let blank = true;
      for (const line of fileLines(f, i, 0, chunkBytes)) {
        if (line.text.trim() !== "") {
          blank = false;
          break;
        }
      }
      if (blank) throw new BertLabError("EMPTY_CORPUS", `corpus file is empty: ${f} — expected one sentence per line, a blank line between documents`);
      sizes.push(size);
      this.firstByte.push(total);
      total += size;
    });
    this.fileSizes = sizes;
    this.totalBytes = total;
  }

  /**
   * Reads whole documents from `position` until at least windowBytes bytes were consumed and a
   * document boundary (a blank line) is reached, or the corpus ends. null when position is at
   * the end (no document left).
   *
   * @example
   *   const first = stream.readWindow(CORPUS_START)!;
   *   const second = stream.readWindow(first.end); // null after the last window
   */
  readWindow(position: CorpusPosition): DocumentWindow | null {
    this.checkPosition(position);
    const start = { file: position.file, offset: position.offset, document: position.document };
    const documents: Document[] = [];
    let current: Document = [];
    let boundary = false; // a window's worth was read and a document has just ended
    let end: CorpusPosition | null = null;
    for (const line of this.lines(start)) {
      const text = pyStrip(line.text);
      if (boundary) {
        if (!text) continue; // the next window starts at its first line, not at blank lines
        end = { file: line.file, offset: line.start, document: start.document + documents.length };
        break;
      }
      if (!text) {
        // an empty line ends the document
        if (current.length > 0) documents.push(current);
        current = [];
        boundary = documents.length > 0 && this.firstByte[line.file] + line.end - this.absolute(start) >= this.windowBytes;
        continue;
      }
      const tokens = this.tokenizer.tokenize(text);
      if (tokens.length > 0) current.push(tokens);
    }
    if (!end) {
      if (current.length > 0) documents.push(current);
      const last = this.files.length - 1;
      end = { file: last, offset: this.fileSizes[last], document: start.document + documents.length };
    }
    if (documents.length === 0) return null;
    return { documents, start, end, bytes: this.absolute(end) - this.absolute(start) };
  }

  /**
   * Every window from `from` (default: the start), in order.
   *
   * @example
   *   for (const w of stream.windows(checkpoint.corpus)) console.log(w.end.document, w.documents.length);
   */
  *windows(from: CorpusPosition = CORPUS_START): Generator<DocumentWindow> {
    let position = from;
    for (;;) {
      const window = this.readWindow(position);
      if (!window) return;
      yield window;
      position = window.end;
    }
  }

  private absolute(p: CorpusPosition): number {
    return this.firstByte[p.file] + p.offset;
  }

  private *lines(from: CorpusPosition): Generator<Line> {
    for (let f = from.file; f < this.files.length; f++) {
      yield* fileLines(this.files[f], f, f === from.file ? from.offset : 0, this.chunkBytes);
    }
  }

  /** The position must name a file, and a line start within it. */
  private checkPosition(p: CorpusPosition): void {
    const bad = (why: string) =>
      new BertLabError("BAD_POSITION", `corpus position ${JSON.stringify(p)} does not fit the corpus files (${why}) — did the corpus change since the checkpoint was written?`);
    if (!Number.isSafeInteger(p.document) || p.document < 0) throw bad(`document must be an integer ≥ 0`);
    if (!Number.isSafeInteger(p.file) || p.file < 0 || p.file >= this.files.length) throw bad(`there are ${this.files.length} files`);
    const size = this.fileSizes[p.file];
    if (!Number.isSafeInteger(p.offset) || p.offset < 0 || p.offset > size) throw bad(`${this.files[p.file]} has ${size} bytes`);
    if (p.offset === 0 || p.offset === size) return;
    // a line starts after \n, or after a \r that no \n follows
    const path = this.files[p.file];
    const two = Buffer.alloc(2);
    let n: number;
    try {
      const fd = fs.openSync(path, "r");
      try {
        n = fs.readSync(fd, two, 0, 2, p.offset - 1);
      } finally {
        fs.closeSync(fd);
      }
    } catch (e) {
      throw cannotRead(path, e);
    }
    const atLineStart = n === 2 && (two[0] === LF || (two[0] === CR && two[1] !== LF));
    if (!atLineStart) throw bad(`offset ${p.offset} in ${path} is not at the start of a line`);
  }
}
