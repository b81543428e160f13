import assert from "node:assert/strict";
import { appendRows, deleteRow, readGrid, setCell, setLineText, type GridEdit } from "../../src/datasets/datasetGrid";
import { GRID_COLUMNS, readDatasetEditorMessage } from "../../src/shared/datasetEditorProtocol";
import { CONTRAST_PAIR_FIELDS } from "../../src/datasets/contrastPair";
import { LABELLED_EXAMPLE_FIELDS } from "../../src/datasets/labelledExample";
import { rowsFromPaste } from "../../webview/datasetEditor/paste";

const apply = (text: string, edit: GridEdit) => text.slice(0, edit.start) + edit.text + text.slice(edit.end);

describe("datasets: the grid view of a dataset file", () => {
	const jsonl = [
		'{"positive":"I love it","negative":"I hate it","id":"a1"}',
		"",
		"this line is not JSON",
		'{"positive":"","negative":"no"}',
		'{"positive":"I love it","negative":"I hate it"}'
	].join("\n");

	it("shows one row per record with its problems, and keeps lines that do not parse as raw rows", () => {
		const grid = readGrid(jsonl, "d.jsonl", "jsonl");
		assert.equal(grid.kind, "pair");
		assert.deepEqual(grid.columns, ["prompt", "positive", "negative", "label", "id"]);
		assert.deepEqual(
			grid.rows.map((row) => row.line),
			[1, 3, 4, 5]
		);
		assert.deepEqual(grid.rows[0].cells, { positive: "I love it", negative: "I hate it", id: "a1" });
		assert.equal(grid.rows[1].raw, "this line is not JSON");
		assert.equal(grid.rows[1].problems.length, 1);
		assert.equal(grid.rows[0].problems.length, 0);
		assert.ok(
			grid.rows[2].problems.some((problem) => problem.includes("positive")),
			grid.rows[2].problems.join()
		);
		// The repeated pair is usable but warned about, on the repeat.
		assert.equal(grid.rows[3].problems.length, 0);
		assert.equal(grid.rows[3].warnings.length, 1);
	});

	it("edits change that line only, keep fields the grid does not show, and drop an emptied optional field", () => {
		const withPrompt = apply(jsonl, setCell(jsonl, "jsonl", 1, "prompt", "Say:"));
		assert.equal(
			withPrompt.split("\n")[0],
			'{"positive":"I love it","negative":"I hate it","id":"a1","prompt":"Say:"}'
		);
		assert.deepEqual(withPrompt.split("\n").slice(1), jsonl.split("\n").slice(1));
		const cleared = apply(withPrompt, setCell(withPrompt, "jsonl", 1, "prompt", ""));
		assert.equal(cleared, jsonl);
		// A required field stays, empty, so the checks can name it.
		const emptied = apply(jsonl, setCell(jsonl, "jsonl", 1, "negative", ""));
		assert.equal(emptied.split("\n")[0], '{"positive":"I love it","negative":"","id":"a1"}');
		assert.throws(() => setCell(jsonl, "jsonl", 3, "positive", "x"), /not a JSON object/);
		assert.throws(() => setCell(jsonl, "jsonl", 9, "positive", "x"), /no line 9/);
	});

	it("fixes a raw line in place, appends rows after a missing final newline, deletes a row with its line end", () => {
		const fixed = apply(jsonl, setLineText(jsonl, 3, '{"positive":"yes","negative":"no"}'));
		assert.equal(readGrid(fixed, "d.jsonl", "jsonl").rows[1].problems.length, 0);
		const appended = apply(
			jsonl,
			appendRows(jsonl, "jsonl", [{ positive: "p", negative: "n", prompt: "" }], "pair")
		);
		assert.equal(appended, `${jsonl}\n{"positive":"p","negative":"n"}\n`);
		const deleted = apply(jsonl, deleteRow(jsonl, "jsonl", 3));
		assert.deepEqual(deleted.split("\n"), [jsonl.split("\n")[0], "", ...jsonl.split("\n").slice(3)]);
		const crlf = "a\r\nb\r\nc\r\n";
		assert.equal(apply(crlf, deleteRow(crlf, "jsonl", 2)), "a\r\nc\r\n");
		assert.equal(apply(crlf, setLineText(crlf, 2, "B")), "a\r\nB\r\nc\r\n");
	});

	it("reads labelled examples with their own columns and stores a typed label as the number", () => {
		const text = '{"prompt":"Q","completion":"yes","label":1}\n{"prompt":"Q","completion":"no","label":0}\n';
		const grid = readGrid(text, "e.jsonl", "jsonl");
		assert.equal(grid.kind, "example");
		assert.deepEqual(grid.columns, ["prompt", "completion", "label"]);
		assert.equal(grid.rows[0].cells?.label, "1");
		const edited = apply(text, setCell(text, "jsonl", 2, "label", "1"));
		assert.equal(edited.split("\n")[1], '{"prompt":"Q","completion":"no","label":1}');
		// A row that holds only a prompt looks like a pair on its own; the file's kind decides.
		const bare = `${text}{"prompt":"Q"}\n`;
		assert.equal(
			apply(bare, setCell(bare, "jsonl", 3, "label", "1", "example")).split("\n")[2],
			'{"prompt":"Q","label":1}'
		);
		const typo = apply(text, setCell(text, "jsonl", 2, "label", "yes"));
		assert.equal(typo.split("\n")[1], '{"prompt":"Q","completion":"no","label":"yes"}');
		assert.ok(readGrid(typo, "e.jsonl", "jsonl").rows[1].problems.length > 0);
	});

	it("edits CSV records, quoting as needed and keeping every column", () => {
		const csv = 'positive,negative,id\r\n"a, b",c,x1\r\nd,e,x2\r\n';
		const grid = readGrid(csv, "d.csv", "csv");
		assert.deepEqual(grid.columns, ["prompt", "positive", "negative", "label", "id"]);
		assert.deepEqual(
			grid.rows.map((row) => row.cells?.positive),
			["a, b", "d"]
		);
		const edited = apply(csv, setCell(csv, "csv", 3, "negative", 'say "no"'));
		assert.equal(edited, 'positive,negative,id\r\n"a, b",c,x1\r\nd,"say ""no""",x2\r\n');
		const prompted = apply(csv, setCell(csv, "csv", 2, "prompt", "P"));
		assert.equal(prompted, 'positive,negative,id,prompt\r\n"a, b",c,x1,P\r\nd,e,x2,\r\n');
		assert.equal(apply(csv, deleteRow(csv, "csv", 2)), "positive,negative,id\r\nd,e,x2\r\n");
		assert.equal(apply(csv, appendRows(csv, "csv", [{ positive: "f", negative: "g" }], "pair")), `${csv}f,g,\r\n`);
	});

	it("refuses to rewrite a CSV file whose quoting is broken, and says so", () => {
		const broken = 'positive,negative\r\n"open,quote\r\n';
		const grid = readGrid(broken, "b.csv", "csv");
		assert.match(grid.readOnlyReason ?? "", /cannot be split into records safely/);
		assert.throws(() => setCell(broken, "csv", 2, "positive", "x"), /cannot be split/);
	});

	it("turns lines pasted from a spreadsheet into rows from the column pasted into", () => {
		const columns = ["prompt", "positive", "negative", "label"];
		assert.deepEqual(rowsFromPaste("happy\tsad\nglad\tgloomy\n", columns, "positive"), [
			{ positive: "happy", negative: "sad" },
			{ positive: "glad", negative: "gloomy" }
		]);
		assert.equal(rowsFromPaste("one line", columns, "positive"), undefined);
		assert.deepEqual(rowsFromPaste("a\nb", columns, "negative"), [{ negative: "a" }, { negative: "b" }]);
	});

	it("the editor's messages name exactly the fields a dataset line can carry, and malformed ones are refused", () => {
		const fields = new Set([...CONTRAST_PAIR_FIELDS, ...LABELLED_EXAMPLE_FIELDS.filter((f) => f !== "history")]);
		assert.deepEqual(new Set(GRID_COLUMNS), fields);
		assert.deepEqual(readDatasetEditorMessage({ type: "setCell", line: 2, column: "positive", value: "x" }), {
			ok: true,
			message: { type: "setCell", line: 2, column: "positive", value: "x" }
		});
		const unknownColumn = readDatasetEditorMessage({ type: "setCell", line: 2, column: "history", value: "x" });
		assert.equal(unknownColumn.ok, false);
		assert.equal(readDatasetEditorMessage({ type: "setCell", line: 0, column: "positive", value: "x" }).ok, false);
		assert.equal(readDatasetEditorMessage({ type: "deleteAll" }).ok, false);
		assert.equal(readDatasetEditorMessage({ type: "appendRows", rows: [] }).ok, false);
		const tooLong = readDatasetEditorMessage({ type: "setLineText", line: 1, value: "x".repeat(100_001) });
		assert.ok(!tooLong.ok && tooLong.problem.startsWith("value:"), JSON.stringify(tooLong));
	});
});
