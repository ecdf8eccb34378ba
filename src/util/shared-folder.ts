/**
 * Where the team's shared reference data lives (golden outputs and the offline data mirror):
 * `$BERT_LAB_SHARED`, else the `shared/` folder beside this repository.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root (this file is src/util/ or dist/src/util/). */
export function repoRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, "../..");
}

/** The shared folder, or null when it is not there. */
export function sharedFolder(): string | null {
  const candidates = [process.env.BERT_LAB_SHARED, path.join(repoRoot(), "..", "shared")];
  for (const c of candidates) {
    if (c && fs.existsSync(path.join(c, "golden"))) return path.resolve(c);
  }
  return null;
}

/**
 * For tests that need the shared folder: `{ skip }` options for node:test. Outside CI a
 * missing folder skips the test with a printed reason; under CI=true nothing skips, so the
 * test runs and fails on the missing file.
 */
export function needsShared(file: string): { skip: string | false } {
  const dir = sharedFolder();
  if (dir && fs.existsSync(path.join(dir, file))) return { skip: false };
  if (process.env.CI === "true") return { skip: false };
  return { skip: `needs ../shared/${file} (set BERT_LAB_SHARED to the shared folder)` };
}

/** Absolute path of a file in the shared folder; throws a clear error when it is missing. */
export function sharedPath(file: string): string {
  const dir = sharedFolder();
  const p = dir ? path.join(dir, file) : null;
  if (!p || !fs.existsSync(p)) {
    throw new Error(
      `shared file not found: ${file} — put the team's shared/ folder beside the repository or set BERT_LAB_SHARED`,
    );
  }
  return p;
}
