/**
 * The feature-based approach (paper §5.3, Table 7): a frozen BERT's hidden layers as
 * features, as google-research/bert's extract_features.py writes them, and the layer
 * combinations of Table 7 (the embedding output, one layer, the sum or the concatenation of
 * the last four, all twelve summed). Legend: T tokens, H hidden, L layers.
 *
 * Layer indices are those of extract_features.py's --layers: into the L encoder layers,
 * Python style (−1 the last, 0 the first); "embeddings" is the embedding output.
 *
 * @example
 *   const rows = extractFeatures(model, tokenizer, ["the dog barked ||| it was late"], { layers: [-1, -2, -3, -4] });
 *   rows[0].features[1].token;               // "the"
 *   rows[0].features[1].layers[0].values;    // H numbers: layer −1 at that token
 *   combineLayers(rows[0], "concat");         // T × 4H: Table 7's "concat last four"
 */
import { BertModel, disposeOutput } from "../model/bert-model";
import type { BertTokenizer } from "../tokenization/bert-tokenizer";
import { BertLabError } from "../util/errors";

export interface TokenFeatures {
  token: string;
  layers: { index: number | "embeddings"; values: number[] }[];
}

/** One line of extract_features.py's output. */
export interface FeatureRow {
  linex_index: number;
  features: TokenFeatures[];
}

export interface ExtractOptions {
  /** extract_features.py's --layers (default −1,−2,−3,−4); "embeddings" for the embedding output */
  layers?: (number | "embeddings")[];
  maxSeqLength?: number;
  batchSize?: number;
}

/**
 * Features of each input ("text" or "text A ||| text B", as extract_features.py reads its
 * input file), from a frozen model in eval mode.
 */
export function extractFeatures(model: BertModel, tokenizer: BertTokenizer, inputs: readonly string[], options: ExtractOptions = {}): FeatureRow[] {
  const layers = options.layers ?? [-1, -2, -3, -4];
  const L = model.config.numHiddenLayers;
  const slot = (index: number | "embeddings") => {
    if (index === "embeddings") return 0;
    if (!Number.isInteger(index) || index < -L || index >= L) throw new BertLabError("BAD_LAYER", `layer ${index} does not exist: the model has ${L} layers (use ${-L}..${L - 1}, or "embeddings")`);
    return (index < 0 ? L + index : index) + 1; // hiddenStates[0] is the embedding output
  };
  const slots = layers.map(slot);
  const T = options.maxSeqLength ?? 128;
  const batch = options.batchSize ?? 8;
  const rows: FeatureRow[] = [];
  for (let start = 0; start < inputs.length; start += batch) {
    const chunk = inputs.slice(start, start + batch).map((line) => {
      const [a, b] = line.split(" ||| ");
      return tokenizer.encode(a.trim(), b === undefined ? null : b.trim(), { maxLength: T, padding: "max_length" });
    });
    const out = model.forward(
      { inputIds: chunk.map((e) => e.inputIds), tokenTypeIds: chunk.map((e) => e.tokenTypeIds), attentionMask: chunk.map((e) => e.attentionMask) },
      { outputHiddenStates: true },
    );
    const chosen = slots.map((s) => out.hiddenStates[s].arraySync() as number[][][]); // per layer: [B, T, H]
    disposeOutput(out);
    chunk.forEach((e, k) => {
      const n = e.attentionMask.reduce((s, m) => s + m, 0);
      rows.push({
        linex_index: start + k,
        features: e.tokens.slice(0, n).map((token, t) => ({
          token,
          // as extract_features.py: round(float(x), 6)
          layers: layers.map((index, j) => ({ index, values: chosen[j][k][t].map((x) => Math.round(x * 1e6) / 1e6) })),
        })),
      });
    });
  }
  return rows;
}

/** Table 7's combinations of one input's extracted layers, per token. */
export function combineLayers(row: FeatureRow, how: "sum" | "concat"): number[][] {
  return row.features.map((f) => {
    if (how === "concat") return f.layers.flatMap((l) => l.values);
    const sum = new Array(f.layers[0].values.length).fill(0);
    for (const l of f.layers) l.values.forEach((v, i) => (sum[i] += v));
    return sum;
  });
}

