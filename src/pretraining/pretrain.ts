/**
 * Pre-training a BERT (paper §3.1, Appendix A.2), the whole job: the corpus and vocab in, a
 * model with checkpoints and metrics.jsonl out. What `bert-lab pretrain` runs; a notebook
 * calls it the same way and watches the callbacks.
 *
 * Data, by `masking`:
 *   "static"   (default) the original's instances, exactly: create_pretraining_data.py's
 *              rules with CPython's generator seeded by `seed`, dupeFactor passes, held in
 *              memory (about 1 KB per instance at length 128)
 *   "dynamic"  the corpus streamed a window at a time, instances masked afresh each time
 *              they are batched (RoBERTa / HF); memory bounded by the window
 *
 * @example
 *   const { result, model } = await pretrain({ config: "tiny", vocab: "vocab.txt", input: ["corpus.txt"],
 *     outDir: "runs/tiny", steps: 500, batchSize: 16, maxSeqLength: 64,
 *     callbacks: { onLog: (r) => console.log(r.step, r.mlm_loss) } });
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ensureBackend } from "../backend/select";
import { BertForPreTraining } from "../model/bert-for-pretraining";
import { BertConfig, bertConfig, PresetName, PRESETS, readConfig } from "../model/config";
import { loadFolderInto, readPretrainedFolder } from "../model/weights/pretrained";
import { BertTokenizer } from "../tokenization/bert-tokenizer";
import { Vocab } from "../tokenization/vocab";
import { writeFileAtomic } from "../util/atomic-write";
import { BertLabError } from "../util/errors";
import { keepJsonlUpToStep } from "../util/jsonl";
import { PyRandom } from "../util/py-random";
import { Rng } from "../util/rng";
import { train, TrainCallbacks, TrainResult, TrainTask } from "../training/trainer";
import { collateBatch, PretrainingBatch } from "./batch";
import { CorpusStream } from "../data/corpus-stream";
import { Document, documentsFromFiles } from "../data/documents";
import { createTrainingInstances, InstanceOptions, instanceToJson, TrainingInstance } from "./instances";
import { Holdout, InstanceSource, isHeldOut, StaticInstances, StreamingInstances } from "./instance-sources";
import { BERT_RATIOS, ReplacementRatios } from "./masking";
import { checkObjective, Objective, ObjectiveStats, pretrainingLoss, usesNsp } from "./objectives";

export interface PretrainOptions {
  /** a preset name (its vocabSize becomes the vocab's), a config.json path, or a config */
  config: PresetName | string | BertConfig;
  /** vocab.txt path, or a Vocab */
  vocab: string | Vocab;
  /** keep case and accents (default: lower-case, as bert-base-uncased) */
  cased?: boolean;
  /** corpus files: one sentence per line, a blank line between documents */
  input: string[];
  /** held-out corpus files for evaluation (else `holdoutEvery` documents of the input, or none) */
  evalInput?: string[];
  /** hold out every Nth document of the input for evaluation (0 / absent: none) */
  holdoutEvery?: number;
  /** at most this many evaluation instances (default 256) */
  evalInstances?: number;
  outDir?: string | null;
  steps: number;
  batchSize: number;
  maxSeqLength: number;
  objective?: Objective;
  masking?: "static" | "dynamic";
  learningRate?: number;
  warmupSteps?: number;
  /** seeds the data (as create_pretraining_data's --random_seed), the weights and dropout (default 12345) */
  seed?: number;
  maskedLmProb?: number;
  /** default ceil(maxSeqLength × maskedLmProb): 20 at 128, as BERT */
  maxPredictionsPerSeq?: number;
  shortSeqProb?: number;
  /** static masking's passes over the corpus (default 10) */
  dupeFactor?: number;
  wholeWordMask?: boolean;
  ratios?: ReplacementRatios;
  /** chance that segment B is random (default 0.5, for every objective: the same data) */
  randomNextProb?: number;
  /** split each batch into this many micro-batches (gradient accumulation; default 1) */
  microBatches?: number;
  weightDecay?: number;
  /** HF's AdamW with bias correction instead of BERT's */
  biasCorrection?: boolean;
  saveEvery?: number;
  logEvery?: number;
  evalEvery?: number;
  keepCheckpoints?: number;
  resume?: boolean;
  /** write the instances trained on as JSON Lines (static: all, as create-pretraining-data; dynamic: as batched, with their step) */
  instancesOut?: string;
  /** dynamic masking's window (default 4 MiB of text) */
  windowBytes?: number;
  /** start from these weights (an HF folder) instead of a fresh initialisation */
  initFrom?: string;
  signal?: AbortSignal;
  callbacks?: TrainCallbacks;
  /** told what is happening before training starts (default: nothing) */
  log?: (line: string) => void;
}

export interface PretrainRun {
  result: TrainResult;
  model: BertForPreTraining;
  tokenizer: BertTokenizer;
  /** the evaluation instances (empty without evaluation) */
  evalInstances: TrainingInstance[];
}

/** Checks every input, builds the model and the data, and trains. Bad input fails before any step. */
export async function pretrain(options: PretrainOptions): Promise<PretrainRun> {
  const log = options.log ?? (() => {});
  const objective = checkObjective(options.objective ?? "mlm+nsp");
  const masking = options.masking ?? "static";
  if (masking !== "static" && masking !== "dynamic") throw new BertLabError("BAD_OPTION", `masking must be static or dynamic, got ${masking}`);
  const int = (name: string, v: number | undefined, min: number): number => {
    if (v === undefined || !Number.isInteger(v) || v < min) throw new BertLabError("BAD_OPTION", `${name} must be an integer ≥ ${min}, got ${v}`);
    return v;
  };
  const steps = int("steps", options.steps, 1);
  const batchSize = int("batchSize", options.batchSize, 1);
  const maxSeqLength = int("maxSeqLength", options.maxSeqLength, 5);
  const micro = int("microBatches", options.microBatches ?? 1, 1);
  if (batchSize % micro !== 0) throw new BertLabError("BAD_OPTION", `batchSize ${batchSize} must be divisible by microBatches ${micro}`);
  const maskedLmProb = options.maskedLmProb ?? 0.15;
  if (!(maskedLmProb > 0 && maskedLmProb <= 1)) throw new BertLabError("BAD_OPTION", `maskedLmProb must be in (0, 1], got ${maskedLmProb}`);
  const ratios = checkRatios(options.ratios ?? BERT_RATIOS);
  const seed = options.seed ?? 12345;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new BertLabError("BAD_OPTION", `seed must be an integer ≥ 0, got ${seed}`);
  for (const f of [...options.input, ...(options.evalInput ?? [])]) {
    if (!fs.existsSync(f)) throw new BertLabError("CORPUS_NOT_FOUND", `corpus file not found: ${f}`);
    if (fs.statSync(f).size === 0) throw new BertLabError("EMPTY_CORPUS", `corpus file is empty: ${f} — expected one sentence per line, a blank line between documents`);
  }
  if (options.input.length === 0) throw new BertLabError("MISSING_OPTION", "no corpus: give at least one input file");
  if (options.outDir) checkWritable(options.outDir);

  // vocabulary and model config, and that they agree
  const vocab = typeof options.vocab === "string" ? Vocab.fromFile(options.vocab) : options.vocab;
  for (const special of ["[CLS]", "[SEP]", "[MASK]", "[PAD]"]) {
    if (!vocab.has(special)) throw new BertLabError("VOCAB_MISSING_TOKEN", `the vocabulary ${vocab.source} has no ${special} token, which pre-training needs`);
  }
  // a left-to-right model keeps its causal attention when fine-tuned (paper §5.1: "the left-only
  // constraint was also applied at fine-tuning"); config.json says so as HF's is_decoder
  const config: BertConfig = { ...resolveConfig(options.config, vocab), ...(objective === "ltr" ? { isDecoder: true } : {}) };
  if (maxSeqLength > config.maxPositionEmbeddings) {
    throw new BertLabError("BAD_OPTION", `maxSeqLength ${maxSeqLength} exceeds the model's maxPositionEmbeddings ${config.maxPositionEmbeddings}`);
  }
  const tokenizer = new BertTokenizer(vocab, { doLowerCase: !options.cased });
  const instanceOptions: InstanceOptions = {
    maxSeqLength,
    maxPredictionsPerSeq: int("maxPredictionsPerSeq", options.maxPredictionsPerSeq ?? Math.ceil(maxSeqLength * maskedLmProb - 1e-9), 1),
    maskedLmProb,
    shortSeqProb: options.shortSeqProb ?? 0.1,
    dupeFactor: int("dupeFactor", options.dupeFactor ?? 10, 1),
    wholeWordMask: options.wholeWordMask ?? false,
    ratios,
    vocabWords: vocab.tokens,
    randomNextProb: options.randomNextProb ?? 0.5,
    masking: objective === "ltr" ? "none" : "static",
  };
  const holdoutEvery = options.evalInput ? 0 : int("holdoutEvery", options.holdoutEvery ?? 0, 0);
  if (holdoutEvery === 1) throw new BertLabError("BAD_OPTION", "holdoutEvery 1 would hold out every document: use 2 or more (20 holds out 5 %)");

  // training data
  let source: InstanceSource;
  let evalDocs: Document[] = [];
  if (masking === "static") {
    const docs = documentsFromFiles(options.input, tokenizer);
    checkDocuments(docs, options.input, objective);
    const holdout: Holdout | null = holdoutEvery ? { every: holdoutEvery, limit: docs.length } : null;
    evalDocs = docs.filter((_, d) => isHeldOut(holdout, d));
    const trainDocs = docs.filter((_, d) => !isHeldOut(holdout, d));
    const t0 = performance.now();
    const instances = createTrainingInstances(trainDocs, instanceOptions, new PyRandom(seed));
    source = new StaticInstances(instances, seed);
    log(`made ${instances.length} instances from ${trainDocs.length} documents in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    if (options.instancesOut) writeFileAtomic(options.instancesOut, instances.map((i) => JSON.stringify(instanceToJson(i)) + "\n").join(""));
  } else {
    const stream = new CorpusStream(options.input, tokenizer, { windowBytes: options.windowBytes });
    const first = stream.readWindow({ file: 0, offset: 0, document: 0 });
    if (!first) throw new BertLabError("EMPTY_CORPUS", `no document with any text in ${options.input.join(", ")}`);
    checkDocuments(first.documents, options.input, objective, first.end.file < options.input.length);
    const holdout: Holdout | null = holdoutEvery ? { every: holdoutEvery, limit: first.end.document } : null;
    evalDocs = first.documents.filter((_, d) => isHeldOut(holdout, d));
    source = new StreamingInstances(stream, { ...instanceOptions, dynamicMasking: objective !== "ltr" }, seed, holdout);
    if (options.instancesOut && !options.resume) writeFileAtomic(options.instancesOut, "");
  }
  log(source.describe());
  if (holdoutEvery && evalDocs.length === 0) {
    // e.g. Gutenberg books: a blank-line-separated document is a whole book, and a corpus (or, when streaming, its first window) has few of them
    throw new BertLabError(
      "NOTHING_HELD_OUT",
      `--holdout-every ${holdoutEvery} held out no document: ${masking === "static" ? "the corpus has" : "the corpus's first window (where held-out documents are taken from when streaming) has"} fewer than ${holdoutEvery} documents (a document is a block between blank lines). Give a held-out corpus with --eval-input FILE, or a smaller --holdout-every.`,
    );
  }
  if (options.evalInput) evalDocs = documentsFromFiles(options.evalInput, tokenizer);
  const evalInstances = evalDocs.length > 0 ? makeEvalInstances(evalDocs, instanceOptions, seed, options.evalInstances ?? 256) : [];
  if (evalInstances.length > 0) log(`evaluating on ${evalInstances.length} held-out instances from ${evalDocs.length} documents`);

  // the model
  await ensureBackend();
  const model = new BertForPreTraining(config, { seed });
  try {
    if (options.initFrom) {
      const folder = readPretrainedFolder(options.initFrom);
      loadFolderInto(model.store, folder, { log });
    }
    const task = pretrainingTask(model, source, vocab, { objective, maxSeqLength, batchSize, micro, evalInstances, instancesOut: masking === "dynamic" ? options.instancesOut : undefined });
    const result = await train(task, {
      steps,
      learningRate: options.learningRate ?? 1e-4,
      warmupSteps: options.warmupSteps ?? Math.min(10000, Math.floor(steps / 10)),
      optimizer: { weightDecay: options.weightDecay ?? 0.01, biasCorrection: options.biasCorrection ?? false },
      seed,
      outDir: options.outDir ?? null,
      saveEvery: options.saveEvery,
      logEvery: options.logEvery,
      evalEvery: options.evalEvery,
      keepCheckpoints: options.keepCheckpoints,
      resume: options.resume,
      signal: options.signal,
      callbacks: options.callbacks,
      run: {
        objective,
        masking,
        batchSize,
        maxSeqLength,
        microBatches: micro,
        seed,
        learningRate: options.learningRate ?? 1e-4,
        vocabSize: vocab.size,
        config: { hidden: config.hiddenSize, layers: config.numHiddenLayers, heads: config.numAttentionHeads },
        input: options.input.map((f) => path.basename(f)),
      },
    });
    return { result, model, tokenizer, evalInstances };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

interface TaskOptions {
  objective: Objective;
  maxSeqLength: number;
  batchSize: number;
  micro: number;
  evalInstances: TrainingInstance[];
  instancesOut?: string;
}

/** The TrainTask of pre-training: batches from an instance source, the objective's loss. */
export function pretrainingTask(model: BertForPreTraining, source: InstanceSource, vocab: Vocab, o: TaskOptions): TrainTask<PretrainingBatch> {
  const collate = (instances: TrainingInstance[]) => collateBatch(instances, vocab, { maxSeqLength: o.maxSeqLength, objective: o.objective });
  const per = o.batchSize / o.micro;
  let step = 0;
  return {
    params: model.store.vars,
    nextBatch() {
      const instances = source.next(o.batchSize);
      step += 1;
      if (o.instancesOut) {
        fs.appendFileSync(o.instancesOut, instances.map((i) => JSON.stringify({ step, ...instanceToJson(i) }) + "\n").join(""));
      }
      return Array.from({ length: o.micro }, (_, k) => collate(instances.slice(k * per, (k + 1) * per)));
    },
    loss: (batch, ctx) => {
      const { loss, stats } = pretrainingLoss(model, batch, o.objective, ctx);
      return { loss, stats: stats as unknown as Record<string, number> };
    },
    tokens: (batch) => batch.tokens,
    metrics: (sums, n) => objectiveMetrics(sums as unknown as ObjectiveStats, n, o.objective),
    evaluate:
      o.evalInstances.length > 0
        ? () => {
            const sums: Record<string, number> = {};
            let n = 0;
            let total = 0;
            for (let i = 0; i < o.evalInstances.length; i += o.batchSize) {
              const batch = collate(o.evalInstances.slice(i, i + o.batchSize));
              const { loss, stats } = pretrainingLoss(model, batch, o.objective, { training: false });
              total += loss.dataSync()[0];
              loss.dispose();
              for (const [k, v] of Object.entries(stats)) sums[k] = (sums[k] ?? 0) + v;
              n += 1;
            }
            return { loss: total / n, ...objectiveMetrics(sums as unknown as ObjectiveStats, n, o.objective) };
          }
        : undefined,
    dataState: () => ({ source: source.getState(), step }),
    restoreDataState(state) {
      const s = state as { source: Parameters<InstanceSource["setState"]>[0]; step: number };
      source.setState(s.source);
      step = s.step;
      if (o.instancesOut) keepJsonlUpToStep(o.instancesOut, step);
    },
    epoch: () => source.epoch,
    saveModel: (dir) => model.savePretrained(dir, { vocabText: vocab.toText() }),
    loadModel(dir) {
      const report = loadFolderInto(model.store, readPretrainedFolder(dir), { log: () => {} });
      if (report.initialized.length > 0) {
        throw new BertLabError("BAD_CHECKPOINT", `${dir} lacks ${report.initialized.length} of the model's parameters (${report.initialized.slice(0, 3).join(", ")}…): it belongs to another model`);
      }
    },
  };
}

/** Summed ObjectiveStats of n micro-batches → the metrics.jsonl names. */
export function objectiveMetrics(s: ObjectiveStats, n: number, objective: Objective): Record<string, number> {
  const lm = objective === "ltr" ? "lm" : "mlm";
  const out: Record<string, number> = {
    [`${lm}_loss`]: s.mlmLoss / n,
    [`${lm}_accuracy`]: s.mlmCount ? s.mlmCorrect / s.mlmCount : 0,
  };
  if (usesNsp(objective)) {
    out.nsp_loss = s.nspLoss / n;
    out.nsp_accuracy = s.nspCount ? s.nspCorrect / s.nspCount : 0;
  }
  return out;
}

/** Evaluation instances: one pass, statically masked with a fixed seed (the same every evaluation). */
function makeEvalInstances(docs: Document[], options: InstanceOptions, seed: number, cap: number): TrainingInstance[] {
  const instances = createTrainingInstances(docs.slice(), { ...options, dupeFactor: 1 }, new Rng(seed).fork("eval"));
  return instances.slice(0, cap);
}

function resolveConfig(config: PretrainOptions["config"], vocab: Vocab): BertConfig {
  if (typeof config === "string" && config in PRESETS) return bertConfig(config as PresetName, { vocabSize: vocab.size });
  const c = typeof config === "string" ? readConfig(config) : bertConfig(config);
  if (c.vocabSize !== vocab.size) {
    const where = typeof config === "string" ? config : "the config";
    throw new BertLabError("VOCAB_CONFIG_MISMATCH", `${where} has vocab_size ${c.vocabSize} but ${vocab.source} has ${vocab.size} tokens: use the matching vocab.txt, or set vocab_size to ${vocab.size}`);
  }
  return c;
}

function checkRatios(r: ReplacementRatios): ReplacementRatios {
  const parts = [r.mask, r.random, r.same];
  if (parts.some((x) => !(x >= 0 && x <= 1)) || Math.abs(parts.reduce((a, b) => a + b, 0) - 1) > 1e-6) {
    throw new BertLabError("BAD_OPTION", `masking ratios {mask, random, same} must be shares that sum to 1, got ${JSON.stringify(r)}`);
  }
  return r;
}

/** NSP needs documents of two sentences or more: one sentence per line, several per document. */
function checkDocuments(docs: Document[], files: string[], objective: Objective, partial = false): void {
  if (docs.length === 0) throw new BertLabError("EMPTY_CORPUS", `no document with any text in ${files.join(", ")}`);
  if (usesNsp(objective) && !docs.some((d) => d.length >= 2)) {
    throw new BertLabError(
      "NO_SENTENCE_PAIRS",
      `no document in ${files.join(", ")}${partial ? " (first window)" : ""} has two sentences or more, so next-sentence prediction has no real pairs: put one sentence per line and a blank line between documents, or use --objective mlm`,
    );
  }
}

function checkWritable(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new BertLabError("OUT_NOT_WRITABLE", `cannot write to the output folder ${dir}: ${(e as Error).message} — choose another --out`);
  }
}
