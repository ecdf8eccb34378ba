import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { Vocab } from "./vocab";
import { tempFolders } from "../util/temp-folders.test.helper";

const tmpFolder = tempFolders();

function tmpFile(name: string, content: string): string {
  const dir = tmpFolder("vocab");
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

function throwsCode(fn: () => unknown, code: string, ...mustMention: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof BertLabError, `expected a BertLabError, got ${e}`);
    assert.equal(e.code, code);
    for (const m of mustMention) assert.ok(e.message.includes(m), `message "${e.message}" should mention ${m}`);
    return true;
  });
}

test("ids are line numbers, tokens are stripped like Python's str.strip()", () => {
  const v = Vocab.fromText("[PAD]\r\n[UNK]\n  hello \n##s\u3000\n\u2028\n");
  assert.equal(v.size, 5);
  assert.equal(v.id("hello"), 2);
  assert.equal(v.id("##s"), 3);
  assert.equal(v.id(""), 4); // bert-base-chinese has a line holding only U+2028
  assert.equal(v.id("never"), v.unkId);
  assert.equal(v.token(3), "##s");
  assert.equal(v.unkId, 1);
});

test("a missing file names the path", () => {
  throwsCode(() => Vocab.fromFile("/nonexistent/vocab.txt"), "VOCAB_NOT_FOUND", "/nonexistent/vocab.txt");
});

test("an empty file is refused with its name", () => {
  const p = tmpFile("vocab.txt", "");
  throwsCode(() => Vocab.fromFile(p), "EMPTY_VOCAB", p);
});

test("duplicate tokens are refused with both line numbers", () => {
  const p = tmpFile("vocab.txt", "[PAD]\n[UNK]\nhello\nworld\nhello\n");
  throwsCode(() => Vocab.fromFile(p), "DUPLICATE_TOKEN", p, '"hello" on lines 3 and 5');
});

test("a vocab without [UNK] is refused with its name", () => {
  const p = tmpFile("vocab.txt", "[PAD]\nhello\n");
  throwsCode(() => Vocab.fromFile(p), "NO_UNK", p, "[UNK]");
});

test("a folder is refused with a hint", () => {
  const dir = tmpFolder("vocab");
  throwsCode(() => Vocab.fromFile(dir), "VOCAB_IS_DIR", dir);
});

test("an id outside the vocab is an error, not undefined", () => {
  const v = Vocab.fromText("[UNK]\na\n");
  throwsCode(() => v.token(2), "BAD_ID", "0..1");
  throwsCode(() => v.token(-1), "BAD_ID");
});

test("toText round-trips", () => {
  const v = Vocab.fromText("[PAD]\n[UNK]\na\n##b\n");
  assert.deepEqual(Vocab.fromText(v.toText()).tokens, v.tokens);
});
