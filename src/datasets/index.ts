/** Contrast-pair datasets: schema, validation, file formats, storage and generators. */
export { pairTexts, CONTRAST_PAIR_FIELDS, type ContrastPair, type ContrastPairField, type Dataset } from "./contrast-pair";
export { DatasetSaveRefusedError, DatasetValidationError, formatDatasetIssue, type DatasetIssue } from "./issues";
export { DEFAULT_DATASET_LIMITS, resolveDatasetLimits, type DatasetLimits } from "./limits";
export { parseJsonl, readJsonl, toJsonl, type DatasetReading, type ParsedPairs } from "./jsonl";
export { parseCsv, readCsv, toCsv } from "./csv";
export { validatePairs } from "./validate-pairs";
export { datasetFormatOf, datasetNameOf, datasetPathInDirectory, type DatasetFormat } from "./dataset-files";
export {
	loadDataset,
	readDataset,
	saveDataset,
	type DatasetFileReading,
	type SaveDatasetOptions,
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
