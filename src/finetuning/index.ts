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
export { squadFeatures, docWindows, maxContextWindow, improveAnswerSpan, SquadFeatureOptions, SquadDoc, SquadFeatures, DocWindow } from "./squad-features";
export { squadPredictions, getFinalText, SquadPredictionOptions, SquadCandidate, SquadPredictions } from "./squad-predictions";
export { questionAnsweringTask, QuestionAnsweringOptions, QuestionAnsweringTask } from "./question-answering";
export { parseLayerChoice, layerChoiceText, layerSlots, LAYER_CHOICE_FORMS, TABLE7_CHOICES, LayerIndex, LayerChoice } from "./layer-choice";
export { extractWordFeatures, WordFeatures, ExtractWordOptions } from "./word-features";
export { FeatureTagger, readTaggerSettings, loadFeatureTagger, TAGGER_KINDS, TaggerKind, TaggerSettings } from "./feature-tagger";
export { featureBasedTask, finetuneFeatureBased, FeatureTaskOptions, FeatureTask, FeatureBasedOptions, FeatureBasedResult } from "./feature-based";
export { loadSquadTask, QA_TASKS, QaTaskName } from "./finetune";
export { predictAnswers, loadQuestionAnswerer, questionAnsweringLogits, QuestionInput, AnswerOptions, AnswerPrediction, AnswerCandidate, QuestionAnswerer } from "./predict-answers";
