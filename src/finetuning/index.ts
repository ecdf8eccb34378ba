// finetuning: task heads trained on top of BERT (paper §4), the benchmarks' metrics, inference helpers.
export { accuracy, f1Binary, matthewsCorrelation, pearson, spearman, averageRanks, glueMetrics, seqevalScores, squadNormalize, squadExactMatch, squadF1, squadScores } from "./metrics";
export type { PrecisionRecallF1, EntityScores, SeqevalScores, SquadScores } from "./metrics";
export { fillMask, fillMaskBatch } from "./fill-mask";
export { encodeExamples, EncodedExamples, SentenceExample, sequenceClassificationTask, SequenceTask, SequenceTaskOptions } from "./sequence-classification";
export { finetune, FinetuneOptions, FinetuneResult, loadSentenceTask, loadNerTask, SENTENCE_TASKS, SentenceTaskName, TOKEN_TASKS, FINETUNE_TASKS, FinetuneTaskName } from "./finetune";
export { encodeTagged, EncodedSentences, TaggedSentence, tokenClassificationTask, TokenTask, TokenTaskOptions } from "./token-classification";
export { extractFeatures, combineLayers, FeatureRow, TokenFeatures, ExtractOptions } from "./features";
export { tsvMetrics, macroF1, nerFiles, TokenTaskName } from "./task-data";
export { evaluateModel, EvaluateOptions, EvaluateResult } from "./evaluate";
export {
  predictSentences, predictTags, loadSentenceClassifier, loadTokenClassifier, splitWords,
  SentenceClassifier, TokenClassifier, LoadOptions, Loaded, PredictOptions, SentenceInput, ClassPrediction, ValuePrediction,
  SentencePrediction, TaggedWord, PredictedEntity, TagPrediction,
} from "./predict";
export {
  squadFeatures, squadPredictions, questionAnsweringTask, docWindows, maxContextWindow, improveAnswerSpan, getFinalText,
  SquadFeatureOptions, SquadDoc, SquadFeatures, DocWindow, SquadPredictionOptions, SquadCandidate, SquadPredictions,
  QuestionAnsweringOptions, QuestionAnsweringTask,
} from "./question-answering";
export {
  parseLayerChoice, layerChoiceText, layerSlots, extractWordFeatures, featureBasedTask, finetuneFeatureBased, FeatureTagger,
  readTaggerSettings, loadFeatureTagger, LAYER_CHOICE_FORMS, TABLE7_CHOICES, TAGGER_KINDS,
  LayerIndex, LayerChoice, WordFeatures, ExtractWordOptions, TaggerKind, TaggerSettings, FeatureTaskOptions, FeatureTask,
  FeatureBasedOptions, FeatureBasedResult,
} from "./feature-based";
export { loadSquadTask, QA_TASKS, QaTaskName } from "./finetune";
export { predictAnswers, loadQuestionAnswerer, questionAnsweringLogits, QuestionInput, AnswerOptions, AnswerPrediction, AnswerCandidate, QuestionAnswerer } from "./predict-answers";
