/**
 * HF model folders: `config.json`, `model.safetensors`, `vocab.txt` — read into a model, and
 * written so that HF transformers' `from_pretrained` loads them as they are.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BertLabError } from "../../util/errors";
import { BertConfig, configFromHf, configToHf, labelsFromHf, labelsToHf, readConfigJson } from "../config";
import type { ParamStore } from "../params";
import { readSafetensors, writeSafetensors } from "./safetensors";
import { HostTensor, LoadReport, loadStateDict, stateDict } from "./state-dict";
import { writeFileAtomic } from "../../util/atomic-write";

export interface PretrainedFolder {
  dir: string;
  config: BertConfig;
  tensors: Map<string, HostTensor>;
  /** vocab.txt when the folder has one */
  vocabPath: string | null;
  /** a fine-tuned model's class names (config.json's id2label, in index order), else null */
  labels: string[] | null;
  /** config.json's problem_type ("regression", "single_label_classification", …), else null */
  problemType: string | null;
}

export interface FromPretrainedOptions {
  /** seed for the parameters the checkpoint lacks (e.g. a new classifier) */
  seed?: number;
  /** told which parameters were initialised or ignored; default console.warn */
  log?: (message: string) => void;
}

/** Reads config.json and model.safetensors (and finds vocab.txt) in an HF model folder. */
export function readPretrainedFolder(dir: string): PretrainedFolder {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new BertLabError("MODEL_NOT_FOUND", `model folder not found: ${dir} — pass a folder holding config.json and model.safetensors`);
  }
  const configPath = path.join(dir, "config.json");
  if (!fs.existsSync(configPath)) throw new BertLabError("MODEL_NOT_FOUND", `no config.json in ${dir}`);
  const weightsPath = path.join(dir, "model.safetensors");
  if (!fs.existsSync(weightsPath)) {
    const bin = fs.existsSync(path.join(dir, "pytorch_model.bin"));
    throw new BertLabError(
      "MODEL_NOT_FOUND",
      `no model.safetensors in ${dir}` +
        (bin ? " — it has pytorch_model.bin (a pickle, which is not read here): convert it with HF's safetensors (model.save_pretrained(dir, safe_serialization=True))" : ""),
    );
  }
  const json = readConfigJson(configPath);
  const config = configFromHf(json, configPath);
  const { labels, problemType } = labelsFromHf(json, configPath);
  const tensors = readSafetensors(weightsPath).tensors as Map<string, HostTensor>;
  const vocab = path.join(dir, "vocab.txt");
  return { dir, config, tensors, vocabPath: fs.existsSync(vocab) ? vocab : null, labels, problemType };
}

/** Loads a folder's weights into a model's store and tells what was initialised or ignored. */
export function loadFolderInto(store: ParamStore, folder: PretrainedFolder, options: FromPretrainedOptions = {}): LoadReport {
  const report = loadStateDict(store, folder.tensors, path.join(folder.dir, "model.safetensors"));
  const log = options.log ?? ((m: string) => console.warn(m));
  if (report.initialized.length > 0) {
    log(`bert-lab: not in ${folder.dir}, initialised (truncated normal): ${summarize(report.initialized)}`);
  }
  if (report.unexpected.length > 0) log(`bert-lab: in ${folder.dir} but not used by this model: ${summarize(report.unexpected)}`);
  return report;
}

function summarize(names: string[]): string {
  return names.length <= 8 ? names.join(", ") : `${names.slice(0, 8).join(", ")} and ${names.length - 8} more`;
}

/**
 * Reads a folder, builds a model for its config with `make` (which also sees the folder: its
 * labels, its tensors' shapes), and loads the weights into it.
 */
export function modelFromFolder<M extends { store: ParamStore; dispose(): void }>(
  dir: string,
  make: (config: BertConfig, folder: PretrainedFolder) => M,
  options: FromPretrainedOptions = {},
): { model: M; report: LoadReport; vocabPath: string | null; labels: string[] | null; problemType: string | null } {
  const folder = readPretrainedFolder(dir);
  const model = make(folder.config, folder);
  try {
    return { model, report: loadFolderInto(model.store, folder, options), vocabPath: folder.vocabPath, labels: folder.labels, problemType: folder.problemType };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Writes an HF folder: config.json, model.safetensors (HF names, Linear weights [out, in],
 * the tied decoder left out as HF itself does), and vocab.txt when given. Each file is
 * written atomically. `labels` (a fine-tuned model's class names) become config.json's
 * id2label / label2id, `problemType` its problem_type, as transformers writes them.
 */
export function savePretrainedFolder(
  dir: string,
  store: ParamStore,
  config: BertConfig,
  options: { architecture: string; vocabText?: string; labels?: readonly string[]; problemType?: string },
): void {
  fs.mkdirSync(dir, { recursive: true });
  const hf = { ...configToHf(config), architectures: [options.architecture], ...(options.labels ? labelsToHf(options.labels, options.problemType) : {}) };
  writeFileAtomic(path.join(dir, "config.json"), JSON.stringify(hf, null, 2) + "\n");
  writeSafetensors(path.join(dir, "model.safetensors"), stateDict(store), { format: "pt" });
  if (options.vocabText !== undefined) writeFileAtomic(path.join(dir, "vocab.txt"), options.vocabText);
}

/**
 * Adds the class names (id2label / label2id, and problem_type when given) to the config.json of
 * a folder already written, keeping every other field: how finetune makes its best model
 * self-describing.
 *
 * @example
 *   setFolderLabels("runs/sst2/best", ["negative", "positive"], "single_label_classification");
 */
export function setFolderLabels(dir: string, labels: readonly string[], problemType?: string | null): void {
  const file = path.join(dir, "config.json");
  const json = readConfigJson(file);
  delete json.id2label;
  delete json.label2id;
  delete json.problem_type;
  writeFileAtomic(file, JSON.stringify({ ...json, ...labelsToHf(labels, problemType) }, null, 2) + "\n");
}
