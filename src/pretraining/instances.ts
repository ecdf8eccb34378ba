/**
 * BERT's pre-training instances: a port of google-research/bert create_pretraining_data.py
 * (create_training_instances, create_instances_from_document, truncate_seq_pair). With a
 * PyRandom seeded as the original's `random.Random(random_seed)`, the instances are the
 * original's, instance for instance and token for token.
 *
 * @example
 *   const docs = documentsFromFiles(["sample_text.txt"], tokenizer);
 *   const instances = createTrainingInstances(docs, { ...DEFAULT_INSTANCE_OPTIONS, vocabWords: tokenizer.vocab.tokens }, new PyRandom(12345));
 *   console.log(instances.length, instances[0].isRandomNext);
 */
import type { RandomSource } from "../util/random-source";
import type { Document } from "../data/documents";
import { MaskedSequence, maskTokens, MaskingOptions, Replacement } from "./masking";

export interface InstanceOptions extends MaskingOptions {
  maxSeqLength: number;
  /** how often a shorter target length is drawn (BERT: 0.1) */
  shortSeqProb: number;
  /** passes over the data, each with different masks (BERT: 10) */
  dupeFactor: number;
  /**
   * "static" (default): mask while making the instance, as the original (its exact output);
   * "none": leave the tokens unmasked, to mask later (dynamic masking) or for a left-to-right LM
   */
  masking?: "static" | "none";
  /** chance that B is a random segment from another document (BERT: 0.5) */
  randomNextProb?: number;
}

export const DEFAULT_INSTANCE_OPTIONS: Omit<InstanceOptions, "vocabWords"> = {
  maxSeqLength: 128,
  shortSeqProb: 0.1,
  dupeFactor: 10,
  maskedLmProb: 0.15,
  maxPredictionsPerSeq: 20,
  wholeWordMask: false,
};

export interface TrainingInstance {
  /** [CLS] A [SEP] B [SEP], masked tokens already replaced */
  tokens: string[];
  /** 0 for [CLS], A and its [SEP]; 1 for B and its [SEP] */
  segmentIds: number[];
  /** B was taken from another document (NSP label 1 = NotNext) */
  isRandomNext: boolean;
  maskedLmPositions: number[];
  maskedLmLabels: string[];
  /** what masking did at each position: [MASK], random, unchanged */
  replacements: Replacement[];
}

/**
 * All instances: documents shuffled, `dupeFactor` passes over every document, then the
 * instances shuffled (create_training_instances). `documents` is shuffled in place.
 */
export function createTrainingInstances(documents: Document[], options: InstanceOptions, rng: RandomSource): TrainingInstance[] {
  rng.shuffle(documents);
  const instances: TrainingInstance[] = [];
  for (let d = 0; d < options.dupeFactor; d++) {
    for (let i = 0; i < documents.length; i++) {
      for (const inst of instancesFromDocument(documents, i, options, rng)) instances.push(inst);
    }
  }
  rng.shuffle(instances);
  return instances;
}

/** The instances of one document (create_instances_from_document). */
export function instancesFromDocument(all: Document[], docIndex: number, options: InstanceOptions, rng: RandomSource): TrainingInstance[] {
  const document = all[docIndex];
  // account for [CLS], [SEP], [SEP]
  const maxNumTokens = options.maxSeqLength - 3;
  // mostly fill the sequence; sometimes (short_seq_prob) a shorter one, to lessen the
  // mismatch between pre-training and fine-tuning on short inputs
  let targetSeqLength = maxNumTokens;
  if (rng.random() < options.shortSeqProb) targetSeqLength = rng.randint(2, maxNumTokens);

  const instances: TrainingInstance[] = [];
  let chunk: string[][] = [];
  let chunkLength = 0;
  let i = 0;
  while (i < document.length) {
    const segment = document[i];
    chunk.push(segment);
    chunkLength += segment.length;
    if (i === document.length - 1 || chunkLength >= targetSeqLength) {
      if (chunk.length > 0) {
        // how many sentences of the chunk go to A
        let aEnd = 1;
        if (chunk.length >= 2) aEnd = rng.randint(1, chunk.length - 1);
        const tokensA = chunk.slice(0, aEnd).flat();
        let tokensB: string[] = [];
        let isRandomNext = false;
        if (chunk.length === 1 || rng.random() < (options.randomNextProb ?? 0.5)) {
          isRandomNext = true;
          const targetBLength = targetSeqLength - tokensA.length;
          // ten tries at another document (a big corpus rarely needs two)
          let randomIndex = 0;
          for (let t = 0; t < 10; t++) {
            randomIndex = rng.randint(0, all.length - 1);
            if (randomIndex !== docIndex) break;
          }
          const randomDocument = all[randomIndex];
          const randomStart = rng.randint(0, randomDocument.length - 1);
          for (let j = randomStart; j < randomDocument.length; j++) {
            tokensB.push(...randomDocument[j]);
            if (tokensB.length >= targetBLength) break;
          }
          // the chunk's sentences B did not use are put back, so they are not wasted
          i -= chunk.length - aEnd;
        } else {
          tokensB = chunk.slice(aEnd).flat();
        }
        truncateSeqPair(tokensA, tokensB, maxNumTokens, rng);
        if (tokensA.length < 1 || tokensB.length < 1) throw new Error("internal: an empty segment after truncation");
        const tokens = ["[CLS]", ...tokensA, "[SEP]", ...tokensB, "[SEP]"];
        const segmentIds = tokens.map((_, k) => (k < tokensA.length + 2 ? 0 : 1));
        const masked = options.masking === "none" ? unmasked(tokens) : maskTokens(tokens, options, rng);
        instances.push({
          tokens: masked.tokens,
          segmentIds,
          isRandomNext,
          maskedLmPositions: masked.positions,
          maskedLmLabels: masked.labels,
          replacements: masked.replacements,
        });
      }
      chunk = [];
      chunkLength = 0;
    }
    i++;
  }
  return instances;
}

function unmasked(tokens: string[]): MaskedSequence {
  return { tokens, positions: [], labels: [], replacements: [] };
}

/** Trims the longer side one token at a time, from the front or the back at random. */
export function truncateSeqPair(a: string[], b: string[], maxNumTokens: number, rng: RandomSource): void {
  while (a.length + b.length > maxNumTokens) {
    const longer = a.length > b.length ? a : b;
    // truncating at both ends at random adds more noise than always the back
    if (rng.random() < 0.5) longer.shift();
    else longer.pop();
  }
}

/** The JSON Lines record `bert-lab create-pretraining-data` writes for an instance. */
export function instanceToJson(inst: TrainingInstance): Record<string, unknown> {
  return {
    tokens: inst.tokens,
    segment_ids: inst.segmentIds,
    is_random_next: inst.isRandomNext,
    masked_lm_positions: inst.maskedLmPositions,
    masked_lm_labels: inst.maskedLmLabels,
  };
}
