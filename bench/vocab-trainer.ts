/**
 * How fast the WordPiece vocabulary trainer is, and whether what it learns round-trips.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/vocab-trainer.js [--mb 50] [--size 30522] [--input FILE] [--cased]
 *
 * Trains on the first --mb MiB of --input (default: ../shared/data/corpus/en/pretrain_en.txt,
 * about 49 MiB of English), prints throughput and the first and last learned tokens, then
 * checks, on a sample of the lines trained on, that decode(tokenizeToIds(line)) gives back the
 * line's basic tokens joined by spaces, with no [UNK] (but for words over 200 characters).
 */
import * as fs from "node:fs";
import { BertTokenizer } from "../src/tokenization/bert-tokenizer";
import { codePointLength } from "../src/tokenization/wordpiece";
import { VocabTrainer } from "../src/tokenization/vocab-trainer";
import { sharedFolder } from "../src/util/shared-folder";
import * as path from "node:path";

const DEFAULT_INPUT = "data/corpus/en/pretrain_en.txt";
const MiB = 1 << 20;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith("--")) fail(`${name} needs a value`);
  return v;
}

function fail(message: string): never {
  console.error(`vocab-trainer bench: ${message}`);
  process.exit(2);
}

function number(name: string, fallback: number): number {
  const v = arg(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) fail(`${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
}

/** About `count` non-empty lines, evenly spread over those ending within the first `maxBytes` bytes. */
function sampleLines(file: string, maxBytes: number, count: number): string[] {
  const fd = fs.openSync(file, "r");
  const out: string[] = [];
  try {
    const buf = Buffer.alloc(Math.min(maxBytes, fs.fstatSync(fd).size));
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    const atEnd = got >= fs.fstatSync(fd).size;
    const lines = buf.toString("utf8", 0, got).split("\n");
    if (!atEnd) lines.pop(); // unfinished: the trainer skipped it too
    const nonEmpty = lines.filter((l) => l.trim().length > 0);
    const stride = Math.max(1, Math.floor(nonEmpty.length / count));
    for (let i = 0; i < nonEmpty.length && out.length < count; i += stride) out.push(nonEmpty[i]);
  } finally {
    fs.closeSync(fd);
  }
  return out;
}

function main(): void {
  if (process.argv.includes("--help")) {
    console.log("usage: node dist/bench/vocab-trainer.js [--mb 50] [--size 30522] [--input FILE] [--cased] [--sample 2000]");
    return;
  }
  const mb = number("--mb", 50);
  const vocabSize = number("--size", 30522);
  const sampleSize = number("--sample", 2000);
  const doLowerCase = !process.argv.includes("--cased");
  let input = arg("--input");
  if (input === undefined) {
    const shared = sharedFolder();
    const candidate = shared ? path.join(shared, DEFAULT_INPUT) : null;
    if (!candidate || !fs.existsSync(candidate)) {
      fail(
        `no corpus: ../shared/${DEFAULT_INPUT} is not there — pass --input FILE (any UTF-8 text), ` +
          `or set BERT_LAB_SHARED to the team's shared folder`,
      );
    }
    input = candidate;
  } else if (!fs.existsSync(input) || !fs.statSync(input).isFile()) {
    fail(`--input ${input}: no such file — pass the path of a UTF-8 text file`);
  }
  const maxBytes = Math.floor(mb * MiB);

  let lastPhase = "";
  const trainer = new VocabTrainer({
    vocabSize,
    doLowerCase,
    onProgress: (p) => {
      const line = `  ${p.phase} ${p.phase === "count" ? `${(p.done / MiB).toFixed(1)}/${(p.total / MiB).toFixed(1)} MiB` : `${p.done}/${p.total} tokens`}`;
      if (process.stderr.isTTY) process.stderr.write(`\r${line}   `);
      else if (p.phase !== lastPhase) process.stderr.write(`${line}\n`);
      lastPhase = p.phase;
    },
  });
  const t0 = process.hrtime.bigint();
  trainer.addFile(input, { maxBytes });
  const tCount = Number(process.hrtime.bigint() - t0) / 1e9;
  const { tokens, stats, vocab } = trainer.finish();
  const tAll = Number(process.hrtime.bigint() - t0) / 1e9;
  if (process.stderr.isTTY) process.stderr.write("\n");

  const mib = stats.bytes / MiB;
  const firstLearned = stats.alphabet + (tokens.length - stats.alphabet - stats.merges);
  const learned = tokens.slice(firstLearned);
  console.log(`input      ${input}`);
  console.log(`read       ${stats.bytes} bytes (${mib.toFixed(1)} MiB), ${stats.words} words, ${stats.uniqueWords} distinct`);
  console.log(`vocab      ${tokens.length} tokens (asked ${vocabSize}): ${stats.alphabet} alphabet, ${stats.merges} merges, doLowerCase ${doLowerCase}`);
  console.log(`time       ${tAll.toFixed(1)} s  (count ${tCount.toFixed(1)} s, merge ${(tAll - tCount).toFixed(1)} s)`);
  console.log(`speed      ${(mib / tAll).toFixed(2)} MiB/s overall, ${(mib / tCount).toFixed(2)} MiB/s counting`);
  console.log(`memory     rss ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB`);
  console.log(`first      ${learned.slice(0, 20).join(" ")}`);
  console.log(`last       ${learned.slice(-20).join(" ")}`);

  // round trip on a sample of the lines trained on
  const tok = new BertTokenizer(vocab, { doLowerCase });
  const lines = sampleLines(input, maxBytes, sampleSize);
  let bad = 0;
  let overlong = 0;
  let pieces = 0;
  let words = 0;
  for (const line of lines) {
    const basic = tok.basic.tokenize(line);
    const want = basic.map((w) => (codePointLength(w) > 200 ? "[UNK]" : w)).join(" ");
    if (want.includes("[UNK]")) overlong++;
    const ids = tok.tokenizeToIds(line);
    pieces += ids.length;
    words += basic.length;
    const got = tok.decode(ids);
    if (got !== want) {
      if (bad++ < 3) console.log(`MISMATCH\n  line ${JSON.stringify(line.slice(0, 200))}\n  want ${want.slice(0, 200)}\n  got  ${got.slice(0, 200)}`);
    }
  }
  console.log(
    `round trip ${lines.length - bad}/${lines.length} sampled lines ok` +
      (overlong ? ` (${overlong} with a word over 200 characters, [UNK] as in BERT)` : "") +
      `, ${(pieces / Math.max(1, words)).toFixed(3)} pieces per word`,
  );
  if (bad > 0) process.exitCode = 1;
}

main();
