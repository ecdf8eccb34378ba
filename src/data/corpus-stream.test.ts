// CorpusStream against documentsFromFiles: the documents of all windows, chained end to start,
// are the same for any window and read size — down to one byte, so that every \r\n, every
// UTF-8 character and every file end is split between reads somewhere.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import fsModule = require("node:fs"); // the module object itself, whose methods the mocks replace
import * as os from "node:os";
import * as path from "node:path";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { BertLabError } from "../util/errors";
import { Rng } from "../util/rng";
import { CORPUS_START, CorpusPosition, CorpusStream, DocumentWindow } from "./corpus-stream";
import { LineTokenizer, documentsFromFiles } from "./documents";

const words: LineTokenizer = { tokenize: (s) => s.toLowerCase().split(/\s+/).filter(Boolean) };

/** Writes texts (or bytes) to files in a fresh temp folder; returns their paths and a cleanup. */
function corpus(contents: (string | Buffer)[]): { files: string[]; dispose: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "corpus-stream-"));
  const files = contents.map((c, i) => {
    const f = path.join(dir, `part-${i}.txt`);
    fs.writeFileSync(f, c);
    return f;
  });
  return { files, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function allWindows(stream: CorpusStream, from: CorpusPosition = CORPUS_START): DocumentWindow[] {
  return [...stream.windows(from)];
}

/**
 * Reads the whole corpus window by window and checks it against documentsFromFiles, the chain of
 * positions, the document counts, the byte counts, and that every window reads again the same
 * from its start. Returns the windows.
 */
function checkStream(files: string[], tokenizer: LineTokenizer, windowBytes: number, chunkBytes: number): DocumentWindow[] {
  const label = `windowBytes ${windowBytes}, chunkBytes ${chunkBytes}`;
  const stream = new CorpusStream(files, tokenizer, { windowBytes, chunkBytes });
  const windows = allWindows(stream);
  const expected = documentsFromFiles(files, tokenizer);
  assert.deepEqual(windows.flatMap((w) => w.documents), expected, label);
  let position = CORPUS_START;
  let bytes = 0;
  for (const [i, w] of windows.entries()) {
    assert.deepEqual(w.start, position, `${label}: window ${i} starts where the last ended`);
    assert.ok(w.documents.length > 0, `${label}: window ${i} is not empty`);
    assert.ok(w.documents.every((d) => d.length > 0 && d.every((s) => s.length > 0)), `${label}: no empty documents or sentences`);
    assert.equal(w.start.document + w.documents.length, w.end.document, `${label}: window ${i} document count`);
    assert.ok(w.bytes > 0, `${label}: window ${i} consumes bytes`);
    assert.deepEqual(stream.readWindow(w.start), w, `${label}: window ${i} again from its start`);
    bytes += w.bytes;
    position = w.end;
  }
  assert.equal(position.document, expected.length, label);
  assert.equal(stream.readWindow(position), null, `${label}: nothing after the last window`);
  // the windows cover the corpus from its first byte to the last window's end
  const before = files.slice(0, position.file).reduce((n, f) => n + fs.statSync(f).size, 0);
  assert.equal(bytes, before + position.offset, label);
  return windows;
}

const SIZES: [number, number][] = [[1, 1], [1, 2], [7, 3], [7, 7], [64, 5], [64, 64], [1 << 20, 1], [1 << 20, 1 << 20]];

// Every case of the brief in a few small files.
const EDGE_FILES = [
  // leading blank lines, a whitespace-only line as delimiter, \r\n and lone \r, several blank lines in a row
  "\n\r\n  \nFirst doc, line one.\r\nLine two\r\rSecond   doc\t\n \t \nThird\r\n\r\n\r\n\n\rFourth é 中 😀 café\n",
  // continues the fourth document (no blank line at the file start), ends without a newline
  "still fourth\nand more\n\nFifth doc ends the file",
  // Fifth continues here; this file has no blank line at all and ends with a lone \r
  "fifth again\rfifth thrice\r",
  // starts with \n: after the last file's \r this is a blank line of its own, not the end of a \r\n
  "\nSixth 😀😀\r\n\u3000\r\nSeventh\u00a0x  \r\n",
];

test("windows chained from the start give documentsFromFiles' documents, for any window and read size", () => {
  const { files, dispose } = corpus(EDGE_FILES);
  try {
    const docs = documentsFromFiles(files, words);
    assert.equal(docs.length, 7); // the fixture is what it claims to be
    assert.deepEqual(docs[3], [["fourth", "é", "中", "😀", "café"], ["still", "fourth"], ["and", "more"]]);
    assert.deepEqual(docs[4], [["fifth", "doc", "ends", "the", "file"], ["fifth", "again"], ["fifth", "thrice"]]);
    for (const [w, c] of SIZES) checkStream(files, words, w, c);
  } finally {
    dispose();
  }
});

test("a window ends at the first document boundary after windowBytes; the last ends at the corpus end", () => {
  const text = "a a\nb b\n\nc c\n\n\n\nd d\ne e\n\nf f\n";
  const { files, dispose } = corpus([text]);
  try {
    // windowBytes 1: one document per window, each starting at its first line (not at blank lines)
    const one = checkStream(files, words, 1, 3);
    assert.deepEqual(one.map((w) => w.documents.length), [1, 1, 1, 1]);
    assert.deepEqual(one.map((w) => w.end), [
      { file: 0, offset: text.indexOf("c c"), document: 1 },
      { file: 0, offset: text.indexOf("d d"), document: 2 },
      { file: 0, offset: text.indexOf("f f"), document: 3 },
      { file: 0, offset: text.length, document: 4 },
    ]);
    // windowBytes 10: "a a\nb b\n\n" is 9 bytes, so the first window takes c c too
    assert.deepEqual(checkStream(files, words, 10, 4).map((w) => w.documents.length), [2, 2]);
    // one window for everything
    const all = checkStream(files, words, 1000, 4);
    assert.equal(all.length, 1);
    assert.equal(all[0].bytes, text.length);
  } finally {
    dispose();
  }
});

test("\\r\\n split between two reads is one line break (not a blank line), and so is a 4-byte character", () => {
  // with chunkBytes 2 the \r is the last byte of a read and its \n the first of the next
  const { files, dispose } = corpus(["a\r\nb\r\n\r\nc😀\r\n"]);
  try {
    for (const chunkBytes of [1, 2, 3, 4, 5]) {
      const windows = allWindows(new CorpusStream(files, words, { windowBytes: 1, chunkBytes }));
      assert.deepEqual(windows.map((w) => w.documents), [[[["a"], ["b"]]], [[["c😀"]]]], `chunkBytes ${chunkBytes}`);
    }
  } finally {
    dispose();
  }
});

test("with the real BertTokenizer, including lines that tokenize to nothing", () => {
  const vocab = new Vocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "dog", "un", "##aff", "##able", "naive", "cafe", ".", ",", "東", "京", "😀"]);
  const tok = new BertTokenizer(vocab);
  const { files, dispose } = corpus([
    "The dog.\r\nUnaffable, naive CAFÉ.\n\n東京 😀 zebra\n\u0001\u0000\n\n\u0001\n\nthe",
    " dog\n\n\u0001\n", // a last "document" of a control character only: no tokens, so no document
  ]);
  try {
    assert.deepEqual(documentsFromFiles(files, tok)[0], [["the", "dog", "."], ["un", "##aff", "##able", ",", "naive", "cafe", "."]]);
    for (const [w, c] of SIZES) checkStream(files, tok, w, c);
    // the last window ends before the control-character line; from there nothing is left
    const windows = allWindows(new CorpusStream(files, tok, { windowBytes: 1, chunkBytes: 3 }));
    const last = windows[windows.length - 1].end;
    assert.deepEqual(last, { file: 1, offset: " dog\n\n".length, document: 3 });
  } finally {
    dispose();
  }
});

test("randomized: 200 documents, mixed line breaks, unicode and blank-line runs over 3 files", () => {
  const rng = new Rng(2024);
  const vocabulary = ["the", "Cat", "sat", "é", "café", "中文", "😀", "naïve", "a.b", "x", "Ω", "👩‍💻", "ß"];
  const pad = ["", "", " ", "\t", "  ", "\u3000", "\u00a0"];
  const eol = () => rng.choice(["\n", "\n", "\r\n", "\r"]);
  let text = rng.randint(0, 1) ? eol() : "";
  for (let d = 0; d < 200; d++) {
    for (let l = rng.randint(1, 5); l > 0; l--) {
      const line = Array.from({ length: rng.randint(1, 8) }, () => rng.choice(vocabulary)).join(rng.choice([" ", "  ", "\t"]));
      text += rng.choice(pad) + line + rng.choice(pad) + eol();
    }
    for (let b = rng.randint(1, 3); b > 0; b--) text += rng.choice(pad) + eol(); // blank, or only whitespace
  }
  if (rng.randint(0, 1)) text += "no newline at the end";
  // cut into 3 files at random code points (a \r\n may be cut too), none of them blank
  const chars = Array.from(text);
  let cuts: number[];
  let parts: string[];
  do {
    cuts = [rng.randint(1, chars.length - 2), rng.randint(1, chars.length - 2)].sort((a, b) => a - b);
    parts = [chars.slice(0, cuts[0]), chars.slice(cuts[0], cuts[1]), chars.slice(cuts[1])].map((c) => c.join(""));
  } while (parts.some((p) => p.trim() === ""));
  const { files, dispose } = corpus(parts);
  try {
    assert.ok(documentsFromFiles(files, words).length >= 199);
    for (const [w, c] of [[1, 1], [1, 7], [7, 3], [64, 13], [500, 64], [4096, 1000], [1 << 22, 1 << 20]]) {
      const windows = checkStream(files, words, w, c);
      if (w === 1) assert.ok(windows.length >= 199);
    }
  } finally {
    dispose();
  }
});

test("files are read in chunkBytes pieces, never whole, and every descriptor is closed", (t) => {
  const { files, dispose } = corpus(["a b\n\nc d\n\n".repeat(200), "e f\n\ng h\n\n".repeat(200)]);
  const opened = new Set<number>();
  const reads: number[] = [];
  const realOpen = fs.openSync;
  const realClose = fs.closeSync;
  const realRead = fs.readSync;
  t.mock.method(fsModule, "openSync", (...args: Parameters<typeof fs.openSync>) => {
    const fd = realOpen(...args);
    opened.add(fd);
    return fd;
  });
  t.mock.method(fsModule, "closeSync", (fd: number) => {
    opened.delete(fd);
    realClose(fd);
  });
  t.mock.method(fsModule, "readSync", (fd: number, buffer: Buffer, offset: number, length: number, position: number) => {
    reads.push(length);
    return realRead(fd, buffer, offset, length, position);
  });
  const readFile = t.mock.method(fsModule, "readFileSync");
  try {
    const stream = new CorpusStream(files, words, { windowBytes: 100, chunkBytes: 64 });
    let n = 0;
    for (const w of stream.windows()) {
      n += w.documents.length;
      assert.equal(opened.size, 0, "no descriptor open between windows (each stops reading mid-file)");
    }
    assert.equal(n, 800);
    // and after leaving windows() early
    for (const w of stream.windows()) if (w.end.document > 10) break;
    assert.equal(opened.size, 0);
    assert.ok(reads.length > 0 && reads.every((len) => len <= 64), "reads of at most chunkBytes");
    assert.equal(readFile.mock.callCount(), 0);
  } finally {
    t.mock.restoreAll();
    dispose();
  }
});

test("resuming from a recorded end reads on from there", () => {
  const { files, dispose } = corpus(["one\n\ntwo two\n\nthree\r\n\r\n", "four\rfour\r\rfive\n"]);
  try {
    const stream = new CorpusStream(files, words, { windowBytes: 1, chunkBytes: 2 });
    const windows = allWindows(stream);
    assert.equal(windows.length, 5);
    // a checkpoint holds the position as JSON
    const saved = JSON.parse(JSON.stringify(windows[2].end)) as CorpusPosition;
    assert.deepEqual(saved, { file: 1, offset: 0, document: 3 });
    const rest = allWindows(new CorpusStream(files, words, { windowBytes: 1 << 20 }), saved);
    assert.deepEqual(rest.map((w) => w.documents), [[[["four"], ["four"]], [["five"]]]]);
    assert.equal(rest[0].end.document, 5);
  } finally {
    dispose();
  }
});

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BertLabError, String(e));
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test("errors: missing or unreadable files, empty or whitespace-only files, bad options", () => {
  const { files, dispose } = corpus(["a\n", "", " \t\r\n\n\u3000\r", "\n\n x\n"]);
  try {
    const [good, empty, blank, ok2] = files;
    const missing = path.join(path.dirname(good), "missing.txt");
    throwsCode(() => new CorpusStream([good, missing], words), "CORPUS_NOT_FOUND", /missing\.txt/);
    throwsCode(() => new CorpusStream([path.dirname(good)], words), "CORPUS_NOT_FOUND", /corpus-stream-/);
    throwsCode(() => new CorpusStream([good, empty], words), "EMPTY_CORPUS", /corpus file is empty: .*part-1\.txt — expected one sentence per line/);
    for (const chunkBytes of [1, 2, 1024]) throwsCode(() => new CorpusStream([blank], words, { chunkBytes }), "EMPTY_CORPUS", /part-2\.txt/);
    throwsCode(() => documentsFromFiles([blank], words), "EMPTY_CORPUS"); // the same judgement
    throwsCode(() => new CorpusStream([], words), "EMPTY_CORPUS");
    assert.equal(new CorpusStream([ok2], words, { chunkBytes: 1 }).totalBytes, 5);
    throwsCode(() => new CorpusStream([good], words, { chunkBytes: 0 }), "BAD_OPTION", /chunkBytes/);
    throwsCode(() => new CorpusStream([good], words, { windowBytes: 1.5 }), "BAD_OPTION", /windowBytes/);
    // a file that disappears after the stream was made
    const stream = new CorpusStream([good, ok2], words);
    fs.rmSync(ok2);
    throwsCode(() => allWindows(stream), "CORPUS_NOT_FOUND", /part-3\.txt/);
  } finally {
    dispose();
  }
});

test("errors: a position that does not fit the files", () => {
  const { files, dispose } = corpus(["one two\r\n\r\nthree\n\n", "four\n"]);
  try {
    const stream = new CorpusStream(files, words, { windowBytes: 1 });
    assert.equal(stream.totalBytes, 23);
    const bad = (p: CorpusPosition) => throwsCode(() => stream.readWindow(p), "BAD_POSITION", /does not fit the corpus files.*did the corpus change/);
    bad({ file: 2, offset: 0, document: 0 });
    bad({ file: -1, offset: 0, document: 0 });
    bad({ file: 0, offset: 19, document: 0 }); // past the end of the file
    bad({ file: 0, offset: -1, document: 0 });
    bad({ file: 0, offset: 0.5, document: 0 });
    bad({ file: 0, offset: 3, document: 0 }); // inside a line
    bad({ file: 0, offset: 8, document: 0 }); // between \r and \n
    bad({ file: 0, offset: 0, document: -1 });
    // line starts and file ends are fine
    assert.deepEqual(stream.readWindow({ file: 0, offset: 9, document: 0 })?.documents, [[["three"]]]);
    assert.deepEqual(stream.readWindow({ file: 0, offset: 11, document: 7 })?.end, { file: 1, offset: 0, document: 8 });
    assert.deepEqual(stream.readWindow({ file: 0, offset: 17, document: 1 })?.documents, [[["four"]]]);
    assert.deepEqual(stream.readWindow({ file: 0, offset: 18, document: 1 })?.documents, [[["four"]]]);
    assert.equal(stream.readWindow({ file: 1, offset: 5, document: 2 }), null);
  } finally {
    dispose();
  }
});
