// bert-lab data list / data fetch, run through their Command objects with test streams.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { BertLabError } from "../util/errors";
import { needsShared, sharedPath } from "../util/shared-folder";
import { tempFolders } from "../util/temp-folders.test.helper";
import { parseArgs } from "./args";
import { CliIO, Command } from "./command";
import { dataFetchCommand, dataListCommand } from "./commands/data";

delete process.env.BERT_LAB_DATA_MIRROR; // each test says which mirror it uses

const tmp = tempFolders();

/** Runs a command; stdout and stderr come back as text. `tty` makes stderr look like a terminal. */
async function run(cmd: Command, argv: string[], tty = false) {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), tty ? { isTTY: true, columns: 100 } : {});
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += c));
  stderr.on("data", (c) => (err += c));
  const io: CliIO = { stdin: new PassThrough(), stdout, stderr };
  const code = await cmd.run(parseArgs(argv, cmd.spec), io);
  return { code, out, err };
}

const mirrorOpts = needsShared("data/SOURCES.md");

test("data list --json: every dataset with its files, and what the cache and the mirror hold", mirrorOpts, async () => {
  const cache = tmp("cache");
  const r = await run(dataListCommand, ["--json", "--from", sharedPath("data"), "--cache", cache]);
  assert.equal(r.code, 0);
  const list = JSON.parse(r.out) as { name: string; licence: string; citation: string; bytes: number; files: { path: string; sha256: string; cached: boolean; inMirror: boolean }[] }[];
  const sst2 = list.find((d) => d.name === "sst2")!;
  assert.equal(sst2.bytes, 3806081 + 94931);
  assert.match(sst2.citation, /Socher/);
  assert.deepEqual(sst2.files.map((f) => [f.path, f.cached, f.inMirror]), [["glue/SST-2/train.tsv", false, true], ["glue/SST-2/dev.tsv", false, true]]);
  assert.ok(list.every((d) => d.files.every((f) => f.inMirror)));
});

test("data list: a table with a row per dataset, and where the cache and mirror are", async () => {
  const cache = tmp("cache");
  const mirror = tmp("mirror");
  const r = await run(dataListCommand, ["--from", mirror, "--cache", cache]);
  assert.equal(r.code, 0);
  const lines = r.out.split("\n");
  assert.match(lines[0], /^NAME +FILES +SIZE +CACHE +MIRROR +DOWNLOAD +LICENCE$/);
  assert.match(r.out, /\nsst2 +2 +3\.7 MiB +no +no +no +GLUE research use\n/);
  assert.match(r.out, /\nwnut17 +4 +784\.5 KiB +no +no +yes +CC BY 4\.0\n/);
  assert.ok(r.out.includes(`cache: ${cache}\nmirror: ${mirror}\n`));
  const none = await run(dataListCommand, ["--cache", cache]);
  assert.match(none.out, /\nsst2 +2 +3\.7 MiB +no +- +no /);
  assert.match(none.out, /mirror: none \(pass --from DIR or set BERT_LAB_DATA_MIRROR\)/);
});

test("data fetch NAME… --from copies into the cache and prints where the files are", mirrorOpts, async () => {
  const cache = tmp("cache");
  const r = await run(dataFetchCommand, ["wnut17", "bert-base-chinese-vocab", "--from", sharedPath("data"), "--cache", cache]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, "", "no progress lines for copies when stderr is not a terminal");
  assert.ok(r.out.startsWith("wnut17:\n"));
  assert.ok(r.out.includes(`  ${path.join(cache, "vocab", "bert-base-chinese", "vocab.txt")}  107.0 KiB  copied from the mirror, sha256 ok\n`), r.out);
  const again = await run(dataFetchCommand, ["bert-base-chinese-vocab", "--cache", cache]);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /already in the cache/);
});

test("data fetch on a terminal draws a progress bar", mirrorOpts, async () => {
  const r = await run(dataFetchCommand, ["squad-v1.1-dev", "--from", sharedPath("data"), "--cache", tmp("cache")], true);
  assert.equal(r.code, 0);
  assert.ok(r.err.includes("\r\x1b[2K"), JSON.stringify(r.err.slice(0, 200)));
  assert.match(r.err, /4741\/4741 █+ 100% {2}KiB {2}copying squad\/dev-v1\.1\.json/);
});

test("data fetch --all takes every dataset from the mirror", mirrorOpts, async () => {
  const cache = tmp("cache");
  const r = await run(dataFetchCommand, ["--all", "--from", sharedPath("data"), "--cache", cache]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\npretrain-en:\n .*corpus\/en\/pretrain_en\.txt +49\.1 MiB +copied from the mirror, sha256 ok\n/);
});

test("data fetch: names are checked before anything is fetched", async () => {
  const cache = tmp("cache");
  await assert.rejects(run(dataFetchCommand, ["wnut17", "sst-2", "--cache", cache]), (e: BertLabError) => e.code === "UNKNOWN_DATASET" && /did you mean sst2\?/.test(e.message));
  assert.deepEqual(fs.readdirSync(cache), []);
  await assert.rejects(run(dataFetchCommand, ["--cache", cache]), (e: BertLabError) => e.code === "MISSING_NAME" && /--all/.test(e.message));
  await assert.rejects(run(dataListCommand, ["sst2"]), (e: BertLabError) => e.code === "BAD_ARGUMENT" && /bert-lab data fetch sst2/.test(e.message));
});

test("data fetch without a mirror: a mirror-only dataset fails with exit 1 and says to use --from", async () => {
  const r = await run(dataFetchCommand, ["pretrain-en", "--cache", tmp("cache")]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^bert-lab data fetch: pretrain-en: corpus\/en\/pretrain_en\.txt has no public download .* use --from DIR with a mirror such as \.\.\/shared\/data/);
  assert.match(r.err, /1 of 1 dataset not fetched\n$/);
});
