/** `bert-lab forward`: one eval-mode forward pass from JSON to JSON, with every output. */
import * as fs from "node:fs";
import { BertLabError } from "../../util/errors";
import { writeFileAtomic } from "../../util/atomic-write";
import { Command } from "../command";

export const forwardCommand: Command = {
  spec: {
    name: "forward",
    summary: "Run BertForPreTraining (eval mode) on JSON inputs and write every output as JSON.",
    usage: "bert-lab forward --config CONFIG.json --weights MODEL.safetensors --input INPUT.json --output OUT.json",
    options: {
      config: { type: "string", value: "FILE", required: true, description: "HF config.json" },
      weights: { type: "string", value: "FILE", required: true, description: "model.safetensors with HF names (with or without the bert. prefix)" },
      input: { type: "string", value: "FILE", required: true, description: "JSON: input_ids, token_type_ids, attention_mask, masked_lm_labels?, next_sentence_label?" },
      output: { type: "string", value: "FILE", required: true, description: "where to write the outputs (atomically)" },
      backend: { type: "string", value: "NAME", description: "tfjs backend (default: the best available; see bert-lab doctor)" },
      "allow-missing": { type: "boolean", description: "run even when the weights lack some parameters (they are initialised at random)" },
    },
    details: `Inputs are batch-major nested arrays. OUT.json holds last_hidden_state [B][T][H], hidden_states
[L+1][B][T][H] (embedding output first), pooled_output [B][H], attentions [L][B][A][T][T],
mlm_logits [B][T][V], nsp_logits [B][2], and mlm_loss, nsp_loss, total_loss when labels are
given (masked_lm_labels −100 = not predicted; next_sentence_label 0 = IsNext, 1 = NotNext).`,
  },

  async run(args, io) {
    const v = args.values as Record<string, string | boolean | undefined>;
    // the model and tfjs load only for this command, so tokenize and friends start fast
    const { initBackend } = await import("../../backend/select");
    const { BertForPreTraining } = await import("../../model/bert-for-pretraining");
    const { checkForwardJsonInput, forwardJson } = await import("../../model/forward-json");
    let inputText: string;
    try {
      inputText = fs.readFileSync(v.input as string, "utf8");
    } catch (e) {
      throw new BertLabError("INPUT_NOT_FOUND", `cannot read --input ${v.input}: ${(e as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(inputText);
    } catch (e) {
      throw new BertLabError("BAD_INPUT", `--input ${v.input} is not valid JSON: ${(e as Error).message}`);
    }
    const input = checkForwardJsonInput(json, v.input as string);
    await initBackend({ prefer: v.backend as string | undefined });
    const { model, report } = BertForPreTraining.fromFiles(v.config as string, v.weights as string);
    try {
      if (report.initialized.length > 0 && !v["allow-missing"]) {
        throw new BertLabError(
          "MISSING_WEIGHTS",
          `${v.weights} lacks ${report.initialized.length} parameter(s) of this config, e.g. ${report.initialized.slice(0, 3).join(", ")} — pass --allow-missing to run with those at random`,
        );
      }
      if (report.unexpected.length > 0) io.stderr.write(`bert-lab forward: ignored ${report.unexpected.length} unused tensor(s): ${report.unexpected.slice(0, 5).join(", ")}\n`);
      const out = forwardJson(model, input);
      writeFileAtomic(v.output as string, JSON.stringify(out));
    } finally {
      model.dispose();
    }
    return 0;
  },
};
