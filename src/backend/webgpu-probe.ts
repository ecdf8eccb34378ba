/**
 * WebGPU in Node: Dawn from the `webgpu` package gives a `navigator.gpu`, and
 * `@tensorflow/tfjs-backend-webgpu` registers the `webgpu` backend when it finds one at load
 * time. Neither is a dependency; on a machine without a GPU driver Dawn finds no adapter
 * (../shared/DESIGN.md §5), which we report instead of choosing the backend.
 */
import { firstLine, isInstalled, loadOptional } from "./optional-module";

export const WEBGPU_PACKAGES = ["@tensorflow/tfjs-backend-webgpu", "webgpu"] as const;

export type WebgpuProbe =
  | { status: "available"; detail: string }
  | { status: "not installed" | "failed" | "no adapter"; detail: string };

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
  let gpu: GpuLike;
  try {
    gpu = withAdapterInfoShim(mod.create([]));
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return { status: "no adapter", detail: "Dawn found no GPU adapter (it needs a GPU with a Vulkan, Metal or D3D12 driver)" };
  } catch (e) {
    return { status: "failed", detail: `requesting a WebGPU adapter failed: ${firstLine(e)}` };
  }
  installNavigatorGpu(gpu, mod.globals);
  // loaded only now: it registers the backend only if navigator.gpu exists at load time
  const backend = loadOptional("@tensorflow/tfjs-backend-webgpu");
  if (backend.status === "failed") return { status: "failed", detail: `@tensorflow/tfjs-backend-webgpu failed to load: ${backend.error}` };
  if (backend.status === "not installed") return { status: "not installed", detail: "not installed: @tensorflow/tfjs-backend-webgpu" };
  return { status: "available", detail: "Dawn found a GPU adapter" };
}

/** Probes once per process (Dawn instances are not cheap); later calls get the same answer. */
export function probeWebgpu(): Promise<WebgpuProbe> {
  gpuPromise ??= probe();
  return gpuPromise;
}
