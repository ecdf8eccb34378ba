/** `bert-lab finetune` and `bert-lab evaluate`: sentence tasks, a TSV of your own, and NER (paper §4.1, §4.3). */
import * as path from "node:path";
import { initBackend } from "../../backend/select";
import { evaluateModel } from "../../finetuning/evaluate";
import { FINETUNE_TASKS, FinetuneTaskName, finetune, TaskDataOptions } from "../../finetuning/finetune";
import { BertLabError } from "../../util/errors";
import { Command } from "../command";
import type { OptionSpec, ParsedValue } from "../args";
import { ProgressBar } from "../progress";
import { describeRecord } from "./pretrain";

/** tasks with a name but not built yet */
const LATER = ["squad"];

function checkTask(name: string): FinetuneTaskName {
  if (LATER.includes(name)) throw new BertLabError("NOT_YET", `task ${name} is not supported here yet (SQuAD is coming); now: ${FINETUNE_TASKS.join(", ")}`);
  if (!FINETUNE_TASKS.includes(name as FinetuneTaskName)) throw new BertLabError("UNKNOWN_TASK", `unknown task "${name}" — choose one of ${FINETUNE_TASKS.join(", ")}`);
  return name as FinetuneTaskName;
}

/** Where the data is: finetune and evaluate. */
const WHERE: Record<string, OptionSpec> = {
  data: { type: "string", value: "DIR", description: "the task's folder (GLUE: train.tsv, dev.tsv; WNUT-17: wnut17train.conll, emerging.dev.conll; CoNLL-2003: eng.train, eng.testa, eng.testb or train.txt, valid.txt, test.txt; tsv: train.tsv, dev.tsv)" },
  from: { type: "string", value: "DIR", description: "a mirror to fetch the dataset from (e.g. ../shared/data; CoNLL-2003: its ner/conll2003 or conll2003 folder)" },
};

/** How a TSV reads, and bad rows: finetune and evaluate. */
const READING: Record<string, OptionSpec> = {
  "text-column": { type: "string", value: "NAME|INDEX", description: 'tsv: the text column, by header name or 0-based index, negative from the end (default "sentence", "text", "sentence1" or "text_a", else 0)' },
  "text-b-column": { type: "string", value: "NAME|INDEX", description: "tsv: the second text of a pair task (default none, or sentence2 / text_b beside sentence1 / text_a)" },
  "label-column": { type: "string", value: "NAME|INDEX", description: 'tsv: the label column (default "label", else the last)' },
  header: { type: "boolean", description: "tsv: the first row is a header (default: found out)" },
  "no-header": { type: "boolean", description: "tsv: the first row is data" },
  "skip-bad-rows": { type: "boolean", description: "leave malformed rows (TSV, GLUE) or sentences (CoNLL) out, with a count, instead of stopping" },
};

/** A column option's value: digits (optionally negative) are an index, anything else a name. */
const column = (v: ParsedValue): string | number | undefined => (v === undefined ? undefined : /^-?\d+$/.test(String(v)) ? Number(v) : String(v));

const TSV_ONLY = ["train", "dev", "text-column", "text-b-column", "label-column", "header", "no-header", "regression"];

function dataOptions(task: FinetuneTaskName, v: Record<string, ParsedValue>): TaskDataOptions {
  const misplaced = task === "tsv" ? [] : TSV_ONLY.filter((k) => v[k] !== undefined && v[k] !== false);
  if (misplaced.length) throw new BertLabError("BAD_OPTION", `${misplaced.map((k) => `--${k}`).join(", ")} ${misplaced.length > 1 ? "are" : "is"} for --task tsv; task ${task} reads its own files from --data DIR or --from DIR`);
  if (v.header && v["no-header"]) throw new BertLabError("BAD_OPTION", "--header and --no-header contradict each other: pass one (or neither, to have it found out)");
  return {
    data: v.data as string | undefined,
    from: v.from as string | undefined,
    dev: v.dev as string | undefined,
    textColumn: column(v["text-column"]),
    textBColumn: column(v["text-b-column"]),
    labelColumn: column(v["label-column"]),
    header: v.header ? true : v["no-header"] ? false : "auto",
    skipBadRows: Boolean(v["skip-bad-rows"]),
  };
}

export const finetuneCommand: Command = {
  spec: {
    name: "finetune",
    summary: "Fine-tune BERT on a sentence task (GLUE, the WordNet task, your own TSV) or NER (WNUT-17, CoNLL-2003) and keep the best model.",
    usage:
      "bert-lab finetune --task sst2|cola|mrpc|rte|stsb|qnli|mnli|wordnet|wnut17|conll2003|tsv (--data DIR | --from DIR | --train FILE --dev FILE) --model DIR|PRESET --out DIR [--epochs 3] [--learning-rate 2e-5] [--batch-size 32] [--max-seq-length 128] [--seed 42]",
    options: {
      task: { type: "string", value: "NAME", required: true, description: FINETUNE_TASKS.join(" | ") },
      ...WHERE,
      train: { type: "string", value: "FILE", description: "tsv: the training file (instead of --data DIR/train.tsv)" },
      dev: { type: "string", value: "FILE", description: "tsv: the dev file, scored after each epoch (instead of --data DIR/dev.tsv)" },
      ...READING,
      regression: { type: "boolean", description: "tsv: the labels are numbers (one output, scored by Pearson and Spearman)" },
      model: { type: "string", value: "DIR|PRESET", required: true, description: "an HF folder (e.g. a pretrain checkpoint), or a preset for random weights" },
      vocab: { type: "string", value: "FILE", description: "vocab.txt (needed with a preset)" },
      cased: { type: "boolean", description: "keep case and accents" },
      out: { type: "string", value: "DIR", required: true, description: "run folder: metrics.jsonl, best/, eval.json" },
      epochs: { type: "number", value: "N", default: 3, description: "passes over the training set (paper: 2–4)" },
      "learning-rate": { type: "number", value: "LR", default: 2e-5, description: "peak learning rate (paper: 5e-5, 3e-5 or 2e-5)" },
      "batch-size": { type: "number", value: "B", default: 32, description: "examples per step" },
      "max-seq-length": { type: "number", value: "L", default: 128, description: "tokens per example" },
      seed: { type: "number", value: "S", default: 42, description: "seeds the classifier, the order and dropout" },
      "max-train-examples": { type: "number", value: "N", description: "use only the first N training examples" },
      "max-dev-examples": { type: "number", value: "N", description: "use only the first N dev examples" },
      backend: { type: "string", value: "NAME", description: "tfjs backend (default: the fastest that works)" },
    },
    details: `Writes DIR/metrics.jsonl (per step), DIR/best/ (the best model by the task's headline
metric, an HF folder whose config.json names the classes: id2label, label2id, problem_type)
and DIR/eval.json ({"task", "metric": {...}, "epoch", "seconds"}).

CoNLL-2003 is not redistributable: give your copy with --data DIR (4 columns, IOB1 tags,
trained as IOB2); scored by seqeval's entity F1, like WNUT-17.

tsv: one example per line, tab-separated; classes are the train file's distinct labels,
sorted (scored by accuracy, plus F1 of the second label when there are two, macro-F1 when
more), or numbers with --regression (Pearson, Spearman). A row with a missing column is an
error naming file:line, or left out with --skip-bad-rows.
  bert-lab finetune --task tsv --train reviews/train.tsv --dev reviews/dev.tsv --text-column review --label-column stars --model DIR --out runs/reviews`,
  },

  async run(args, io) {
    const v = args.values as Record<string, string | number | boolean | undefined>;
    const task = checkTask(String(v.task));
    const data = dataOptions(task, v);
    const backend = await initBackend({ prefer: v.backend as string | undefined });
    io.stderr.write(`backend ${backend.chosen}\n`);
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.on("SIGINT", onSigint);
    let bar: ProgressBar | null = null;
    const say = (line: string) => (bar ? bar.log(line) : io.stderr.write(line + "\n"));
    try {
      const r = await finetune({
        task,
        ...data,
        train: v.train as string | undefined,
        regression: Boolean(v.regression),
        model: String(v.model),
        vocab: v.vocab as string | undefined,
        cased: Boolean(v.cased),
        outDir: String(v.out),
        epochs: v.epochs as number,
        learningRate: v["learning-rate"] as number,
        batchSize: v["batch-size"] as number,
        maxSeqLength: v["max-seq-length"] as number,
        seed: v.seed as number,
        maxTrainExamples: v["max-train-examples"] as number | undefined,
        maxDevExamples: v["max-dev-examples"] as number | undefined,
        signal: controller.signal,
        log: say,
        callbacks: {
          onStep(info) {
            bar ??= new ProgressBar(io.stderr as NodeJS.WriteStream, info.steps, info.step - 1);
            bar.update(info.step, `loss ${info.loss.toFixed(3)}`);
          },
          onLog: (rec) => void say(`step ${rec.step}  ${describeRecord(rec)}`),
          onEval: (rec) => void say(`eval at step ${rec.step}  ${describeRecord(rec)}`),
        },
      });
      (bar as ProgressBar | null)?.finish();
      io.stdout.write(JSON.stringify({ task, metric: r.best?.metrics ?? {}, epoch: r.best?.epoch ?? 0, seconds: Math.round(r.seconds) }) + "\n");
      io.stderr.write(`best model: ${r.bestDir}; ${path.join(String(v.out), "eval.json")}\n`);
      return r.result.stopped === "interrupted" ? 130 : 0;
    } finally {
      process.off("SIGINT", onSigint);
    }
  },
};

export const evaluateCommand: Command = {
  spec: {
    name: "evaluate",
    summary: "Evaluate a fine-tuned model (finetune's DIR/best) on a task's dev set, or a NER task's test set.",
    usage: "bert-lab evaluate --task NAME --model DIR (--data DIR | --from DIR | --dev FILE) [--split dev|test] [--batch-size 32] [--max-seq-length 128]",
    options: {
      task: { type: "string", value: "NAME", required: true, description: FINETUNE_TASKS.join(" | ") },
      model: { type: "string", value: "DIR", required: true, description: "a fine-tuned HF folder (e.g. finetune's DIR/best); NER and tsv read the class names from its id2label" },
      ...WHERE,
      dev: { type: "string", value: "FILE", description: "tsv: the file to score (instead of --data DIR/dev.tsv)" },
      ...READING,
      split: { type: "string", value: "dev|test", default: "dev", description: "NER: test scores CoNLL-2003's eng.testb (test.txt) or WNUT-17's emerging.test.annotated" },
      cased: { type: "boolean", description: "keep case and accents (default: the folder's tokenizer_config.json, else lower-case)" },
      "batch-size": { type: "number", value: "B", default: 32, description: "examples per forward pass" },
      "max-seq-length": { type: "number", value: "L", default: 128, description: "tokens per example (as fine-tuned, to get its numbers again)" },
      "max-dev-examples": { type: "number", value: "N", description: "only the first N examples (sentences)" },
      backend: { type: "string", value: "NAME", description: "tfjs backend" },
    },
    details: `Prints one JSON line: {"task", "metric": {...}, "examples"} — the task's metrics as finetune
reports them (NER: seqeval's f1, precision, recall, and "perType" per entity type; tsv:
accuracy and F1 / macro-F1, or Pearson and Spearman for a regression), plus "split" and
"skipped" (rows left out with --skip-bad-rows).`,
  },

  async run(args, io) {
    const v = args.values as Record<string, string | number | boolean | undefined>;
    const task = checkTask(String(v.task));
    const data = dataOptions(task, v);
    const split = String(v.split);
    if (split !== "dev" && split !== "test") throw new BertLabError("BAD_OPTION", `--split must be dev or test, got ${JSON.stringify(split)}`);
    await initBackend({ prefer: v.backend as string | undefined, quiet: true });
    const r = await evaluateModel({
      task,
      ...data,
      model: String(v.model),
      cased: v.cased === undefined ? undefined : Boolean(v.cased),
      batchSize: v["batch-size"] as number,
      maxSeqLength: v["max-seq-length"] as number,
      maxDevExamples: v["max-dev-examples"] as number | undefined,
      split,
      log: (line) => void io.stderr.write(line + "\n"),
    });
    const line: Record<string, unknown> = { task, metric: r.metric, examples: r.examples };
    if (r.perType) line.perType = r.perType;
    if (r.split !== "dev") line.split = r.split;
    if (r.skipped) line.skipped = r.skipped;
    io.stdout.write(JSON.stringify(line) + "\n");
    return 0;
  },
};
