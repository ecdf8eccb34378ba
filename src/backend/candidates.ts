/**
 * The tfjs backends we know, best first, and how to find out whether each one works here.
 * `probe` loads what the backend needs and says whether it can be chosen; `activate` makes it
 * tfjs's current backend; `installedNote` is the cheap answer for a candidate we did not try.
 */
import * as tf from "@tensorflow/tfjs-core";
// named uses (not bare imports) keep these packages' types out of our published .d.ts
import * as tfcpu from "@tensorflow/tfjs-backend-cpu";
import * as tfwasm from "@tensorflow/tfjs-backend-wasm";
import * as path from "node:path";
import { firstLine, isInstalled, loadOptional } from "./optional-module";
import { nativeStatus } from "./native";
import { registerNativeKernels } from "./native-kernels";
import { registerWasmFixes } from "./wasm-fixes";
import { AdapterSummary, missingWebgpuPackages, probeWebgpu } from "./webgpu-probe";

// tfjs-backend-wasm registers itself on import above cpu, and its start is asynchronous: code
// that makes a tensor before `await initBackend()` (a notebook's first cell, say) would get
// tfjs's "backend 'wasm' has not yet been initialized". Registered below cpu instead, tensors
// made before any choice land on cpu, and initBackend still picks wasm by name.
demote("wasm", 0);

function demote(name: string, priority: number): void {
  const factory = tf.findBackendFactory(name);
  if (!factory || name in tf.engine().registry) return; // not there, or already started: leave it (findBackend would start it)
  tf.removeBackend(name);
  tf.registerBackend(name, factory, priority);
}

export type CandidateStatus = "chosen" | "available" | "not installed" | "failed" | "no adapter";

/** What a probe found. */
export interface ProbeResult {
  status: "available" | "not installed" | "failed" | "no adapter";
  detail?: string;
  /** the npm package that provides the backend */
  package?: string;
  /** webgpu: the adapter Dawn found */
  adapter?: AdapterSummary;
}

/** What activating a backend reports back. */
export interface Activation {
  detail?: string;
  threads?: number;
}

export interface Candidate {
  /** the tfjs backend name (what tf.getBackend() says once chosen) */
  name: string;
  probe(): Promise<ProbeResult>;
  activate(): Promise<Activation>;
  /** for a candidate we did not try: installed or not, without loading anything (a native
   *  package may crash the process while loading, so one that was not asked for stays unloaded) */
  installedNote(): ProbeResult;
}

/** Makes `name` tfjs's backend; on failure, the reason tfjs logged (it warns instead of throwing). */
export async function trySetBackend(name: string): Promise<void> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(" "));
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    warnings.push(firstLine(e));
  } finally {
    console.warn = warn;
  }
  if (!ok) {
    // tfjs warns "Initialization of backend X failed", then the error's stack ("Error: …\n at …")
    const reason = warnings
      .filter((w) => !/^Initialization of backend .* failed$/.test(w.trim()))
      .map((w) => firstLine(w).replace(/^\w*Error: /, ""))
      .join("; ");
    throw new Error(reason || `tfjs could not initialise the ${name} backend`);
  }
}

const TF_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const;
let tensorflowPackage: string | undefined;

const tensorflow: Candidate = {
  name: "tensorflow",
  async probe() {
    const notes: string[] = [];
    for (const pkg of TF_PACKAGES) {
      // both register "tensorflow": once one has loaded, never load the other
      if (tensorflowPackage && tensorflowPackage !== pkg) continue;
      const m = loadOptional(pkg);
      if (m.status === "loaded") {
        tensorflowPackage = pkg;
        // a GPU build that failed before this CPU one worked is worth saying
        const failures = notes.filter((n) => n.includes("failed to load"));
        return { status: "available", package: pkg, detail: [`libtensorflow via ${pkg}`, ...failures].join("; ") };
      }
      notes.push(m.status === "failed" ? `${pkg} failed to load: ${m.error}` : `${pkg} not installed`);
    }
    if (notes.every((n) => n.endsWith(" not installed"))) return { status: "not installed", detail: `not installed: ${TF_PACKAGES.join(", ")}` };
    return { status: "failed", detail: notes.join("; ") };
  },
  async activate() {
    await trySetBackend("tensorflow");
    return {};
  },
  installedNote() {
    const pkg = TF_PACKAGES.find(isInstalled);
    return pkg
      ? { status: "available", package: pkg, detail: `${pkg} is installed` }
      : { status: "not installed", detail: `not installed: ${TF_PACKAGES.join(", ")}` };
  },
};

const webgpu: Candidate = {
  name: "webgpu",
  async probe() {
    const p = await probeWebgpu();
    return { ...p, package: "@tensorflow/tfjs-backend-webgpu" };
  },
  async activate() {
    await trySetBackend("webgpu");
    return {}; // the probe's detail names the adapter
  
  },
  installedNote() {
    const missing = missingWebgpuPackages();
    return missing.length === 0
      ? { status: "available", package: "@tensorflow/tfjs-backend-webgpu", detail: "installed (no GPU adapter requested)" }
      : { status: "not installed", detail: `not installed: ${missing.join(", ")}` };
  },
};

const wasm: Candidate = {
  name: "wasm",
  async probe() {
    return { status: "available", package: "@tensorflow/tfjs-backend-wasm" };
  },
  async activate() {
    // multi-threaded wasm does not start in Node (its worker comes from a blob: URL): one thread
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    tfwasm.setThreadsCount(1);
    try {
      await trySetBackend("wasm");
    } catch (first) {
      // bundled or moved: point tfjs at the package's own .wasm files and try once more
      const dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
      tfwasm.setWasmPaths(dist + path.sep);
      try {
        await trySetBackend("wasm");
      } catch {
        throw first;
      }
    }
    const fixes = registerWasmFixes();
    const all = [...fixes.registered, ...fixes.alreadyRegistered];
    const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? "SIMD" : "no SIMD";
    registerNativeKernels();
    const native = nativeStatus();
    if (native.active) {
      return { detail: `native kernels (${native.isa}, ${native.threads} thread${native.threads === 1 ? "" : "s"}) on the wasm heap; XNNPACK, ${simd} for the rest`, threads: native.threads };
    }
    return { detail: `XNNPACK, ${simd}, one thread; kernel fixes: ${all.join(", ")}; native kernels: ${native.reason}`, threads: tfwasm.getThreadsCount() };
  },
  installedNote() {
    return { status: "available", package: "@tensorflow/tfjs-backend-wasm", detail: "installed" };
  },
};

const cpu: Candidate = {
  name: "cpu",
  async probe() {
    return { status: "available", package: "@tensorflow/tfjs-backend-cpu" };
  },
  async activate() {
    await trySetBackend("cpu");
    // tfjs-backend-cpu prints "install our node backend" on first use; where that package
    // cannot install (DESIGN §5) the advice misleads, and `bert-lab doctor` says it properly
    const be = tf.findBackend("cpu") as { firstUse?: boolean } | null;
    if (be && typeof be.firstUse === "boolean") be.firstUse = false;
    return { detail: `tfjs-backend-cpu ${tfcpu.version_cpu}, plain JavaScript (about 1 GFLOP/s: fine for tests, too slow to train)`, threads: 1 };
  },
  installedNote() {
    return { status: "available", package: "@tensorflow/tfjs-backend-cpu", detail: "installed" };
  },
};

/** Every backend we know, in the order initBackend() tries them. */
export const CANDIDATES: readonly Candidate[] = [tensorflow, webgpu, wasm, cpu];

/** The names BERT_LAB_BACKEND and `prefer` accept. */
export const BACKEND_NAMES: readonly string[] = CANDIDATES.map((c) => c.name);
