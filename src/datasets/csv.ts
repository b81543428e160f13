import {
	CONTRAST_PAIR_FIELDS,
	REQUIRED_CONTRAST_PAIR_FIELDS,
	type ContrastPair,
	type ContrastPairField
} from "./contrastPair";
import { closestName } from "./closestName";
import { formatCsvRecords, parseCsvRecords, type CsvRecord } from "./csvRecords";
import type { DatasetIssue } from "./issues";
import { requireNoErrors, type DatasetReading, type ParsedPairs } from "./jsonl";
import { resolveDatasetLimits, type DatasetLimits } from "./limits";
import { PairCollection } from "./pairCollection";
import { readPairRecord } from "./pairRecord";
import { stripByteOrderMark } from "./textLines";

/**
 * Parses a CSV dataset whose first record is a header naming the columns `positive`, `negative` and
 * optionally `prompt`, `system`, `label`, `id`, in any order. Header names are matched ignoring case and
 * surrounding spaces, as spreadsheets tend to add both. An empty cell in an optional column means the
 * field is absent. Throws a `DatasetValidationError` listing every problem when there is any.
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
	if (header === undefined) return { pairs: [], warnings: [], errors: issues };

	const { columns, issues: headerIssues } = readHeader(header, fileName);
	issues.push(...headerIssues);
	const collection = new PairCollection();
	if (headerIssues.length === 0) {
		for (const row of rows) {
			const location = { file: fileName, line: row.line };
			if (row.fields.length !== columns.length) {
				issues.push({
					...location,
					message: `record has ${row.fields.length} fields but the header has ${columns.length} columns`
				});
				continue;
			}
			const { pair, issues: rowIssues } = readPairRecord(rowToRecord(columns, row.fields), location);
			issues.push(...rowIssues);
			if (pair !== undefined) collection.add(pair, location);
		}
	}

	issues.push(...collection.errors);
	return { pairs: collection.pairs, warnings: collection.warnings, errors: issues.sort((a, b) => a.line - b.line) };
}

function readHeader(header: CsvRecord, file: string): { columns: ContrastPairField[]; issues: DatasetIssue[] } {
	const columns: ContrastPairField[] = [];
	const issues: DatasetIssue[] = [];
	for (const rawName of header.fields) {
		const name = rawName.trim().toLowerCase();
		if (!(CONTRAST_PAIR_FIELDS as readonly string[]).includes(name)) {
			const suggestion = closestName(name, CONTRAST_PAIR_FIELDS);
			const hint =
				suggestion === undefined
					? `allowed columns are ${CONTRAST_PAIR_FIELDS.join(", ")}`
					: `did you mean "${suggestion}"?`;
			issues.push({ file, line: header.line, field: rawName, message: `unknown column; ${hint}` });
			continue;
		}
		const column = name as ContrastPairField;
		if (columns.includes(column)) {
			issues.push({
				file,
				line: header.line,
				field: column,
				message: "column appears more than once in the header"
			});
			continue;
		}
		columns.push(column);
	}
	for (const required of REQUIRED_CONTRAST_PAIR_FIELDS) {
		if (!columns.includes(required)) {
			issues.push({
				file,
				line: header.line,
				field: required,
				message: "required column is missing from the header"
			});
		}
	}
	return { columns, issues };
}

/** Required columns keep empty cells so that the pair check reports them as empty, not missing. */
function rowToRecord(columns: readonly ContrastPairField[], fields: readonly string[]): Record<string, string> {
	const record: Record<string, string> = {};
	columns.forEach((column, index) => {
		const value = fields[index]!;
		if (value !== "" || REQUIRED_CONTRAST_PAIR_FIELDS.includes(column)) record[column] = value;
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
