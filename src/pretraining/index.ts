export { Document, LineTokenizer, documentsFromText, documentsFromFiles } from "./documents";
export { BERT_RATIOS, MaskedSequence, MaskingOptions, MaskingReport, Replacement, ReplacementRatios, maskTokens, maskingReport } from "./masking";
export { DEFAULT_INSTANCE_OPTIONS, InstanceOptions, TrainingInstance, createTrainingInstances, instancesFromDocument, instanceToJson, truncateSeqPair } from "./instances";
