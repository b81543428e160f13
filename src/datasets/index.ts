/** Contrast-pair datasets: schema, validation, file formats, storage and generators. */
export { pairTexts, CONTRAST_PAIR_FIELDS, type ContrastPair, type ContrastPairField, type Dataset } from "./contrast-pair";
export { DatasetValidationError, formatDatasetIssue, type DatasetIssue } from "./issues";
export { DEFAULT_DATASET_LIMITS, resolveDatasetLimits, type DatasetLimits } from "./limits";
export { parseJsonl, toJsonl, type ParsedPairs } from "./jsonl";
export { parseCsv, toCsv } from "./csv";
export { validatePairs } from "./validate-pairs";
export { writeFileAtomic, type AtomicWriteFileSystem, type AtomicWriteFileHandle } from "./atomic-write";
export { datasetFormatOf, datasetNameOf, datasetPathInDirectory, type DatasetFormat } from "./dataset-files";
export {
	loadDataset,
	saveDataset,
	listDatasets,
	renameDataset,
	deleteDataset,
	type LoadedDataset,
	type DatasetFileEntry,
} from "./storage";
export { applyChatTemplate, type ChatFormatter, type ChatMessage, type ChatTemplateOptions } from "./generators/chat-template";
export { createChatFormatter, type ChatFormatterOptions, type ChatWrapperLike } from "./generators/chat-formatter";
export { personaPairs, type PersonaPairOptions } from "./generators/persona-pairs";
export { truncationSuffixes, splitIntoWordPieces, type TextSplitter } from "./generators/truncation-suffixes";
export { promptPair, type PromptPairOptions } from "./generators/prompt-pair";
