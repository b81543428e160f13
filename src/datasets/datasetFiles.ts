import * as path from "node:path";

export type DatasetFormat = "jsonl" | "csv";

const FORMAT_BY_EXTENSION: Readonly<Record<string, DatasetFormat>> = { ".jsonl": "jsonl", ".csv": "csv" };

/** The format a dataset file is stored in, judged by its extension, or undefined if it is not one. */
export function datasetFormatOf(filePath: string): DatasetFormat | undefined {
	return FORMAT_BY_EXTENSION[path.extname(filePath).toLowerCase()];
}

export function requireDatasetFormat(filePath: string): DatasetFormat {
	const format = datasetFormatOf(filePath);
	if (format === undefined) {
		throw new Error(
			`Dataset file ${filePath} must end in .jsonl or .csv; the extension decides how it is read and written.`
		);
	}
	return format;
}

/** The dataset's display name: its file name without the extension. */
export function datasetNameOf(filePath: string): string {
	return path.basename(filePath, path.extname(filePath));
}

/**
 * Checks a dataset file name given by a user (to rename or delete within a datasets folder) and
 * returns the full path. Names with path separators or `..` are refused so that such a request can
 * never reach a file outside the folder.
 */
export function datasetPathInDirectory(directory: string, fileName: string): string {
	if (fileName.trim() === "") throw new Error("Dataset file name is empty.");
	if (fileName.includes("\0"))
		throw new Error(`Dataset file name ${JSON.stringify(fileName)} must not contain a NUL character.`);
	if (/[/\\]/.test(fileName)) {
		throw new Error(
			`Dataset file name "${fileName}" must not contain path separators; give only the file name inside the datasets folder.`
		);
	}
	if (fileName.includes("..")) {
		throw new Error(`Dataset file name "${fileName}" must not contain "..".`);
	}
	requireDatasetFormat(fileName);
	const resolvedDirectory = path.resolve(directory);
	const resolved = path.resolve(resolvedDirectory, fileName);
	// Defence in depth: the checks above should already make this impossible.
	if (path.dirname(resolved) !== resolvedDirectory) {
		throw new Error(`Dataset file name "${fileName}" does not stay inside ${resolvedDirectory}.`);
	}
	return resolved;
}
