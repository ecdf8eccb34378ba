/**
 * A forward pass from and to plain JSON, with the reference's names and nesting (what
 * `bert-lab forward` reads and writes, and what ../shared/golden/golden_model_public.json
 * holds): inputs `input_ids`, `token_type_ids`, `attention_mask`, `masked_lm_labels`?,
 * `next_sentence_label`?; outputs `last_hidden_state` [B][T][H], `hidden_states`
 * [L+1][B][T][H], `pooled_output` [B][H], `attentions` [L][B][A][T][T], `mlm_logits`
 * [B][T][V], `nsp_logits` [B][2], and `mlm_loss`, `nsp_loss`, `total_loss` with labels.
 */
import { BertLabError } from "../util/errors";
import { disposeOutput } from "./bert-model";
import { BertForPreTraining } from "./bert-for-pretraining";

export interface ForwardJsonInput {
  input_ids: number[][];
  token_type_ids?: number[][];
  attention_mask?: number[][];
  masked_lm_labels?: number[][];
  next_sentence_label?: number[];
}

export function checkForwardJsonInput(json: unknown, source: string): ForwardJsonInput {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new BertLabError("BAD_INPUT", `${source}: expected a JSON object with "input_ids"`);
  }
  const o = json as Record<string, unknown>;
  const matrix = (k: string, required: boolean) => {
    const v = o[k];
    if (v === undefined && !required) return;
    if (!Array.isArray(v) || v.length === 0 || !v.every((r) => Array.isArray(r) && r.every((x) => typeof x === "number"))) {
      throw new BertLabError("BAD_INPUT", `${source}: "${k}" must be a [batch][tokens] array of integers`);
    }
  };
  matrix("input_ids", true);
  matrix("token_type_ids", false);
  matrix("attention_mask", false);
  matrix("masked_lm_labels", false);
  const nsl = o.next_sentence_label;
  if (nsl !== undefined && (!Array.isArray(nsl) || !nsl.every((x) => typeof x === "number"))) {
    throw new BertLabError("BAD_INPUT", `${source}: "next_sentence_label" must be a [batch] array of 0/1`);
  }
  return o as unknown as ForwardJsonInput;
}

/** Runs the model in eval mode and returns every output as nested arrays. */
export function forwardJson(model: BertForPreTraining, input: ForwardJsonInput): Record<string, unknown> {
  const out = model.forward(
    {
      inputIds: input.input_ids,
      tokenTypeIds: input.token_type_ids,
      attentionMask: input.attention_mask,
      maskedLmLabels: input.masked_lm_labels,
      nextSentenceLabel: input.next_sentence_label,
    },
    { training: false, outputAttentions: true, outputHiddenStates: true },
  );
  try {
    const json: Record<string, unknown> = {
      last_hidden_state: out.lastHiddenState.arraySync(),
      hidden_states: out.hiddenStates.map((h) => h.arraySync()),
      pooled_output: out.pooledOutput.arraySync(),
      attentions: out.attentions.map((a) => a.arraySync()),
      mlm_logits: out.mlmLogits!.arraySync(),
      nsp_logits: out.nspLogits.arraySync(),
    };
    if (out.mlmLoss) json.mlm_loss = out.mlmLoss.dataSync()[0];
    if (out.nspLoss) json.nsp_loss = out.nspLoss.dataSync()[0];
    if (out.totalLoss) json.total_loss = out.totalLoss.dataSync()[0];
    return json;
  } finally {
    disposeOutput(out);
  }
}
