/** `bert-lab tokenize`: JSON Lines in, tokens and ids out — the tokenizer for scripts. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { BertTokenizer, Encoding } from "../../tokenization/bert-tokenizer";
import { BertLabError } from "../../util/errors";
import { Command, write } from "../command";

/** A vocab.txt, or a folder holding one (an HF model folder). */
export function resolveVocabPath(p: string): string {
  if (fs.existsSync(p) && fs.statSync(p).isDirectory()) {
    const inside = path.join(p, "vocab.txt");
    if (fs.existsSync(inside)) return inside;
    throw new BertLabError("VOCAB_NOT_FOUND", `no vocab.txt in folder ${p} — pass the vocab file itself`);
  }
  return p;
}

export const tokenizeCommand: Command = {
  spec: {
    name: "tokenize",
    summary: "Tokenize JSON Lines from stdin with a BERT vocab, exactly as google-research/bert does.",
    usage: "bert-lab tokenize --vocab FILE [--cased] [--special] [--max-length N] < in.jsonl > out.jsonl",
    options: {
      vocab: { type: "string", value: "FILE", required: true, description: "vocab.txt (or a folder holding one)" },
      cased: { type: "boolean", description: "keep case and accents (bert-base-cased, multilingual-cased)" },
      special: { type: "boolean", description: "add [CLS]/[SEP] and output type_ids and attention_mask" },
      "max-length": { type: "number", value: "N", description: "truncate to N tokens (special tokens included)" },
      truncation: { type: "string", value: "HOW", description: "longest_first | only_first | only_second (with --max-length)" },
      pad: { type: "boolean", description: "pad with [PAD] to --max-length (with --special)" },
      offsets: { type: "boolean", description: "add \"offsets\": [start, end] code points in the input text (null for special tokens)" },
    },
    details: `Input: one JSON object per line, {"text": "...", "text_pair"?: "..."}. Blank lines are skipped.
Output: one JSON line per input, {"tokens": [...], "ids": [...]} — with --special also
"type_ids" and "attention_mask". Without --special a text_pair's pieces follow the text's.
A line that is not valid JSON gets an error on stderr naming its line number and no output;
the exit code is then 1, after every other line has been processed.

Example:
  echo '{"text": "Unaffable naïve café"}' | bert-lab tokenize --vocab vocab.txt
  {"tokens":["una","##ffa","##ble","naive","cafe"],"ids":[14477,20961,3468,15743,7668]}`,
  },

  async run(args, io) {
    const values = args.values;
    const tok = BertTokenizer.fromFile(resolveVocabPath(values.vocab as string), { doLowerCase: !values.cased });
    const special = Boolean(values.special);
    const maxLength = values["max-length"] as number | undefined;
    const truncation = (values.truncation as string | undefined) ?? "longest_first";
    if (!["longest_first", "only_first", "only_second"].includes(truncation)) {
      throw new BertLabError("BAD_OPTION", `--truncation must be longest_first, only_first or only_second, got ${truncation}`);
    }
    if (values.pad && maxLength === undefined) {
      throw new BertLabError("BAD_OPTION", "--pad needs --max-length N");
    }
    const withOffsets = Boolean(values.offsets);
    let failures = 0;
    let lineNo = 0;
    let buffered = "";
    const rl = readline.createInterface({ input: io.stdin, crlfDelay: Infinity });
    for await (const line of rl) {
      lineNo++;
      if (line.trim() === "") continue;
      let text: unknown;
      let pair: unknown;
      try {
        const obj = JSON.parse(line);
        if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new Error("expected a JSON object");
        text = obj.text;
        pair = obj.text_pair;
      } catch (e) {
        failures++;
        io.stderr.write(`bert-lab tokenize: line ${lineNo}: invalid JSON (${(e as Error).message}) — nothing written for it\n`);
        continue;
      }
      if (typeof text !== "string" || (pair !== undefined && pair !== null && typeof pair !== "string")) {
        failures++;
        io.stderr.write(`bert-lab tokenize: line ${lineNo}: "text" (and "text_pair" if given) must be strings — nothing written for it\n`);
        continue;
      }
      let enc: Encoding;
      try {
        enc = tok.encode(text, pair as string | undefined, {
          addSpecialTokens: special,
          maxLength,
          truncation: truncation as "longest_first",
          padding: values.pad ? "max_length" : false,
        });
      } catch (e) {
        failures++;
        io.stderr.write(`bert-lab tokenize: line ${lineNo}: ${(e as Error).message}\n`);
        continue;
      }
      const out: Record<string, unknown> = { tokens: enc.tokens, ids: enc.inputIds };
      if (special) {
        out.type_ids = enc.tokenTypeIds;
        out.attention_mask = enc.attentionMask;
      }
      if (withOffsets) out.offsets = enc.offsets.map((o) => (o ? [o.start, o.end] : null));
      buffered += JSON.stringify(out) + "\n";
      if (buffered.length > 1 << 16) {
        await write(io.stdout, buffered);
        buffered = "";
      }
    }
    if (buffered) await write(io.stdout, buffered);
    if (failures > 0) {
      io.stderr.write(`bert-lab tokenize: ${failures} line(s) failed\n`);
      return 1;
    }
    return 0;
  },
};
