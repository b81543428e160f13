import { CONTRAST_PAIR_FIELDS, type ContrastPair } from "./contrastPair";
import {
	ExampleCollection,
	MIXED_RECORD_MESSAGE,
	readExampleRecord,
	RECORD_KIND_NAMES,
	recordKindOf,
	type RecordKind
} from "./exampleRecord";
import { DatasetValidationError, type DatasetIssue } from "./issues";
import type { LabelledExample } from "./labelledExample";
import { resolveDatasetLimits, type DatasetLimits } from "./limits";
import { PairCollection } from "./pairCollection";
import { readPairRecord, type RecordLocation } from "./pairRecord";
import { numberedLines, stripByteOrderMark } from "./textLines";

export interface ParsedPairs {
	readonly pairs: readonly ContrastPair[];
	/**
	 * Labelled examples without pairs (prompt, completion, label). A file holds pairs or examples, never
	 * both, so one of the two lists is always empty.
	 */
	readonly examples: readonly LabelledExample[];
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
 * `prompt`, `system`, `label` and `id`; or one labelled example per line, `{"prompt": …, "completion":
 * …, "label": 1 | 0}` with optional `system`, `history` and `id` (never both kinds in one file: the
 * first line decides). Blank lines are skipped. Throws a `DatasetValidationError` listing every
 * problem when there is any, so a malformed file is never half-loaded.
 */
export function parseJsonl(text: string, fileName: string, limits: Partial<DatasetLimits> = {}): ParsedPairs {
	return requireNoErrors(readJsonl(text, fileName, limits), fileName);
}

/** Throws the reading's errors, if any, as one `DatasetValidationError`. */
export function requireNoErrors(reading: DatasetReading, fileName: string): ParsedPairs {
	if (reading.errors.length > 0) throw new DatasetValidationError(fileName, reading.errors);
	return { pairs: reading.pairs, examples: reading.examples, warnings: reading.warnings };
}

/**
 * Reads a JSONL dataset without refusing it: the valid pairs, and each problem with its line, so that
 * an editor can show both. Never write `pairs` back on their own while `errors` is not empty: the
 * lines behind the errors would be lost.
 */
export function readJsonl(text: string, fileName: string, limits: Partial<DatasetLimits> = {}): DatasetReading {
	const { maxLines, maxLineLength } = resolveDatasetLimits(limits);
	const records = new RecordReader(fileName);

	for (const { line, text: content } of numberedLines(stripByteOrderMark(text))) {
		if (line > maxLines) {
			records.errors.push({
				file: fileName,
				line,
				message: `file has more than ${maxLines} lines; split it or raise the maxLines limit`
			});
			break;
		}
		if (content.trim() === "") continue;
		const location = { file: fileName, line };
		if (content.length > maxLineLength) {
			records.errors.push({
				...location,
				message: `line has ${content.length} characters, more than the limit of ${maxLineLength}`
			});
			continue;
		}
		const record = parseJsonObject(content);
		if (typeof record === "string") {
			records.errors.push({ ...location, message: record });
			continue;
		}
		records.add(record, location);
	}
	return records.reading();
}

/**
 * The records of one file, pairs or examples: the first record decides which the file holds, and a
 * record of the other kind is an error, as is a file of examples with one class only.
 */
export class RecordReader {
	readonly errors: DatasetIssue[] = [];
	private readonly pairs = new PairCollection();
	private readonly examples = new ExampleCollection();
	private kind: { kind: RecordKind; line: number } | undefined;

	constructor(private readonly file: string) {}

	/** Adds a record as the kind its fields say, or as `kind` (a CSV header decides it for every row). */
	add(
		record: Readonly<Record<string, unknown>>,
		location: RecordLocation,
		kind: RecordKind | "both" = recordKindOf(record)
	): void {
		if (kind === "both") {
			this.errors.push({ ...location, message: MIXED_RECORD_MESSAGE });
			return;
		}
		this.kind ??= { kind, line: location.line };
		if (kind !== this.kind.kind) {
			const fileKind = this.kind.kind;
			this.errors.push({
				...location,
				message: `a ${RECORD_KIND_NAMES[kind]} in a file of ${fileKind === "pair" ? "contrast pairs" : "labelled examples"} (line ${this.kind.line} is a ${fileKind === "pair" ? "pair" : "labelled example"}); a dataset holds one kind, so put the ${kind === "pair" ? "pairs" : "labelled examples"} in a file of their own`
			});
			return;
		}
		if (kind === "pair") {
			const { pair, issues } = readPairRecord(record, location);
			this.errors.push(...issues);
			if (pair !== undefined) this.pairs.add(pair, location);
		} else {
			const { example, issues } = readExampleRecord(record, location);
			this.errors.push(...issues);
			if (example !== undefined) this.examples.add(example, location);
		}
	}

	reading(): DatasetReading {
		const errors = [...this.errors, ...this.pairs.errors, ...this.examples.errors];
		// Only for an otherwise valid file: the lines with errors may hold the other class.
		const classProblem = errors.length === 0 ? this.examples.classProblem(this.file) : undefined;
		if (classProblem) errors.push(classProblem);
		return {
			pairs: this.pairs.pairs,
			examples: this.examples.examples,
			warnings: [...this.pairs.warnings, ...this.examples.warnings].sort((a, b) => a.line - b.line),
			errors: errors.sort((a, b) => a.line - b.line)
		};
	}
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
