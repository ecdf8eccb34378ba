// finetuning: task heads trained on top of BERT (paper §4), the benchmarks' metrics, inference helpers.
export { accuracy, f1Binary, matthewsCorrelation, pearson, spearman, averageRanks, glueMetrics, seqevalScores, squadNormalize, squadExactMatch, squadF1, squadScores } from "./metrics";
export type { PrecisionRecallF1, EntityScores, SeqevalScores, SquadScores } from "./metrics";
export { fillMask, fillMaskBatch } from "./fill-mask";
export { encodeExamples, EncodedExamples, SentenceExample, sequenceClassificationTask, SequenceTask, SequenceTaskOptions } from "./sequence-classification";
export { finetune, FinetuneOptions, FinetuneResult, loadSentenceTask, loadNerTask, SENTENCE_TASKS, SentenceTaskName, TOKEN_TASKS, FINETUNE_TASKS, FinetuneTaskName } from "./finetune";
export { encodeTagged, EncodedSentences, TaggedSentence, tokenClassificationTask, TokenTask, TokenTaskOptions } from "./token-classification";
export { extractFeatures, combineLayers, FeatureRow, TokenFeatures, ExtractOptions } from "./features";
