// training: BERT's optimizer (AdamW without bias correction, no decay for LayerNorm/bias),
// its learning-rate schedule and global-norm clipping. Works on any Map<string, tf.Variable>
// of parameters: nothing here knows about BERT's model code.

export { BertAdamW, BertAdamWOptions, BertAdamWState, AdamSlotState, BERT_NO_DECAY } from "./adamw";
export { LrSchedule, LinearWarmupDecayOptions, linearWarmupDecay, warmupProportion, constantLr } from "./schedule";
export { clipByGlobalNorm } from "./clip";
export { NamedTensors, namedEntries } from "./named-tensors";
export { trainingStep, TrainingStepOptions, TrainingStepResult } from "./step";
