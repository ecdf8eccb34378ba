/** `bert-lab features`: extract_features.py — a frozen model's layers as JSON Lines. */
import * as fs from "node:fs";
import { initBackend } from "../../backend/select";
import { extractFeatures } from "../../finetuning/features";
import { BertModel } from "../../model/bert-model";
import { BertTokenizer } from "../../tokenization/bert-tokenizer";
import { Vocab } from "../../tokenization/vocab";
import { writeFileAtomic } from "../../util/atomic-write";
import { BertLabError } from "../../util/errors";
import { Command } from "../command";

export const featuresCommand: Command = {
  spec: {
    name: "features",
    summary: "Extract a frozen BERT's hidden layers as features, as google-research/bert's extract_features.py.",
    usage: "bert-lab features --model DIR --input FILE --output OUT.jsonl [--layers -1,-2,-3,-4] [--max-seq-length 128] [--batch-size 8] [--cased]",
    options: {
      model: { type: "string", value: "DIR", required: true, description: "an HF folder (config.json, model.safetensors, vocab.txt)" },
      input: { type: "string", value: "FILE", required: true, description: 'one input per line: "text" or "text A ||| text B"' },
      output: { type: "string", value: "FILE", required: true, description: "JSON Lines, one per input (written atomically)" },
      layers: { type: "string", value: "LIST", default: "-1,-2,-3,-4", description: "encoder layers (Python indices; 'embeddings' for the embedding output)" },
      "max-seq-length": { type: "number", value: "L", default: 128, description: "tokens per input" },
      "batch-size": { type: "number", value: "B", default: 8, description: "inputs per forward pass" },
      cased: { type: "boolean", description: "keep case and accents" },
      backend: { type: "string", value: "NAME", description: "tfjs backend" },
    },
    details: `Each line: {"linex_index": i, "features": [{"token": "[CLS]", "layers": [{"index": -1,
"values": [...]}, ...]}, ...]} — values rounded to 6 decimals, as the original.`,
  },

  async run(args, io) {
    const v = args.values as Record<string, string | number | boolean | undefined>;
    const layers = String(v.layers).split(",").map((x) => (x.trim() === "embeddings" ? ("embeddings" as const) : Number(x)));
    if (layers.some((l) => l !== "embeddings" && !Number.isInteger(l))) throw new BertLabError("BAD_OPTION", `--layers must be integers (or "embeddings"), got ${v.layers}`);
    if (!fs.existsSync(String(v.input))) throw new BertLabError("INPUT_NOT_FOUND", `input file not found: ${v.input}`);
    await initBackend({ prefer: v.backend as string | undefined, quiet: true });
    const { model, vocabPath } = BertModel.fromPretrained(String(v.model), { log: () => {} });
    try {
      if (!vocabPath) throw new BertLabError("VOCAB_NOT_FOUND", `${v.model} has no vocab.txt`);
      const tokenizer = new BertTokenizer(Vocab.fromFile(vocabPath), { doLowerCase: !v.cased });
      const lines = fs.readFileSync(String(v.input), "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
      const rows = extractFeatures(model, tokenizer, lines, { layers, maxSeqLength: v["max-seq-length"] as number, batchSize: v["batch-size"] as number });
      writeFileAtomic(String(v.output), rows.map((r) => JSON.stringify(r) + "\n").join(""));
      io.stderr.write(`wrote features of ${rows.length} inputs (layers ${layers.join(", ")}) to ${v.output}\n`);
      return 0;
    } finally {
      model.dispose();
    }
  },
};
