/**
 * WebGPU in Node: Dawn from the `webgpu` package gives a `navigator.gpu`, and
 * `@tensorflow/tfjs-backend-webgpu` registers the `webgpu` backend when it finds one at load
 * time. Neither is a dependency; on a machine without a GPU driver Dawn finds no adapter
 * (../shared/DESIGN.md §5), which we report instead of choosing the backend.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { firstLine, isInstalled, loadOptional } from "./optional-module";

export const WEBGPU_PACKAGES = ["@tensorflow/tfjs-backend-webgpu", "webgpu"] as const;

/** What `bert-lab doctor` shows of a GPU adapter (from GPUAdapter.info, .features and .limits). */
export interface AdapterSummary {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** e.g. ["shader-f16", "timestamp-query", …] */
  features: string[];
  /** the limits that decide buffer and workgroup sizes */
  limits: Record<string, number>;
}

export type WebgpuProbe =
  | { status: "available"; detail: string; adapter?: AdapterSummary }
  | { status: "not installed" | "failed" | "no adapter"; detail: string };

const LIMITS = [
  "maxBufferSize",
  "maxStorageBufferBindingSize",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBuffersPerShaderStage",
];

/** The adapter's name, features and the limits that matter to the kernels. */
export function summarizeAdapter(adapter: AdapterLike): AdapterSummary {
  const info = (adapter.info ?? {}) as Record<string, unknown>;
  const text = (k: string) => (typeof info[k] === "string" && info[k] ? (info[k] as string) : undefined);
  const features = adapter.features ? [...adapter.features].map(String).sort() : [];
  const limits: Record<string, number> = {};
  for (const k of LIMITS) {
    const v = adapter.limits?.[k];
    if (typeof v === "number") limits[k] = v;
  }
  const s: AdapterSummary = { features, limits };
  for (const k of ["vendor", "architecture", "device", "description"] as const) {
    const v = text(k);
    if (v) s[k] = v;
  }
  return s;
}

/** One line: "nvidia hopper (NVIDIA H200), shader-f16, buffers up to 128 GiB". */
export function adapterLine(a: AdapterSummary): string {
  const name = [a.vendor, a.architecture].filter(Boolean).join(" ") || "unknown adapter";
  const what = a.description || a.device;
  const gib = (n: number) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(n % 2 ** 30 ? 1 : 0)} GiB` : `${Math.round(n / 2 ** 20)} MiB`);
  const parts = [what ? `${name} (${what})` : name];
  parts.push(a.features.includes("shader-f16") ? "shader-f16" : "no shader-f16");
  if (a.limits.maxBufferSize) parts.push(`buffers up to ${gib(a.limits.maxBufferSize)}`);
  if (a.limits.maxComputeInvocationsPerWorkgroup) parts.push(`${a.limits.maxComputeInvocationsPerWorkgroup} invocations per workgroup`);
  return parts.join(", ");
}

/**
 * Linux: where is libvulkan.so.1? Dawn reaches a GPU only through the Vulkan loader, and
 * without it prints a warning on stdout (which would break `doctor --json`) and finds nothing;
 * looked for first so the reason can be said plainly. null: not Linux, or found.
 */
export function missingVulkanLoader(): string | null {
  if (process.platform !== "linux") return null;
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? "").split(":").filter(Boolean),
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
    "/lib/x86_64-linux-gnu",
    "/lib64",
    "/usr/local/lib",
  ];
  if (dirs.some((d) => fs.existsSync(path.join(d, "libvulkan.so.1")))) return null;
  return "the Vulkan loader (libvulkan.so.1) is not installed, so Dawn cannot reach a GPU: install it (Debian: apt-get install libvulkan1) and the GPU's Vulkan driver";
}

/** The members of Dawn's `webgpu` package we use. */
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals?: Record<string, unknown>;
}

interface GpuLike {
  requestAdapter(options?: object): Promise<AdapterLike | null>;
}

interface AdapterLike {
  info?: Record<string, unknown>;
  requestAdapterInfo?: () => Promise<unknown>;
  features?: Iterable<unknown>;
  limits?: Record<string, unknown>;
}

let gpuPromise: Promise<WebgpuProbe> | null = null;

/** Which of the two packages are missing (none → []). */
export function missingWebgpuPackages(): string[] {
  return WEBGPU_PACKAGES.filter((p) => !isInstalled(p));
}

/** Makes `navigator.gpu` (Node 20 has no navigator; Node 21+ has one without gpu). */
function installNavigatorGpu(gpu: GpuLike, globals: Record<string, unknown> | undefined): void {
  const g = globalThis as Record<string, unknown>;
  // GPUBufferUsage, GPUMapMode, … which tfjs-backend-webgpu reads as globals
  for (const [k, v] of Object.entries(globals ?? {})) if (!(k in g)) g[k] = v;
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav && typeof nav === "object") {
    if (!nav.gpu) Object.defineProperty(nav, "gpu", { value: gpu, configurable: true, writable: true });
  } else {
    Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  }
}

/**
 * tfjs-backend-webgpu 4.22 calls `adapter.requestAdapterInfo()`, which newer Dawn builds
 * replaced by the `adapter.info` attribute: give adapters the old method when it is missing.
 */
function withAdapterInfoShim(gpu: GpuLike): GpuLike {
  const request = gpu.requestAdapter.bind(gpu);
  return {
    async requestAdapter(options?: object) {
      const adapter = await request(options);
      if (adapter && typeof adapter.requestAdapterInfo !== "function") {
        try {
          adapter.requestAdapterInfo = async () => adapter.info ?? {};
        } catch {
          // a frozen adapter: tfjs will report the missing method itself
        }
      }
      return adapter;
    },
  };
}

async function probe(): Promise<WebgpuProbe> {
  const missing = missingWebgpuPackages();
  if (missing.length > 0) return { status: "not installed", detail: `not installed: ${missing.join(", ")}` };
  const dawn = loadOptional("webgpu");
  if (dawn.status !== "loaded") return { status: "failed", detail: `webgpu (Dawn) ${dawn.status === "failed" ? "failed to load: " + dawn.error : "not installed"}` };
  const mod = dawn.module as Partial<DawnModule>;
  if (typeof mod.create !== "function") return { status: "failed", detail: "the webgpu package has no create() — an unexpected version" };
  const noLoader = missingVulkanLoader();
  if (noLoader) return { status: "no adapter", detail: noLoader };
  let gpu: GpuLike;
  let summary: AdapterSummary;
  try {
    gpu = withAdapterInfoShim(mod.create([]));
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return { status: "no adapter", detail: "Dawn found no GPU adapter (it needs a GPU with a Vulkan, Metal or D3D12 driver)" };
    summary = summarizeAdapter(adapter);
  } catch (e) {
    return { status: "failed", detail: `requesting a WebGPU adapter failed: ${firstLine(e)}` };
  }
  installNavigatorGpu(gpu, mod.globals);
  // loaded only now: it registers the backend only if navigator.gpu exists at load time
  const backend = loadOptional("@tensorflow/tfjs-backend-webgpu");
  if (backend.status === "failed") return { status: "failed", detail: `@tensorflow/tfjs-backend-webgpu failed to load: ${backend.error}` };
  if (backend.status === "not installed") return { status: "not installed", detail: "not installed: @tensorflow/tfjs-backend-webgpu" };
  return { status: "available", detail: `Dawn found ${adapterLine(summary)}`, adapter: summary };
}

/** Probes once per process (Dawn instances are not cheap); later calls get the same answer. */
export function probeWebgpu(): Promise<WebgpuProbe> {
  gpuPromise ??= probe();
  return gpuPromise;
}
