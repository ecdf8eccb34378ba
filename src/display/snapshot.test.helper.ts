// SVG snapshot tests: the picture of a seeded input is compared with the file under a
// __snapshots__ folder; UPDATE_SNAPSHOTS=1 rewrites it (look at the picture first).
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../util/shared-folder";
import { pngsIn } from "./attention.test.helper";

/** The SVG with each PNG replaced by its size and a hash of its pixels (stable across zlib versions). */
export function snapshotForm(svg: string): string {
  const pngs = pngsIn(svg);
  let k = 0;
  return svg.replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/g, () => {
    const p = pngs[k++];
    return `data:image/png;base64,<${p.width}x${p.height} sha256:${crypto.createHash("sha256").update(p.rgb).digest("hex").slice(0, 16)}>`;
  });
}

/** Compares with `folder`/<name> (default src/display/__snapshots__); UPDATE_SNAPSHOTS=1 writes it. */
export function assertSnapshot(name: string, svg: string, folder = path.join(repoRoot(), "src", "display", "__snapshots__")): void {
  const text = snapshotForm(svg);
  const file = path.join(folder, name);
  if (process.env.UPDATE_SNAPSHOTS === "1") {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  assert.ok(fs.existsSync(file), `no snapshot at ${file}: run the tests once with UPDATE_SNAPSHOTS=1`);
  assert.equal(text, fs.readFileSync(file, "utf8"), "the SVG changed: look at it, then rerun with UPDATE_SNAPSHOTS=1 to accept");
}
