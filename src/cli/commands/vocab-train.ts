/** `bert-lab vocab train`: a WordPiece vocab from text files. */
import * as fs from "node:fs";
import * as path from "node:path";
import { trainVocab } from "../../tokenization/vocab-trainer";
import { BertLabError } from "../../util/errors";
import { writeFileAtomic } from "../../util/atomic-write";
import { Command } from "../command";

export const vocabTrainCommand: Command = {
  spec: {
    name: "vocab train",
    summary: "Train a WordPiece vocab.txt from text files (same pre-tokenization as BERT).",
    usage: "bert-lab vocab train --input FILE... --size N --out vocab.txt [--cased] [--min-frequency N]",
    options: {
      input: { type: "list", value: "FILE...", required: true, description: "text files, read line by line" },
      size: { type: "number", value: "N", required: true, description: "vocab size, special tokens included" },
      out: { type: "string", value: "FILE", required: true, description: "where to write vocab.txt (written atomically)" },
      cased: { type: "boolean", description: "keep case and accents" },
      "min-frequency": { type: "number", value: "N", description: "do not merge pairs seen fewer times", default: 2 },
    },
    details: `[PAD] [UNK] [CLS] [SEP] [MASK] come first, then every character of the corpus, then the
learned pieces. The same input always gives the same file.

Example:
  bert-lab vocab train --input corpus.txt --size 8000 --out my-vocab.txt`,
  },

  async run(args, io) {
    const v = args.values;
    const inputs = v.input as string[];
    for (const f of inputs) {
      if (!fs.existsSync(f)) throw new BertLabError("INPUT_NOT_FOUND", `input file not found: ${f}`);
    }
    const size = v.size as number;
    if (!Number.isInteger(size) || size < 6) {
      throw new BertLabError("BAD_SIZE", `--size must be a whole number of at least 6 (5 special tokens + 1), got ${size}`);
    }
    let lastReport = 0;
    const trained = trainVocab(
      { files: inputs },
      {
        vocabSize: size,
        doLowerCase: !v.cased,
        minFrequency: v["min-frequency"] as number,
        onProgress: (p) => {
          const now = Date.now();
          if (now - lastReport < 1000) return;
          lastReport = now;
          io.stderr.write(`  ${p.phase} ${p.done}/${p.total}\n`);
        },
      },
    );
    const out = v.out as string;
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    writeFileAtomic(out, trained.vocab.toText());
    const st = trained.stats;
    io.stdout.write(
      `wrote ${out}: ${trained.vocab.size} tokens (${st.alphabet} characters, ${st.merges} merges) from ` +
        `${(st.bytes / 1e6).toFixed(1)} MB, ${st.uniqueWords} distinct words, in ${st.seconds.toFixed(1)} s\n`,
    );
    return 0;
  },
};
