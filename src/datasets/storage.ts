import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { writeFileAtomic } from "../files/atomicWrite";
import type { Dataset } from "./contrastPair";
import type { LabelledExample } from "./labelledExample";
import { readCsv, toCsv } from "./csv";
import {
	datasetFormatOf,
	datasetNameOf,
	datasetPathInDirectory,
	requireDatasetFormat,
	type DatasetFormat
} from "./datasetFiles";
import { DatasetSaveRefusedError, type DatasetIssue } from "./issues";
import { readJsonl, requireNoErrors, toJsonl, type DatasetReading } from "./jsonl";
import { resolveDatasetLimits, type DatasetLimits } from "./limits";
import { validatePairs } from "./validatePairs";

/** A dataset read from disk, with the problems that did not prevent loading it. */
export interface LoadedDataset extends Dataset {
	/** Labelled examples without pairs, when the file holds those (then `pairs` is empty). */
	readonly examples: readonly LabelledExample[];
	readonly warnings: readonly DatasetIssue[];
}

export interface DatasetFileEntry {
	/** Display name: the file name without its extension. */
	readonly name: string;
	readonly fileName: string;
	readonly path: string;
	readonly format: DatasetFormat;
}

/** A dataset file read as far as it could be, for an editor that shows the valid pairs and the problems. */
export interface DatasetFileReading extends DatasetReading {
	readonly name: string;
	/** Identifies the content read (a hash of its bytes); pass it to `saveDataset` to detect later changes. */
	readonly revision: string;
}

/**
 * Reads a `.jsonl` or `.csv` dataset (the extension decides). The file size is checked before reading
 * so that a huge file is refused without being loaded. Throws `DatasetValidationError` for content
 * problems; file system errors propagate with their usual codes (ENOENT, EACCES…).
 */
export async function loadDataset(filePath: string, limits: Partial<DatasetLimits> = {}): Promise<LoadedDataset> {
	const reading = await readDataset(filePath, limits);
	const { pairs, examples, warnings } = requireNoErrors(reading, filePath);
	return { name: reading.name, pairs, examples, warnings };
}

/**
 * Reads a dataset without refusing it for content problems: the valid pairs and every problem, with
 * the revision of the content read. File system errors and a file over the size limit still throw.
 */
export async function readDataset(filePath: string, limits: Partial<DatasetLimits> = {}): Promise<DatasetFileReading> {
	const format = requireDatasetFormat(filePath);
	const resolvedLimits = resolveDatasetLimits(limits);
	const { size } = await fs.stat(filePath);
	if (size > resolvedLimits.maxFileBytes) {
		throw new Error(
			`Dataset file ${filePath} has ${size} bytes, more than the limit of ${resolvedLimits.maxFileBytes}; split it or raise the maxFileBytes limit.`
		);
	}
	const bytes = await fs.readFile(filePath);
	const read = format === "jsonl" ? readJsonl : readCsv;
	return {
		name: datasetNameOf(filePath),
		revision: revisionOf(bytes),
		...read(bytes.toString("utf8"), filePath, resolvedLimits)
	};
}

export interface SaveDatasetOptions {
	/** The revision the caller read; when the file now holds something else, nothing is written. */
	readonly expectedRevision?: string;
}

/**
 * Writes a dataset atomically in the format its extension names. The pairs are validated first, with
 * the same rules as loading, so that a saved file always loads back. An existing file is replaced
 * only when nothing in it would be lost: a file with lines that are not valid pairs, one that holds
 * labelled examples (which are edited as text), or one that changed since `expectedRevision` was
 * read, is refused with a `DatasetSaveRefusedError` and kept.
 * Returns the revision of what was written, so that the caller need not read the file back.
 */
export async function saveDataset(
	filePath: string,
	dataset: Dataset,
	options: SaveDatasetOptions = {}
): Promise<string> {
	const format = requireDatasetFormat(filePath);
	const { pairs } = validatePairs(dataset.pairs, filePath);
	await refuseLossyOverwrite(filePath, options.expectedRevision);
	const bytes = Buffer.from(format === "jsonl" ? toJsonl(pairs) : toCsv(pairs), "utf8");
	await writeFileAtomic(filePath, bytes);
	return revisionOf(bytes);
}

async function refuseLossyOverwrite(filePath: string, expectedRevision: string | undefined): Promise<void> {
	let current: DatasetFileReading;
	try {
		// No size limit here: a file too big to edit is still a file not to overwrite unread.
		current = await readDataset(filePath, { maxFileBytes: Number.MAX_SAFE_INTEGER });
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
		throw error;
	}
	const name = path.basename(filePath);
	if (expectedRevision !== undefined && current.revision !== expectedRevision)
		throw new DatasetSaveRefusedError(name, "changed-on-disk");
	if (current.errors.length > 0) throw new DatasetSaveRefusedError(name, "unreadable-lines", current.errors);
	if (current.examples.length > 0) throw new DatasetSaveRefusedError(name, "labelled-examples");
}

function revisionOf(bytes: Uint8Array): string {
	return createHash("sha256").update(bytes).digest("hex");
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
		datasets.push({
			name: datasetNameOf(entry.name),
			fileName: entry.name,
			path: path.join(directory, entry.name),
			format
		});
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
		throw new Error(
			`Cannot rename "${fromFileName}" to "${toFileName}": the extension decides the file format; export the dataset instead.`
		);
	}
	await fs.stat(from);
	if (from === to) return to;
	if (await exists(to))
		throw new Error(`Cannot rename "${fromFileName}": a dataset named "${toFileName}" already exists.`);
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
