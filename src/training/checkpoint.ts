/**
 * Training checkpoints: `OUT/checkpoint-STEP/` folders holding the model in HF's layout
 * (config.json, model.safetensors, vocab.txt), the optimizer's moments
 * (optimizer.safetensors) and the trainer's state (trainer_state.json: step, RNG states, data
 * position, history). A folder is written under a temporary name and renamed into place, so
 * `checkpoint-STEP/` is complete or absent: a run killed mid-save resumes from the previous
 * one. The last K are kept.
 *
 * @example
 *   saveCheckpoint("runs/tiny", 200, (dir) => { model.savePretrained(dir); ... }, 3);
 *   latestCheckpoint("runs/tiny"); // → { step: 200, dir: "runs/tiny/checkpoint-200" }
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BertLabError } from "../util/errors";
import { writeFolderAtomic } from "../util/atomic-folder";
import { faultPoint } from "../util/fault";
import { readSafetensors, writeSafetensors } from "../model/weights/safetensors";
import type { BertAdamWState } from "./adamw";

export const TRAINER_STATE_FILE = "trainer_state.json";
export const OPTIMIZER_FILE = "optimizer.safetensors";
const NAME = /^checkpoint-(\d+)$/;
const PARTIAL = /^\.checkpoint-\d+\.(partial|old)-\d+$/;

export interface CheckpointRef {
  step: number;
  dir: string;
}

/**
 * Writes checkpoint-STEP atomically: `write(dir)` fills a temporary folder (it must write
 * TRAINER_STATE_FILE), which is then renamed into place; then all but the newest `keep`
 * checkpoints are removed (keep ≤ 0 keeps all).
 */
export function saveCheckpoint(outDir: string, step: number, write: (dir: string) => void, keep: number): string {
  const final = writeFolderAtomic(path.join(outDir, `checkpoint-${step}`), (tmp) => {
    write(tmp);
    faultPoint("checkpoint", step); // tests kill the process here: a half-written folder
    if (!fs.existsSync(path.join(tmp, TRAINER_STATE_FILE))) throw new Error(`internal: checkpoint writer left no ${TRAINER_STATE_FILE}`);
  });
  if (keep > 0) for (const c of listCheckpoints(outDir).slice(0, -keep)) fs.rmSync(c.dir, { recursive: true, force: true });
  return final;
}

/** Complete checkpoints in `outDir`, oldest first. */
export function listCheckpoints(outDir: string): CheckpointRef[] {
  if (!fs.existsSync(outDir)) return [];
  return fs
    .readdirSync(outDir)
    .map((name) => ({ m: NAME.exec(name), name }))
    .filter(({ m, name }) => m && fs.existsSync(path.join(outDir, name, TRAINER_STATE_FILE)))
    .map(({ m, name }) => ({ step: Number(m![1]), dir: path.join(outDir, name) }))
    .sort((a, b) => a.step - b.step);
}

export function latestCheckpoint(outDir: string): CheckpointRef | null {
  const all = listCheckpoints(outDir);
  return all.length ? all[all.length - 1] : null;
}

/** Removes folders a killed save left behind; returns their names. */
export function removePartialCheckpoints(outDir: string): string[] {
  if (!fs.existsSync(outDir)) return [];
  const partial = fs.readdirSync(outDir).filter((n) => PARTIAL.test(n));
  for (const n of partial) fs.rmSync(path.join(outDir, n), { recursive: true, force: true });
  return partial;
}

/** The optimizer's moments as safetensors: NAME.exp_avg and NAME.exp_avg_sq (torch's names), step in the metadata. */
export function writeOptimizerState(file: string, state: BertAdamWState): void {
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, s] of Object.entries(state.slots)) {
    tensors.set(`${name}.exp_avg`, { shape: s.shape, data: s.m });
    tensors.set(`${name}.exp_avg_sq`, { shape: s.shape, data: s.v });
  }
  writeSafetensors(file, tensors, { step: String(state.step), format: "bert-lab-adamw" });
}

export function readOptimizerState(file: string): BertAdamWState {
  const { tensors, metadata } = readSafetensors(file);
  const step = Number(metadata.step);
  if (!Number.isInteger(step) || step < 0) throw new BertLabError("BAD_CHECKPOINT", `${file} has no optimizer step in its metadata: not a bert-lab optimizer state`);
  const slots: BertAdamWState["slots"] = {};
  for (const [key, t] of tensors) {
    const m = /^(.*)\.exp_avg$/.exec(key);
    if (!m) continue;
    const v = tensors.get(`${m[1]}.exp_avg_sq`);
    if (!v) throw new BertLabError("BAD_CHECKPOINT", `${file}: ${key} has no matching ${m[1]}.exp_avg_sq`);
    slots[m[1]] = { m: t.data, v: v.data, shape: t.shape };
  }
  return { step, slots };
}
