/**
 * The optional native kernels (native/, built by node-gyp at install): loading them, and what
 * `bert-lab doctor` says about them. Nothing here is required: when the addon is missing,
 * fails to load, or BERT_LAB_NATIVE=0, every kernel stays on the pure wasm path.
 *
 * @example
 *   nativeStatus() // → { loaded: true, isa: "avx512", threads: 2, … } or { loaded: false, reason: "…" }
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../util/shared-folder";

/** The addon's functions: every kernel takes the wasm heap and a Float64Array of arguments. */
export interface NativeAddon {
  info(): { isa: string; features: string[]; compiled: string[]; threads: number };
  setThreads(n: number): void;
  setIsa(name: string): void;
  gemm(heap: ArrayBuffer, args: Float64Array): void;
  geluForward(heap: ArrayBuffer, args: Float64Array): void;
  geluBackward(heap: ArrayBuffer, args: Float64Array): void;
  dropoutMask(heap: ArrayBuffer, args: Float64Array): void;
  multiply(heap: ArrayBuffer, args: Float64Array): void;
  layerNormForward(heap: ArrayBuffer, args: Float64Array): void;
  layerNormBackward(heap: ArrayBuffer, args: Float64Array): void;
  softmaxForward(heap: ArrayBuffer, args: Float64Array): void;
  softmaxBackward(heap: ArrayBuffer, args: Float64Array): void;
  softmaxCrossEntropy(heap: ArrayBuffer, args: Float64Array): void;
  sumMiddle(heap: ArrayBuffer, args: Float64Array): void;
  gather(heap: ArrayBuffer, args: Float64Array): void;
  adamw(heap: ArrayBuffer, args: Float64Array): void;
}

/** What `bert-lab doctor` and the benchmarks report. */
export interface NativeStatus {
  /** the addon is loaded and its kernels are in use on the wasm backend */
  active: boolean;
  /** the addon loaded (it may still be switched off with setNativeEnabled(false)) */
  loaded: boolean;
  /** why it is not active: not built, failed to load, turned off */
  reason?: string;
  /** where the addon was looked for */
  path: string;
  /** the instruction set the matrix product uses: avx512, avx2, neon or scalar */
  isa?: string;
  /** what the CPU reported */
  features?: string[];
  /** instruction sets this build has kernels for */
  compiled?: string[];
  threads?: number;
}

/** Where node-gyp puts the addon (native/build/Release), or $BERT_LAB_NATIVE_PATH. */
export const NATIVE_PATH = process.env.BERT_LAB_NATIVE_PATH || path.join(repoRoot(), "native", "build", "Release", "bert_lab_native.node");

let addon: NativeAddon | null = null;
let loadError: string | undefined;
let tried = false;
let enabled = true;

/** The thread count asked for: $BERT_LAB_THREADS, else every core the OS gives this process. */
export function defaultThreads(): number {
  const fromEnv = Number(process.env.BERT_LAB_THREADS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  return typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length;
}

function turnedOff(): boolean {
  return ["0", "false", "off", "no"].includes((process.env.BERT_LAB_NATIVE ?? "").trim().toLowerCase());
}

/** Loads the addon once; null (with the reason kept for nativeStatus) when it cannot be used. */
export function loadNative(): NativeAddon | null {
  if (tried) return addon;
  tried = true;
  if (turnedOff()) {
    loadError = "turned off by BERT_LAB_NATIVE=0";
    return null;
  }
  if (!fs.existsSync(NATIVE_PATH)) {
    loadError = `not built (no ${path.relative(repoRoot(), NATIVE_PATH)}): run \`npm run build:native\` (needs a C++ compiler, make and python3)`;
    return null;
  }
  try {
    // a plain require keeps bundlers from trying to resolve the .node file
    const loaded = require(NATIVE_PATH) as NativeAddon;
    loaded.setThreads(defaultThreads());
    addon = loaded;
  } catch (e) {
    loadError = `failed to load ${path.relative(repoRoot(), NATIVE_PATH)}: ${String((e as Error).message ?? e).split("\n")[0]} — rebuild with \`npm run build:native\``;
  }
  return addon;
}

/** The addon when it is loaded and switched on, else null. */
export function activeNative(): NativeAddon | null {
  return enabled ? loadNative() : null;
}

/**
 * Switches the native kernels on or off for this process (they are on by default when the
 * addon loaded). Off, every kernel takes the pure wasm path: tests compare the two this way.
 */
export function setNativeEnabled(on: boolean): void {
  enabled = on;
}

/** Threads the native kernels use (default: $BERT_LAB_THREADS, else all cores). */
export function setNativeThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`threads must be an integer ≥ 1, got ${n}`);
  loadNative()?.setThreads(n);
}

/** The vector extensions the OS reports (Linux /proc/cpuinfo), for when the addon is not there to ask the CPU. */
export function cpuFeaturesFromOs(): string[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return undefined;
  }
  const flags = new Set((/^(?:flags|Features)\s*:\s*(.*)$/m.exec(text)?.[1] ?? "").split(/\s+/));
  const names: [string, string][] = [["sse4_2", "sse4.2"], ["avx", "avx"], ["avx2", "avx2"], ["fma", "fma"], ["avx512f", "avx512f"], ["avx512bw", "avx512bw"], ["avx512vl", "avx512vl"], ["asimd", "neon"]];
  return names.filter(([flag]) => flags.has(flag)).map(([, name]) => name);
}

export function nativeStatus(): NativeStatus {
  const a = loadNative();
  if (!a) {
    const s: NativeStatus = { active: false, loaded: false, reason: loadError, path: NATIVE_PATH };
    const features = cpuFeaturesFromOs();
    if (features) s.features = features;
    return s;
  }
  const info = a.info();
  const s: NativeStatus = { active: enabled, loaded: true, path: NATIVE_PATH, ...info };
  if (!enabled) s.reason = "switched off in this process (setNativeEnabled(false))";
  return s;
}
