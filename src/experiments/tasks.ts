/**
 * The downstream tasks an experiment can evaluate on, found where the user's data is:
 *   --from DIR  a mirror laid out like ../shared/data (glue/SST-2/train.tsv, ner/wnut17/…, squad/…)
 *   --data DIR  a GLUE_DIR-style folder: one folder per task (SST-2/, MNLI/, QNLI/, …, wnut17/, conll2003/, squad/)
 *   neither     the embedded WordNet tasks: WordNet-4 (a definition → animal / artifact / person / plant)
 *               and WordNet tagging (usage examples, words tagged PER / ANIMAL / PLANT / LOC / FOOD)
 * A task is used when its training data is there; what is missing is listed with the reason.
 *
 * @example
 *   const found = findTasks({ from: "../shared/data" }, "runs/exp/data");
 *   found.sentence.map((t) => t.key); // ["mrpc", "sst2", "rte", "cola", "stsb"]
 *   found.missing; // [{ key: "mnli", why: "no glue/MNLI/train.tsv in ../shared/data" }, …]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GLUE_TASKS, GlueTaskName } from "../data/glue";
import { wordnetTask } from "../data/wordnet";
import { wordnetTagging, writeConllFolder } from "../data/wordnet-tagging";
import { CONLL2003_LAYOUTS, FinetuneTaskName, TaskDataOptions } from "../finetuning/task-data";
import { writeFileAtomic } from "../util/atomic-write";

export type TaskLevel = "sentence" | "token" | "span";

export interface DownstreamTask {
  /** our name: a finetune task (sst2, wnut17, …) or wordnet4 / wordnet-tags */
  key: string;
  /** as a table column says it */
  title: string;
  level: TaskLevel;
  /** the metric reported (×100): accuracy, mcc, pearson, f1 — the paper's where it has the task */
  metric: string;
  /** what finetune is given */
  data: TaskDataOptions & { task: FinetuneTaskName };
}

export interface FoundTasks {
  sentence: DownstreamTask[];
  token: DownstreamTask[];
  span: DownstreamTask[];
  missing: { key: string; why: string }[];
  /** where the data comes from, in words */
  source: string;
}

/** GLUE in the paper's column order first (Table 5: MNLI, QNLI, MRPC, SST-2), then the rest of ours. */
const GLUE_ORDER: GlueTaskName[] = ["mnli", "qnli", "mrpc", "sst2", "rte", "cola", "stsb"];
const GLUE_TITLES: Record<string, string> = { mnli: "MNLI-m", qnli: "QNLI", mrpc: "MRPC", sst2: "SST-2", rte: "RTE", cola: "CoLA", stsb: "STS-B" };
/** the metric each table shows: the paper's for the tasks it reports (accuracy for MRPC in Table 5), GLUE's headline otherwise */
const GLUE_METRIC: Record<string, string> = { mnli: "accuracy", qnli: "accuracy", mrpc: "accuracy", sst2: "accuracy", rte: "accuracy", cola: "mcc", stsb: "pearson" };
/** a NER task's training file names, any one of which makes it there */
const NER_TRAIN: Record<"conll2003" | "wnut17", readonly string[]> = { conll2003: [...new Set(CONLL2003_LAYOUTS.map((l) => l.train))], wnut17: ["wnut17train.conll"] };

/** The tasks whose data is there. `workDir` receives the embedded tasks' files when there is no data folder (unless `write` is false: only their paths). */
export function findTasks(source: { from?: string; data?: string }, workDir: string, write = true): FoundTasks {
  if (source.from && source.data) throw new Error("findTasks: give from or data, not both");
  const root = source.from ?? source.data;
  if (!root) return embeddedTasks(workDir, write);
  const mirror = Boolean(source.from);
  const found: FoundTasks = { sentence: [], token: [], span: [], missing: [], source: `${mirror ? "the mirror" : "the data folder"} ${root}` };
  const where = (rel: string) => path.join(root, rel);
  for (const name of GLUE_ORDER) {
    const rel = mirror ? path.join("glue", GLUE_TASKS[name].folder) : GLUE_TASKS[name].folder;
    const train = path.join(rel, "train.tsv");
    if (!fs.existsSync(where(train))) {
      found.missing.push({ key: name, why: `no ${train} in ${root}` });
      continue;
    }
    const data = mirror ? { task: name, from: root } : { task: name, data: where(rel) };
    found.sentence.push({ key: name, title: GLUE_TITLES[name], level: "sentence", metric: GLUE_METRIC[name], data });
  }
  for (const name of ["conll2003", "wnut17"] as const) {
    const rel = mirror ? path.join("ner", name) : name;
    if (!NER_TRAIN[name].some((f) => fs.existsSync(where(path.join(rel, f))))) {
      found.missing.push({ key: name, why: `no ${NER_TRAIN[name].map((f) => path.join(rel, f)).join(" or ")} in ${root}` });
      continue;
    }
    const data = mirror ? { task: name, from: root } : { task: name, data: where(rel) };
    found.token.push({ key: name, title: name === "conll2003" ? "CoNLL-2003 NER" : "WNUT-17 NER", level: "token", metric: "f1", data });
  }
  const squadTrain = path.join("squad", "train-v1.1.json");
  const squadDev = path.join("squad", "dev-v1.1.json");
  if (fs.existsSync(where(squadTrain)) && fs.existsSync(where(squadDev))) {
    found.span.push({ key: "squad", title: "SQuAD v1.1", level: "span", metric: "f1", data: { task: "squad", train: where(squadTrain), dev: where(squadDev) } });
  } else {
    found.missing.push({ key: "squad", why: `no ${squadTrain} and ${squadDev} in ${root}` });
  }
  return found;
}

/** WordNet-4 and WordNet tagging, written into workDir (once; the same files on a resume). */
function embeddedTasks(workDir: string, write: boolean): FoundTasks {
  const wn4Dir = path.join(workDir, "wordnet4");
  const tagDir = path.join(workDir, "wordnet-tags");
  if (write && !fs.existsSync(path.join(wn4Dir, "dev.tsv"))) {
    const wn = wordnetTask({ lexnames: ["noun.animal", "noun.artifact", "noun.person", "noun.plant"] });
    const tsv = (rows: readonly { text: string; labelName: string }[]) => "text\tlabel\n" + rows.map((e) => `${e.text.replace(/\s+/g, " ")}\t${e.labelName}`).join("\n") + "\n";
    fs.mkdirSync(wn4Dir, { recursive: true });
    writeFileAtomic(path.join(wn4Dir, "train.tsv"), tsv(wn.train));
    writeFileAtomic(path.join(wn4Dir, "dev.tsv"), tsv(wn.dev));
  }
  if (write && !fs.existsSync(path.join(tagDir, "emerging.dev.conll"))) writeConllFolder(tagDir, wordnetTagging());
  return {
    sentence: [{ key: "wordnet4", title: "WordNet-4", level: "sentence", metric: "accuracy", data: { task: "tsv", train: path.join(wn4Dir, "train.tsv"), dev: path.join(wn4Dir, "dev.tsv") } }],
    token: [{ key: "wordnet-tags", title: "WordNet tagging", level: "token", metric: "f1", data: { task: "wnut17", data: tagDir } }],
    span: [],
    missing: [],
    source: "the embedded WordNet tasks (give --from DIR or --data DIR for GLUE and NER)",
  };
}
