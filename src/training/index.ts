// training: BERT's optimizer (AdamW without bias correction, no decay for LayerNorm/bias),
// its learning-rate schedule, global-norm clipping, one step, and the training loop with
// checkpoints. Works on any Map<string, tf.Variable> of parameters: nothing here knows
// about BERT's model code.

export { BertAdamW, BertAdamWOptions, BertAdamWState, AdamSlotState, BERT_NO_DECAY } from "./adamw";
export { LrSchedule, LinearWarmupDecayOptions, linearWarmupDecay, warmupProportion, constantLr } from "./schedule";
export { clipByGlobalNorm } from "./clip";
export { NamedTensors, namedEntries } from "./named-tensors";
export { trainingStep, TrainingStepOptions, TrainingStepResult } from "./step";
export { train, TrainTask, TrainOptions, TrainResult, TrainCallbacks, StepInfo, LogRecord, EvalRecord, TrainerState, TrainingDivergedError, METRICS_FILE } from "./trainer";
export { saveCheckpoint, listCheckpoints, latestCheckpoint, CheckpointRef, readOptimizerState, writeOptimizerState } from "./checkpoint";
