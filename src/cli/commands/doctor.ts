/** `bert-lab doctor`: this machine, every tfjs backend candidate and why, and a matMul speed. */
import * as os from "node:os";
import type { BackendReport } from "../../backend/select";
import type { MatMulSpeed } from "../../backend/matmul-speed";
import type { NativeStatus } from "../../backend/native";
import { adapterLine } from "../../backend/webgpu-probe";
import { Command, write } from "../command";

/** The size of the speed check: an N×N by N×N product. */
const BENCH_N = 512;

/** Everything doctor found, as `--json` prints it. */
export interface DoctorReport {
  node: string;
  platform: string;
  arch: string;
  cpu: { model: string; cores: number };
  memoryGiB: number;
  tfjs: { core: string; wasm: string };
  backend: BackendReport;
  /** the native kernels: in use or not, and why; the CPU features found; which kernels */
  native: NativeStatus & { kernels: string[] };
  matMul: { shape: [number, number, number]; gflops: number; msPerProduct: number; products: number };
}

function gpuLines(r: DoctorReport): string[] {
  const a = r.backend.candidates.find((c) => c.adapter)?.adapter;
  if (!a) return [];
  const limits = Object.entries(a.limits).map(([k, v]) => `${k} ${v}`).join(", ");
  return [`gpu         ${adapterLine(a)}`, `            features: ${a.features.join(", ") || "(none)"}`, ...(limits ? [`            limits: ${limits}`] : [])];
}

function nativeLines(r: DoctorReport): string[] {
  const n = r.native;
  const cpu = `cpu features ${n.features && n.features.length ? n.features.join(", ") : "(none found)"}`;
  if (!n.active) return [`native      off: ${n.reason ?? "unknown"}`, ...(n.features ? [`            ${cpu}`] : [])];
  const used = r.backend.chosen === "wasm" ? "in use on wasm" : `built, but unused: ${r.backend.chosen} is the backend`;
  return [
    `native      ${used}: ${n.isa} kernels (built for ${n.compiled?.join(", ")}), ${n.threads} thread${n.threads === 1 ? "" : "s"}`,
    `            ${cpu}`,
    `            kernels: ${n.kernels.join(", ")}`,
  ];
}

function text(r: DoctorReport): string {
  const width = Math.max(...r.backend.candidates.map((c) => c.name.length)) + 2;
  const statusWidth = Math.max(...r.backend.candidates.map((c) => c.status.length)) + 2;
  const lines = [
    `node        ${r.node} (${r.platform} ${r.arch})`,
    `cpu         ${r.cpu.model}, ${r.cpu.cores} core${r.cpu.cores === 1 ? "" : "s"}, ${r.memoryGiB.toFixed(1)} GiB`,
    `tfjs        tfjs-core ${r.tfjs.core}, tfjs-backend-wasm ${r.tfjs.wasm}`,
    "",
    "backends, best first:",
    ...r.backend.candidates.map((c) => `  ${c.name.padEnd(width)}${c.status.padEnd(statusWidth)}${c.detail ?? ""}`),
    "",
    `chosen      ${r.backend.chosen}` +
      (r.backend.requestedBy === "auto" ? " (the best available)" : ` (requested by ${r.backend.requestedBy === "prefer" ? "--backend" : "BERT_LAB_BACKEND"})`),
    `threads     ${r.backend.threads ?? "managed by the backend"}`,
    ...nativeLines(r),
    ...gpuLines(r),
    `matMul      ${r.matMul.gflops.toFixed(1)} GFLOP/s (${r.matMul.shape.join("×")}, ${r.matMul.msPerProduct.toFixed(1)} ms per product, ${r.matMul.products} timed)`,
  ];
  return lines.join("\n") + "\n";
}

export const doctorCommand: Command = {
  spec: {
    name: "doctor",
    summary: "Show this machine, which tfjs backends can run here and why, the chosen one and its matMul speed.",
    usage: "bert-lab doctor [--backend NAME] [--json]",
    options: {
      backend: { type: "string", value: "NAME", description: "use this backend: tensorflow, webgpu, wasm or cpu (default: $BERT_LAB_BACKEND, else the best available)" },
      json: { type: "boolean", description: "print one JSON object instead of text" },
    },
    details: `Backends are tried best first: tensorflow (@tensorflow/tfjs-node-gpu, then
@tensorflow/tfjs-node), webgpu (@tensorflow/tfjs-backend-webgpu with the webgpu package),
wasm, cpu. Optional packages that are missing show as "not installed"; ones that are there
but do not load show as "failed" with the error. "native" says whether the native kernels
(native/, built at install) are in use on wasm, which instruction set they chose from the
CPU's features, their threads ($BERT_LAB_THREADS), or why they are off (not built, failed
to load, BERT_LAB_NATIVE=0). The speed check multiplies two ${BENCH_N}×${BENCH_N}
matrices for at most about a second.

Example:
  bert-lab doctor --json | jq .backend.chosen
  "wasm"`,
  },

  async run(args, io) {
    // tfjs loads only for this command, so tokenize and friends start fast
    const tf = await import("@tensorflow/tfjs-core");
    const { initBackend } = await import("../../backend/select");
    const { measureMatMul } = await import("../../backend/matmul-speed");
    const { version_wasm } = await import("@tensorflow/tfjs-backend-wasm");
    const { nativeStatus } = await import("../../backend/native");
    const { NATIVE_KERNEL_SUMMARY } = await import("../../backend/native-kernels");
    const backend = await initBackend({ prefer: args.values.backend as string | undefined, quiet: true });
    const speed: MatMulSpeed = measureMatMul({ a: [BENCH_N, BENCH_N], b: [BENCH_N, BENCH_N], warmup: 1, maxCalls: 50, maxMs: 600 });
    const cpus = os.cpus();
    const report: DoctorReport = {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpu: { model: cpus[0]?.model.trim() || "unknown", cores: cpus.length },
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      tfjs: { core: tf.version_core, wasm: version_wasm },
      backend,
      native: { ...nativeStatus(), kernels: nativeStatus().active ? [...NATIVE_KERNEL_SUMMARY] : [] },
      matMul: { shape: [BENCH_N, BENCH_N, BENCH_N], gflops: speed.gflops, msPerProduct: speed.msPerCall, products: speed.calls },
    };
    await write(io.stdout, args.values.json ? JSON.stringify(report, null, 2) + "\n" : text(report));
    return 0;
  },
};
