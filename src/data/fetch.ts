/**
 * Fetching the manifest's datasets into a cache folder, each file checked against its sha256:
 * from a local mirror folder (`from`, or $BERT_LAB_DATA_MIRROR; ../shared/data is one) or, with
 * no mirror, from the file's public URL. Downloads go to `<file>.part`, resume with an HTTP
 * Range request, and are renamed to the final name only once the hash matches, so nothing
 * half-written or wrong ever sits under a final name.
 *
 * A mirror's files are copied into the cache (not used in place): every fetched file then lives
 * in one place whatever mirror, if any, a later run is given, and a mirror on a slow or
 * removable disk is read once. The price is one extra copy (about 80 MB for everything).
 *
 * @example
 *   const r = await fetchDataset("sst2", { from: "../shared/data" });
 *   r.files[0] // → { path: "glue/SST-2/train.tsv", localPath: "/…/.cache/data/glue/SST-2/train.tsv", source: "mirror", bytes: 3806081 }
 *   datasetPath("sst2", "dev.tsv") // → "/…/.cache/data/glue/SST-2/dev.tsv"
 */
import { createHash, Hash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { repoRoot } from "../util/shared-folder";
import { Dataset, DatasetFile, Manifest, findDataset, loadManifest } from "./manifest";

export type FileSource = "cache" | "mirror" | "network";

export interface FetchedFile {
  /** the manifest path, e.g. "glue/SST-2/train.tsv" */
  path: string;
  /** absolute path of the verified file in the cache */
  localPath: string;
  /** where it came from this time: already in the cache, copied from the mirror, or downloaded */
  source: FileSource;
  bytes: number;
}

export interface FetchResult {
  name: string;
  files: FetchedFile[];
}

export interface FetchProgress {
  dataset: string;
  path: string;
  /** verify: hashing a cached file; copy: from the mirror; download: from the URL */
  phase: "verify" | "copy" | "download";
  done: number;
  total: number;
  /** the mirror file or the URL being read */
  from: string;
}

export interface FetchOptions {
  /** a mirror folder laid out like ../shared/data; default $BERT_LAB_DATA_MIRROR; when set, the network is never used */
  from?: string;
  /** the cache folder; default $BERT_LAB_CACHE, else <repository>/.cache/data */
  cache?: string;
  /** another manifest (tests); default data/datasets.json */
  manifest?: Manifest;
  /** false: fail instead of downloading when there is no mirror (default true) */
  network?: boolean;
  onProgress?: (p: FetchProgress) => void;
  /** seconds without data before a download is given up (default 30) */
  timeoutSeconds?: number;
}

/** The mirror folder from the environment ($BERT_LAB_DATA_MIRROR), if any. */
export function defaultMirror(): string | undefined {
  return process.env.BERT_LAB_DATA_MIRROR || undefined;
}

/** The cache folder: $BERT_LAB_CACHE, else .cache/data in the repository (git-ignored). */
export function defaultCache(): string {
  return path.resolve(process.env.BERT_LAB_CACHE || path.join(repoRoot(), ".cache", "data"));
}

/** Where a manifest path lands under a folder (the cache or a mirror). */
export function localFile(folder: string, file: DatasetFile | string): string {
  return path.join(path.resolve(folder), ...(typeof file === "string" ? file : file.path).split("/"));
}

/** Hex sha256 of a file, streamed; `onBytes` sees the running count. */
export async function sha256File(file: string, onBytes?: (done: number) => void): Promise<string> {
  const hash = createHash("sha256");
  await hashInto(hash, file, onBytes);
  return hash.digest("hex");
}

async function hashInto(hash: Hash, file: string, onBytes?: (done: number) => void): Promise<void> {
  let done = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    done += (chunk as Buffer).length;
    onBytes?.(done);
  }
}

/** 4394 → "4.3 KiB", 51535931 → "49.1 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

const MIRROR_HINT = "use --from DIR with a mirror such as ../shared/data (or set BERT_LAB_DATA_MIRROR)";

/**
 * Makes every file of a dataset present and verified in the cache, and says where each is.
 * A cached file with the right sha256 is used as it is; a wrong one is removed and fetched
 * again. With a mirror, files are copied from it (a missing or different file is an error,
 * never a download); without one, they are downloaded from their URLs.
 *
 * @example
 *   await fetchDataset("wnut17", { from: "../shared/data", cache: "/tmp/cache" })
 *   // → { name: "wnut17", files: [{ path: "ner/wnut17/wnut17train.conll", source: "mirror", … }, …] }
 */
export async function fetchDataset(name: string, options: FetchOptions = {}): Promise<FetchResult> {
  const manifest = options.manifest ?? loadManifest();
  const dataset = findDataset(name, manifest);
  const cache = options.cache ? path.resolve(options.cache) : defaultCache();
  const mirror = options.from ?? defaultMirror();
  if (mirror !== undefined && !isDirectory(mirror)) {
    throw new BertLabError("MIRROR_NOT_FOUND", `mirror folder not found: ${mirror} — pass --from DIR (or BERT_LAB_DATA_MIRROR) naming a folder laid out like ../shared/data`);
  }
  const files: FetchedFile[] = [];
  for (const file of dataset.files) files.push(await fetchFile(dataset, file, cache, mirror, options));
  return { name: dataset.name, files };
}

async function fetchFile(dataset: Dataset, file: DatasetFile, cache: string, mirror: string | undefined, options: FetchOptions): Promise<FetchedFile> {
  const localPath = localFile(cache, file);
  const done = (source: FileSource): FetchedFile => ({ path: file.path, localPath, source, bytes: file.bytes });
  const progress = (phase: FetchProgress["phase"], from: string) => (n: number) =>
    options.onProgress?.({ dataset: dataset.name, path: file.path, phase, done: n, total: file.bytes, from });

  if (fs.existsSync(localPath)) {
    if (fs.statSync(localPath).size === file.bytes && (await sha256File(localPath, progress("verify", localPath))) === file.sha256) return done("cache");
    fs.rmSync(localPath, { force: true }); // not the manifest's file: fetch it again
  }
  const part = localPath + ".part";

  if (mirror !== undefined) {
    const src = localFile(mirror, file);
    if (!fs.existsSync(src)) {
      throw new BertLabError("MIRROR_MISSING", `${dataset.name}: ${file.path} is not in the mirror ${path.resolve(mirror)} (looked for ${src})`);
    }
    fs.mkdirSync(path.dirname(localPath), { recursive: true });
    const hash = createHash("sha256");
    const onBytes = progress("copy", src);
    let n = 0;
    try {
      await writePart(part, "w", fs.createReadStream(src, { highWaterMark: 1 << 20 }), (chunk) => {
        hash.update(chunk);
        onBytes((n += chunk.length));
      });
    } catch (e) {
      fs.rmSync(part, { force: true });
      throw new BertLabError("MIRROR_READ", `${dataset.name}: cannot copy ${src} into the cache: ${(e as Error).message}`);
    }
    await finish(dataset, file, part, localPath, n, hash.digest("hex"), `the mirror's ${src}`);
    return done("mirror");
  }

  if (file.url === null) {
    throw new BertLabError(
      "NO_DOWNLOAD",
      `${dataset.name}: ${file.path} has no public download${file.note ? ` (${file.note})` : ""} — only a mirror can provide it: ${MIRROR_HINT}`,
    );
  }
  if (options.network === false) {
    throw new BertLabError("NO_MIRROR", `${dataset.name}: ${file.path} is not in the cache ${cache} and no mirror was given — ${MIRROR_HINT}, or run bert-lab data fetch ${dataset.name} to download it`);
  }
  fs.mkdirSync(path.dirname(localPath), { recursive: true });
  const { size, sha256 } = await download(file.url, part, file, progress("download", file.url), dataset.name, (options.timeoutSeconds ?? 30) * 1000);
  await finish(dataset, file, part, localPath, size, sha256, file.url);
  return done("network");
}

/** Checks a finished .part; renames it to the final name, or removes it and says what differs. */
async function finish(dataset: Dataset, file: DatasetFile, part: string, final: string, size: number, sha256: string, from: string): Promise<void> {
  if (size !== file.bytes || sha256 !== file.sha256) {
    fs.rmSync(part, { force: true });
    throw new BertLabError(
      "CHECKSUM_MISMATCH",
      `${dataset.name}: refusing ${file.path} from ${from}: expected sha256 ${file.sha256} (${file.bytes} bytes), got sha256 ${sha256} (${size} bytes) — the copy is damaged or a different version; nothing was written`,
    );
  }
  fs.renameSync(part, final);
}

/** Writes chunks to `part` (w: from scratch, a: appended), flushed to disk before it returns. */
async function writePart(part: string, flags: "w" | "a", chunks: AsyncIterable<unknown>, onChunk: (chunk: Buffer) => void): Promise<void> {
  const fh = await fs.promises.open(part, flags);
  try {
    for await (const c of chunks) {
      const chunk = c as Buffer;
      await fh.write(chunk);
      onChunk(chunk);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Downloads `url` into `part`, resuming what `part` already holds when the server answers a
 * Range request with 206 (a 200 starts over). Returns the size and sha256 of the whole part.
 * A failure leaves `part` for the next call and throws DOWNLOAD_FAILED.
 */
async function download(url: string, part: string, file: DatasetFile, onBytes: (n: number) => void, dataset: string, timeoutMs: number): Promise<{ size: number; sha256: string }> {
  let have = fs.existsSync(part) ? fs.statSync(part).size : 0;
  if (have > file.bytes) {
    fs.rmSync(part, { force: true });
    have = 0;
  }
  const hash = createHash("sha256");
  if (have === file.bytes) {
    await hashInto(hash, part);
    return { size: have, sha256: hash.digest("hex") };
  }
  const failed = (why: string): BertLabError => {
    const kept = fs.existsSync(part) ? fs.statSync(part).size : 0;
    return new BertLabError(
      "DOWNLOAD_FAILED",
      `${dataset}: download of ${file.path} from ${url} failed: ${why}` +
        (kept > 0 ? `; ${kept} of ${file.bytes} bytes kept in ${part}, the next fetch resumes there` : "") +
        ` — no internet here? ${MIRROR_HINT}`,
    );
  };
  let res: http.IncomingMessage;
  try {
    res = await get(url, have > 0 ? { Range: `bytes=${have}-` } : {}, timeoutMs);
    if (have > 0 && (res.statusCode === 416 || (res.statusCode === 206 && !String(res.headers["content-range"] ?? "").startsWith(`bytes ${have}-`)))) {
      res.resume(); // the server cannot continue from here: start over
      have = 0;
      res = await get(url, {}, timeoutMs);
    }
  } catch (e) {
    throw failed((e as Error).message);
  }
  if (res.statusCode === 200) have = 0;
  else if (res.statusCode !== 206) {
    res.resume();
    throw failed(`the server answered HTTP ${res.statusCode} ${res.statusMessage ?? ""}`.trim());
  }
  if (have > 0) await hashInto(hash, part);
  let size = have;
  onBytes(size);
  try {
    await writePart(part, have > 0 ? "a" : "w", res, (chunk) => {
      hash.update(chunk);
      onBytes((size += chunk.length));
    });
  } catch (e) {
    res.destroy();
    throw failed((e as Error).message);
  }
  if (size < file.bytes) throw failed(`the connection ended after ${size} of ${file.bytes} bytes`);
  return { size, sha256: hash.digest("hex") };
}

/** GET with redirects (at most 5); resolves to the final response. */
function get(url: string, headers: Record<string, string>, timeoutMs: number, redirects = 5): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith("https:") ? https : http;
    const req = lib.get(url, { headers: { "user-agent": "bert-lab", ...headers }, timeout: timeoutMs }, (res) => {
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (redirects === 0) return reject(new Error(`too many redirects (last to ${location})`));
        return resolve(get(new URL(location, url).toString(), headers, timeoutMs, redirects - 1));
      }
      resolve(res);
    });
    req.on("timeout", () => req.destroy(new Error(`no data for ${timeoutMs / 1000} s`)));
    req.on("error", reject);
  });
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Per file: whether the cache and the mirror hold it (by size; fetch checks the hash). */
export interface FileStatus {
  path: string;
  bytes: number;
  cached: boolean;
  /** null when no mirror is given */
  inMirror: boolean | null;
  downloadable: boolean;
}

/**
 * Where each file of a dataset stands, without hashing or fetching anything.
 *
 * @example
 *   datasetStatus("sst2", { from: "../shared/data" })
 *   // → [{ path: "glue/SST-2/train.tsv", bytes: 3806081, cached: false, inMirror: true, downloadable: false }, …]
 */
export function datasetStatus(name: string, options: Pick<FetchOptions, "from" | "cache" | "manifest"> = {}): FileStatus[] {
  const dataset = findDataset(name, options.manifest ?? loadManifest());
  const cache = options.cache ? path.resolve(options.cache) : defaultCache();
  const mirror = options.from ?? defaultMirror();
  const hasSize = (p: string, bytes: number) => {
    try {
      return fs.statSync(p).size === bytes;
    } catch {
      return false;
    }
  };
  return dataset.files.map((f) => ({
    path: f.path,
    bytes: f.bytes,
    cached: hasSize(localFile(cache, f), f.bytes),
    inMirror: mirror === undefined ? null : hasSize(localFile(mirror, f), f.bytes),
    downloadable: f.url !== null,
  }));
}

/**
 * Where a fetched dataset is: one file of it (by manifest path or file name), else its only
 * file, else the folder that holds all its files. Throws NOT_FETCHED (with the command that
 * fetches it) when a file is not in the cache; it does not re-hash.
 *
 * @example
 *   datasetPath("bert-base-uncased-vocab") // → "/…/.cache/data/vocab/bert-base-uncased/vocab.txt"
 *   datasetPath("wnut17")                  // → "/…/.cache/data/ner/wnut17"
 *   datasetPath("sst2", "train.tsv")       // → "/…/.cache/data/glue/SST-2/train.tsv"
 */
export function datasetPath(name: string, file?: string, options: Pick<FetchOptions, "cache" | "manifest"> = {}): string {
  const dataset = findDataset(name, options.manifest ?? loadManifest());
  const cache = options.cache ? path.resolve(options.cache) : defaultCache();
  let files = dataset.files;
  if (file !== undefined) {
    files = dataset.files.filter((f) => f.path === file || f.path.split("/").pop() === file);
    if (files.length !== 1) {
      throw new BertLabError("UNKNOWN_FILE", `dataset ${name} has ${files.length ? "several" : "no"} file "${file}" — its files: ${dataset.files.map((f) => f.path).join(", ")}`);
    }
  }
  for (const f of files) {
    const p = localFile(cache, f);
    if (!fs.existsSync(p)) {
      throw new BertLabError("NOT_FETCHED", `${name} is not fetched yet (no ${p}) — run: bert-lab data fetch ${name} --from ../shared/data (or without --from to download it)`);
    }
  }
  if (files.length === 1) return localFile(cache, files[0]);
  const dirs = files.map((f) => f.path.split("/").slice(0, -1));
  const common: string[] = [];
  for (let i = 0; dirs.every((d) => i < d.length && d[i] === dirs[0][i]); i++) common.push(dirs[0][i]);
  return path.join(cache, ...common);
}
