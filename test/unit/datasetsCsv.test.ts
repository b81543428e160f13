import assert from "node:assert/strict";
import type { ContrastPair } from "../../src/datasets/contrastPair";
import { parseCsv, toCsv } from "../../src/datasets/csv";
import { DatasetValidationError, type DatasetIssue } from "../../src/datasets/issues";
import { parseJsonl, toJsonl } from "../../src/datasets/jsonl";

function issuesOf(run: () => unknown): { line: number; field?: string; message: string }[] {
	try {
		run();
	} catch (error) {
		assert.ok(error instanceof DatasetValidationError, `expected DatasetValidationError, got ${String(error)}`);
		return error.issues.map(({ line, field, message }: DatasetIssue) => ({
			line,
			...(field === undefined ? {} : { field }),
			message
		}));
	}
	assert.fail("expected a DatasetValidationError");
}

describe("datasets: CSV parsing", () => {
	it("reads columns in any order, ignoring case and spaces in the header", () => {
		const text = "\uFEFFLabel, negative ,positive\r\nmood,Lily was sad.,Lily was happy.\r\n,b,a\r\n";
		assert.deepEqual(parseCsv(text, "d.csv").pairs, [
			{ positive: "Lily was happy.", negative: "Lily was sad.", label: "mood" },
			{ positive: "a", negative: "b" }
		]);
	});

	it("handles RFC 4180 quoting: commas, doubled quotes, embedded CRLF and LF", () => {
		const text = 'positive,negative,prompt\r\n"a, b","say ""hi""","line one\r\nline two\nline three"\r\nx,y,z';
		assert.deepEqual(parseCsv(text, "q.csv").pairs, [
			{ positive: "a, b", negative: 'say "hi"', prompt: "line one\r\nline two\nline three" },
			{ positive: "x", negative: "y", prompt: "z" }
		]);
	});

	it("skips blank lines and reports records by the line they start on", () => {
		const text = 'positive,negative\n\n"multi\nline",b\n\n   \nc,c\n';
		assert.deepEqual(
			issuesOf(() => parseCsv(text, "l.csv")),
			[{ line: 7, field: "negative", message: "is identical to positive, so the pair has no contrast" }]
		);
	});

	it("accepts an empty file, and a header alone, as a dataset without pairs", () => {
		assert.deepEqual(parseCsv("", "e.csv").pairs, []);
		assert.deepEqual(parseCsv("positive,negative\r\n", "e.csv").pairs, []);
	});

	it("checks the header: required, unknown and repeated columns", () => {
		assert.deepEqual(
			issuesOf(() => parseCsv("postive,label,label,colour\na,b,c,d\n", "h.csv")),
			[
				{ line: 1, field: "postive", message: 'unknown column; did you mean "positive"?' },
				{ line: 1, field: "label", message: "column appears more than once in the header" },
				{
					line: 1,
					field: "colour",
					message: "unknown column; allowed columns are positive, negative, prompt, system, label, id"
				},
				{ line: 1, field: "positive", message: "required column is missing from the header" },
				{ line: 1, field: "negative", message: "required column is missing from the header" }
			]
		);
	});

	it("lists every bad record: field counts, quoting, empty cells, duplicate ids", () => {
		const text = [
			"positive,negative,id",
			"a,b",
			'a"b,c,1',
			'"a"x,c,2',
			",c,3",
			"d,e,4",
			"f,g,4",
			'"never closed,h,5'
		].join("\n");
		assert.deepEqual(
			issuesOf(() => parseCsv(text, "r.csv")),
			[
				{ line: 2, message: "record has 2 fields but the header has 3 columns" },
				{
					line: 3,
					message: 'double quote inside an unquoted field; quote the whole field and write the quote as ""'
				},
				{
					line: 4,
					message: 'unexpected text after a closing quote; write a double quote inside a quoted field as ""'
				},
				{ line: 5, field: "positive", message: "must not be empty" },
				{ line: 7, field: "id", message: 'duplicate id "4", first used on line 6' },
				{ line: 8, message: "quoted field is never closed; add the closing double quote" },
				{ line: 8, message: "record has 1 fields but the header has 3 columns" }
			]
		);
	});

	it("applies the record count and record length limits", () => {
		const text = "positive,negative\na,b\nc,d\ne,f\n";
		assert.equal(parseCsv(text, "c.csv", { maxLines: 4 }).pairs.length, 3);
		assert.deepEqual(
			issuesOf(() => parseCsv(text, "c.csv", { maxLines: 3 })),
			[{ line: 4, message: "file has more than 3 records; split it or raise the maxLines limit" }]
		);
		const record = `positive,negative\n${"a".repeat(30)},b\n`;
		assert.equal(parseCsv(record, "c.csv", { maxLineLength: 32 }).pairs.length, 1);
		assert.deepEqual(
			issuesOf(() => parseCsv(record, "c.csv", { maxLineLength: 31 })),
			[{ line: 2, message: "record has 32 characters, more than the limit of 31" }]
		);
	});
});

describe("datasets: CSV serialization", () => {
	const tricky: ContrastPair[] = [
		{ positive: "comma, here", negative: 'quote " here', prompt: "new\nline", label: "crlf\r\nline", id: "1" },
		{ positive: "Ünïcödé 😀", negative: "  spaces kept  " },
		{ positive: "plain", negative: "text", id: "3" }
	];

	it("writes a header of the used columns and quotes only where needed", () => {
		assert.equal(toCsv([{ positive: "a", negative: "b, c", id: "1" }]), 'positive,negative,id\r\na,"b, c",1\r\n');
		assert.equal(toCsv([]), "positive,negative\r\n");
	});

	it("round-trips commas, quotes, newlines and unicode", () => {
		assert.deepEqual(parseCsv(toCsv(tricky), "r.csv").pairs, tricky);
	});

	it("converts between CSV and JSONL without loss", () => {
		const viaJsonl = parseJsonl(toJsonl(parseCsv(toCsv(tricky), "a.csv").pairs), "b.jsonl").pairs;
		assert.deepEqual(viaJsonl, tricky);
	});
});
