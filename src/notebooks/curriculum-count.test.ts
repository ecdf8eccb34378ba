import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { committedProblems, countPictures } from "./curriculum";

function notebook(outputs: object[][]): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bert-lab-count-")), "nb.ipynb");
  fs.writeFileSync(file, JSON.stringify({ cells: outputs.map((o, i) => ({ cell_type: "code", id: `c${i}`, source: "x", metadata: {}, outputs: o, execution_count: o.length ? 1 : null })), metadata: { kernelspec: { name: "bert-lab" } }, nbformat: 4, nbformat_minor: 5 }));
  return file;
}

test("countPictures: counts display outputs by MIME type and reports thrown errors and cells tslab refused (type errors)", () => {
  const file = notebook([
    [{ output_type: "display_data", data: { "image/svg+xml": "<svg/>", "text/plain": "a" }, metadata: {} }],
    [{ output_type: "display_data", data: { "text/html": "<b>t</b>", "text/plain": "t" }, metadata: {} }, { output_type: "stream", name: "stdout", text: "fine output\n" }],
    [{ output_type: "stream", name: "stderr", text: "RangeError: layer 5 does not exist\n    at …" }],
    [{ output_type: "stream", name: "stderr", text: "3:68 - Property 'reshape' does not exist on type 'number[]'.\n" }],
  ]);
  const r = countPictures(file);
  assert.deepEqual(r.byMime, { "image/svg+xml": 1, "text/html": 1 });
  assert.equal(r.errors.length, 2);
  assert.match(r.errors[0], /^cell 3: RangeError/);
  assert.match(r.errors[1], /^cell 4: 3:68 - Property 'reshape'/);
  assert.deepEqual(committedProblems(file).length, 4, "outputs left in 4 cells");
});
