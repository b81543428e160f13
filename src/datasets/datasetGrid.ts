/**
 * A dataset file seen as a grid, for the dataset editor: one row per record (a JSONL line or a CSV
 * record) with its cells and its problems, and the edits that change one row of the file's text.
 * The text stays the source of truth: an edit replaces the characters of the rows it touches and no
 * others, so fields the grid does not show (an id, a history) and lines that do not parse are kept.
 */
import { CONTRAST_PAIR_FIELDS, REQUIRED_CONTRAST_PAIR_FIELDS } from "./contrastPair";
import { readCsv } from "./csv";
import { formatCsvRecords, parseCsvRecords, type CsvRecord } from "./csvRecords";
import type { DatasetFormat } from "./datasetFiles";
import { recordKindOf, type RecordKind } from "./exampleRecord";
import { readJsonl } from "./jsonl";
import { REQUIRED_LABELLED_EXAMPLE_FIELDS } from "./labelledExample";
import { resolveDatasetLimits } from "./limits";
import { numberedLines, stripByteOrderMark } from "./textLines";

export interface GridRow {
	/** 1-based line where the record starts: the row's identity for an edit. */
	readonly line: number;
	/** The cells by column name; undefined for a line that is not a record (shown as `raw`). */
	readonly cells?: Readonly<Record<string, string>>;
	/** The line's text when it could not be read as a record. */
	readonly raw?: string;
	/** Why the row cannot be used, one message per problem. */
	readonly problems: readonly string[];
	/** What does not stop it being used (a repeated pair). */
	readonly warnings: readonly string[];
}

export interface DatasetGrid {
	readonly kind: RecordKind;
	/** The columns to show, in order. */
	readonly columns: readonly string[];
	readonly required: readonly string[];
	readonly rows: readonly GridRow[];
	/** Problems that belong to no row (the header of a CSV file, a class missing from the examples). */
	readonly fileProblems: readonly string[];
	/** Set when the grid cannot change the file safely; the text editor can. */
	readonly readOnlyReason?: string;
}

/** Characters `start`..`end` of the text are replaced by `text`. */
export interface GridEdit {
	readonly start: number;
	readonly end: number;
	readonly text: string;
}

const PAIR_COLUMNS = ["prompt", "positive", "negative", "label"] as const;
const EXAMPLE_COLUMNS = ["prompt", "completion", "label"] as const;

export function readGrid(text: string, fileName: string, format: DatasetFormat): DatasetGrid {
	return format === "csv" ? readCsvGrid(text, fileName) : readJsonlGrid(text, fileName);
}

function readJsonlGrid(text: string, fileName: string): DatasetGrid {
	const reading = readJsonl(text, fileName);
	const rows: GridRow[] = [];
	let kind: RecordKind | undefined;
	const present = new Set<string>();
	for (const { line, text: content } of numberedLines(stripByteOrderMark(text))) {
		if (content.trim() === "") continue;
		const record = parseObject(content);
		if (!record) {
			rows.push({ line, raw: content, problems: [], warnings: [] });
			continue;
		}
		const recordKind = recordKindOf(record);
		if (recordKind !== "both") kind ??= recordKind;
		const cells: Record<string, string> = {};
		for (const [field, value] of Object.entries(record)) {
			if (typeof value === "string" || typeof value === "number") {
				cells[field] = String(value);
				present.add(field);
			}
		}
		rows.push({ line, cells, problems: [], warnings: [] });
	}
	return finish(kind ?? "pair", rows, present, reading.errors, reading.warnings);
}

function readCsvGrid(text: string, fileName: string): DatasetGrid {
	const reading = readCsv(text, fileName);
	const { records, issues } = csvRecords(text, fileName);
	const [header, ...body] = records;
	const names = (header?.fields ?? []).map((name) => name.trim().toLowerCase());
	const present = new Set(names);
	const kind: RecordKind = names.includes("completion") ? "example" : "pair";
	const rows: GridRow[] = body.map((record) => ({
		line: record.line,
		cells: Object.fromEntries(names.map((name, index) => [name, record.fields[index] ?? ""])),
		problems: [],
		warnings: []
	}));
	const grid = finish(kind, rows, present, reading.errors, reading.warnings);
	if (issues.length === 0) return grid;
	// Rewriting records from a text that does not split cleanly could move or lose characters.
	return {
		...grid,
		readOnlyReason: `the CSV text cannot be split into records safely (line ${issues[0].line}: ${issues[0].message}); fix it in the text editor`
	};
}

/** Spreads the reader's problems over the rows they belong to; the rest are the file's. */
function finish(
	kind: RecordKind,
	rows: GridRow[],
	present: ReadonlySet<string>,
	errors: readonly { line: number; message: string; field?: string }[],
	warnings: readonly { line: number; message: string; field?: string }[]
): DatasetGrid {
	const byLine = new Map(rows.map((row, index) => [row.line, index]));
	const fileProblems: string[] = [];
	const problems = rows.map(() => [] as string[]);
	const rowWarnings = rows.map(() => [] as string[]);
	const say = (issue: { message: string; field?: string }) =>
		issue.field && !issue.message.includes(issue.field) ? `${issue.field}: ${issue.message}` : issue.message;
	for (const error of errors) {
		const index = byLine.get(error.line);
		if (index === undefined) fileProblems.push(`line ${error.line}: ${say(error)}`);
		else problems[index].push(say(error));
	}
	for (const warning of warnings) {
		const index = byLine.get(warning.line);
		if (index !== undefined) rowWarnings[index].push(say(warning));
	}
	const base: readonly string[] = kind === "pair" ? PAIR_COLUMNS : EXAMPLE_COLUMNS;
	const known: readonly string[] =
		kind === "pair" ? CONTRAST_PAIR_FIELDS : ["prompt", "completion", "label", "system", "id"];
	// System prompts and ids are shown only when the file uses them: most datasets have neither.
	const extra = known.filter((field) => !base.includes(field) && present.has(field));
	return {
		kind,
		columns: [...(extra.includes("system") ? ["system"] : []), ...base, ...extra.filter((f) => f !== "system")],
		required: kind === "pair" ? REQUIRED_CONTRAST_PAIR_FIELDS : REQUIRED_LABELLED_EXAMPLE_FIELDS,
		rows: rows.map((row, index) => ({ ...row, problems: problems[index], warnings: rowWarnings[index] })),
		fileProblems
	};
}

/** The edit that sets one cell of the row starting on `line`; an empty optional cell removes the field. */
export function setCell(
	text: string,
	format: DatasetFormat,
	line: number,
	column: string,
	value: string,
	/** What the file holds (its first record decides); a record alone can look like the other kind. */
	fileKind?: RecordKind
): GridEdit {
	if (format === "csv") {
		return rewriteCsv(text, (header, body) => {
			const names = header.map((name) => name.trim().toLowerCase());
			let index = names.indexOf(column);
			if (index === -1) {
				header.push(column);
				body.forEach((row) => row.push(""));
				index = header.length - 1;
			}
			const row = body.find((candidate) => candidate.line === line);
			if (!row) throw new RangeError(`no record starts on line ${line}`);
			while (row.length <= index) row.push("");
			row[index] = value;
		});
	}
	const { start, end, content } = lineSpan(text, line);
	const record = parseObject(content);
	if (!record) throw new RangeError(`line ${line} is not a JSON object; edit its text instead`);
	const own = recordKindOf(record);
	const kind = fileKind ?? (own === "both" ? "pair" : own);
	const required: readonly string[] =
		kind === "example" ? REQUIRED_LABELLED_EXAMPLE_FIELDS : REQUIRED_CONTRAST_PAIR_FIELDS;
	if (value === "" && !required.includes(column)) delete record[column];
	// A labelled example's label is the number 1 or 0; anything else is kept as typed, for the checks to name.
	else if (column === "label" && kind === "example" && /^\s*[01]\s*$/.test(value)) record[column] = Number(value);
	else record[column] = value;
	return { start, end, text: JSON.stringify(record) };
}

/** Replaces the text of a line that is not a record (to fix it where it is). */
export function setLineText(text: string, line: number, value: string): GridEdit {
	const { start, end } = lineSpan(text, line);
	return { start, end, text: value.replace(/\r?\n/g, " ") };
}

/** The edit that appends rows (cells by column name) at the end of the file. */
export function appendRows(
	text: string,
	format: DatasetFormat,
	rows: readonly Readonly<Record<string, string>>[],
	kind: RecordKind
): GridEdit {
	if (format === "csv") {
		return rewriteCsv(text, (header, body) => {
			if (header.length === 0)
				header.push(...(kind === "pair" ? ["positive", "negative"] : ["completion", "label"]));
			for (const cells of rows) {
				for (const column of Object.keys(cells))
					if (cells[column] !== "" && !header.map((n) => n.trim().toLowerCase()).includes(column)) {
						header.push(column);
						body.forEach((row) => row.push(""));
					}
				const names = header.map((name) => name.trim().toLowerCase());
				body.push(
					Object.assign(
						names.map((name) => cells[name] ?? ""),
						{ line: -1 }
					)
				);
			}
		});
	}
	const lines = rows.map((cells) => {
		const record: Record<string, unknown> = {};
		for (const [column, value] of Object.entries(cells)) {
			if (value === "") continue;
			record[column] =
				column === "label" && kind === "example" && /^[01]$/.test(value.trim()) ? Number(value) : value;
		}
		return JSON.stringify(record);
	});
	const needsNewline = text.length > 0 && !text.endsWith("\n");
	return {
		start: text.length,
		end: text.length,
		text: `${needsNewline ? "\n" : ""}${lines.map((line) => `${line}\n`).join("")}`
	};
}

/** The edit that removes the row starting on `line`, with its line ending. */
export function deleteRow(text: string, format: DatasetFormat, line: number): GridEdit {
	if (format === "csv") {
		return rewriteCsv(text, (_header, body) => {
			const index = body.findIndex((row) => row.line === line);
			if (index === -1) throw new RangeError(`no record starts on line ${line}`);
			body.splice(index, 1);
		});
	}
	const { start, end } = lineSpan(text, line);
	const after = text.startsWith("\r\n", end) ? end + 2 : text.startsWith("\n", end) ? end + 1 : end;
	return { start, end: after, text: "" };
}

type CsvRow = string[] & { line: number };

function csvRecords(
	text: string,
	fileName: string
): { records: CsvRecord[]; issues: { line: number; message: string }[] } {
	const { maxLines, maxLineLength } = resolveDatasetLimits({});
	return parseCsvRecords(stripByteOrderMark(text), fileName, {
		maxRecords: maxLines,
		maxRecordLength: maxLineLength
	});
}

/** Rewrites a CSV file from its records after `change`; refused when the text does not split cleanly. */
function rewriteCsv(text: string, change: (header: string[], body: CsvRow[]) => void): GridEdit {
	const { records, issues } = csvRecords(text, "dataset");
	if (issues.length > 0)
		throw new RangeError(`the CSV text cannot be split into records safely: ${issues[0].message}`);
	const [first, ...rest] = records;
	const header = [...(first?.fields ?? [])];
	const body = rest.map((record) => Object.assign([...record.fields], { line: record.line }));
	change(header, body);
	const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
	return { start: 0, end: text.length, text: bom + formatCsvRecords([header, ...body]) };
}

function parseObject(content: string): Record<string, unknown> | undefined {
	try {
		const value: unknown = JSON.parse(content);
		return typeof value === "object" && value !== null && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: undefined;
	} catch {
		return undefined;
	}
}

/** Offsets of line `line` (1-based) without its line ending. */
function lineSpan(text: string, line: number): { start: number; end: number; content: string } {
	let start = text.startsWith("\uFEFF") ? 1 : 0;
	for (let current = 1; current < line; current++) {
		const newline = text.indexOf("\n", start);
		if (newline === -1) throw new RangeError(`the file has no line ${line}`);
		start = newline + 1;
	}
	if (start > text.length) throw new RangeError(`the file has no line ${line}`);
	const newline = text.indexOf("\n", start);
	let end = newline === -1 ? text.length : newline;
	if (end > start && text[end - 1] === "\r") end--;
	return { start, end, content: text.slice(start, end) };
}
