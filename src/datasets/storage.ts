import * as fs from "node:fs/promises";
import * as path from "node:path";
import { writeFileAtomic } from "./atomic-write";
import type { Dataset } from "./contrast-pair";
import { parseCsv, toCsv } from "./csv";
import {
	datasetFormatOf,
	datasetNameOf,
	datasetPathInDirectory,
	requireDatasetFormat,
	type DatasetFormat,
} from "./dataset-files";
import type { DatasetIssue } from "./issues";
import { parseJsonl, toJsonl } from "./jsonl";
import { resolveDatasetLimits, type DatasetLimits } from "./limits";
import { validatePairs } from "./validate-pairs";

export { writeFileAtomic } from "./atomic-write";

/** A dataset read from disk, with the problems that did not prevent loading it. */
export interface LoadedDataset extends Dataset {
	readonly warnings: readonly DatasetIssue[];
}

export interface DatasetFileEntry {
	/** Display name: the file name without its extension. */
	readonly name: string;
	readonly fileName: string;
	readonly path: string;
	readonly format: DatasetFormat;
}

/**
 * Reads a `.jsonl` or `.csv` dataset (the extension decides). The file size is checked before reading
 * so that a huge file is refused without being loaded. Throws `DatasetValidationError` for content
 * problems; file system errors propagate with their usual codes (ENOENT, EACCES…).
 */
export async function loadDataset(filePath: string, limits: Partial<DatasetLimits> = {}): Promise<LoadedDataset> {
	const format = requireDatasetFormat(filePath);
	const resolvedLimits = resolveDatasetLimits(limits);
	const { size } = await fs.stat(filePath);
	if (size > resolvedLimits.maxFileBytes) {
		throw new Error(`Dataset file ${filePath} has ${size} bytes, more than the limit of ${resolvedLimits.maxFileBytes}; split it or raise the maxFileBytes limit.`);
	}
	const text = await fs.readFile(filePath, "utf8");
	const parse = format === "jsonl" ? parseJsonl : parseCsv;
	const { pairs, warnings } = parse(text, filePath, resolvedLimits);
	return { name: datasetNameOf(filePath), pairs, warnings };
}

/**
 * Writes a dataset atomically in the format its extension names. The pairs are validated first, with
 * the same rules as loading, so that a saved file always loads back.
 */
export async function saveDataset(filePath: string, dataset: Dataset): Promise<void> {
	const format = requireDatasetFormat(filePath);
	const { pairs } = validatePairs(dataset.pairs, filePath);
	await writeFileAtomic(filePath, format === "jsonl" ? toJsonl(pairs) : toCsv(pairs));
}

/**
 * The dataset files directly inside `directory`, sorted by file name. A folder that does not exist
 * yet holds no datasets, so it yields an empty list rather than an error.
 */
export async function listDatasets(directory: string): Promise<DatasetFileEntry[]> {
	let entries;
	try {
		entries = await fs.readdir(directory, { withFileTypes: true });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
		throw error;
	}
	const datasets: DatasetFileEntry[] = [];
	for (const entry of entries) {
		const format = datasetFormatOf(entry.name);
		if (!entry.isFile() || format === undefined) continue;
		datasets.push({ name: datasetNameOf(entry.name), fileName: entry.name, path: path.join(directory, entry.name), format });
	}
	return datasets.sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
}

/**
 * Renames a dataset file inside `directory`. Refuses to overwrite an existing file and to change the
 * extension, since the extension decides the format the content is read in.
 */
export async function renameDataset(directory: string, fromFileName: string, toFileName: string): Promise<string> {
	const from = datasetPathInDirectory(directory, fromFileName);
	const to = datasetPathInDirectory(directory, toFileName);
	if (requireDatasetFormat(from) !== requireDatasetFormat(to)) {
		throw new Error(`Cannot rename "${fromFileName}" to "${toFileName}": the extension decides the file format; export the dataset instead.`);
	}
	await fs.stat(from);
	if (from === to) return to;
	if (await exists(to)) throw new Error(`Cannot rename "${fromFileName}": a dataset named "${toFileName}" already exists.`);
	// Checking and renaming are two steps; another writer could slip in between, which is acceptable
	// for a folder edited by one person.
	await fs.rename(from, to);
	return to;
}

/** Deletes a dataset file inside `directory`; the name is checked as for renaming. */
export async function deleteDataset(directory: string, fileName: string): Promise<void> {
	await fs.unlink(datasetPathInDirectory(directory, fileName));
}

async function exists(filePath: string): Promise<boolean> {
	try {
		await fs.stat(filePath);
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
		throw error;
	}
}
