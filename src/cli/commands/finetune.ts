/** `bert-lab finetune` and `bert-lab evaluate`: sentence-level tasks (paper §4.1). */
import * as path from "node:path";
import { initBackend } from "../../backend/select";
import { accuracy, glueMetrics } from "../../finetuning/metrics";
import { FINETUNE_TASKS, FinetuneTaskName, finetune, loadSentenceTask, SENTENCE_TASKS, SentenceTaskName } from "../../finetuning/finetune";
import { encodeExamples, sequenceClassificationTask } from "../../finetuning/sequence-classification";
import { GlueTaskName } from "../../data/glue";
import { BertForSequenceClassification } from "../../model/task-models";
import { modelFromFolder } from "../../model/weights/pretrained";
import { BertTokenizer } from "../../tokenization/bert-tokenizer";
import { Vocab } from "../../tokenization/vocab";
import { BertLabError } from "../../util/errors";
import { Command } from "../command";
import { ProgressBar } from "../progress";
import { describeRecord } from "./pretrain";

const LATER = ["conll2003", "squad", "tsv"];

function checkTask(name: string, known: readonly string[] = FINETUNE_TASKS): FinetuneTaskName {
  if (LATER.includes(name) || (FINETUNE_TASKS.includes(name as FinetuneTaskName) && !known.includes(name))) {
    throw new BertLabError("NOT_YET", `task ${name} is not supported here yet (CoNLL-2003, SQuAD and user TSVs come next); now: ${known.join(", ")}`);
  }
  if (!known.includes(name)) throw new BertLabError("UNKNOWN_TASK", `unknown task "${name}" — choose one of ${known.join(", ")}`);
  return name as FinetuneTaskName;
}

export const finetuneCommand: Command = {
  spec: {
    name: "finetune",
    summary: "Fine-tune BERT on a sentence-level task (GLUE, the WordNet task) or NER (WNUT-17) and keep the best model.",
    usage:
      "bert-lab finetune --task sst2|cola|mrpc|rte|stsb|qnli|mnli|wordnet|wnut17 (--data DIR | --from DIR) --model DIR|PRESET --out DIR [--epochs 3] [--learning-rate 2e-5] [--batch-size 32] [--max-seq-length 128] [--seed 42]",
    options: {
      task: { type: "string", value: "NAME", required: true, description: FINETUNE_TASKS.join(" | ") },
      data: { type: "string", value: "DIR", description: "the task's folder (GLUE layout: train.tsv, dev.tsv; WNUT-17: wnut17train.conll, emerging.dev.conll)" },
      from: { type: "string", value: "DIR", description: "a mirror to fetch the dataset from (e.g. ../shared/data)" },
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
metric, an HF folder) and DIR/eval.json ({"task", "metric": {...}, "epoch", "seconds"}).`,
  },

  async run(args, io) {
    const v = args.values as Record<string, string | number | boolean | undefined>;
    const task = checkTask(String(v.task));
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
        data: v.data as string | undefined,
        from: v.from as string | undefined,
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
    summary: "Evaluate a fine-tuned sentence-level model on a task's dev set.",
    usage: "bert-lab evaluate --task NAME --model DIR (--data DIR | --from DIR) [--batch-size 32] [--max-seq-length 128]",
    options: {
      task: { type: "string", value: "NAME", required: true, description: SENTENCE_TASKS.join(" | ") },
      model: { type: "string", value: "DIR", required: true, description: "a fine-tuned HF folder (e.g. finetune's DIR/best)" },
      data: { type: "string", value: "DIR", description: "the task's folder" },
      from: { type: "string", value: "DIR", description: "a mirror to fetch the dataset from" },
      cased: { type: "boolean", description: "keep case and accents" },
      "batch-size": { type: "number", value: "B", default: 32, description: "examples per forward pass" },
      "max-seq-length": { type: "number", value: "L", default: 128, description: "tokens per example" },
      "max-dev-examples": { type: "number", value: "N", description: "only the first N dev examples" },
      backend: { type: "string", value: "NAME", description: "tfjs backend" },
    },
  },

  async run(args, io) {
    const v = args.values as Record<string, string | number | boolean | undefined>;
    const task = checkTask(String(v.task), SENTENCE_TASKS) as SentenceTaskName;
    await initBackend({ prefer: v.backend as string | undefined, quiet: true });
    const data = await loadSentenceTask(task, { data: v.data as string | undefined, from: v.from as string | undefined });
    const dev = v["max-dev-examples"] ? data.dev.slice(0, v["max-dev-examples"] as number) : data.dev;
    const { model, report, vocabPath } = modelFromFolder(String(v.model), (c) => new BertForSequenceClassification(c, data.numLabels), { log: () => {} });
    try {
      if (report.initialized.length > 0) {
        throw new BertLabError("NOT_FINE_TUNED", `${v.model} has no trained classifier (${report.initialized.join(", ")} missing): evaluate a folder written by bert-lab finetune (DIR/best)`);
      }
      if (!vocabPath) throw new BertLabError("VOCAB_NOT_FOUND", `${v.model} has no vocab.txt`);
      const tokenizer = new BertTokenizer(Vocab.fromFile(vocabPath), { doLowerCase: !v.cased });
      const t = sequenceClassificationTask(model, tokenizer, dev, dev, { batchSize: v["batch-size"] as number, maxSeqLength: v["max-seq-length"] as number });
      const predictions = t.predict(encodeExamples(tokenizer, dev, v["max-seq-length"] as number));
      const labels = dev.map((e) => e.label);
      const metric = task === "wordnet" ? { accuracy: accuracy(predictions, labels) } : glueMetrics(task as GlueTaskName, predictions, labels);
      io.stdout.write(JSON.stringify({ task, metric, examples: dev.length }) + "\n");
      return 0;
    } finally {
      model.dispose();
    }
  },
};
