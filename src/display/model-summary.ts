// modelSummary(): where a BERT model's parameters are — one row per module (embeddings, each
// encoder layer, pooler, heads) with its parameter count, tensor shapes and share of the total,
// read from the model's ParamStore names (HF names: "bert.encoder.layer.0.attention.…").
// Structural types only: this file imports nothing from src/model, so model classes may
// import it (their one-line [Symbol.for("Jupyter.display")] methods) without a cycle.
import { DISPLAY, Displayable, MimeBundle } from "./mime";
import { escapeHtml, formatNumber, Row, table } from "./table";

/** What modelSummary reads of a model: its parameters by name, and its config if it has one. */
export interface SummarizableModel {
  store: { vars: ReadonlyMap<string, { shape: readonly number[]; size: number }> };
  config?: {
    vocabSize?: number;
    hiddenSize?: number;
    numHiddenLayers?: number;
    numAttentionHeads?: number;
    intermediateSize?: number;
    maxPositionEmbeddings?: number;
    typeVocabSize?: number;
    hiddenAct?: string;
  };
}

/** One module's row. */
export interface ModuleSummary {
  module: string;
  params: number;
  /** percent of all parameters */
  share: number;
  /** distinct shapes with their counts: "[128, 128]×4, [128]×10" */
  shapes: string;
  tensors: number;
}

/** What modelSummary() made. */
export interface ModelSummary extends Displayable {
  modules: ModuleSummary[];
  total: number;
  /** "BertForPreTraining · L=2 H=128 A=2 I=512 · vocab 30522 · positions 512 · gelu" */
  configLine: string;
  text: string;
  html: string;
}

/**
 * The module a parameter belongs to: the `bert.` prefix kept, then `encoder.layer.N`,
 * `cls.predictions` / `cls.seq_relationship`, or the first name part.
 *
 * @example
 *   moduleOf("bert.encoder.layer.3.attention.self.query.weight")   // "bert.encoder.layer.3"
 *   moduleOf("embeddings.LayerNorm.weight")                        // "embeddings"
 *   moduleOf("cls.predictions.transform.dense.bias")               // "cls.predictions"
 */
export function moduleOf(name: string): string {
  const prefix = name.startsWith("bert.") ? "bert." : "";
  const parts = name.slice(prefix.length).split(".");
  if (parts.length <= 1) return name;
  const keep = parts[0] === "encoder" && parts[1] === "layer" ? 3 : parts[0] === "cls" ? 2 : 1;
  return prefix + parts.slice(0, Math.min(keep, parts.length - 1)).join(".");
}

function shapesText(shapes: readonly (readonly number[])[]): string {
  const counts = new Map<string, number>();
  for (const s of shapes) {
    const k = `[${s.join(", ")}]`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => (n > 1 ? `${k}×${n}` : k)).join(", ");
}

/** Groups the store's parameters by module, in the order they were created. */
export function moduleSummaries(model: SummarizableModel): { modules: ModuleSummary[]; total: number } {
  const groups = new Map<string, { params: number; shapes: (readonly number[])[] }>();
  let total = 0;
  for (const [name, v] of model.store.vars) {
    const m = moduleOf(name);
    const g = groups.get(m) ?? { params: 0, shapes: [] };
    g.params += v.size;
    g.shapes.push(v.shape);
    groups.set(m, g);
    total += v.size;
  }
  const modules = [...groups].map(([module, g]) => ({
    module,
    params: g.params,
    share: total > 0 ? (100 * g.params) / total : 0,
    shapes: shapesText(g.shapes),
    tensors: g.shapes.length,
  }));
  return { modules, total };
}

function configLineOf(model: SummarizableModel): string {
  const name = (model as { constructor?: { name?: string } }).constructor?.name;
  const parts = [name && name !== "Object" ? name : "model"];
  const c = model.config;
  if (c) {
    const dims = [["L", c.numHiddenLayers], ["H", c.hiddenSize], ["A", c.numAttentionHeads], ["I", c.intermediateSize]].filter(([, v]) => v !== undefined);
    if (dims.length) parts.push(dims.map(([k, v]) => `${k}=${v}`).join(" "));
    if (c.vocabSize !== undefined) parts.push(`vocab ${c.vocabSize}`);
    if (c.maxPositionEmbeddings !== undefined) parts.push(`positions ${c.maxPositionEmbeddings}`);
    if (c.typeVocabSize !== undefined) parts.push(`segments ${c.typeVocabSize}`);
    if (c.hiddenAct !== undefined) parts.push(c.hiddenAct);
  }
  return parts.join(" · ");
}

/**
 * A per-module parameter table of a BertModel, BertForPreTraining or task model (any object
 * with a ParamStore `store`): module, parameters, share, tensor shapes, and the total.
 *
 * @example
 *   modelSummary(new BertForPreTraining(bertConfig("tiny")))
 *   // BertForPreTraining · L=2 H=128 A=2 I=512 · vocab 30522 · positions 512 · segments 2 · gelu
 *   // module                 parameters  share %  tensors  shapes
 *   // bert.embeddings         3,972,864    90.52        5  [30522, 128], [512, 128], [2, 128], [128]×2
 *   // bert.encoder.layer.0      198,272    4.517       16  [128, 128]×4, [128]×10, [128, 512], [512], [512, 128]
 *   // …
 *   // total                  4,389,052      100       43
 */
export function modelSummary(model: SummarizableModel): ModelSummary {
  const { modules, total } = moduleSummaries(model);
  const configLine = configLineOf(model);
  const rows: Row[] = modules.map((m) => ({ module: m.module, parameters: m.params, "share %": Math.round(m.share * 100) / 100, tensors: m.tensors, shapes: m.shapes }));
  rows.push({ module: "total", parameters: total, "share %": total > 0 ? 100 : 0, tensors: modules.reduce((a, m) => a + m.tensors, 0), shapes: "" });
  const tied = model.store.vars.has("cls.predictions.bias") && !model.store.vars.has("cls.predictions.decoder.weight");
  const note = tied ? "cls.predictions: the decoder weight is the word embeddings (tied), counted once" : "";
  const t = table(rows, { title: `${formatNumber(total, 4, true)} parameters`, maxRows: Infinity, thousands: true });
  const text = [configLine, t.text, note].filter((x) => x !== "").join("\n");
  const html = `<div class="bl-model-summary"><div style="font:600 13px/1.6 sans-serif">${escapeHtml(configLine)}</div>\n${t.html}${
    note ? `\n<div style="font:12px/1.5 sans-serif;opacity:.7">${escapeHtml(note)}</div>` : ""
  }</div>`;
  return {
    modules,
    total,
    configLine,
    text,
    html,
    [DISPLAY]: (): MimeBundle => ({ "text/plain": text, "text/html": html }),
    toString: () => text,
  } as ModelSummary;
}
