// data: corpora and datasets as the lab reads them (no tensors here).
export { Document, LineTokenizer, documentsFromText, documentsFromFiles } from "./documents";
export { CorpusStream, CorpusPosition, CorpusStreamOptions, CORPUS_START, DocumentWindow } from "./corpus-stream";
export { datasetView, DatasetView, DatasetViewOptions, labelCounts, LabelCount, lengthStats, LengthStats, lengthHistogram } from "./frame";
export { ConllSentence, ConllSkip, ConllOptions, ConllFile, EntitySpan, readConll, parseConll, toIob2, entitySpans, labelList } from "./conll";
export { SquadAnswer, SquadExample, SquadSkip, SquadOptions, SquadFile, SquadDocTokens, AnswerWords, readSquad, parseSquad, squadDocTokens, answerWordSpan } from "./squad";
export { Dataset, DatasetFile, Manifest, manifestPath, loadManifest, validateManifest, datasetNames, findDataset } from "./manifest";
export { fetchDataset, datasetPath, datasetStatus, defaultCache, defaultMirror, sha256File, FetchOptions, FetchResult, FetchedFile, FetchProgress, FileSource, FileStatus } from "./fetch";
export { readGlue, parseGlue, readGlueTask, glueTask, GLUE_TASKS, GlueTask, GlueTaskName, GlueMetric, GlueExample, GlueSkip, GlueFile, GlueOptions } from "./glue";
export { splitSentences, toBertCorpus, corpusFromRawFile, ABBREVIATIONS, RawCorpusOptions, RawCorpusStats } from "./sentences";
export {
  readWordNet, parseDataFile, parseSynsetLine, parseGloss, wordnetDictDir, wordnetId,
  wordnetCorpus, writeWordnetCorpus, cachedWordnetCorpus, wordnetCorpusPath, corpusTextStats,
  wordnetTask, LEXNAMES, WORDNET_FILES, WORDNET_LICENSE_NOTICE,
  Synset, SynsetType, WordNetFile, WordNetOptions, WordNetCorpusOptions, CorpusTextStats,
  CachedCorpus, WordNetExample, WordNetTask, WordNetTaskOptions,
} from "./wordnet";
export { wordnetTagging, conllText, writeConllFolder, WORDNET_TAG_TYPES, WordNetTagging } from "./wordnet-tagging";
export { readTsv, parseTsv, readTsvTask, sortLabels, ColumnRef, TsvOptions, TsvExample, TsvSkip, TsvFile, TsvTaskOptions, TsvTask } from "./tsv-task";
