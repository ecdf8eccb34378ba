// data/datasets.json: its shape, the names the lab relies on, and the errors for bad input.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { repoRoot } from "../util/shared-folder";
import { datasetNames, findDataset, loadManifest, validateManifest } from "./manifest";

const REQUIRED = [
  "bert-base-uncased-vocab", "bert-base-cased-vocab", "bert-base-chinese-vocab", "wikitext-2", "pretrain-en", "pretrain-zh",
  "sst2", "cola", "mrpc", "rte", "stsb", "wnut17", "squad-v1.1-dev",
];

test("the manifest loads, names every dataset the lab needs, and each has a licence and a citation", () => {
  const m = loadManifest();
  for (const name of REQUIRED) assert.ok(datasetNames(m).includes(name), `manifest names ${name}`);
  for (const d of m.datasets) {
    assert.ok(d.licence.length > 0 && d.citation.length > 0 && d.description.length > 0, d.name);
    for (const f of d.files) {
      if (f.url === null) assert.ok(f.note, `${d.name} ${f.path}: a file with no URL says how it was made`);
      else assert.match(f.url, /^https:\/\//, `${d.name} ${f.path}`);
      if (f.url?.startsWith("https://raw.githubusercontent.com/")) {
        assert.match(f.url, /^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/[0-9a-f]{40}\//, `${f.url} is pinned to a full commit`);
        assert.ok(f.url.endsWith("/" + encodeURIComponent(f.path.split("/").pop()!)), `${f.url} is the file ${f.path}`);
      }
    }
  }
});

test("the cache folder is git-ignored and nothing of the mirror is in the repository", () => {
  const ignore = fs.readFileSync(path.join(repoRoot(), ".gitignore"), "utf8").split("\n").map((l) => l.trim());
  assert.ok(ignore.includes(".cache/") || ignore.includes(".cache"), ".gitignore lists .cache");
  for (const d of loadManifest().datasets) {
    for (const f of d.files) assert.ok(!fs.existsSync(path.join(repoRoot(), "data", f.path)), `data/${f.path} is not copied into the repository`);
  }
});

test("findDataset: an unknown name lists the names and guesses near misses", () => {
  assert.equal(findDataset("sst2").files[0].path, "glue/SST-2/train.tsv");
  const guess = (name: string) => {
    try {
      findDataset(name);
    } catch (e) {
      assert.ok(e instanceof BertLabError);
      assert.equal(e.code, "UNKNOWN_DATASET");
      assert.ok(e.message.includes("wnut17, squad-v1.1-dev"), e.message);
      return e.message;
    }
    assert.fail(`${name} was found`);
  };
  assert.match(guess("sst-2"), /did you mean sst2\?/);
  assert.match(guess("SST2x"), /did you mean sst2\?/);
  assert.match(guess("squad"), /did you mean squad-v1\.1-dev\?/);
  assert.match(guess("wikitext2"), /did you mean wikitext-2\?/);
  assert.match(guess("bert-base-uncased"), /did you mean bert-base-uncased-vocab\?/);
  assert.doesNotMatch(guess("imagenet"), /did you mean/);
});

test("validateManifest names the field that is wrong", () => {
  const file = { path: "a/b.txt", url: null, sha256: "a".repeat(64), bytes: 3, note: "by hand" };
  const dataset = { name: "x", description: "d", licence: "l", citation: "c", files: [file] };
  const bad = (json: unknown, pattern: RegExp) =>
    assert.throws(() => validateManifest(json, "test.json"), (e: BertLabError) => e.code === "BAD_MANIFEST" && pattern.test(e.message) && e.message.startsWith("test.json:"));
  assert.equal(validateManifest({ version: 1, datasets: [dataset] }).datasets[0].name, "x");
  bad([], /must be a JSON object/);
  bad({ version: 2, datasets: [] }, /version must be 1/);
  bad({ version: 1, datasets: [{ ...dataset, name: "Bad Name" }] }, /datasets\[0\]\.name/);
  bad({ version: 1, datasets: [dataset, dataset] }, /dataset "x" appears twice/);
  bad({ version: 1, datasets: [{ ...dataset, licence: "" }] }, /dataset "x"\.licence must be a non-empty string/);
  bad({ version: 1, datasets: [{ ...dataset, files: [] }] }, /files must be a non-empty array/);
  bad({ version: 1, datasets: [{ ...dataset, files: [{ ...file, sha256: "A".repeat(64) }] }] }, /files\[0\]\.sha256 must be 64 lower-case hex/);
  bad({ version: 1, datasets: [{ ...dataset, files: [{ ...file, bytes: -1 }] }] }, /files\[0\]\.bytes/);
  bad({ version: 1, datasets: [{ ...dataset, files: [{ ...file, url: "ftp://x" }] }] }, /files\[0\]\.url must be an http\(s\) URL or null/);
  for (const p of ["/etc/passwd", "../x", "a/../b", "a\\b", "a//b", ""]) {
    bad({ version: 1, datasets: [{ ...dataset, files: [{ ...file, path: p }] }] }, /files\[0\]\.path must be a relative/);
  }
  bad({ version: 1, datasets: [{ ...dataset, files: [file, file] }] }, /repeats a\/b\.txt/);
});

test("loadManifest: an unreadable file is a clear error", () => {
  assert.throws(() => loadManifest(path.join(repoRoot(), "no-such-manifest.json")), /cannot read the dataset manifest .*no-such-manifest\.json/);
});
