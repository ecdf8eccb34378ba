export { BERT_RATIOS, MaskedSequence, MaskedInstance, MaskingDecision, MaskingOptions, MaskingReport, Replacement, ReplacementRatios, maskTokens, maskingReport, instancesMaskingReport, maskingDecisions } from "./masking";
export { DEFAULT_INSTANCE_OPTIONS, InstanceOptions, TrainingInstance, createTrainingInstances, instancesFromDocument, instanceToJson, truncateSeqPair } from "./instances";
export { InstanceSource, SourceState, StaticInstances, StreamingInstances, Holdout } from "./instance-sources";
export { PretrainingBatch, collateBatch } from "./batch";
export { Objective, OBJECTIVES, ObjectiveStats, pretrainingLoss, usesNsp } from "./objectives";
export { pretrain, PretrainOptions, PretrainRun, pretrainingTask, objectiveMetrics } from "./pretrain";
