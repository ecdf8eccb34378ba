/**
 * Moving weights between a model's ParamStore and HF's names and layouts (a "state dict").
 *
 * HF Linear weights are [out, in]; ours are [in, out] (params.ts), so those are transposed
 * on the way in and out. Checkpoints of a bare BertModel have no `bert.` prefix; those of
 * BertForPreTraining and the task models do: either loads into either.
 */
import * as tf from "@tensorflow/tfjs-core";
import { BertLabError } from "../../util/errors";
import type { ParamStore } from "../params";

export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

export interface LoadReport {
  /** parameters of the model found in the checkpoint and loaded */
  loaded: string[];
  /** parameters of the model absent from the checkpoint: they keep their initial values */
  initialized: string[];
  /** checkpoint entries the model has no use for */
  unexpected: string[];
}

/** Checkpoint entries that are never parameters: tied copies and buffers. */
const IGNORED = [/^(bert\.)?embeddings\.position_ids$/, /^cls\.predictions\.decoder\.(weight|bias)$/];

/** Old TF-converted names (LayerNorm.gamma/beta) and HF's own. */
function normalizeName(name: string): string {
  return name.replace(/LayerNorm\.gamma$/, "LayerNorm.weight").replace(/LayerNorm\.beta$/, "LayerNorm.bias");
}

function transpose2d(t: HostTensor): HostTensor {
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c];
  return { shape: [cols, rows], data: out };
}

/**
 * Loads checkpoint tensors into the store. Shape mismatches are errors naming the tensor;
 * missing parameters keep their initial values and are listed in the report, as are
 * entries the model does not use.
 */
export function loadStateDict(store: ParamStore, tensors: Map<string, HostTensor>, source = "checkpoint"): LoadReport {
  const ours = [...store.vars.keys()];
  const wantsPrefix = ours.some((n) => n.startsWith("bert."));
  const byName = new Map<string, { key: string; t: HostTensor }>();
  for (const [key, t] of tensors) {
    let name = normalizeName(key);
    if (IGNORED.some((re) => re.test(name))) continue;
    const isBase = /^(embeddings|encoder|pooler)\./.test(name);
    if (wantsPrefix && isBase) name = "bert." + name;
    if (!wantsPrefix && name.startsWith("bert.")) name = name.slice(5);
    byName.set(name, { key, t });
  }
  const report: LoadReport = { loaded: [], initialized: [], unexpected: [] };
  const mismatches: string[] = [];
  const assignments: [tf.Variable, HostTensor][] = [];
  for (const name of ours) {
    const entry = byName.get(name);
    if (!entry) {
      report.initialized.push(name);
      continue;
    }
    const v = store.get(name);
    const t = store.linear.has(name) && entry.t.shape.length === 2 ? transpose2d(entry.t) : entry.t;
    const want = store.linear.has(name) ? [v.shape[1], v.shape[0]] : v.shape;
    if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
      mismatches.push(`${entry.key}: checkpoint [${entry.t.shape}] vs model [${want}]`);
      continue;
    }
    assignments.push([v, t]);
    report.loaded.push(name);
  }
  if (mismatches.length > 0) {
    throw new BertLabError(
      "SHAPE_MISMATCH",
      `${source} does not fit this model's config: ${mismatches.slice(0, 5).join("; ")}${mismatches.length > 5 ? `; and ${mismatches.length - 5} more` : ""} — check config.json against the weights`,
    );
  }
  for (const [v, t] of assignments) {
    const value = tf.tensor(t.data, t.shape, "float32");
    v.assign(value);
    value.dispose();
  }
  for (const name of byName.keys()) if (!store.vars.has(name)) report.unexpected.push(byName.get(name)!.key);
  return report;
}

/** The store's parameters with HF names and layouts (Linear weights [out, in]). */
export function stateDict(store: ParamStore): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [name, v] of store.vars) {
    const t: HostTensor = { shape: v.shape.slice(), data: v.dataSync() as Float32Array };
    out.set(name, store.linear.has(name) ? transpose2d(t) : { shape: t.shape, data: Float32Array.from(t.data) });
  }
  return out;
}
