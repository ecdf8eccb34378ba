/** `bert-lab params`: parameter counts of a preset or a config.json. */
import { bertConfig, countParams, PresetName, PRESETS, readConfig } from "../../model/config";
import { BertLabError } from "../../util/errors";
import { Command } from "../command";

export const paramsCommand: Command = {
  spec: {
    name: "params",
    summary: "Count the parameters of a BERT preset or config.json (BertModel, and with the pre-training heads).",
    usage: "bert-lab params (--preset NAME | --config FILE) [--json]",
    options: {
      preset: { type: "string", value: "NAME", description: `one of ${Object.keys(PRESETS).join(", ")}` },
      config: { type: "string", value: "FILE", description: "an HF config.json" },
      json: { type: "boolean", description: 'print {"model": N, "pretraining": M}' },
    },
    details: `model = BertModel with the pooler; pretraining = with the masked-LM and next-sentence heads
(the decoder is tied to the word embeddings, so it is counted once).

Example:
  bert-lab params --preset base --json
  {"model":109482240,"pretraining":110106428}`,
  },

  async run(args, io) {
    const { preset, config } = args.values as { preset?: string; config?: string };
    if ((preset === undefined) === (config === undefined)) {
      throw new BertLabError("BAD_OPTION", "give exactly one of --preset NAME or --config FILE");
    }
    const c = config !== undefined ? readConfig(config) : bertConfig(preset as PresetName);
    const n = countParams(c);
    if (args.values.json) {
      io.stdout.write(JSON.stringify(n) + "\n");
    } else {
      const name = config ?? preset;
      io.stdout.write(
        `${name}: L${c.numHiddenLayers} H${c.hiddenSize} A${c.numAttentionHeads}, vocab ${c.vocabSize}\n` +
          `  BertModel (with pooler)        ${n.model.toLocaleString("en-US").padStart(13)}\n` +
          `  with MLM + NSP heads           ${n.pretraining.toLocaleString("en-US").padStart(13)}\n`,
      );
    }
    return 0;
  },
};
