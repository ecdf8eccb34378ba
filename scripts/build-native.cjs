// Builds the optional native kernels (native/) with node-gyp. Runs at install (postinstall)
// and as `npm run build:native`. Never fails the install: without a compiler, make or python3,
// or offline without Node's headers, it says why in one line and the wasm kernels are used.
// `--strict` (npm run build:native) exits non-zero on failure instead.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.resolve(__dirname, "..");
const native = path.join(root, "native");
const strict = process.argv.includes("--strict");

function say(msg) {
  console.log(`bert-lab: ${msg}`);
}

function fail(msg) {
  say(`native kernels not built (${msg}); training uses the pure wasm kernels — see \`npx bert-lab doctor\``);
  process.exit(strict ? 1 : 0);
}

/** npm's own node-gyp (npm sets npm_config_node_gyp for scripts), else the one beside npm. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    path.join(path.dirname(process.execPath), "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  try {
    return require.resolve("node-gyp/bin/node-gyp.js");
  } catch {
    return null;
  }
}

/** The first of `names` on PATH (or the absolute path given), else null. */
function which(names) {
  for (const name of names.filter(Boolean)) {
    if (path.isAbsolute(name)) {
      if (fs.existsSync(name)) return name;
      continue;
    }
    for (const dir of (process.env.PATH || "").split(path.delimiter)) {
      const file = path.join(dir, name);
      if (fs.existsSync(file)) return file;
    }
  }
  return null;
}

/** What node-gyp needs on a Unix-like system that is missing here, said with what to install. */
function missingTools() {
  if (process.platform === "win32") return null; // node-gyp finds Visual Studio itself
  const cxx = (process.env.CXX || "").trim().split(/\s+/)[0];
  if (cxx && !which([cxx])) return `the C++ compiler $CXX names (${cxx}) is not there`;
  if (!cxx && !which(["c++", "g++", "clang++"])) return "no C++ compiler found (Debian: apt-get install g++; macOS: xcode-select --install)";
  if (!which(["make"])) return "make not found (Debian: apt-get install make)";
  if (!which(["python3", "python"])) return "python3 not found (node-gyp needs it)";
  return null;
}

/** Node's headers installed beside this node (a distribution's node package, or the official tarball): no download. */
function localNodeDir() {
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  return fs.existsSync(path.join(prefix, "include", "node", "node_api.h")) ? prefix : null;
}

function main() {
  if (["0", "false", "off", "no"].includes((process.env.BERT_LAB_NATIVE ?? "").trim().toLowerCase())) return fail("BERT_LAB_NATIVE=0");
  if (!fs.existsSync(path.join(native, "binding.gyp"))) return fail("no native/binding.gyp in this copy");
  const missing = missingTools();
  if (missing) return fail(missing);
  const gyp = findNodeGyp();
  if (!gyp) return fail("node-gyp not found");
  const args = [gyp, "rebuild", "--directory", native, "--loglevel", "error"];
  const nodedir = localNodeDir();
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 300000 });
  if (r.status !== 0) {
    const out = `${r.stderr || ""}\n${r.stdout || ""}`.split("\n").map((l) => l.trim());
    const why = out.find((l) => /error/i.test(l) && !/^gyp ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(l)) || r.error?.message || `node-gyp exited with ${r.status}`;
    return fail(why.slice(0, 200));
  }
  // check it loads here, so a broken build is reported now rather than at first use
  const file = path.join(native, "build", "Release", "bert_lab_native.node");
  try {
    const info = require(file).info();
    say(`native kernels built in ${((Date.now() - t0) / 1000).toFixed(1)} s (${info.isa}; CPU has ${info.features.join(", ") || "no vector extensions"})`);
  } catch (e) {
    fs.rmSync(file, { force: true });
    return fail(`the built addon does not load: ${String(e.message).split("\n")[0]}`);
  }
}

main();
