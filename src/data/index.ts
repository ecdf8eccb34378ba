// data: corpora and datasets as the lab reads them (no tensors here).
export { Document, LineTokenizer, documentsFromText, documentsFromFiles } from "./documents";
export { CorpusStream, CorpusPosition, CorpusStreamOptions, CORPUS_START, DocumentWindow } from "./corpus-stream";
export { datasetView, DatasetView, DatasetViewOptions, labelCounts, LabelCount, lengthStats, LengthStats, lengthHistogram } from "./frame";
