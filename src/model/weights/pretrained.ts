/**
 * HF model folders: `config.json`, `model.safetensors`, `vocab.txt` — read into a model, and
 * written so that HF transformers' `from_pretrained` loads them as they are.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BertLabError } from "../../util/errors";
import { BertConfig, configToHf, readConfig } from "../config";
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
  const config = readConfig(configPath);
  const tensors = readSafetensors(weightsPath).tensors as Map<string, HostTensor>;
  const vocab = path.join(dir, "vocab.txt");
  return { dir, config, tensors, vocabPath: fs.existsSync(vocab) ? vocab : null };
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

/** Reads a folder, builds a model for its config with `make`, and loads the weights into it. */
export function modelFromFolder<M extends { store: ParamStore; dispose(): void }>(
  dir: string,
  make: (config: BertConfig) => M,
  options: FromPretrainedOptions = {},
): { model: M; report: LoadReport; vocabPath: string | null } {
  const folder = readPretrainedFolder(dir);
  const model = make(folder.config);
  try {
    return { model, report: loadFolderInto(model.store, folder, options), vocabPath: folder.vocabPath };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Writes an HF folder: config.json, model.safetensors (HF names, Linear weights [out, in],
 * the tied decoder left out as HF itself does), and vocab.txt when given. Each file is
 * written atomically.
 */
export function savePretrainedFolder(
  dir: string,
  store: ParamStore,
  config: BertConfig,
  options: { architecture: string; vocabText?: string },
): void {
  fs.mkdirSync(dir, { recursive: true });
  const hf = { ...configToHf(config), architectures: [options.architecture] };
  writeFileAtomic(path.join(dir, "config.json"), JSON.stringify(hf, null, 2) + "\n");
  writeSafetensors(path.join(dir, "model.safetensors"), stateDict(store), { format: "pt" });
  if (options.vocabText !== undefined) writeFileAtomic(path.join(dir, "vocab.txt"), options.vocabText);
}
