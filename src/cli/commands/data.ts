/**
 * `bert-lab data list` and `bert-lab data fetch`: the datasets of data/datasets.json, and
 * fetching them into the cache from a mirror folder or their public URLs, sha256-checked.
 *
 * @example
 *   bert-lab data list --from ../shared/data
 *   bert-lab data fetch sst2 wnut17 --from ../shared/data
 */
import { datasetNames, findDataset, loadManifest } from "../../data/manifest";
import { datasetStatus, defaultCache, defaultMirror, fetchDataset, FetchProgress, formatBytes } from "../../data/fetch";
import { BertLabError } from "../../util/errors";
import { OptionSpec } from "../args";
import { Command, write } from "../command";
import { ProgressBar } from "../progress";

const FROM: OptionSpec = { type: "string", value: "DIR", description: "a mirror folder laid out like ../shared/data (default $BERT_LAB_DATA_MIRROR)" };
const CACHE: OptionSpec = { type: "string", value: "DIR", description: "the cache folder (default $BERT_LAB_CACHE, else .cache/data in the repository)" };

/** "yes" when all, "no" when none, else "k/n". */
function share(flags: boolean[]): string {
  const k = flags.filter(Boolean).length;
  return k === flags.length ? "yes" : k === 0 ? "no" : `${k}/${flags.length}`;
}

export const dataListCommand: Command = {
  spec: {
    name: "data list",
    summary: "List the datasets bert-lab can fetch: files, size, licence, and whether the cache or a mirror holds them.",
    usage: "bert-lab data list [--from DIR] [--cache DIR] [--json]",
    options: {
      from: FROM,
      cache: CACHE,
      json: { type: "boolean", description: "one JSON array with every field of the manifest and where each file is" },
    },
    details: `CACHE and MIRROR say whether the folder holds each file at the right size
(yes, no, or how many of the files); bert-lab data fetch checks the sha256.
DOWNLOAD says which files have a public URL; the others come only from a mirror.`,
  },

  async run(args, io) {
    const v = args.values as { from?: string; cache?: string; json?: boolean };
    if (args.positionals.length) throw new BertLabError("BAD_ARGUMENT", `data list takes no names, got ${args.positionals.join(" ")} — to fetch: bert-lab data fetch ${args.positionals.join(" ")}`);
    const mirror = v.from ?? defaultMirror();
    const cache = v.cache ?? defaultCache();
    const rows = loadManifest().datasets.map((d) => {
      const status = datasetStatus(d.name, { from: mirror, cache });
      return { dataset: d, status, bytes: d.files.reduce((a, f) => a + f.bytes, 0) };
    });
    if (v.json) {
      const out = rows.map(({ dataset, status, bytes }) => ({
        ...dataset,
        bytes,
        files: dataset.files.map((f, i) => ({ ...f, cached: status[i].cached, inMirror: status[i].inMirror })),
      }));
      await write(io.stdout, JSON.stringify(out, null, 2) + "\n");
      return 0;
    }
    const table = [
      ["NAME", "FILES", "SIZE", "CACHE", "MIRROR", "DOWNLOAD", "LICENCE"],
      ...rows.map(({ dataset, status, bytes }) => [
        dataset.name,
        String(dataset.files.length),
        formatBytes(bytes),
        share(status.map((s) => s.cached)),
        mirror === undefined ? "-" : share(status.map((s) => s.inMirror === true)),
        share(status.map((s) => s.downloadable)),
        dataset.licence,
      ]),
    ];
    const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
    const lines = table.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : c === 1 || c === 2 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join("  "));
    lines.push("", `cache: ${cache}`, `mirror: ${mirror ?? "none (pass --from DIR or set BERT_LAB_DATA_MIRROR)"}`, "fetch: bert-lab data fetch NAME… [--from DIR]");
    await write(io.stdout, lines.join("\n") + "\n");
    return 0;
  },
};

export const dataFetchCommand: Command = {
  spec: {
    name: "data fetch",
    summary: "Fetch datasets into the cache from a mirror folder or their public URLs, checking each file's sha256.",
    usage: "bert-lab data fetch NAME… | --all [--from DIR] [--cache DIR]",
    options: {
      all: { type: "boolean", description: "every dataset of bert-lab data list" },
      from: FROM,
      cache: CACHE,
    },
    details: `Files already in the cache with the right sha256 are kept as they are. With a mirror
(--from or $BERT_LAB_DATA_MIRROR) files are copied from it and the network is never
used; without one they are downloaded from their URLs into FILE.part, an interrupted
download resumes, and a file is renamed to its final name only when its sha256 matches.
A file whose hash differs is refused and nothing is left under its name.
Examples:
  bert-lab data fetch sst2 wnut17 --from ../shared/data
  BERT_LAB_DATA_MIRROR=../shared/data bert-lab data fetch --all`,
  },

  async run(args, io) {
    const v = args.values as { all?: boolean; from?: string; cache?: string };
    const names = v.all ? datasetNames() : args.positionals;
    if (names.length === 0) throw new BertLabError("MISSING_NAME", "name at least one dataset (see bert-lab data list) or pass --all");
    for (const n of names) findDataset(n); // every name checked before anything is fetched
    const cache = v.cache ?? defaultCache();
    let failures = 0;
    for (const name of names) {
      const progress = progressReporter(name, io.stderr);
      try {
        const result = await fetchDataset(name, { from: v.from, cache, onProgress: progress.onProgress });
        progress.end(true);
        const how = { cache: "already in the cache", mirror: "copied from the mirror, sha256 ok", network: "downloaded, sha256 ok" };
        const width = Math.max(...result.files.map((f) => f.localPath.length));
        const lines = [`${name}:`, ...result.files.map((f) => `  ${f.localPath.padEnd(width)}  ${formatBytes(f.bytes).padStart(9)}  ${how[f.source]}`)];
        await write(io.stdout, lines.join("\n") + "\n");
      } catch (e) {
        progress.end(false);
        if (!(e instanceof BertLabError)) throw e;
        io.stderr.write(`bert-lab data fetch: ${e.message}\n`);
        failures++;
      }
    }
    if (failures) io.stderr.write(`${failures} of ${names.length} dataset${names.length > 1 ? "s" : ""} not fetched\n`);
    return failures ? 1 : 0;
  },
};

/**
 * Progress of one dataset's fetch: on a terminal a bar per file (in KiB), cleared once the
 * dataset is fetched and left in place when it fails; elsewhere a line when a download starts
 * and at each quarter of it.
 */
function progressReporter(name: string, out: NodeJS.WritableStream) {
  let bar: ProgressBar | null = null;
  let current = "";
  let quarter = 0;
  const verbs = { verify: "checking", copy: "copying", download: "downloading" };
  return {
    onProgress(p: FetchProgress): void {
      if (`${p.path}:${p.phase}` !== current || !bar) {
        bar?.finish();
        current = `${p.path}:${p.phase}`;
        bar = new ProgressBar(out as NodeJS.WriteStream, Math.ceil(p.total / 1024));
        quarter = 0;
        if (!bar.tty && p.phase === "download") out.write(`${name}: downloading ${p.from} (${formatBytes(p.total)})\n`);
      }
      bar.update(Math.ceil(p.done / 1024), `KiB  ${verbs[p.phase]} ${p.path}`);
      if (!bar.tty && p.phase === "download" && p.total > 0 && p.done / p.total >= (quarter + 1) / 4) {
        quarter = Math.floor((4 * p.done) / p.total);
        out.write(`${name}: ${p.path} ${formatBytes(p.done)} of ${formatBytes(p.total)}\n`);
      }
    },
    end(ok: boolean): void {
      if (bar?.tty && ok) out.write("\r\x1b[2K");
      else bar?.finish();
    },
  };
}
