/** Contrast-pair datasets (and labelled examples without pairs): schema, validation, file formats, storage and generators. */
export {
	pairTexts,
	sharedSystemMessage,
	CONTRAST_PAIR_FIELDS,
	type ContrastPair,
	type ContrastPairField,
	type Dataset
} from "./contrastPair";
export {
	LABELLED_EXAMPLE_FIELDS,
	type ChatTurn,
	type LabelledExample,
	type LabelledExampleField
} from "./labelledExample";
export { DatasetSaveRefusedError, DatasetValidationError, formatDatasetIssue, type DatasetIssue } from "./issues";
export { DEFAULT_DATASET_LIMITS, resolveDatasetLimits, type DatasetLimits } from "./limits";
export { parseJsonl, readJsonl, toJsonl, type DatasetReading, type ParsedPairs } from "./jsonl";
export { parseCsv, readCsv, toCsv } from "./csv";
export { validatePairs } from "./validatePairs";
export { datasetFormatOf, datasetNameOf, datasetPathInDirectory, type DatasetFormat } from "./datasetFiles";
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
	type DatasetFileEntry
} from "./storage";
export {
	applyChatTemplate,
	planChatTemplate,
	planExampleChats,
	rawTextExampleProblem,
	rawTextProblem,
	renderExamplesAsChats,
	renderPairsAsChats,
	type ChatRenderer,
	type ChatTemplatePlan,
	type ChatFormatter,
	type ChatMessage,
	type ChatTemplateOptions
} from "./generators/chatTemplate";
export { personaPairs, type PersonaPairOptions } from "./generators/personaPairs";
export { truncationSuffixes, splitIntoWordPieces, type TextSplitter } from "./generators/truncationSuffixes";
export { promptPair, type PromptPairOptions } from "./generators/promptPair";
export {
	appendRows,
	deleteRow,
	readGrid,
	setCell,
	setLineText,
	type DatasetGrid,
	type GridEdit,
	type GridRow
} from "./datasetGrid";
