// The path a user takes: `data fetch NAME --from MIRROR` into a cache, then the readers on the
// fetched files, which must hold the published sizes.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { needsShared, sharedPath } from "../util/shared-folder";
import { readConll } from "./conll";
import { datasetPath, fetchDataset } from "./fetch";
import { readGlue } from "./glue";
import { readSquad } from "./squad";

const mirror = () => sharedPath("data");
const cache = fs.mkdtempSync(path.join(os.tmpdir(), "bert-lab-datasets-"));
process.on("exit", () => fs.rmSync(cache, { recursive: true, force: true }));

const GLUE_SIZES = [
  ["sst2", "sst2", 67349, 872],
  ["cola", "cola", 8551, 1043],
  ["mrpc", "mrpc", 3668, 408],
  ["rte", "rte", 2490, 277],
  ["stsb", "stsb", 5749, 1500],
] as const;

for (const [dataset, task, train, dev] of GLUE_SIZES) {
  test(`${dataset}: fetched --from the mirror, read with the published sizes (${train} / ${dev})`, needsShared("data/glue"), async () => {
    const r = await fetchDataset(dataset, { from: mirror(), cache });
    assert.ok(r.files.every((f) => f.localPath.startsWith(cache)));
    const t = readGlue(task, datasetPath(dataset, "train.tsv", { cache }));
    const d = readGlue(task, datasetPath(dataset, "dev.tsv", { cache }));
    assert.equal(t.examples.length, train);
    assert.equal(d.examples.length, dev);
    assert.equal(t.skipped.length + d.skipped.length, 0);
  });
}

test("wnut17: fetched --from the mirror, 3,394 / 1,009 / 1,287 sentences", needsShared("data/ner/wnut17"), async () => {
  await fetchDataset("wnut17", { from: mirror(), cache });
  const counts = ["wnut17train.conll", "emerging.dev.conll", "emerging.test.annotated"].map((f) => readConll(datasetPath("wnut17", f, { cache })).sentences.length);
  assert.deepEqual(counts, [3394, 1009, 1287]);
});

test("squad-v1.1-dev: fetched --from the mirror, 10,570 questions", needsShared("data/squad/dev-v1.1.json"), async () => {
  await fetchDataset("squad-v1.1-dev", { from: mirror(), cache });
  assert.equal(readSquad(datasetPath("squad-v1.1-dev", "dev-v1.1.json", { cache })).examples.length, 10570);
});
