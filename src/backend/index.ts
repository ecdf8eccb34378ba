/** Choosing and preparing the tfjs backend (see select.ts) and the wasm kernel fixes. */
export { initBackend, ensureBackend, getBackendReport, BACKEND_NAMES } from "./select";
export type { BackendReport, CandidateReport, CandidateStatus, InitBackendOptions } from "./select";
export { registerWasmFixes, wasmFixesRegistered } from "./wasm-fixes";
export type { WasmFixesResult } from "./wasm-fixes";
export { measureMatMul, matMulFlops } from "./matmul-speed";
export type { MatMulSpeed, MatMulSpeedOptions } from "./matmul-speed";
