/**
 * The entry of the single-file GPU bundle (scripts/device-bundle.cjs): the WebGPU backend is
 * inside the bundle, Dawn's dawn.node beside it ($BERT_LAB_DAWN), and both are handed to
 * loadOptional, since the bundle has no node_modules to find them in. Then bench/gpu runs.
 */
import * as path from "node:path";
import { provideOptional } from "../src/backend/optional-module";

// static: esbuild puts the backend in the bundle; loaded only when the probe asks (after navigator.gpu exists)
provideOptional("@tensorflow/tfjs-backend-webgpu", () => require("@tensorflow/tfjs-backend-webgpu"));
// dawn.node exports { create, globals } itself (the npm package's index.js only wraps it)
provideOptional("webgpu", () => require(process.env.BERT_LAB_DAWN ?? path.join(__dirname, "dawn.node")));

require("./gpu");
