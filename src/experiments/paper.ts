/**
 * The paper's own numbers for its ablations, as data: Devlin et al., "BERT: Pre-training of
 * Deep Bidirectional Transformers for Language Understanding", arXiv 1810.04805v2 — Tables 5,
 * 6, 7 and 8 (dev sets) and what §C.1 says of Figure 5. Our experiments print these beside
 * their own results; nothing here is measured by us.
 *
 * @example
 *   PAPER_TABLE5.rows[0]; // { row: "BERT-Base", scores: { mnli: 84.4, qnli: 88.4, mrpc: 86.7, sst2: 92.7, squad: 88.5 } }
 */
import { TABLE7_CHOICES } from "../finetuning/layer-choice";

export const PAPER_SOURCE = "Devlin et al. 2019, arXiv 1810.04805v2";

/** A reference score per benchmark column, keyed by our task names (mnli = MNLI-m accuracy, squad = SQuAD v1.1 F1, conll2003 = dev F1). */
export type PaperScores = Partial<Record<string, number>>;

export interface PaperTable<Row> {
  /** e.g. "Table 5" */
  name: string;
  caption: string;
  source: string;
  /** column key → the paper's column title */
  columns: Record<string, string>;
  rows: Row[];
}

export interface PaperRow {
  row: string;
  scores: PaperScores;
}

/** Table 5: ablation over the pre-training tasks, BERT-Base architecture, dev. */
export const PAPER_TABLE5: PaperTable<PaperRow> = {
  name: "Table 5",
  caption: "Ablation over the pre-training tasks using the BERT-Base architecture (dev)",
  source: `${PAPER_SOURCE}, Table 5`,
  columns: { mnli: "MNLI-m (Acc)", qnli: "QNLI (Acc)", mrpc: "MRPC (Acc)", sst2: "SST-2 (Acc)", squad: "SQuAD (F1)" },
  rows: [
    { row: "BERT-Base", scores: { mnli: 84.4, qnli: 88.4, mrpc: 86.7, sst2: 92.7, squad: 88.5 } },
    { row: "No NSP", scores: { mnli: 83.9, qnli: 84.9, mrpc: 86.5, sst2: 92.6, squad: 87.9 } },
    { row: "LTR & No NSP", scores: { mnli: 82.1, qnli: 84.3, mrpc: 77.5, sst2: 92.1, squad: 77.8 } },
    { row: "+ BiLSTM", scores: { mnli: 82.1, qnli: 84.1, mrpc: 75.7, sst2: 91.6, squad: 84.9 } },
  ],
};

/** Table 6: ablation over model size (LM perplexity of held-out training data, and dev accuracy of 5 fine-tuning restarts). */
export const PAPER_TABLE6: PaperTable<PaperRow & { layers: number; hidden: number; heads: number }> = {
  name: "Table 6",
  caption: "Ablation over BERT model size: #L layers, #H hidden size, #A heads; LM (ppl) is the masked LM perplexity of held-out training data",
  source: `${PAPER_SOURCE}, Table 6`,
  columns: { lm_ppl: "LM (ppl)", mnli: "MNLI-m", mrpc: "MRPC", sst2: "SST-2" },
  rows: [
    { row: "L=3 H=768 A=12", layers: 3, hidden: 768, heads: 12, scores: { lm_ppl: 5.84, mnli: 77.9, mrpc: 79.8, sst2: 88.4 } },
    { row: "L=6 H=768 A=3", layers: 6, hidden: 768, heads: 3, scores: { lm_ppl: 5.24, mnli: 80.6, mrpc: 82.2, sst2: 90.7 } },
    { row: "L=6 H=768 A=12", layers: 6, hidden: 768, heads: 12, scores: { lm_ppl: 4.68, mnli: 81.9, mrpc: 84.8, sst2: 91.3 } },
    { row: "L=12 H=768 A=12", layers: 12, hidden: 768, heads: 12, scores: { lm_ppl: 3.99, mnli: 84.4, mrpc: 86.7, sst2: 92.9 } },
    { row: "L=12 H=1024 A=16", layers: 12, hidden: 1024, heads: 16, scores: { lm_ppl: 3.54, mnli: 85.7, mrpc: 86.9, sst2: 93.3 } },
    { row: "L=24 H=1024 A=16", layers: 24, hidden: 1024, heads: 16, scores: { lm_ppl: 3.23, mnli: 86.6, mrpc: 87.8, sst2: 93.7 } },
  ],
};

/** Table 7: CoNLL-2003 NER dev F1, fine-tuning vs the feature-based approach; `layers` is the layer choice our feature-based runs use for the row. */
export const PAPER_TABLE7: PaperTable<PaperRow & { approach: "fine-tuning" | "feature-based"; layers?: string }> = {
  name: "Table 7",
  caption: "CoNLL-2003 Named Entity Recognition, dev F1: fine-tuning vs features from BERT-Base fed to a two-layer 768-dim BiLSTM",
  source: `${PAPER_SOURCE}, Table 7`,
  columns: { conll2003: "Dev F1" },
  rows: [
    { row: "Fine-tuning BERT-Large", approach: "fine-tuning", scores: { conll2003: 96.6 } },
    { row: "Fine-tuning BERT-Base", approach: "fine-tuning", scores: { conll2003: 96.4 } },
    // the feature-based rows, as finetuning/layer-choice.ts maps them onto layer choices
    ...TABLE7_CHOICES.map((c) => ({ row: c.row, approach: "feature-based" as const, layers: c.layers, scores: { conll2003: c.paperDevF1 } })),
  ],
};

/** Table 8: the masking procedure's ratios (MASK / SAME / RND) — MNLI fine-tuned, NER fine-tuned, NER feature-based (last four layers concatenated). */
export const PAPER_TABLE8: PaperTable<PaperRow & { mask: number; same: number; random: number }> = {
  name: "Table 8",
  caption: "Ablation over different masking strategies (dev): MASK / SAME / RND are the shares of the chosen tokens replaced by [MASK], kept, or replaced by a random token",
  source: `${PAPER_SOURCE}, Table 8`,
  columns: { mnli: "MNLI Fine-tune", ner_finetune: "NER Fine-tune", ner_feature: "NER Feature-based" },
  rows: [
    { row: "80% / 10% / 10%", mask: 0.8, same: 0.1, random: 0.1, scores: { mnli: 84.2, ner_finetune: 95.4, ner_feature: 94.9 } },
    { row: "100% / 0% / 0%", mask: 1, same: 0, random: 0, scores: { mnli: 84.3, ner_finetune: 94.9, ner_feature: 94.0 } },
    { row: "80% / 0% / 20%", mask: 0.8, same: 0, random: 0.2, scores: { mnli: 84.1, ner_finetune: 95.2, ner_feature: 94.6 } },
    { row: "80% / 20% / 0%", mask: 0.8, same: 0.2, random: 0, scores: { mnli: 84.4, ner_finetune: 95.2, ner_feature: 94.7 } },
    { row: "0% / 20% / 80%", mask: 0, same: 0.2, random: 0.8, scores: { mnli: 83.7, ner_finetune: 94.8, ner_feature: 94.6 } },
    { row: "0% / 0% / 100%", mask: 0, same: 0, random: 1, scores: { mnli: 83.6, ner_finetune: 94.9, ner_feature: 94.6 } },
  ],
};

/**
 * Figure 5 (Appendix C.1) is a plot, not a table: MNLI dev accuracy of BERT-Base fine-tuned
 * from checkpoints along pre-training, masked LM vs left-to-right. What the text states is
 * kept here; the end points are Table 5's rows (the same models at 1M steps).
 */
export const PAPER_FIGURE5 = {
  name: "Figure 5",
  caption: "Ablation over the number of training steps: MNLI accuracy after fine-tuning from checkpoints pre-trained for k steps",
  source: `${PAPER_SOURCE}, Figure 5 and §C.1`,
  claims: [
    "BERT-Base achieves almost 1.0% additional accuracy on MNLI when trained on 1M steps compared to 500k steps.",
    "The MLM model converges marginally slower than a LTR model, but begins to outperform the LTR model in terms of absolute accuracy almost immediately.",
  ],
  /** MNLI-m dev accuracy at 1M steps (Table 5: BERT-Base, and LTR & No NSP) */
  endPoints: { mlm: 84.4, ltr: 82.1 },
  steps: 1_000_000,
} as const;
