/**
 * Fine-tuning on SQuAD v1.1 (paper §4.2) end to end, as run_squad.py: windows of
 * maxSeqLength pieces over each passage with a stride, a start and an end logit per token,
 * the best valid span as the answer; the official F1 and exact match (percent) on dev after
 * every epoch; the best model by F1 in outDir/best, its answers in outDir/predictions.json
 * (question id → text) and outDir/nbest_predictions.json, and outDir/eval.json. Defaults are
 * run_squad.py's example for BERT-base: lr 3e-5, 2 epochs, maxSeqLength 384, docStride 128.
 * What `bert-lab finetune --task squad` runs; call it through finetune().
 *
 * @example
 *   const r = await finetune({ task: "squad", train: "squad/train-v1.1.json", from: "../shared/data", model: "runs/base", outDir: "runs/squad" });
 *   r.best?.metrics; // → { f1: 88.5…, exact_match: 80.8… } for BERT-base (Table 2)
 */
import * as path from "node:path";
import { ensureBackend } from "../backend/select";
import { BertForQuestionAnswering } from "../model/task-models";
import { writeFileAtomic } from "../util/atomic-write";
import { BertLabError } from "../util/errors";
import type { FinetuneOptions, FinetuneResult } from "./finetune";
import { firstN, runSettings, startingModel, trainEpochs, writeEvalJson, writeTokenizerConfig } from "./finetune-common";
import { squadScores } from "./metrics";
import { questionAnsweringTask } from "./question-answering";
import { SquadPredictions, squadPredictions } from "./squad-predictions";
import { loadSquadTask } from "./task-data";

/** run_squad.py's nbest_predictions.json: per question, the n best answers with its field names. */
export function nbestJson(p: SquadPredictions): Record<string, { text: string; probability: number; start_logit: number; end_logit: number }[]> {
  const out: ReturnType<typeof nbestJson> = {};
  for (const [id, list] of Object.entries(p.nbest)) out[id] = list.map((c) => ({ text: c.text, probability: c.probability, start_logit: c.startLogit, end_logit: c.endLogit }));
  return out;
}

export async function finetuneSquad(options: FinetuneOptions): Promise<FinetuneResult> {
  const log = options.log ?? (() => {});
  const t0 = performance.now();
  if (options.task !== "squad") throw new BertLabError("UNKNOWN_TASK", `finetuneSquad runs task squad, not ${options.task}`);
  const { epochs, batchSize, seed } = runSettings(options, 2);
  const data = await loadSquadTask(options);
  const train = firstN(data.train!, options.maxTrainExamples);
  const dev = firstN(data.dev, options.maxDevExamples);
  await ensureBackend();

  const { model, tokenizer } = startingModel({ ...options, seed }, (config) => new BertForQuestionAnswering(config, { seed }), log, "the span head, qa_outputs");
  try {
    const settings = {
      maxSeqLength: options.maxSeqLength ?? 384,
      docStride: options.docStride ?? 128,
      maxQueryLength: options.maxQueryLength ?? 64,
      nBestSize: options.nBestSize ?? 20,
      maxAnswerLength: options.maxAnswerLength ?? 30,
    };
    const task = questionAnsweringTask(model, tokenizer, train, dev, { batchSize, seed, ...settings });
    const skipped = task.trainFeatures.skipped;
    log(
      `squad: ${train.length} training questions (${task.trainFeatures.N} windows${skipped.length ? `; ${skipped.length} left out, their answer not found in the passage's words, first ${skipped[0]}` : ""}), ` +
        `${dev.length} dev (${task.devFeatures.N} windows); ${epochs} epochs of ${task.stepsPerEpoch} steps`,
    );
    // evaluate once per epoch, keeping the answers: the best epoch's go to predictions.json
    let last: SquadPredictions | null = null;
    const evaluate = () => {
      const { startLogits, endLogits } = task.predictLogits(task.devFeatures);
      last = squadPredictions(dev, task.devFeatures, startLogits, endLogits, settings);
      const s = squadScores(last.answers, dev);
      return { f1: s.f1, exact_match: s.exact_match }; // f1 first: the headline
    };
    const predictionsFile = path.join(options.outDir, "predictions.json");
    const { result, best, bestDir } = await trainEpochs({ ...task, evaluate }, options, {
      epochs,
      learningRate: options.learningRate ?? 3e-5,
      seed,
      settings: { task: "squad", model: options.model, batchSize, ...settings },
      save(dir) {
        task.saveModel(dir);
        writeTokenizerConfig(dir, Boolean(options.cased));
      },
      afterSave() {
        // run_squad.py's files, indented as it writes them
        writeFileAtomic(predictionsFile, JSON.stringify(last!.answers, null, 4) + "\n");
        writeFileAtomic(path.join(options.outDir, "nbest_predictions.json"), JSON.stringify(nbestJson(last!), null, 4) + "\n");
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    writeEvalJson(options.outDir, "squad", best, seconds);
    return { task: "squad", best, evals: result.evals, result, bestDir, labels: null, seconds, predictionsFile };
  } finally {
    model.dispose();
  }
}
