/** One line for logs and reports: the backend in use and, on wasm, whether the native kernels run it. */
import { nativeStatus } from "./native";
import type { BackendReport } from "./select";

/**
 * @example
 *   describeBackend(await initBackend()) // → "wasm + native kernels (avx512, 2 threads)"
 */
export function describeBackend(report: BackendReport): string {
  const threads = (n: number) => `${n} thread${n === 1 ? "" : "s"}`;
  if (report.chosen === "wasm") {
    const n = nativeStatus();
    return n.active ? `wasm + native kernels (${n.isa}, ${threads(n.threads ?? 1)})` : `wasm (${threads(report.threads ?? 1)}; native kernels off: ${n.reason})`;
  }
  return report.threads ? `${report.chosen} (${threads(report.threads)})` : report.chosen;
}
