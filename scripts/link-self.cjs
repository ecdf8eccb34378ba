// postinstall: make `import … from "bert-lab"` work in notebooks inside this repository.
// tslab's type checker and loader do not resolve a package's import of itself (DESIGN.md §5),
// so a checkout gets node_modules/bert-lab → .. ; an install from the registry (this package
// inside someone's node_modules) already has its name there and does nothing. Never fails
// the install: a file system that refuses links gets a warning and the rest still works.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const insideNodeModules = root.split(path.sep).includes("node_modules");
const link = path.join(root, "node_modules", "bert-lab");

function main() {
  if (insideNodeModules || !fs.existsSync(path.join(root, "node_modules"))) return;
  try {
    const stat = fs.lstatSync(link, { throwIfNoEntry: false });
    if (stat && stat.isSymbolicLink() && fs.realpathSync(link) === fs.realpathSync(root)) return;
    if (stat) return console.warn(`bert-lab: ${link} exists and is not a link to this checkout; left as it is`);
    fs.symlinkSync(process.platform === "win32" ? root : "..", link, process.platform === "win32" ? "junction" : "dir");
  } catch (e) {
    console.warn(`bert-lab: could not link ${link} → ${root} (${e.message}); notebooks in this checkout cannot import "bert-lab" until it exists`);
  }
}

main();
