// Selection when the optional packages ARE there — broken, working, or without a GPU — using
// small stand-ins put on NODE_PATH (the real ones cannot install here). Each scenario runs in
// a child process, since loading a backend package cannot be undone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { tempFolders } from "../util/temp-folders.test.helper";

const tmpFolder = tempFolders();

const SELECT = path.join(__dirname, "select.js");
const REPO_MODULES = path.resolve(require.resolve("@tensorflow/tfjs-core"), "../../../..");

/** A stand-in backend: the cpu backend under another name. */
const FAKE_BACKEND = (name: string) => `
const tf = require("@tensorflow/tfjs-core");
const { MathBackendCPU } = require("@tensorflow/tfjs-backend-cpu");
tf.registerBackend(${JSON.stringify(name)}, async () => {
  if (${JSON.stringify(name)} === "webgpu") {
    const adapter = await navigator.gpu.requestAdapter();
    await adapter.requestAdapterInfo(); // as tfjs-backend-webgpu 4.22 does
  }
  return new MathBackendCPU();
}, 3);
tf.copyRegisteredKernels("cpu", ${JSON.stringify(name)});
`;

const PACKAGES: Record<string, string> = {
  "broken-gpu/@tensorflow/tfjs-node-gpu": `throw new Error("libcudart.so.11.0: cannot open shared object file: No such file or directory");`,
  "working-node/@tensorflow/tfjs-node": FAKE_BACKEND("tensorflow"),
  "failing-node/@tensorflow/tfjs-node": `const tf = require("@tensorflow/tfjs-core");
tf.registerBackend("tensorflow", () => { throw new Error("The TensorFlow library was compiled to use AVX instructions"); }, 3);`,
  "dawn-no-adapter/webgpu": `exports.create = () => ({ requestAdapter: async () => null }); exports.globals = {};`,
  "dawn-adapter/webgpu": `exports.create = () => ({ requestAdapter: async () => ({
  info: { vendor: "nvidia", architecture: "hopper", device: "", description: "NVIDIA H200" },
  features: new Set(["timestamp-query", "shader-f16"]),
  limits: { maxBufferSize: 2 ** 37, maxStorageBufferBindingSize: 2 ** 32 - 4, maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupSizeX: 1024, maxComputeWorkgroupStorageSize: 49152 },
}) });
exports.globals = { GPUBufferUsage: { STORAGE: 128 } };`,
  "webgpu-backend/@tensorflow/tfjs-backend-webgpu": `if (globalThis.navigator && navigator.gpu) {${FAKE_BACKEND("webgpu")}}`,
};

const root = tmpFolder("fake-backends");
// Dawn reaches a GPU through the Vulkan loader; the stand-in adapters need one to be "installed"
const vulkanDir = path.join(root, "vulkan-loader");
fs.mkdirSync(vulkanDir, { recursive: true });
fs.writeFileSync(path.join(vulkanDir, "libvulkan.so.1"), "");
for (const [where, code] of Object.entries(PACKAGES)) {
  const [set, ...name] = where.split("/");
  const dir = path.join(root, set, "node_modules", ...name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: name.join("/"), main: "index.js" }));
  fs.writeFileSync(path.join(dir, "index.js"), code);
}

/** initBackend() in a child process that sees the given sets of stand-in packages. */
function selectWith(sets: string[], prefer?: string): { report: { chosen: string; candidates: { name: string; status: string; detail?: string }[] }; stderr: string } {
  const script = `require(${JSON.stringify(SELECT)}).initBackend(${prefer ? JSON.stringify({ prefer }) : ""})
    .then((r) => process.stdout.write(JSON.stringify(r)), (e) => { process.stdout.write(JSON.stringify({ error: e.message })); });`;
  const NODE_PATH = [...sets.map((s) => path.join(root, s, "node_modules")), REPO_MODULES].join(path.delimiter);
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH, LD_LIBRARY_PATH: [vulkanDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":") };
  delete env.BERT_LAB_BACKEND;
  const r = spawnSync(process.execPath, ["-e", script], { env, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return { report: JSON.parse(r.stdout), stderr: r.stderr };
}

const statuses = (r: { candidates: { name: string; status: string }[] }) => Object.fromEntries(r.candidates.map((c) => [c.name, c.status]));

test("a broken tfjs-node-gpu beside a working tfjs-node: tensorflow chosen, the GPU failure said", () => {
  const { report, stderr } = selectWith(["broken-gpu", "working-node"]);
  assert.equal(report.chosen, "tensorflow");
  assert.equal(report.candidates[0].status, "chosen");
  assert.equal(
    report.candidates[0].detail,
    "libtensorflow via @tensorflow/tfjs-node; @tensorflow/tfjs-node-gpu failed to load: libcudart.so.11.0: cannot open shared object file: No such file or directory",
  );
  assert.deepEqual(statuses(report), { tensorflow: "chosen", webgpu: "not installed", wasm: "available", cpu: "available" });
  assert.equal(report.candidates[2].detail, "installed; not tried: tensorflow was chosen first");
  assert.match(stderr, /^bert-lab: using libtensorflow via @tensorflow\/tfjs-node; @tensorflow\/tfjs-node-gpu failed to load: libcudart/);
});

test("only a broken tfjs-node-gpu: tensorflow 'failed', wasm chosen, one warning on stderr", () => {
  const { report, stderr } = selectWith(["broken-gpu"]);
  assert.equal(report.chosen, "wasm");
  assert.equal(report.candidates[0].status, "failed");
  assert.equal(
    report.candidates[0].detail,
    "@tensorflow/tfjs-node-gpu failed to load: libcudart.so.11.0: cannot open shared object file: No such file or directory; @tensorflow/tfjs-node not installed",
  );
  assert.match(stderr, /^bert-lab: backend tensorflow failed \(.*libcudart.*\); using wasm — see bert-lab doctor\n$/);
});

test("a tfjs-node that loads but whose backend does not start: 'failed' with tfjs's reason, wasm chosen", () => {
  const { report, stderr } = selectWith(["failing-node"]);
  assert.equal(report.chosen, "wasm");
  assert.equal(report.candidates[0].status, "failed");
  assert.equal(report.candidates[0].detail, "loaded, but failed to start: The TensorFlow library was compiled to use AVX instructions");
  assert.match(stderr, /^bert-lab: backend tensorflow failed/);
});

test("WebGPU packages without a GPU adapter: 'no adapter', wasm chosen", () => {
  const { report } = selectWith(["dawn-no-adapter", "webgpu-backend"]);
  assert.equal(report.chosen, "wasm");
  assert.equal(statuses(report).webgpu, "no adapter");
  assert.match(report.candidates[1].detail ?? "", /no GPU adapter/);
});

test("only one of the two WebGPU packages: 'not installed' naming the missing one", () => {
  const { report } = selectWith(["dawn-adapter"]);
  assert.equal(statuses(report).webgpu, "not installed");
  assert.equal(report.candidates[1].detail, "not installed: @tensorflow/tfjs-backend-webgpu");
});

test("WebGPU with an adapter: navigator.gpu is provided before the backend loads, and webgpu is chosen", () => {
  const { report } = selectWith(["dawn-adapter", "webgpu-backend"]);
  assert.equal(report.chosen, "webgpu");
  assert.deepEqual(statuses(report), { tensorflow: "not installed", webgpu: "chosen", wasm: "available", cpu: "available" });
  const gpu = report.candidates[1] as { detail?: string; adapter?: { vendor: string; architecture: string; features: string[]; limits: Record<string, number> } };
  assert.equal(gpu.detail, "Dawn found nvidia hopper (NVIDIA H200), shader-f16, buffers up to 128 GiB, 1024 invocations per workgroup");
  assert.deepEqual(gpu.adapter?.features, ["shader-f16", "timestamp-query"]);
  assert.equal(gpu.adapter?.limits.maxStorageBufferBindingSize, 2 ** 32 - 4);
});

test("doctor shows the adapter: name, features, limits", () => {
  const NODE_PATH = [path.join(root, "dawn-adapter", "node_modules"), path.join(root, "webgpu-backend", "node_modules"), REPO_MODULES].join(path.delimiter);
  const cli = path.join(__dirname, "..", "cli", "main.js");
  const r = spawnSync(process.execPath, [cli, "doctor"], { encoding: "utf8", env: { ...process.env, NODE_PATH, LD_LIBRARY_PATH: vulkanDir, BERT_LAB_BACKEND: "" } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^gpu {9}nvidia hopper \(NVIDIA H200\), shader-f16, buffers up to 128 GiB/m);
  assert.match(r.stdout, /features: shader-f16, timestamp-query/);
  assert.match(r.stdout, /limits: maxBufferSize 137438953472, maxStorageBufferBindingSize 4294967292/);
});

test("no Vulkan loader: 'no adapter' says to install libvulkan1, before Dawn is asked", () => {
  const script = `console.log(JSON.stringify(require(${JSON.stringify(path.join(__dirname, "webgpu-probe.js"))}).missingVulkanLoader()))`;
  const empty = path.join(root, "no-loader");
  fs.mkdirSync(empty, { recursive: true });
  const withLoader = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, LD_LIBRARY_PATH: vulkanDir } });
  assert.equal(JSON.parse(withLoader.stdout), null, "found through LD_LIBRARY_PATH");
  const without = JSON.parse(spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, LD_LIBRARY_PATH: empty } }).stdout);
  const systemHasIt = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu", "/lib64", "/usr/local/lib"].some((d) => fs.existsSync(path.join(d, "libvulkan.so.1")));
  if (systemHasIt) assert.equal(without, null, "this machine has the loader installed");
  else assert.match(without, /libvulkan\.so\.1\) is not installed.*apt-get install libvulkan1/);
  const { report } = selectWith(["dawn-adapter", "webgpu-backend"]);
  assert.equal(statuses(report).webgpu, "chosen", "with the loader (the stand-in), the adapter is found");
});

test("asking for cpu never loads the (crashing) tensorflow package", () => {
  const { report, stderr } = selectWith(["broken-gpu", "dawn-adapter", "webgpu-backend"], "cpu");
  assert.equal(report.chosen, "cpu");
  assert.deepEqual(statuses(report), { tensorflow: "available", webgpu: "available", wasm: "available", cpu: "chosen" });
  assert.equal(report.candidates[0].detail, "@tensorflow/tfjs-node-gpu is installed; not tried: cpu was requested");
  assert.equal(stderr, "");
});
