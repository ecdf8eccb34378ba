// Guarded loading of optional packages: missing is "not installed", broken is "failed".
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { isInstalled, loadOptional, provideOptional } from "./optional-module";
import { tempFolders } from "../util/temp-folders.test.helper";

const tmpFolder = tempFolders();

test("a package that is not there is 'not installed'", () => {
  assert.deepEqual(loadOptional("@bert-lab/no-such-package"), { status: "not installed", name: "@bert-lab/no-such-package" });
  assert.equal(isInstalled("@bert-lab/no-such-package"), false);
});

test("an installed package loads", () => {
  const r = loadOptional("@tensorflow/tfjs-core");
  assert.equal(r.status, "loaded");
  assert.equal(isInstalled("@tensorflow/tfjs-core"), true);
});

test("a package that throws while loading is 'failed' with the first line of its error", () => {
  const dir = tmpFolder("optional");
  const file = path.join(dir, "broken.js");
  fs.writeFileSync(file, 'throw new Error("libtensorflow.so.2: cannot open shared object file\\nmore detail");\n');
  const r = loadOptional(file);
  assert.equal(r.status, "failed");
  assert.equal(r.status === "failed" && r.error, "libtensorflow.so.2: cannot open shared object file");
});

test("a package whose own dependency is missing is 'failed', not 'not installed'", () => {
  const dir = tmpFolder("optional");
  const file = path.join(dir, "needs-dep.js");
  fs.writeFileSync(file, 'require("@bert-lab/missing-dependency");\n');
  const r = loadOptional(file);
  assert.equal(r.status, "failed");
  assert.match(r.status === "failed" ? r.error : "", /Cannot find module '@bert-lab\/missing-dependency'/);
});

test("a provided package (a bundle's) is installed, loads only when asked, and a throwing loader is 'failed'", () => {
  let loads = 0;
  provideOptional("@bert-lab/provided", () => ({ loaded: ++loads }));
  assert.equal(isInstalled("@bert-lab/provided"), true);
  assert.equal(loads, 0, "providing does not load");
  const r = loadOptional("@bert-lab/provided");
  assert.equal(r.status, "loaded");
  assert.deepEqual((r as { module: unknown }).module, { loaded: 1 });
  provideOptional("@bert-lab/provided-broken", () => {
    throw new Error("dawn.node: cannot open shared object file\nmore detail");
  });
  assert.deepEqual(loadOptional("@bert-lab/provided-broken"), { status: "failed", name: "@bert-lab/provided-broken", error: "dawn.node: cannot open shared object file" });
});
