// The package as others load it: require(), import, and the .d.ts under tslab's TypeScript 5.0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "./util/shared-folder";
import { tempFolders } from "./util/temp-folders.test.helper";

const tmpFolder = tempFolders();

const root = repoRoot();
const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });

test("loads through require('bert-lab')", () => {
  const r = node(["-e", "const b = require('bert-lab'); const v = new b.Vocab(['[UNK]','hi']); console.log(new b.BertTokenizer(v).tokenize('Hi!').join(' '), typeof b.PyRandom)"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "hi [UNK] function");
});

test("loads through import ... from 'bert-lab' (named exports)", () => {
  const r = node([
    "--input-type=module",
    "-e",
    "import { BertTokenizer, Vocab, pyRound } from 'bert-lab'; console.log(new BertTokenizer(new Vocab(['[UNK]','hi'])).tokenize('hi').join(), pyRound(2.5))",
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "hi 2");
});

test("the published .d.ts type-checks under TypeScript 5.0 (what tslab runs)", () => {
  const tsc = path.join(root, "node_modules", "typescript-5.0", "bin", "tsc");
  assert.ok(fs.existsSync(tsc), "devDependency typescript-5.0 (npm:typescript@5.0.4) is not installed: run npm install");
  const dir = tmpFolder("ts50");
  const index = path.join(root, "dist", "src", "index").replace(/\\/g, "/");
  fs.writeFileSync(
    path.join(dir, "use.ts"),
    `import { BertTokenizer, Vocab, PyRandom, Rng, Encoding, BertForPreTraining, bertConfig, BertAdamW, initBackend, trainingStep } from ${JSON.stringify(index)};
const model = new BertForPreTraining(bertConfig("tiny"));
const opt = new BertAdamW();
void initBackend().then((r) => r.chosen);
void trainingStep({ params: model.store.vars, losses: () => model.loss({ inputIds: [[1, 2]], nextSentenceLabel: [0] }), optimizer: opt, lr: 1e-4 });
const tok = new BertTokenizer(new Vocab(["[UNK]", "[CLS]", "[SEP]", "a"]));
const e: Encoding = tok.encode("a", "a");
const n: number = new PyRandom(1).randint(1, 6) + new Rng(2).random();
const bad: string = e.inputIds; // must be rejected: proves the checker really reads our types
console.log(e.tokens, n, bad);
`,
  );
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { noEmit: true, strict: true, target: "es2022", module: "commonjs", types: [] }, files: ["use.ts"] }),
  );
  const r = spawnSync(process.execPath, [tsc, "-p", dir], { encoding: "utf8" });
  // tfjs's own declarations have errors of their own under strict TS 5.0 (not ours to fix):
  // look at errors in use.ts and in this package's dist/ only
  const errors = r.stdout.split("\n").filter((l) => /error TS/.test(l) && !l.startsWith("node_modules/") && !l.includes("/node_modules/"));
  // exactly the one deliberate error, in use.ts; none from the package's declarations
  assert.equal(errors.length, 1, r.stdout);
  assert.match(errors[0], /use\.ts\(9,7\): error TS2322/);
});
