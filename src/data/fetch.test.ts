// Fetching datasets: the manifest against ../shared/data, copies from a mirror, and downloads
// from a local HTTP server with Range support (resume, a server that ignores Range, a dropped
// connection, a wrong hash). Nothing here touches the internet.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { needsShared, sharedPath } from "../util/shared-folder";
import { tempFolders } from "../util/temp-folders.test.helper";
import { datasetPath, datasetStatus, fetchDataset, FetchProgress, sha256File } from "./fetch";
import { loadManifest, Manifest, validateManifest } from "./manifest";

const tmp = tempFolders();
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const rejectsWith = (p: Promise<unknown>, code: string, pattern?: RegExp) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof BertLabError, String(e));
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });

describe("the manifest against the mirror ../shared/data", () => {
  const opts = needsShared("data/SOURCES.md");

  test("every file's size and sha256 match the mirror's copy", opts, async () => {
    const mirror = sharedPath("data");
    for (const d of loadManifest().datasets) {
      for (const f of d.files) {
        const p = path.join(mirror, f.path);
        assert.ok(fs.existsSync(p), `${d.name}: ${f.path} is in the mirror`);
        assert.equal(fs.statSync(p).size, f.bytes, `${d.name}: size of ${f.path}`);
        assert.equal(await sha256File(p), f.sha256, `${d.name}: sha256 of ${f.path}`);
      }
    }
  });

  test("every data file of the mirror is in the manifest", opts, () => {
    const mirror = sharedPath("data");
    const listed = new Set(loadManifest().datasets.flatMap((d) => d.files.map((f) => f.path)));
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const files = walk(mirror).map((p) => path.relative(mirror, p).split(path.sep).join("/")).filter((p) => p !== "SOURCES.md");
    assert.deepEqual(files.filter((p) => !listed.has(p)), []);
  });

  test("fetch --from the mirror copies into the cache; the second fetch uses the cache", opts, async () => {
    const mirror = sharedPath("data");
    const cache = tmp("cache");
    const seen: FetchProgress[] = [];
    const first = await fetchDataset("wnut17", { from: mirror, cache, onProgress: (p) => seen.push(p) });
    assert.deepEqual(first.files.map((f) => f.source), ["mirror", "mirror", "mirror", "mirror"]);
    for (const f of first.files) {
      assert.equal(f.localPath, path.join(cache, ...f.path.split("/")));
      assert.ok(fs.readFileSync(f.localPath).equals(fs.readFileSync(path.join(mirror, f.path))), f.path);
      assert.ok(!fs.existsSync(f.localPath + ".part"));
    }
    const last = seen.filter((p) => p.path === "ner/wnut17/wnut17train.conll").pop()!;
    assert.deepEqual([last.phase, last.done, last.total], ["copy", 493781, 493781]);
    assert.equal(datasetPath("wnut17", undefined, { cache }), path.join(cache, "ner", "wnut17"));
    assert.equal(datasetPath("wnut17", "emerging.dev.conll", { cache }), path.join(cache, "ner", "wnut17", "emerging.dev.conll"));
    assert.deepEqual(datasetStatus("wnut17", { cache, from: mirror }).map((s) => [s.cached, s.inMirror]), Array(4).fill([true, true]));

    const second = await fetchDataset("wnut17", { cache, network: false });
    assert.deepEqual(second.files.map((f) => f.source), ["cache", "cache", "cache", "cache"]);
  });

  test("a mirror copy with one byte changed is refused and nothing lands under the final name", opts, async () => {
    const good = fs.readFileSync(sharedPath("data/vocab/bert-base-chinese/vocab.txt"));
    const mirror = tmp("bad-mirror");
    fs.mkdirSync(path.join(mirror, "vocab", "bert-base-chinese"), { recursive: true });
    const bad = Buffer.from(good);
    bad[1000] ^= 1;
    fs.writeFileSync(path.join(mirror, "vocab", "bert-base-chinese", "vocab.txt"), bad);
    const cache = tmp("cache");
    await rejectsWith(
      fetchDataset("bert-base-chinese-vocab", { from: mirror, cache }),
      "CHECKSUM_MISMATCH",
      new RegExp(`vocab/bert-base-chinese/vocab\\.txt.*expected sha256 ${sha(good)} \\(109540 bytes\\), got sha256 ${sha(bad)} \\(109540 bytes\\)`),
    );
    const final = path.join(cache, "vocab", "bert-base-chinese", "vocab.txt");
    assert.ok(!fs.existsSync(final) && !fs.existsSync(final + ".part"));
    await rejectsWith(Promise.resolve().then(() => datasetPath("bert-base-chinese-vocab", undefined, { cache })), "NOT_FETCHED", /bert-lab data fetch bert-base-chinese-vocab/);
  });
});

describe("downloads from a local HTTP server", () => {
  const body = randomBytes(300_000);
  /** what the server does: answer Range requests, ignore them (200), or drop the connection half way */
  let behaviour: "normal" | "ignore-range" | "drop" = "normal";
  const log: { url: string; range: string | undefined; status: number; sent: number }[] = [];
  let server: http.Server;
  let base = "";
  let manifest: Manifest;
  let cache = "";
  const part = () => path.join(cache, "fx", "file.bin.part");
  const final = () => path.join(cache, "fx", "file.bin");

  const envMirror = process.env.BERT_LAB_DATA_MIRROR;
  before(async () => {
    delete process.env.BERT_LAB_DATA_MIRROR; // these tests choose their mirror themselves
    server = http.createServer((req, res) => {
      if (req.url === "/moved") {
        res.writeHead(302, { location: "/file.bin" }).end();
        return;
      }
      if (req.url !== "/file.bin") {
        res.writeHead(404).end();
        return;
      }
      const range = req.headers.range;
      const m = /^bytes=(\d+)-$/.exec(range ?? "");
      const start = m && behaviour !== "ignore-range" ? Number(m[1]) : 0;
      if (start >= body.length) {
        res.writeHead(416).end();
        return;
      }
      const rest = body.subarray(start);
      const entry = { url: req.url, range, status: start > 0 ? 206 : 200, sent: 0 };
      log.push(entry);
      res.writeHead(entry.status, { "content-length": rest.length, ...(start > 0 ? { "content-range": `bytes ${start}-${body.length - 1}/${body.length}` } : {}) });
      if (behaviour === "drop") {
        const half = rest.subarray(0, rest.length >> 1);
        entry.sent = half.length;
        res.write(half, () => setTimeout(() => res.socket?.destroy(), 50));
        return;
      }
      entry.sent = rest.length;
      res.end(rest);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const file = { path: "fx/file.bin", url: `${base}/file.bin`, sha256: sha(body), bytes: body.length };
    const dataset = (name: string, f: object) => ({ name, description: "test fixture", licence: "none", citation: "none", files: [{ ...file, ...f }] });
    manifest = validateManifest(
      {
        version: 1,
        datasets: [
          dataset("fixture", {}),
          dataset("moved", { url: `${base}/moved` }),
          dataset("wrong-hash", { sha256: "0".repeat(64) }),
          dataset("mirror-only", { url: null, note: "made by hand" }),
          dataset("offline", { url: "http://127.0.0.1:9/file.bin" }),
        ],
      },
      "test manifest",
    );
  });
  after(() => {
    server.close();
    if (envMirror !== undefined) process.env.BERT_LAB_DATA_MIRROR = envMirror;
  });

  const fresh = () => {
    cache = tmp("cache");
    log.length = 0;
    behaviour = "normal";
  };

  test("a full download lands under the final name; the next fetch uses the cache", async () => {
    fresh();
    const seen: FetchProgress[] = [];
    const r = await fetchDataset("fixture", { manifest, cache, onProgress: (p) => seen.push(p) });
    assert.deepEqual(r.files, [{ path: "fx/file.bin", localPath: final(), source: "network", bytes: body.length }]);
    assert.ok(fs.readFileSync(final()).equals(body));
    assert.ok(!fs.existsSync(part()));
    assert.deepEqual(log.map((l) => [l.range, l.status, l.sent]), [[undefined, 200, body.length]]);
    assert.deepEqual(seen.at(-1), { dataset: "fixture", path: "fx/file.bin", phase: "download", done: body.length, total: body.length, from: `${base}/file.bin` });
    assert.ok(seen.every((p, i) => i === 0 || p.done >= seen[i - 1].done), "progress only grows");

    const again = await fetchDataset("fixture", { manifest, cache });
    assert.equal(again.files[0].source, "cache");
    assert.equal(log.length, 1, "no second request");
    assert.equal(datasetPath("fixture", undefined, { manifest, cache }), final());
  });

  test("a redirect is followed", async () => {
    fresh();
    const r = await fetchDataset("moved", { manifest, cache });
    assert.equal(r.files[0].source, "network");
    assert.ok(fs.readFileSync(final()).equals(body));
  });

  test("a .part resumes with a Range request and only the remaining bytes are sent", async () => {
    fresh();
    fs.mkdirSync(path.dirname(part()), { recursive: true });
    fs.writeFileSync(part(), body.subarray(0, 100_000));
    await fetchDataset("fixture", { manifest, cache });
    assert.deepEqual(log.map((l) => [l.range, l.status, l.sent]), [["bytes=100000-", 206, 200_000]]);
    assert.ok(fs.readFileSync(final()).equals(body));
    assert.ok(!fs.existsSync(part()));
  });

  test("a server that ignores Range (200) restarts the file cleanly", async () => {
    fresh();
    behaviour = "ignore-range";
    fs.mkdirSync(path.dirname(part()), { recursive: true });
    fs.writeFileSync(part(), randomBytes(100_000)); // not even the right bytes: all of it is replaced
    await fetchDataset("fixture", { manifest, cache });
    assert.deepEqual(log.map((l) => [l.range, l.status, l.sent]), [["bytes=100000-", 200, body.length]]);
    assert.ok(fs.readFileSync(final()).equals(body));
  });

  test("a wrong hash leaves neither the file nor its .part", async () => {
    fresh();
    await rejectsWith(fetchDataset("wrong-hash", { manifest, cache }), "CHECKSUM_MISMATCH", new RegExp(`expected sha256 0{64} \\(300000 bytes\\), got sha256 ${sha(body)} \\(300000 bytes\\)`));
    assert.ok(!fs.existsSync(final()) && !fs.existsSync(part()));
  });

  test("a dropped connection leaves a .part that the next fetch completes", async () => {
    fresh();
    behaviour = "drop";
    await rejectsWith(fetchDataset("fixture", { manifest, cache }), "DOWNLOAD_FAILED", /bytes kept in .*file\.bin\.part, the next fetch resumes there — no internet here\? use --from DIR/);
    assert.ok(!fs.existsSync(final()));
    const kept = fs.statSync(part()).size;
    assert.ok(kept > 0 && kept <= body.length / 2, `kept ${kept} bytes`);
    assert.ok(fs.readFileSync(part()).equals(body.subarray(0, kept)));

    behaviour = "normal";
    await fetchDataset("fixture", { manifest, cache });
    assert.deepEqual(log.at(-1), { url: "/file.bin", range: `bytes=${kept}-`, status: 206, sent: body.length - kept });
    assert.ok(fs.readFileSync(final()).equals(body));
    assert.ok(!fs.existsSync(part()));
  });

  test("a damaged file in the cache is replaced", async () => {
    fresh();
    fs.mkdirSync(path.dirname(final()), { recursive: true });
    const damaged = Buffer.from(body);
    damaged[5] ^= 0xff;
    fs.writeFileSync(final(), damaged);
    const r = await fetchDataset("fixture", { manifest, cache });
    assert.equal(r.files[0].source, "network");
    assert.ok(fs.readFileSync(final()).equals(body));
  });

  test("with a mirror the network is never used, and a damaged mirror copy is refused", async () => {
    fresh();
    const mirror = tmp("mirror");
    fs.mkdirSync(path.join(mirror, "fx"));
    const damaged = Buffer.from(body);
    damaged[123_456] ^= 1;
    fs.writeFileSync(path.join(mirror, "fx", "file.bin"), damaged);
    await rejectsWith(fetchDataset("fixture", { manifest, cache, from: mirror }), "CHECKSUM_MISMATCH", /refusing fx\/file\.bin from the mirror's .*nothing was written/);
    assert.ok(!fs.existsSync(final()) && !fs.existsSync(part()));
    assert.equal(log.length, 0);

    await rejectsWith(fetchDataset("fixture", { manifest, cache, from: tmp("empty") }), "MIRROR_MISSING", /fx\/file\.bin is not in the mirror/);
    await rejectsWith(fetchDataset("fixture", { manifest, cache, from: path.join(mirror, "nope") }), "MIRROR_NOT_FOUND");
    fs.writeFileSync(path.join(mirror, "fx", "file.bin"), body);
    const r = await fetchDataset("mirror-only", { manifest, cache, from: mirror });
    assert.equal(r.files[0].source, "mirror");
    assert.equal(log.length, 0);
  });

  test("without a mirror: no URL, no network, or no server each say to use --from", async () => {
    fresh();
    await rejectsWith(fetchDataset("mirror-only", { manifest, cache }), "NO_DOWNLOAD", /has no public download \(made by hand\) — only a mirror can provide it: use --from DIR with a mirror such as \.\.\/shared\/data/);
    await rejectsWith(fetchDataset("fixture", { manifest, cache, network: false }), "NO_MIRROR", /use --from DIR/);
    await rejectsWith(fetchDataset("offline", { manifest, cache }), "DOWNLOAD_FAILED", /127\.0\.0\.1:9\/file\.bin failed: .* — no internet here\? use --from DIR/);
    assert.ok(!fs.existsSync(part()) && !fs.existsSync(final()));
    await rejectsWith(Promise.resolve().then(() => datasetPath("fixture", "other.bin", { manifest, cache })), "UNKNOWN_FILE", /its files: fx\/file\.bin/);
  });
});
