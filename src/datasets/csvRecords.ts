import type { DatasetIssue } from "./issues";

export interface CsvRecord {
	/** Line on which the record starts; a quoted field may carry it over several lines. */
	readonly line: number;
	readonly fields: readonly string[];
}

export interface CsvReadLimits {
	readonly maxRecords: number;
	readonly maxRecordLength: number;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits CSV text into records following RFC 4180: comma separators, CRLF (or LF) record ends, and
 * double-quoted fields that may hold commas, line breaks and doubled quotes. Blank lines are skipped.
 * Malformed quoting is reported, not guessed at, and parsing carries on so that every problem in the
 * file is listed at once.
 */
export function parseCsvRecords(
	text: string,
	file: string,
	limits: CsvReadLimits
): { records: CsvRecord[]; issues: DatasetIssue[] } {
	const records: CsvRecord[] = [];
	const issues: DatasetIssue[] = [];
	let index = 0;
	let line = 1;

	const atRecordEnd = () =>
		index >= text.length ||
		text.charCodeAt(index) === LINE_FEED ||
		(text.charCodeAt(index) === CARRIAGE_RETURN && text.charCodeAt(index + 1) === LINE_FEED);

	while (index < text.length) {
		const recordStart = index;
		const recordLine = line;
		const fields: string[] = [];
		let anyFieldQuoted = false;

		for (;;) {
			let value = "";
			if (text.charCodeAt(index) === QUOTE) {
				anyFieldQuoted = true;
				const openingLine = line;
				let closed = false;
				index++;
				while (index < text.length) {
					const code = text.charCodeAt(index);
					if (code === QUOTE) {
						if (text.charCodeAt(index + 1) === QUOTE) {
							value += '"';
							index += 2;
							continue;
						}
						index++;
						closed = true;
						break;
					}
					if (code === LINE_FEED) line++;
					value += text[index];
					index++;
				}
				if (!closed) {
					issues.push({
						file,
						line: openingLine,
						message: "quoted field is never closed; add the closing double quote"
					});
				} else if (!atRecordEnd() && text.charCodeAt(index) !== COMMA) {
					issues.push({
						file,
						line,
						message:
							'unexpected text after a closing quote; write a double quote inside a quoted field as ""'
					});
					while (!atRecordEnd() && text.charCodeAt(index) !== COMMA) value += text[index++];
				}
			} else {
				const start = index;
				while (!atRecordEnd() && text.charCodeAt(index) !== COMMA) index++;
				value = text.slice(start, index);
				if (value.includes('"')) {
					issues.push({
						file,
						line,
						message:
							'double quote inside an unquoted field; quote the whole field and write the quote as ""'
					});
				}
			}
			fields.push(value);
			if (text.charCodeAt(index) === COMMA) {
				index++;
				continue;
			}
			break;
		}

		const recordEnd = index;
		if (text.charCodeAt(index) === CARRIAGE_RETURN) index++;
		if (text.charCodeAt(index) === LINE_FEED) {
			index++;
			line++;
		}

		const blank = fields.length === 1 && !anyFieldQuoted && fields[0]!.trim() === "";
		if (blank) continue;
		if (records.length >= limits.maxRecords) {
			issues.push({
				file,
				line: recordLine,
				message: `file has more than ${limits.maxRecords} records; split it or raise the maxLines limit`
			});
			break;
		}
		if (recordEnd - recordStart > limits.maxRecordLength) {
			issues.push({
				file,
				line: recordLine,
				message: `record has ${recordEnd - recordStart} characters, more than the limit of ${limits.maxRecordLength}`
			});
			continue;
		}
		records.push({ line: recordLine, fields });
	}
	return { records, issues };
}

/** Formats rows as RFC 4180 CSV with CRLF record ends, quoting only the fields that need it. */
export function formatCsvRecords(rows: readonly (readonly string[])[]): string {
	return rows.map((row) => row.map(quoteCsvField).join(",") + "\r\n").join("");
}

function quoteCsvField(value: string): string {
	return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
