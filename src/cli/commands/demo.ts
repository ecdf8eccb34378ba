/**
 * `bert-lab demo` (what `npm start` runs): pre-train a tiny BERT on the embedded corpus for a
 * couple of minutes, offline, and show the losses falling and the model filling in blanks.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../backend/select";
import { bertConfig, countParams } from "../../model/config";
import type { BertForPreTraining } from "../../model/bert-for-pretraining";
import { disposeOutput } from "../../model/bert-model";
import { BertTokenizer } from "../../tokenization/bert-tokenizer";
import { documentsFromFiles } from "../../data/documents";
import { createTrainingInstances, DEFAULT_INSTANCE_OPTIONS } from "../../pretraining/instances";
import { PyRandom } from "../../util/py-random";
import { Rng } from "../../util/rng";
import { trainVocab } from "../../tokenization/vocab-trainer";
import type { TrainingInstance } from "../../pretraining/instances";
import { BertLabError } from "../../util/errors";
import { CliIO, Command } from "../command";
import { embeddedCorpusPath } from "../embedded";
import { runWithProgress } from "./pretrain";

/** Marks a folder the demo made, so the next demo may replace it (and nothing else). */
const MARKER = ".bert-lab-demo";
/** static masking's passes over the corpus: few enough that two minutes of training fit it */
const DUPE_FACTOR = 5;
const MAX_SEQ_LENGTH = 64;

export const demoCommand: Command = {
  spec: {
    name: "demo",
    summary: "Pre-train a tiny BERT on the embedded corpus for a few minutes (offline) and watch it learn.",
    usage: "bert-lab demo [--steps 600] [--out runs/demo] [--backend NAME]",
    options: {
      steps: { type: "number", value: "N", default: 600, description: "optimizer steps (about 0.2 s each on 2 cores)" },
      out: { type: "string", value: "DIR", default: path.join("runs", "demo"), description: "run folder (a previous demo there is replaced)" },
      backend: { type: "string", value: "NAME", description: "tfjs backend (default: the fastest that works)" },
    },
    details: `Then: bert-lab pretrain --help, for your own corpus and vocab.`,
  },

  async run(args, io: CliIO) {
    const v = args.values as { steps: number; out: string; backend?: string };
    const say = (s = "") => io.stdout.write(s + "\n");
    prepareDemoFolder(v.out);
    const backend = await initBackend({ prefer: v.backend });
    const t0 = performance.now();
    const trained = trainVocab({ files: [embeddedCorpusPath()] }, { vocabSize: 400, doLowerCase: true });
    const vocab = trained.vocab;
    const config = bertConfig("tiny", { vocabSize: vocab.size });
    const n = countParams(config);
    say("BERT Lab — pre-training a tiny BERT, as in §3.1 of the paper");
    say();
    say(`corpus     data/embedded/corpus.txt (${fs.statSync(embeddedCorpusPath()).size} bytes, ships with the lab)`);
    say(`vocab      ${vocab.size} WordPiece tokens, trained on it just now in ${(performance.now() - t0).toFixed(0)} ms`);
    say(`model      BERT-tiny: ${config.numHiddenLayers} layers, hidden ${config.hiddenSize}, ${config.numAttentionHeads} heads — ${(n.pretraining / 1e6).toFixed(2)} M parameters with the heads`);
    say(`data       create_pretraining_data.py's instances: 15 % of tokens chosen, of those 80 % [MASK], 10 % random,`);
    say(`           10 % kept; ${DUPE_FACTOR} passes over the corpus, each with its own masks (static masking)`);
    say(`objective  masked LM + next-sentence prediction; BERT's AdamW, warmup then linear decay`);
    say(`backend    ${backend.chosen}`);
    say();
    fs.mkdirSync(v.out, { recursive: true });
    fs.writeFileSync(path.join(v.out, MARKER), "made by bert-lab demo; the next demo replaces this folder\n");
    fs.writeFileSync(path.join(v.out, "vocab.txt"), vocab.toText());
    const run = await runWithProgress(
      {
        config,
        vocab,
        input: [embeddedCorpusPath()],
        outDir: v.out,
        steps: v.steps,
        batchSize: 16,
        maxSeqLength: MAX_SEQ_LENGTH,
        learningRate: 2e-3,
        warmupSteps: Math.max(1, Math.round(v.steps / 20)),
        logEvery: Math.max(1, Math.round(v.steps / 20)),
        saveEvery: 0,
        keepCheckpoints: 1,
        holdoutEvery: 0,
        dupeFactor: DUPE_FACTOR,
      },
      { ...io, stderr: io.stdout },
    );
    say();
    const seen = trainingInstances(run.tokenizer);
    const fresh = quizInstances(run.tokenizer);
    const pct = (x: number) => `${Math.round(100 * x)} %`.padStart(5);
    say("What did it learn? The share of masked tokens it gets right:");
    say(`  ${pct(maskedAccuracy(run.model, run.tokenizer.vocab.ids, seen))}  on the ${seen.length} instances it trained on (their masks were fixed in advance)`);
    say(`  ${pct(maskedAccuracy(run.model, run.tokenizer.vocab.ids, fresh))}  on the same sentences masked afresh`);
    say("  A 4 KB corpus is memorised, masks and all, rather than learned: real pre-training needs a large");
    say("  corpus (bert-lab pretrain --input …), and dynamic masking (--masking dynamic) stops the memorising.");
    say();
    say("A training instance and the model's guess at each [MASK] (✓ right, ✗ wrong → the truth):");
    for (const line of fillInTheBlanks(run.model, run.tokenizer.vocab.ids, seen.filter((i) => i.replacements.filter((r) => r === "mask").length >= 3), 1)) say("  " + line);
    say();
    say(`The model is an HF folder: ${run.result.checkpoint ?? v.out}; metrics per step in ${path.join(v.out, "metrics.jsonl")}.`);
    say("Next: bert-lab pretrain --help (your own corpus, vocab, objective and size); bert-lab walkthrough (the tokenizer).");
    run.model.dispose();
    return run.result.stopped === "interrupted" ? 130 : 0;
  },
};

function prepareDemoFolder(out: string): void {
  if (!fs.existsSync(out)) return;
  if (!fs.existsSync(path.join(out, MARKER))) {
    if (fs.readdirSync(out).length === 0) return;
    throw new BertLabError("OUT_NOT_DEMO", `${out} exists and was not made by bert-lab demo: pass --out with another folder`);
  }
  fs.rmSync(out, { recursive: true, force: true });
}

/** The instances pretrain() trained on (static masking is deterministic: the same seed, the same instances). */
function trainingInstances(tokenizer: BertTokenizer): TrainingInstance[] {
  const docs = documentsFromFiles([embeddedCorpusPath()], tokenizer);
  const options = { ...DEFAULT_INSTANCE_OPTIONS, maxSeqLength: MAX_SEQ_LENGTH, maxPredictionsPerSeq: Math.ceil(MAX_SEQ_LENGTH * 0.15), dupeFactor: DUPE_FACTOR, vocabWords: tokenizer.vocab.tokens };
  return createTrainingInstances(docs, options, new PyRandom(12345));
}

/** Share of the masked positions whose original token is the model's top guess. */
export function maskedAccuracy(model: BertForPreTraining, ids: ReadonlyMap<string, number>, instances: TrainingInstance[]): number {
  let right = 0;
  let all = 0;
  for (const inst of instances) {
    const out = model.forward({ inputIds: [inst.tokens.map((t) => ids.get(t) ?? 0)], tokenTypeIds: [inst.segmentIds] });
    const guesses = tf.tidy(() => tf.argMax(out.mlmLogits!, -1).dataSync() as Int32Array);
    disposeOutput(out);
    inst.maskedLmPositions.forEach((p, k) => {
      all += 1;
      if (guesses[p] === ids.get(inst.maskedLmLabels[k])) right += 1;
    });
  }
  return all ? right / all : 0;
}

/** Instances to quiz the model on: sentences of its corpus, masked afresh (it has read them). */
function quizInstances(tokenizer: BertTokenizer): TrainingInstance[] {
  const docs = documentsFromFiles([embeddedCorpusPath()], tokenizer);
  const options = { ...DEFAULT_INSTANCE_OPTIONS, maxSeqLength: MAX_SEQ_LENGTH, maxPredictionsPerSeq: Math.ceil(MAX_SEQ_LENGTH * 0.15), dupeFactor: 1, vocabWords: tokenizer.vocab.tokens };
  return createTrainingInstances(docs, options, new Rng(2024));
}

/** Each instance's sentence with [MASK]ed tokens shown as guess(✓|✗ truth). */
export function fillInTheBlanks(model: BertForPreTraining, ids: ReadonlyMap<string, number>, instances: TrainingInstance[], count: number): string[] {
  const lines: string[] = [];
  const words = [...ids.keys()];
  for (const inst of instances.slice(0, count)) {
    const input = inst.tokens.map((t) => ids.get(t) ?? 0);
    const out = model.forward({ inputIds: [input], tokenTypeIds: [inst.segmentIds] });
    const guesses = tf.tidy(() => tf.argMax(out.mlmLogits!, -1).dataSync() as Int32Array);
    disposeOutput(out);
    let line = "";
    inst.tokens.forEach((t, i) => {
      if (t === "[CLS]") return;
      const k = inst.maskedLmPositions.indexOf(i);
      const truth = k >= 0 ? inst.maskedLmLabels[k] : t;
      const bare = (w: string) => w.replace(/^##/, "");
      let text = t === "[SEP]" ? "|" : bare(t);
      if (k >= 0 && t === "[MASK]") {
        const guess = words[guesses[i]];
        text = guess === truth ? `[${bare(guess)} ✓]` : `[${bare(guess)} ✗ ${bare(truth)}]`;
      }
      line += (truth.startsWith("##") ? "" : " ") + text;
    });
    lines.push(line.trim().replace(/ \|$/, ""));
  }
  return lines;
}
