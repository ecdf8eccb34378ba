import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { tempFolders } from "../util/temp-folders.test.helper";
import { readUtf8 } from "./read-utf8";

const tmp = tempFolders();

test("readUtf8: the text without its BOM; a missing file and bad UTF-8 are named with their fix", () => {
  const dir = tmp("read-utf8");
  const good = path.join(dir, "good.tsv");
  fs.writeFileSync(good, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("naïve\tcafé\n", "utf8")]));
  assert.equal(readUtf8(good, "TSV file"), "naïve\tcafé\n");
  assert.throws(() => readUtf8(path.join(dir, "nope.json"), "SQuAD file", "fetch it first"), (e: Error & { code?: string }) => e.code === "INPUT_NOT_FOUND" && /cannot read SQuAD file .*nope\.json: .* — fetch it first/.test(e.message));
  const bad = path.join(dir, "latin1.tsv");
  fs.writeFileSync(bad, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café" in Latin-1
  assert.throws(() => readUtf8(bad, "GLUE file"), (e: Error & { code?: string }) => e.code === "BAD_ENCODING" && /latin1\.tsv: not valid UTF-8 — convert/.test(e.message));
});
