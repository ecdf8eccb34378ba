/** `bert-lab fill-mask`: a pre-trained model's top guesses for each [MASK] in a text. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { FillMaskEncoding, FillMaskResult } from "../../finetuning/fill-mask";
import { BertLabError } from "../../util/errors";
import { Command, write } from "../command";

export const fillMaskCommand: Command = {
  spec: {
    name: "fill-mask",
    summary: "Show what a pre-trained model guesses for each [MASK] in a text, with probabilities.",
    usage: 'bert-lab fill-mask --model DIR [--top-k 5] [--json] [--cased] "text with [MASK]" ["more text" …]',
    options: {
      model: { type: "string", value: "DIR", required: true, description: "HF model folder: config.json, model.safetensors, vocab.txt" },
      "top-k": { type: "number", value: "K", default: 5, description: "candidates per mask" },
      json: { type: "boolean", description: "one JSON line per text instead of tables" },
      cased: { type: "boolean", description: "keep case and accents (cased models; default: the folder's tokenizer_config.json, else uncased)" },
      backend: { type: "string", value: "NAME", description: "tfjs backend (default: the best available; see bert-lab doctor)" },
      "allow-missing": { type: "boolean", description: "run even when the folder lacks the masked-LM head (its guesses are then random)" },
    },
    details: `Write [MASK] (upper case, with the brackets) where the model should guess a token; a text
may hold several. Each guess's probability is the masked-LM head's softmax over the whole
vocabulary at that position (eval mode, no dropout).

--json writes one line per text:
  {"text": "...", "masks": [{"position": 6, "candidates": [{"token": "paris", "id": 3000,
   "score": 0.41, "sequence": "the capital of france is paris."}, ...]}, ...]}
"position" is the mask's token index in the model input ([CLS] is 0).

A text without [MASK], or too long for the model, gets an error on stderr and no output;
the exit code is then 1, after every other text has been answered.

Example:
  bert-lab fill-mask --model models/bert-base-uncased "the capital of france is [MASK]."`,
  },

  async run(args, io) {
    const v = args.values as Record<string, string | number | boolean | undefined>;
    const dir = v.model as string;
    const topK = v["top-k"] as number;
    if (!Number.isInteger(topK) || topK < 1) throw new BertLabError("BAD_OPTION", `--top-k must be a whole number of at least 1, got ${topK}`);
    const texts = args.positionals;
    if (texts.length === 0) {
      throw new BertLabError("NO_TEXT", `give the text to fill as an argument, e.g. bert-lab fill-mask --model ${dir} "the capital of france is [MASK]."`);
    }
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new BertLabError("MODEL_NOT_FOUND", `model folder not found: ${dir} — pass an HF folder holding config.json, model.safetensors and vocab.txt`);
    }
    const vocabPath = path.join(dir, "vocab.txt");
    if (!fs.existsSync(vocabPath)) {
      throw new BertLabError("VOCAB_NOT_FOUND", `no vocab.txt in ${dir} — copy there the vocab.txt the model was trained with`);
    }
    const doLowerCase = v.cased ? false : folderLowerCase(dir);
    // tfjs and the model load only for this command, so tokenize and friends start fast
    const { initBackend } = await import("../../backend/select");
    const { BertForPreTraining } = await import("../../model/bert-for-pretraining");
    const { BertTokenizer } = await import("../../tokenization/bert-tokenizer");
    const { encodeForFillMask, fillMaskEncoded } = await import("../../finetuning/fill-mask");
    await initBackend({ prefer: v.backend as string | undefined });
    const tokenizer = BertTokenizer.fromFile(vocabPath, { doLowerCase });
    const { model, report } = BertForPreTraining.fromPretrained(dir, { log: () => {} });
    try {
      // the NSP head is not used here (HF BertForMaskedLM checkpoints lack it)
      const missing = report.initialized.filter((n) => !n.startsWith("cls.seq_relationship."));
      if (missing.length > 0) {
        const what = missing.some((n) => n.startsWith("cls.predictions.")) ? "the masked-LM head and " : "";
        const msg = `${dir} lacks ${what}${missing.length} parameter(s), e.g. ${missing.slice(0, 3).join(", ")}`;
        if (!v["allow-missing"]) throw new BertLabError("MISSING_WEIGHTS", `${msg} — a bare BertModel cannot fill masks; pass --allow-missing to run with those at random`);
        io.stderr.write(`bert-lab fill-mask: ${msg}: initialised at random, the guesses mean nothing\n`);
      }
      if (report.unexpected.length > 0) {
        io.stderr.write(`bert-lab fill-mask: ignored ${report.unexpected.length} unused tensor(s): ${report.unexpected.slice(0, 5).join(", ")}\n`);
      }
      let failures = 0;
      const good: { index: number; enc: FillMaskEncoding }[] = [];
      texts.forEach((text, index) => {
        try {
          good.push({ index, enc: encodeForFillMask(model, tokenizer, text) });
        } catch (e) {
          if (!(e instanceof BertLabError)) throw e;
          failures++;
          io.stderr.write(`bert-lab fill-mask: text ${index + 1}: ${e.message}\n`);
        }
      });
      const results = fillMaskEncoded(model, tokenizer, good.map((g) => g.enc), { topK });
      let text = "";
      results.forEach((masks, k) => {
        const original = texts[good[k].index];
        text += v.json ? JSON.stringify({ text: original, masks }) + "\n" : table(original, masks);
      });
      if (text) await write(io.stdout, text);
      if (failures > 0) {
        io.stderr.write(`bert-lab fill-mask: ${failures} of ${texts.length} text(s) failed\n`);
        return 1;
      }
      return 0;
    } finally {
      model.dispose();
    }
  },
};

/** do_lower_case from the folder's tokenizer_config.json, when it has one; else true (uncased). */
function folderLowerCase(dir: string): boolean {
  try {
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8"));
    return typeof cfg.do_lower_case === "boolean" ? cfg.do_lower_case : true;
  } catch {
    return true;
  }
}

/** One text's guesses, a small table per mask. */
function table(text: string, masks: FillMaskResult[]): string {
  const lines = [text];
  masks.forEach((m, i) => {
    lines.push(`  [MASK]${masks.length > 1 ? ` ${i + 1} of ${masks.length}` : ""} (token ${m.position}):`);
    const width = Math.max(5, ...m.candidates.map((c) => c.token.length)) + 2;
    lines.push(`    ${"#".padStart(2)}  ${"token".padEnd(width)}${"prob".padStart(7)}  sequence`);
    m.candidates.forEach((c, r) => {
      lines.push(`    ${String(r + 1).padStart(2)}  ${c.token.padEnd(width)}${percent(c.score).padStart(7)}  ${c.sequence}`);
    });
  });
  return lines.join("\n") + "\n\n";
}

function percent(p: number): string {
  if (p > 0 && p < 0.0005) return "<0.1 %";
  return p >= 0.0995 ? `${(100 * p).toFixed(0)} %` : `${(100 * p).toFixed(1)} %`;
}
