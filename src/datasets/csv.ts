import {
	CONTRAST_PAIR_FIELDS,
	REQUIRED_CONTRAST_PAIR_FIELDS,
	type ContrastPair,
	type ContrastPairField
} from "./contrastPair";
import { closestName } from "./closestName";
import { formatCsvRecords, parseCsvRecords, type CsvRecord } from "./csvRecords";
import type { RecordKind } from "./exampleRecord";
import type { DatasetIssue } from "./issues";
import { RecordReader, requireNoErrors, type DatasetReading, type ParsedPairs } from "./jsonl";
import {
	HISTORY_ALIAS,
	LABELLED_EXAMPLE_FIELDS,
	REQUIRED_LABELLED_EXAMPLE_FIELDS,
	type LabelledExampleField
} from "./labelledExample";
import { resolveDatasetLimits, type DatasetLimits } from "./limits";
import { stripByteOrderMark } from "./textLines";

/** The columns of each kind of file: a labelled example's history does not fit in a cell. */
const COLUMNS: Readonly<Record<RecordKind, { allowed: readonly string[]; required: readonly string[] }>> = {
	pair: { allowed: CONTRAST_PAIR_FIELDS, required: REQUIRED_CONTRAST_PAIR_FIELDS },
	example: {
		allowed: LABELLED_EXAMPLE_FIELDS.filter((field) => field !== "history"),
		required: REQUIRED_LABELLED_EXAMPLE_FIELDS
	}
};

type Column = ContrastPairField | LabelledExampleField;

/**
 * Parses a CSV dataset whose first record is a header naming the columns `positive`, `negative` and
 * optionally `prompt`, `system`, `label`, `id`, in any order; or, for labelled examples, `completion`,
 * `label` (1 or 0) and optionally `prompt`, `system`, `id` (a history needs JSONL). Header names are
 * matched ignoring case and surrounding spaces, as spreadsheets tend to add both. An empty cell in an
 * optional column means the field is absent. Throws a `DatasetValidationError` listing every problem
 * when there is any.
 */
export function parseCsv(text: string, fileName: string, limits: Partial<DatasetLimits> = {}): ParsedPairs {
	return requireNoErrors(readCsv(text, fileName, limits), fileName);
}

/** Reads a CSV dataset without refusing it, as `readJsonl` does for JSONL. */
export function readCsv(text: string, fileName: string, limits: Partial<DatasetLimits> = {}): DatasetReading {
	const { maxLines, maxLineLength } = resolveDatasetLimits(limits);
	const { records, issues } = parseCsvRecords(stripByteOrderMark(text), fileName, {
		maxRecords: maxLines,
		maxRecordLength: maxLineLength
	});
	const [header, ...rows] = records;
	if (header === undefined) return { pairs: [], examples: [], warnings: [], errors: issues };

	const { kind, columns, issues: headerIssues } = readHeader(header, fileName);
	const reader = new RecordReader(fileName);
	reader.errors.push(...issues, ...headerIssues);
	if (headerIssues.length === 0) {
		for (const row of rows) {
			const location = { file: fileName, line: row.line };
			if (row.fields.length !== columns.length) {
				reader.errors.push({
					...location,
					message: `record has ${row.fields.length} fields but the header has ${columns.length} columns`
				});
				continue;
			}
			reader.add(rowToRecord(kind, columns, row.fields), location, kind);
		}
	}
	return reader.reading();
}

function readHeader(header: CsvRecord, file: string): { kind: RecordKind; columns: Column[]; issues: DatasetIssue[] } {
	const names = header.fields.map((rawName) => rawName.trim().toLowerCase());
	const pairColumns = names.includes("positive") || names.includes("negative");
	const exampleColumns = names.includes("completion");
	const kind: RecordKind = exampleColumns && !pairColumns ? "example" : "pair";
	const columns: Column[] = [];
	const issues: DatasetIssue[] = [];
	if (pairColumns && exampleColumns) {
		issues.push({
			file,
			line: header.line,
			message:
				"the header names the columns of a contrast pair (positive, negative) and of a labelled example (completion, label); a file holds one kind"
		});
		return { kind, columns, issues };
	}
	const { allowed, required } = COLUMNS[kind];
	header.fields.forEach((rawName, index) => {
		const name = names[index]!;
		if (kind === "example" && (name === "history" || name === HISTORY_ALIAS)) {
			issues.push({
				file,
				line: header.line,
				field: rawName,
				message: "a history is a list of messages, which a CSV cell does not hold; write the file as JSONL"
			});
			return;
		}
		if (!allowed.includes(name)) {
			const suggestion = closestName(name, allowed);
			const hint =
				suggestion === undefined
					? `allowed columns are ${allowed.join(", ")}`
					: `did you mean "${suggestion}"?`;
			issues.push({ file, line: header.line, field: rawName, message: `unknown column; ${hint}` });
			return;
		}
		const column = name as Column;
		if (columns.includes(column)) {
			issues.push({
				file,
				line: header.line,
				field: column,
				message: "column appears more than once in the header"
			});
			return;
		}
		columns.push(column);
	});
	for (const column of required) {
		if (!columns.includes(column as Column)) {
			issues.push({
				file,
				line: header.line,
				field: column,
				message: "required column is missing from the header"
			});
		}
	}
	return { kind, columns, issues };
}

/**
 * Required text columns keep empty cells so that the record check reports them as empty, not missing.
 * A label cell that reads 1 or 0 becomes that number; an empty one is missing.
 */
function rowToRecord(kind: RecordKind, columns: readonly Column[], fields: readonly string[]): Record<string, unknown> {
	const record: Record<string, unknown> = {};
	const required = COLUMNS[kind].required;
	columns.forEach((column, index) => {
		const value = fields[index]!;
		if (kind === "example" && column === "label") {
			const trimmed = value.trim();
			if (trimmed !== "") record.label = trimmed === "1" ? 1 : trimmed === "0" ? 0 : value;
			return;
		}
		if (value !== "" || required.includes(column)) record[column] = value;
	});
	return record;
}

/**
 * Serializes pairs as CSV with a header. `positive` and `negative` are always written; an optional
 * column only when at least one pair uses it, so simple datasets stay simple to edit.
 */
export function toCsv(pairs: readonly ContrastPair[]): string {
	const columns = CONTRAST_PAIR_FIELDS.filter(
		(field) => REQUIRED_CONTRAST_PAIR_FIELDS.includes(field) || pairs.some((pair) => pair[field] !== undefined)
	);
	const rows = pairs.map((pair) => columns.map((column) => pair[column] ?? ""));
	return formatCsvRecords([columns, ...rows]);
}
