/** The embedded default: a small corpus shipped with the package, so the lab runs offline. */
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../util/shared-folder";

/** Path of the embedded corpus (BERT's format: one sentence per line, blank line between documents). */
export function embeddedCorpusPath(): string {
  return path.join(repoRoot(), "data", "embedded", "corpus.txt");
}

export function embeddedCorpus(): string {
  return fs.readFileSync(embeddedCorpusPath(), "utf8");
}
