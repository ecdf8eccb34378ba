/**
 * Which hidden states of a frozen BERT become a word's features in the feature-based
 * approach (paper §5.3, Table 7): a single layer, a sum or a concatenation of layers, or all
 * of them mixed by learned weights (ELMo's scalar mix). Layers are named as
 * google-research/bert extract_features.py's --layers (Python-style indexes into the encoder
 * layers) or "embeddings"; Table 7's row names are aliases, and TABLE7_CHOICES holds the
 * paper's rows with their dev F1.
 *
 * @example
 *   parseLayerChoice("concat-last-4"); // { kind: "concat", layers: [-1, -2, -3, -4] }
 *   layerSlots(parseLayerChoice("-1"), 12); // [12]
 */
import { BertLabError } from "../util/errors";

/** A layer as extract_features.py's --layers names it: Python-style into the L encoder layers, or the embedding output. */
export type LayerIndex = number | "embeddings";

/** Which hidden states become a word's features (Table 7's rows). */
export type LayerChoice =
  | { kind: "single"; layer: LayerIndex }
  | { kind: "sum"; layers: LayerIndex[] }
  | { kind: "concat"; layers: LayerIndex[] }
  /** all L + 1 states (embeddings included), mixed by learned softmax weights × γ (ELMo's scalar mix) */
  | { kind: "weighted" };

/** Table 7's row names, as aliases. */
const ALIASES: Record<string, string> = {
  last: "-1",
  "second-to-last": "-2",
  "sum-last-4": "sum:-1,-2,-3,-4",
  "concat-last-4": "concat:-1,-2,-3,-4",
  "weighted-all": "weighted",
};

export const LAYER_CHOICE_FORMS =
  '"embeddings", a layer such as "-1" or "-2" (Python-style into the encoder layers), "sum:-1,-2,-3,-4", "concat:-1,-2,-3,-4", "weighted", ' +
  'or Table 7\'s names "last", "second-to-last", "sum-last-4", "concat-last-4", "weighted-all"';

/**
 * The feature-based rows of Table 7 (BERT-base, CoNLL-2003 dev F1, arXiv 1810.04805 v2) and
 * the layer choice each one is here. The paper's "Weighted Sum Last Four Hidden" is a plain
 * sum (earlier versions of the paper label it "Sum Last Four Hidden"); its "Weighted Sum All
 * 12 Layers" is the learned mix, which here, as ELMo's, also weighs the embedding output.
 */
export const TABLE7_CHOICES: readonly { row: string; layers: string; paperDevF1: number }[] = [
  { row: "Embeddings", layers: "embeddings", paperDevF1: 91.0 },
  { row: "Second-to-Last Hidden", layers: "-2", paperDevF1: 95.6 },
  { row: "Last Hidden", layers: "-1", paperDevF1: 94.9 },
  { row: "Weighted Sum Last Four Hidden", layers: "sum:-1,-2,-3,-4", paperDevF1: 95.9 },
  { row: "Concat Last Four Hidden", layers: "concat:-1,-2,-3,-4", paperDevF1: 96.1 },
  { row: "Weighted Sum All 12 Layers", layers: "weighted", paperDevF1: 95.5 },
];

/**
 * Reads a layer choice.
 *
 * @example
 *   parseLayerChoice("concat-last-4"); // { kind: "concat", layers: [-1, -2, -3, -4] }
 *   parseLayerChoice("-2");            // { kind: "single", layer: -2 }
 */
export function parseLayerChoice(text: string): LayerChoice {
  const bad = (why: string) => new BertLabError("BAD_LAYER_CHOICE", `layer choice ${JSON.stringify(text)}: ${why} — use ${LAYER_CHOICE_FORMS}`);
  if (typeof text !== "string") throw bad("not a string");
  const t = ALIASES[text.trim().toLowerCase()] ?? text.trim().toLowerCase();
  const index = (s: string): LayerIndex => {
    const x = s.trim();
    if (x === "embeddings") return "embeddings";
    if (!/^[+-]?\d+$/.test(x)) throw bad(`${JSON.stringify(x)} is not a layer`);
    return Number(x);
  };
  if (t === "weighted") return { kind: "weighted" };
  const m = /^(sum|concat):(.*)$/.exec(t);
  if (m) {
    const layers = m[2].split(",").map(index);
    if (new Set(layers).size !== layers.length) throw bad("a layer is listed twice");
    return { kind: m[1] as "sum" | "concat", layers };
  }
  if (t === "" || t.includes(",") || t.includes(":")) throw bad("unknown form");
  return { kind: "single", layer: index(t) };
}

/** The canonical text of a choice (what parseLayerChoice reads back; recorded in tagger.json and eval.json). */
export function layerChoiceText(choice: LayerChoice): string {
  if (choice.kind === "weighted") return "weighted";
  if (choice.kind === "single") return String(choice.layer);
  return `${choice.kind}:${choice.layers.join(",")}`;
}

/** A choice as given (text or object), read and checked: parseLayerChoice's errors either way. */
export const asChoice = (c: LayerChoice | string): LayerChoice => (typeof c === "string" ? parseLayerChoice(c) : parseLayerChoice(layerChoiceText(c)));

/** The hidden states a choice reads (0 = the embedding output, l = encoder layer l), checked against the model's L layers. */
export function layerSlots(choice: LayerChoice, L: number): number[] {
  const slot = (index: LayerIndex) => {
    if (index === "embeddings") return 0;
    if (!Number.isInteger(index) || index < -L || index >= L) {
      throw new BertLabError("BAD_LAYER", `layer ${index} does not exist: the model has ${L} layers (use ${-L}..${L - 1}, or "embeddings")`);
    }
    return (index < 0 ? L + index : index) + 1;
  };
  if (choice.kind === "weighted") return Array.from({ length: L + 1 }, (_, i) => i);
  const slots = choice.kind === "single" ? [slot(choice.layer)] : choice.layers.map(slot);
  if (new Set(slots).size !== slots.length) throw new BertLabError("BAD_LAYER", `${layerChoiceText(choice)} names one layer twice (the model has ${L} layers)`);
  return slots;
}
