/** `bert-lab create-pretraining-data`: BERT's create_pretraining_data.py, exactly. */
import * as fs from "node:fs";
import * as path from "node:path";
import { BertTokenizer } from "../../tokenization/bert-tokenizer";
import { documentsFromFiles } from "../../data/documents";
import { createTrainingInstances, instanceToJson } from "../../pretraining/instances";
import { BertLabError } from "../../util/errors";
import { PyRandom } from "../../util/py-random";
import { Rng } from "../../util/rng";
import { writeFileAtomic } from "../../util/atomic-write";
import { Command } from "../command";
import { resolveVocabPath } from "./tokenize";

export const createPretrainingDataCommand: Command = {
  spec: {
    name: "create-pretraining-data",
    summary: "Make masked-LM / next-sentence instances exactly as google-research/bert's create_pretraining_data.py.",
    usage:
      "bert-lab create-pretraining-data --input FILE[,FILE…] --vocab FILE [--cased] --output OUT.jsonl [--max-seq-length 128] [--max-predictions-per-seq 20] [--masked-lm-prob 0.15] [--short-seq-prob 0.1] [--dupe-factor 10] [--random-seed 12345] [--whole-word-mask] [--rng python|fast]",
    options: {
      input: { type: "string", value: "FILE[,FILE…]", required: true, description: "corpus files: one sentence per line, a blank line between documents" },
      vocab: { type: "string", value: "FILE", required: true, description: "vocab.txt" },
      cased: { type: "boolean", description: "keep case and accents (do_lower_case=False)" },
      output: { type: "string", value: "FILE", required: true, description: "JSON Lines, one instance per line (written atomically)" },
      "max-seq-length": { type: "number", value: "N", default: 128, description: "tokens per instance, [CLS] and [SEP]s included" },
      "max-predictions-per-seq": { type: "number", value: "N", default: 20, description: "at most this many masked positions" },
      "masked-lm-prob": { type: "number", value: "P", default: 0.15, description: "share of tokens to mask" },
      "short-seq-prob": { type: "number", value: "P", default: 0.1, description: "how often a shorter target length is drawn" },
      "dupe-factor": { type: "number", value: "N", default: 10, description: "passes over the corpus, each with different masks" },
      "random-seed": { type: "number", value: "N", default: 12345, description: "seed of the random generator" },
      "whole-word-mask": { type: "boolean", description: "mask all the ## pieces of a word together" },
      rng: { type: "string", value: "python|fast", default: "python", description: "python = CPython's random.Random (the original's output exactly); fast = another seeded generator" },
    },
    details: `Each output line: {"tokens", "segment_ids", "is_random_next", "masked_lm_positions",
"masked_lm_labels"} in the order the original writes them (after its final shuffle); tokens
as strings with [CLS]/[SEP], masked tokens already replaced; positions ascending.
The static exact mode holds every instance in memory (about 1 KB each at length 128).`,
  },

  async run(args, io) {
    const v = args.values as Record<string, string | number | boolean | undefined>;
    const inputs = String(v.input).split(",").filter(Boolean);
    for (const f of inputs) if (!fs.existsSync(f)) throw new BertLabError("INPUT_NOT_FOUND", `corpus file not found: ${f}`);
    const num = (name: string, min: number, integer = true, max = Infinity) => {
      const x = v[name] as number;
      if (!(x >= min && x <= max) || (integer && !Number.isInteger(x))) {
        throw new BertLabError("BAD_OPTION", `--${name} must be ${integer ? "an integer" : "a number"} ≥ ${min}${max < Infinity ? ` and ≤ ${max}` : ""}, got ${x}`);
      }
      return x;
    };
    const maxSeqLength = num("max-seq-length", 5);
    const options = {
      maxSeqLength,
      maxPredictionsPerSeq: num("max-predictions-per-seq", 1),
      maskedLmProb: num("masked-lm-prob", 0, false, 1),
      shortSeqProb: num("short-seq-prob", 0, false, 1),
      dupeFactor: num("dupe-factor", 1),
      wholeWordMask: Boolean(v["whole-word-mask"]),
    };
    const seed = num("random-seed", 0);
    if (v.rng !== "python" && v.rng !== "fast") throw new BertLabError("BAD_OPTION", `--rng must be python or fast, got ${v.rng}`);
    const tok = BertTokenizer.fromFile(resolveVocabPath(String(v.vocab)), { doLowerCase: !v.cased });
    const docs = documentsFromFiles(inputs, tok);
    if (docs.length === 0) throw new BertLabError("EMPTY_CORPUS", `no document with any text in ${inputs.join(", ")}`);
    const rng = v.rng === "python" ? new PyRandom(seed) : new Rng(seed);
    const t0 = performance.now();
    const instances = createTrainingInstances(docs, { ...options, vocabWords: tok.vocab.tokens }, rng);
    const out = String(v.output);
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    writeFileAtomic(out, instances.map((i) => JSON.stringify(instanceToJson(i))).join("\n") + (instances.length ? "\n" : ""));
    io.stderr.write(`wrote ${instances.length} instances from ${docs.length} documents to ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    return 0;
  },
};
