import { CONTRAST_PAIR_FIELDS, type ContrastPair } from "./contrastPair";
import { DatasetValidationError, type DatasetIssue } from "./issues";
import { resolveDatasetLimits, type DatasetLimits } from "./limits";
import { PairCollection } from "./pairCollection";
import { readPairRecord } from "./pairRecord";
import { numberedLines, stripByteOrderMark } from "./textLines";

export interface ParsedPairs {
	readonly pairs: readonly ContrastPair[];
	/** Problems that do not stop loading, such as a pair repeated verbatim. */
	readonly warnings: readonly DatasetIssue[];
}

/** A file read as far as it could be: the pairs that are valid, and every line that is not. */
export interface DatasetReading extends ParsedPairs {
	/** Problems that make a line unusable; a file with any is not a dataset until they are fixed. */
	readonly errors: readonly DatasetIssue[];
}

/**
 * Parses a JSONL dataset: one `{"positive": …, "negative": …}` object per line, with optional
 * `prompt`, `system`, `label` and `id`. Blank lines are skipped. Throws a `DatasetValidationError` listing every
 * problem when there is any, so a malformed file is never half-loaded.
 */
export function parseJsonl(text: string, fileName: string, limits: Partial<DatasetLimits> = {}): ParsedPairs {
	return requireNoErrors(readJsonl(text, fileName, limits), fileName);
}

/** Throws the reading's errors, if any, as one `DatasetValidationError`. */
export function requireNoErrors(reading: DatasetReading, fileName: string): ParsedPairs {
	if (reading.errors.length > 0) throw new DatasetValidationError(fileName, reading.errors);
	return { pairs: reading.pairs, warnings: reading.warnings };
}

/**
 * Reads a JSONL dataset without refusing it: the valid pairs, and each problem with its line, so that
 * an editor can show both. Never write `pairs` back on their own while `errors` is not empty: the
 * lines behind the errors would be lost.
 */
export function readJsonl(text: string, fileName: string, limits: Partial<DatasetLimits> = {}): DatasetReading {
	const { maxLines, maxLineLength } = resolveDatasetLimits(limits);
	const collection = new PairCollection();
	const errors: DatasetIssue[] = [];

	for (const { line, text: content } of numberedLines(stripByteOrderMark(text))) {
		if (line > maxLines) {
			errors.push({
				file: fileName,
				line,
				message: `file has more than ${maxLines} lines; split it or raise the maxLines limit`
			});
			break;
		}
		if (content.trim() === "") continue;
		const location = { file: fileName, line };
		if (content.length > maxLineLength) {
			errors.push({
				...location,
				message: `line has ${content.length} characters, more than the limit of ${maxLineLength}`
			});
			continue;
		}
		const record = parseJsonObject(content);
		if (typeof record === "string") {
			errors.push({ ...location, message: record });
			continue;
		}
		const { pair, issues } = readPairRecord(record, location);
		errors.push(...issues);
		if (pair !== undefined) collection.add(pair, location);
	}

	errors.push(...collection.errors);
	return { pairs: collection.pairs, warnings: collection.warnings, errors: errors.sort((a, b) => a.line - b.line) };
}

/** Returns the object on the line, or a message saying why the line is not one. */
function parseJsonObject(content: string): Record<string, unknown> | string {
	let value: unknown;
	try {
		value = JSON.parse(content);
	} catch (error) {
		return `invalid JSON: ${(error as Error).message}`;
	}
	if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
	const got = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
	return `each line must be a JSON object like {"positive": "…", "negative": "…"}, got ${got}`;
}

/** Serializes pairs as JSONL, fields in a fixed order, one pair per line, ending with a newline. */
export function toJsonl(pairs: readonly ContrastPair[]): string {
	return pairs.map((pair) => JSON.stringify(pickPairFields(pair)) + "\n").join("");
}

/** Copies only the schema's fields, so extra properties on an in-memory object never reach a file. */
function pickPairFields(pair: ContrastPair): Record<string, string> {
	const picked: Record<string, string> = {};
	for (const field of CONTRAST_PAIR_FIELDS) {
		const value = pair[field];
		if (value !== undefined) picked[field] = value;
	}
	return picked;
}
