/**
 * Tokenizer speed: MB/s and tokens/s on ~50 MB of English, single thread, next to a plain
 * Python implementation of the same algorithm (bench/peer_tokenizer.py) run in the same
 * benchmark. Both must produce the same number of tokens.
 *
 *   npm run bench:tokenizer -- [--input FILE] [--vocab FILE] [--mb N] [--peer-mb N] [--no-peer]
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { BertTokenizer } from "../src/tokenization/bert-tokenizer";
import { IntBuffer } from "../src/tokenization/int-buffer";
import { findPython } from "../src/util/find-python";
import { repoRoot, sharedFolder } from "../src/util/shared-folder";

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function need(file: string | undefined, what: string, flag: string): string {
  if (!file || !fs.existsSync(file)) {
    console.error(`bench:tokenizer: ${what} not found${file ? `: ${file}` : ""} — pass --${flag} FILE or put the shared/ folder beside the repository`);
    process.exit(2);
  }
  return file;
}

const shared = sharedFolder();
const input = need(arg("input") ?? (shared ? path.join(shared, "data/corpus/en/pretrain_en.txt") : undefined), "corpus", "input");
const vocabPath = need(arg("vocab") ?? (shared ? path.join(shared, "data/vocab/bert-base-uncased/vocab.txt") : undefined), "vocab", "vocab");
const mb = Number(arg("mb") ?? 50);
const peerMb = Number(arg("peer-mb") ?? mb);

const buf = fs.readFileSync(input);
const text = buf.subarray(0, Math.min(buf.length, Math.round(mb * 1e6))).toString("utf8");
const bytes = Buffer.byteLength(text, "utf8");
const lines = text.split("\n");
const tok = BertTokenizer.fromFile(vocabPath);

// warm up the JIT on the first 2 MB, then time the whole text
const ids = new IntBuffer(1 << 16);
let warm = 0;
for (const line of lines) {
  tok.encodeToIds(line, ids);
  warm += line.length;
  if (warm > 2e6) break;
}
const t0 = process.hrtime.bigint();
let tokens = 0;
for (const line of lines) tokens += tok.encodeToIds(line, ids).length;
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const js = { impl: "bert-lab (TypeScript)", mb: bytes / 1e6, seconds, tokens };

const rows = [js];
let peerNote = "";
if (!process.argv.includes("--no-peer")) {
  const python = findPython() ?? "python3";
  const peer = path.join(repoRoot(), "bench", "peer_tokenizer.py");
  const r = spawnSync(python, [peer, "--vocab", vocabPath, "--bench", input, "--max-mb", String(peerMb)], { encoding: "utf8" });
  if (r.status === 0) {
    const py = JSON.parse(r.stdout.trim().split("\n").pop()!);
    rows.push({ impl: "plain Python peer", mb: py.mb, seconds: py.seconds, tokens: py.tokens });
    if (peerMb === mb && py.tokens !== tokens) peerNote = `  WARNING: token counts differ (${tokens} vs ${py.tokens})`;
    else if (peerMb === mb) peerNote = "  same token count from both: outputs agree in size";
  } else {
    peerNote = `  Python peer did not run: ${r.error?.message ?? r.stderr.trim().split("\n").pop()}`;
  }
}

console.log(`tokenizer benchmark: ${path.basename(input)}, vocab ${path.basename(path.dirname(vocabPath))}, one thread, node ${process.version}`);
console.log("impl".padEnd(24) + "MB".padStart(8) + "seconds".padStart(10) + "MB/s".padStart(9) + "tokens/s".padStart(13));
for (const r of rows) {
  console.log(
    r.impl.padEnd(24) +
      r.mb.toFixed(1).padStart(8) +
      r.seconds.toFixed(2).padStart(10) +
      (r.mb / r.seconds).toFixed(1).padStart(9) +
      Math.round(r.tokens / r.seconds).toLocaleString("en-US").padStart(13),
  );
}
if (rows.length === 2) {
  console.log(`speed-up over the Python peer: ${((rows[0].mb / rows[0].seconds) / (rows[1].mb / rows[1].seconds)).toFixed(1)}x`);
}
if (peerNote) console.log(peerNote);
