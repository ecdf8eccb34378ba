/**
 * `bert-lab finetune` and `bert-lab evaluate`: sentence tasks, a TSV of your own, NER (paper
 * §4.1, §4.3) — also the feature-based approach (§5.3) — and SQuAD v1.1 span QA (§4.2).
 */
import * as path from "node:path";
import { initBackend } from "../../backend/select";
import { describeBackend } from "../../backend/describe";
import { evaluateModel } from "../../finetuning/evaluate";
import { finetuneFeatureBased } from "../../finetuning/feature-based";
import { TaggerKind } from "../../finetuning/feature-tagger";
import { LAYER_CHOICE_FORMS } from "../../finetuning/layer-choice";
import { FINETUNE_TASKS, FinetuneResult, FinetuneTaskName, finetune, TaskDataOptions, TOKEN_TASKS } from "../../finetuning/finetune";
import { PRESETS } from "../../model/config";
import { writeFileAtomic } from "../../util/atomic-write";
import { BertLabError } from "../../util/errors";
import { Command } from "../command";
import type { OptionSpec, ParsedValue } from "../args";
import { ProgressBar } from "../progress";
import { describeRecord } from "./pretrain";

function checkTask(name: string): FinetuneTaskName {
  if (!FINETUNE_TASKS.includes(name as FinetuneTaskName)) throw new BertLabError("UNKNOWN_TASK", `unknown task "${name}" — choose one of ${FINETUNE_TASKS.join(", ")}`);
  return name as FinetuneTaskName;
}

/** Where the data is: finetune and evaluate. */
const WHERE: Record<string, OptionSpec> = {
  data: {
    type: "string",
    value: "DIR",
    description:
      "the task's folder (GLUE: train.tsv, dev.tsv; WNUT-17: wnut17train.conll, emerging.dev.conll; CoNLL-2003: eng.train, eng.testa, eng.testb or train.txt, valid.txt, test.txt; squad: train-v1.1.json, dev-v1.1.json; tsv: train.tsv, dev.tsv)",
  },
  from: { type: "string", value: "DIR", description: "a mirror to fetch the dataset from (e.g. ../shared/data; CoNLL-2003: its ner/conll2003 or conll2003 folder; squad: the dev set only)" },
};

/** How a TSV reads, and bad rows: finetune and evaluate. */
const READING: Record<string, OptionSpec> = {
  "text-column": { type: "string", value: "NAME|INDEX", description: 'tsv: the text column, by header name or 0-based index, negative from the end (default "sentence", "text", "sentence1" or "text_a", else 0)' },
  "text-b-column": { type: "string", value: "NAME|INDEX", description: "tsv: the second text of a pair task (default none, or sentence2 / text_b beside sentence1 / text_a)" },
  "label-column": { type: "string", value: "NAME|INDEX", description: 'tsv: the label column (default "label", else the last)' },
  header: { type: "boolean", description: "tsv: the first row is a header (default: found out)" },
  "no-header": { type: "boolean", description: "tsv: the first row is data" },
  "skip-bad-rows": { type: "boolean", description: "leave malformed rows (TSV, GLUE), sentences (CoNLL) or questions (SQuAD) out, with a count, instead of stopping" },
};

/** SQuAD's windows and answers: finetune and evaluate (run_squad.py's flags and defaults). */
const SQUAD: Record<string, OptionSpec> = {
  "doc-stride": { type: "number", value: "N", description: "squad: pieces between the starts of two windows over a long passage (default 128)" },
  "max-query-length": { type: "number", value: "N", description: "squad: the question is cut to this many pieces (default 64)" },
  "n-best-size": { type: "number", value: "N", description: "squad: start and end candidates per window, answers kept per question (default 20)" },
  "max-answer-length": { type: "number", value: "N", description: "squad: the longest answer, in word pieces (default 30)" },
};

/** A column option's value: digits (optionally negative) are an index, anything else a name. */
const column = (v: ParsedValue): string | number | undefined => (v === undefined ? undefined : /^-?\d+$/.test(String(v)) ? Number(v) : String(v));

const given = (v: Record<string, ParsedValue>, keys: readonly string[]) => keys.filter((k) => v[k] !== undefined && v[k] !== false);
const listed = (keys: string[]) => `${keys.map((k) => `--${k}`).join(", ")} ${keys.length > 1 ? "are" : "is"}`;

const TSV_ONLY = ["text-column", "text-b-column", "label-column", "header", "no-header", "regression"];
const FILES = ["train", "dev"];

function dataOptions(task: FinetuneTaskName, v: Record<string, ParsedValue>): TaskDataOptions {
  const tsvOnly = task === "tsv" ? [] : given(v, TSV_ONLY);
  const files = task === "tsv" || task === "squad" ? [] : given(v, FILES);
  if (tsvOnly.length || files.length) {
    const where = task === "squad" ? "--train/--dev FILE, --data DIR or --from DIR" : "--data DIR or --from DIR";
    throw new BertLabError("BAD_OPTION", `${listed([...files, ...tsvOnly])} for --task tsv${files.length ? " (--train and --dev also for squad)" : ""}; task ${task} reads its own files from ${where}`);
  }
  const squadOnly = task === "squad" ? [] : given(v, Object.keys(SQUAD));
  if (squadOnly.length) throw new BertLabError("BAD_OPTION", `${listed(squadOnly)} for --task squad, not ${task}`);
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

/** run_squad.py's settings from the command line (undefined: the library's defaults). */
const squadSettings = (v: Record<string, ParsedValue>) => ({
  docStride: v["doc-stride"] as number | undefined,
  maxQueryLength: v["max-query-length"] as number | undefined,
  nBestSize: v["n-best-size"] as number | undefined,
  maxAnswerLength: v["max-answer-length"] as number | undefined,
});

const TAGGER_OPTIONS = ["tagger", "tagger-hidden", "tagger-layers"];

export const finetuneCommand: Command = {
  spec: {
    name: "finetune",
    summary: "Fine-tune BERT on a sentence task (GLUE, the WordNet task, your own TSV), NER (WNUT-17, CoNLL-2003; or the feature-based approach) or SQuAD v1.1, and keep the best model.",
    usage:
      "bert-lab finetune --task sst2|cola|mrpc|rte|stsb|qnli|mnli|wordnet|wnut17|conll2003|squad|tsv (--data DIR | --from DIR | --train FILE --dev FILE) --model DIR|PRESET --out DIR [--epochs N] [--learning-rate LR] [--batch-size 32] [--max-seq-length L] [--seed 42] [--bilstm UNITS] [--feature-based LAYERS [--tagger bilstm|linear]]",
    options: {
      task: { type: "string", value: "NAME", required: true, description: FINETUNE_TASKS.join(" | ") },
      ...WHERE,
      train: { type: "string", value: "FILE", description: "tsv: the training file (instead of --data DIR/train.tsv); squad: train-v1.1.json (needed with --from: the mirror has only the dev set)" },
      dev: { type: "string", value: "FILE", description: "tsv: the dev file, scored after each epoch (instead of --data DIR/dev.tsv); squad: dev-v1.1.json" },
      ...READING,
      regression: { type: "boolean", description: "tsv: the labels are numbers (one output, scored by Pearson and Spearman)" },
      model: { type: "string", value: "DIR|PRESET", required: true, description: "an HF folder (e.g. a pretrain checkpoint), or a preset for random weights" },
      vocab: { type: "string", value: "FILE", description: "vocab.txt (needed with a preset)" },
      cased: { type: "boolean", description: "keep case and accents" },
      out: { type: "string", value: "DIR", required: true, description: "run folder: metrics.jsonl, best/, eval.json (squad: also predictions.json, nbest_predictions.json)" },
      epochs: { type: "number", value: "N", description: "passes over the training set (default 3; squad 2, run_squad.py's example; paper: 2–4)" },
      "learning-rate": {
        type: "number",
        value: "LR",
        description: "peak learning rate (default 2e-5; squad 3e-5, run_squad.py's example; --feature-based 1e-3: a new tagger needs larger steps; paper: 5e-5, 3e-5 or 2e-5)",
      },
      "batch-size": { type: "number", value: "B", default: 32, description: "examples (squad: windows; --feature-based: sentences) per step" },
      "max-seq-length": { type: "number", value: "L", description: "tokens per example (default 128; squad 384, run_squad.py's: the window over question and passage)" },
      ...SQUAD,
      "feature-based": { type: "string", value: "LAYERS", description: `NER only: keep BERT frozen and train a tagger on these layers' features (paper §5.3, Table 7): ${LAYER_CHOICE_FORMS}` },
      tagger: { type: "string", value: "bilstm|linear", description: "--feature-based: the task model (default bilstm, the paper's; linear: a classifier alone)" },
      "tagger-hidden": { type: "number", value: "N", description: "--feature-based: LSTM units per direction (default 128)" },
      "tagger-layers": { type: "number", value: "N", description: "--feature-based: stacked BiLSTM layers (default 1; the paper's is 2)" },
      bilstm: { type: "number", value: "UNITS", description: "sentence and token tasks: a randomly initialised BiLSTM (UNITS per direction) between BERT and the classifier — Table 5's \"+ BiLSTM\" row on a left-to-right model" },
      seed: { type: "number", value: "S", default: 42, description: "seeds the new head, the order and dropout" },
      "max-train-examples": { type: "number", value: "N", description: "use only the first N training examples (sentences; squad: questions)" },
      "max-dev-examples": { type: "number", value: "N", description: "use only the first N dev examples (sentences; squad: questions)" },
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
  bert-lab finetune --task tsv --train reviews/train.tsv --dev reviews/dev.tsv --text-column review --label-column stars --model DIR --out runs/reviews

squad (SQuAD v1.1, as run_squad.py): windows of --max-seq-length pieces over each passage,
--doc-stride apart; the answer is the best span of at most --max-answer-length pieces.
Defaults are run_squad.py's example for BERT-base: lr 3e-5, 2 epochs, length 384, stride 128
(the paper: lr 5e-5, batch 32, 3 epochs). Scored on dev by the official F1 (the headline, which
picks the best epoch) and exact match, in percent. The best epoch's answers go to
DIR/predictions.json (question id → text) and DIR/nbest_predictions.json. The mirror holds
only dev-v1.1.json: give train-v1.1.json with --train FILE (for a smoke test the dev file
will do, with --max-train-examples N).
  bert-lab finetune --task squad --train squad/train-v1.1.json --from ../shared/data --model DIR --out runs/squad

--feature-based LAYERS (wnut17, conll2003): BERT stays frozen; each word's features (its
first piece's hidden states: one layer such as -2, sum:-1,-2,-3,-4, concat-last-4, weighted)
are extracted once and a BiLSTM (or linear) tagger is trained on them, lr 1e-3 by default.
DIR/best holds tagger.safetensors and tagger.json (which names the BERT folder, as an
absolute path, for evaluate); eval.json adds "layers" and "tagger".
  bert-lab finetune --task wnut17 --from ../shared/data --model DIR --out runs/wnut-fb --feature-based concat-last-4`,
  },

  async run(args, io) {
    const v = args.values as Record<string, string | number | boolean | undefined>;
    const task = checkTask(String(v.task));
    const data = dataOptions(task, v);
    const featureBased = v["feature-based"] as string | undefined;
    if (featureBased !== undefined && !(TOKEN_TASKS as readonly string[]).includes(task)) {
      throw new BertLabError("BAD_OPTION", `--feature-based is for NER (${TOKEN_TASKS.join(", ")}): task ${task} fine-tunes the whole model — drop --feature-based`);
    }
    if (featureBased !== undefined && v.bilstm !== undefined) throw new BertLabError("BAD_OPTION", "--bilstm is for fine-tuning; with --feature-based the tagger is a BiLSTM already (--tagger-hidden sets its units)");
    const taggerOptions = given(v, TAGGER_OPTIONS);
    if (featureBased === undefined && taggerOptions.length) throw new BertLabError("BAD_OPTION", `${listed(taggerOptions)} for the feature-based approach: add --feature-based LAYERS (e.g. -1 or concat-last-4)`);
    const backend = await initBackend({ prefer: v.backend as string | undefined });
    io.stderr.write(`backend ${describeBackend(backend)}\n`);
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.on("SIGINT", onSigint);
    let bar: ProgressBar | null = null;
    const say = (line: string) => (bar ? bar.log(line) : io.stderr.write(line + "\n"));
    try {
      const model = String(v.model);
      const common = {
        task,
        ...data,
        train: v.train as string | undefined,
        regression: Boolean(v.regression),
        model,
        vocab: v.vocab as string | undefined,
        cased: Boolean(v.cased),
        outDir: String(v.out),
        epochs: v.epochs as number | undefined,
        learningRate: v["learning-rate"] as number | undefined,
        batchSize: v["batch-size"] as number,
        maxSeqLength: v["max-seq-length"] as number | undefined,
        seed: v.seed as number,
        bilstm: v.bilstm as number | undefined,
        maxTrainExamples: v["max-train-examples"] as number | undefined,
        maxDevExamples: v["max-dev-examples"] as number | undefined,
        signal: controller.signal,
        log: say,
        callbacks: {
          onStep(info: { step: number; steps: number; loss: number }) {
            bar ??= new ProgressBar(io.stderr as NodeJS.WriteStream, info.steps, info.step - 1);
            bar.update(info.step, `loss ${info.loss.toFixed(3)}`);
          },
          onLog: (rec: Parameters<typeof describeRecord>[0]) => void say(`step ${rec.step}  ${describeRecord(rec)}`),
          onEval: (rec: Parameters<typeof describeRecord>[0]) => void say(`eval at step ${rec.step}  ${describeRecord(rec)}`),
        },
      };
      let r: FinetuneResult;
      const line: Record<string, unknown> = {};
      if (featureBased !== undefined) {
        const fb = await finetuneFeatureBased({
          ...common,
          // tagger.json records the BERT folder; absolute, so that evaluate finds it from anywhere
          model: model in PRESETS ? model : path.resolve(model),
          layers: featureBased,
          tagger: v.tagger as TaggerKind | undefined,
          hiddenSize: v["tagger-hidden"] as number | undefined,
          lstmLayers: v["tagger-layers"] as number | undefined,
        });
        r = fb;
        Object.assign(line, { layers: fb.layers, tagger: fb.tagger });
      } else {
        r = await finetune({ ...common, ...squadSettings(v) });
      }
      (bar as ProgressBar | null)?.finish();
      io.stdout.write(JSON.stringify({ task, metric: r.best?.metrics ?? {}, epoch: r.best?.epoch ?? 0, seconds: Math.round(r.seconds), ...line }) + "\n");
      io.stderr.write(`best model: ${r.bestDir}; ${path.join(String(v.out), "eval.json")}${r.predictionsFile ? `; answers: ${r.predictionsFile}` : ""}\n`);
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
    usage: "bert-lab evaluate --task NAME --model DIR (--data DIR | --from DIR | --dev FILE) [--split dev|test] [--batch-size 32] [--max-seq-length L] [--bert DIR] [--predictions OUT.json]",
    options: {
      task: { type: "string", value: "NAME", required: true, description: FINETUNE_TASKS.join(" | ") },
      model: { type: "string", value: "DIR", required: true, description: "a fine-tuned HF folder (e.g. finetune's DIR/best; NER and tsv read the class names from its id2label), or a feature-based tagger's folder (tagger.json)" },
      ...WHERE,
      dev: { type: "string", value: "FILE", description: "tsv: the file to score (instead of --data DIR/dev.tsv); squad: dev-v1.1.json" },
      ...READING,
      split: { type: "string", value: "dev|test", default: "dev", description: "NER: test scores CoNLL-2003's eng.testb (test.txt) or WNUT-17's emerging.test.annotated" },
      cased: { type: "boolean", description: "keep case and accents (default: the folder's tokenizer_config.json, else lower-case)" },
      "batch-size": { type: "number", value: "B", default: 32, description: "examples (squad: windows) per forward pass" },
      "max-seq-length": { type: "number", value: "L", description: "tokens per example, as fine-tuned, to get its numbers again (default 128; squad 384)" },
      ...SQUAD,
      bert: { type: "string", value: "DIR", description: "a feature-based tagger's frozen BERT (default: the folder its tagger.json names)" },
      predictions: { type: "string", value: "FILE", description: "squad: write the answers there (question id → text, as run_squad.py's predictions.json)" },
      "max-dev-examples": { type: "number", value: "N", description: "only the first N examples (sentences; squad: questions)" },
      backend: { type: "string", value: "NAME", description: "tfjs backend" },
    },
    details: `Prints one JSON line: {"task", "metric": {...}, "examples"} — the task's metrics as finetune
reports them (NER: seqeval's f1, precision, recall, and "perType" per entity type; tsv:
accuracy and F1 / macro-F1, or Pearson and Spearman for a regression; squad: the official
f1 and exact_match, in percent), plus "split" and "skipped" (rows left out with
--skip-bad-rows). To get eval.json's numbers again, pass the settings fine-tuned with
(--max-seq-length; squad: --doc-stride, --max-query-length, --n-best-size, --max-answer-length;
--batch-size too, for the last digits).
  bert-lab evaluate --task squad --model runs/squad/best --from ../shared/data --predictions runs/squad/dev-answers.json
  bert-lab evaluate --task wnut17 --model runs/wnut-fb/best --from ../shared/data`,
  },

  async run(args, io) {
    const v = args.values as Record<string, string | number | boolean | undefined>;
    const task = checkTask(String(v.task));
    const data = dataOptions(task, v);
    const split = String(v.split);
    if (split !== "dev" && split !== "test") throw new BertLabError("BAD_OPTION", `--split must be dev or test, got ${JSON.stringify(split)}`);
    if (v.predictions !== undefined && task !== "squad") throw new BertLabError("BAD_OPTION", `--predictions is for --task squad (the answers), not ${task}`);
    if (v.bert !== undefined && !(TOKEN_TASKS as readonly string[]).includes(task)) throw new BertLabError("BAD_OPTION", `--bert is for a feature-based NER tagger (${TOKEN_TASKS.join(", ")}), not task ${task}`);
    await initBackend({ prefer: v.backend as string | undefined, quiet: true });
    const r = await evaluateModel({
      task,
      ...data,
      ...squadSettings(v),
      model: String(v.model),
      bert: v.bert as string | undefined,
      cased: v.cased === undefined ? undefined : Boolean(v.cased),
      batchSize: v["batch-size"] as number,
      maxSeqLength: v["max-seq-length"] as number | undefined,
      maxDevExamples: v["max-dev-examples"] as number | undefined,
      split,
      log: (line) => void io.stderr.write(line + "\n"),
    });
    if (v.predictions !== undefined) {
      writeFileAtomic(String(v.predictions), JSON.stringify(r.predictions ?? {}, null, 4) + "\n");
      io.stderr.write(`answers of ${r.examples} questions: ${v.predictions}\n`);
    }
    const line: Record<string, unknown> = { task, metric: r.metric, examples: r.examples };
    if (r.perType) line.perType = r.perType;
    if (r.split !== "dev") line.split = r.split;
    if (r.skipped) line.skipped = r.skipped;
    io.stdout.write(JSON.stringify(line) + "\n");
    return 0;
  },
};
