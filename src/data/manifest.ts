/**
 * The dataset manifest, data/datasets.json: for each named dataset its files (path inside a
 * mirror, a public URL that gives exactly those bytes or null, sha256, size), licence and
 * citation. Loaded once and checked field by field, so a bad edit fails with the field's name.
 *
 * @example
 *   datasetNames()                      // → ["bert-base-uncased-vocab", …, "squad-v1.1-dev"]
 *   findDataset("sst2").files[0].path   // → "glue/SST-2/train.tsv"
 *   findDataset("sst-2")                // throws: unknown dataset "sst-2" — did you mean sst2? …
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { repoRoot } from "../util/shared-folder";

/** One file of a dataset. */
export interface DatasetFile {
  /** relative, "/"-separated path inside a mirror and inside the cache, e.g. "glue/SST-2/train.tsv" */
  path: string;
  /** a public URL that serves exactly these bytes, or null when only a mirror can provide them */
  url: string | null;
  /** lower-case hex sha256 of the file */
  sha256: string;
  /** size in bytes */
  bytes: number;
  /** how the file was made or where it came from, when the URL does not say it all */
  note?: string;
}

/** One named dataset. */
export interface Dataset {
  name: string;
  description: string;
  licence: string;
  /** a short reference: authors, title, venue, year */
  citation: string;
  homepage?: string;
  files: DatasetFile[];
}

export interface Manifest {
  version: 1;
  datasets: Dataset[];
}

/** Where the package's manifest lives: data/datasets.json at the repository (package) root. */
export function manifestPath(): string {
  return path.join(repoRoot(), "data", "datasets.json");
}

/**
 * Checks a parsed manifest and returns it typed; `source` names it in errors.
 *
 * @example
 *   validateManifest({ version: 1, datasets: [] }, "test") // → the same object
 */
export function validateManifest(json: unknown, source = "manifest"): Manifest {
  const fail = (where: string, what: string): never => {
    throw new BertLabError("BAD_MANIFEST", `${source}: ${where} ${what}`);
  };
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
  const text = (obj: Record<string, unknown>, key: string, where: string, optional = false): void => {
    if (optional && obj[key] === undefined) return;
    if (typeof obj[key] !== "string" || (obj[key] as string).trim() === "") fail(`${where}.${key}`, `must be a non-empty string, got ${JSON.stringify(obj[key])}`);
  };
  if (!isObject(json)) return fail("the manifest", "must be a JSON object");
  if (json.version !== 1) fail("version", `must be 1, got ${JSON.stringify(json.version)}`);
  if (!Array.isArray(json.datasets)) fail("datasets", "must be an array");
  const names = new Set<string>();
  (json.datasets as unknown[]).forEach((d, i) => {
    let where = `datasets[${i}]`;
    if (!isObject(d)) return fail(where, "must be an object");
    if (typeof d.name !== "string" || !/^[a-z0-9][a-z0-9.-]*$/.test(d.name)) fail(`${where}.name`, `must be lower-case letters, digits, "." and "-", got ${JSON.stringify(d.name)}`);
    where = `dataset "${d.name}"`;
    if (names.has(d.name as string)) fail(where, "appears twice");
    names.add(d.name as string);
    for (const key of ["description", "licence", "citation"]) text(d, key, where);
    text(d, "homepage", where, true);
    if (!Array.isArray(d.files) || d.files.length === 0) fail(`${where}.files`, "must be a non-empty array");
    const paths = new Set<string>();
    (d.files as unknown[]).forEach((f, j) => {
      const at = `${where}.files[${j}]`;
      if (!isObject(f)) return fail(at, "must be an object");
      const p = f.path;
      if (typeof p !== "string" || p === "" || p.startsWith("/") || p.includes("\\") || p.split("/").some((part) => part === "" || part === "." || part === "..")) {
        fail(`${at}.path`, `must be a relative "/"-separated path without "." or ".." parts, got ${JSON.stringify(p)}`);
      }
      if (paths.has(p as string)) fail(`${at}.path`, `repeats ${p}`);
      paths.add(p as string);
      if (f.url !== null && (typeof f.url !== "string" || !/^https?:\/\/\S+$/.test(f.url))) fail(`${at}.url`, `must be an http(s) URL or null, got ${JSON.stringify(f.url)}`);
      if (typeof f.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(f.sha256)) fail(`${at}.sha256`, `must be 64 lower-case hex digits, got ${JSON.stringify(f.sha256)}`);
      if (!Number.isSafeInteger(f.bytes) || (f.bytes as number) < 0) fail(`${at}.bytes`, `must be a whole number ≥ 0, got ${JSON.stringify(f.bytes)}`);
      text(f, "note", at, true);
    });
  });
  return json as unknown as Manifest;
}

let cached: Manifest | null = null;

/**
 * Reads and checks a manifest file (the package's data/datasets.json by default, read once).
 *
 * @example
 *   loadManifest().datasets.length // → 17
 */
export function loadManifest(file?: string): Manifest {
  if (!file && cached) return cached;
  const where = file ?? manifestPath();
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(where, "utf8"));
  } catch (e) {
    throw new BertLabError("BAD_MANIFEST", `cannot read the dataset manifest ${where}: ${(e as Error).message}`);
  }
  const manifest = validateManifest(json, where);
  if (!file) cached = manifest;
  return manifest;
}

/** The dataset names, in manifest order. */
export function datasetNames(manifest: Manifest = loadManifest()): string[] {
  return manifest.datasets.map((d) => d.name);
}

/**
 * The dataset of that name; an unknown name throws UNKNOWN_DATASET listing the names, with a
 * guess for a near miss ("sst-2" → sst2, "squad" → squad-v1.1-dev).
 */
export function findDataset(name: string, manifest: Manifest = loadManifest()): Dataset {
  const found = manifest.datasets.find((d) => d.name === name);
  if (found) return found;
  const names = datasetNames(manifest);
  const guesses = nearNames(name, names);
  const hint = guesses.length ? ` — did you mean ${guesses.join(" or ")}?` : "";
  throw new BertLabError("UNKNOWN_DATASET", `unknown dataset "${name}"${hint} Known datasets: ${names.join(", ")} (bert-lab data list)`);
}

/** Names within a small edit distance of `name`, or that contain it, closest first. */
function nearNames(name: string, names: readonly string[]): string[] {
  const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  const k = key(name);
  if (k === "") return [];
  const scored = names.map((n) => {
    const d = editDistance(k, key(n));
    const contains = key(n).includes(k) || (k.length >= 4 && k.includes(key(n)));
    return { n, score: d === 0 ? 0 : d <= Math.max(1, Math.floor(k.length / 4)) ? d : contains ? 10 : Infinity };
  });
  return scored.filter((s) => s.score < Infinity).sort((a, b) => a.score - b.score).slice(0, 3).map((s) => s.n);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length];
}
