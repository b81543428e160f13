import assert from "node:assert/strict";
import { DatasetValidationError, type DatasetIssue } from "../../src/datasets/issues";
import { parseJsonl, toJsonl } from "../../src/datasets/jsonl";
import { validatePairs } from "../../src/datasets/validatePairs";
import { pairTexts, type ContrastPair } from "../../src/datasets/contrastPair";

function issuesOf(run: () => unknown): DatasetIssue[] {
	try {
		run();
	} catch (error) {
		assert.ok(error instanceof DatasetValidationError, `expected DatasetValidationError, got ${String(error)}`);
		return [...error.issues];
	}
	assert.fail("expected a DatasetValidationError");
}

const brief = (issues: DatasetIssue[]) => issues.map(({ line, field, message }) => ({ line, field, message }));

describe("datasets: JSONL parsing", () => {
	it("reads pairs with every optional field, skipping blank lines and a BOM", () => {
		const text =
			"\uFEFF" +
			[
				'{"positive": "Lily was happy.", "negative": "Lily was sad."}',
				"",
				"   \t",
				'{"prompt": "Tom was very", "positive": " glad.", "negative": " upset.", "label": "mood", "id": "p2"}',
				'{"system": "You are terse.", "prompt": "Hi?", "positive": "Hi.", "negative": "Hello there, friend!"}'
			].join("\r\n") +
			"\r\n";
		const { pairs, warnings } = parseJsonl(text, "moods.jsonl");
		assert.deepEqual(pairs, [
			{ positive: "Lily was happy.", negative: "Lily was sad." },
			{ prompt: "Tom was very", positive: " glad.", negative: " upset.", label: "mood", id: "p2" },
			{ system: "You are terse.", prompt: "Hi?", positive: "Hi.", negative: "Hello there, friend!" }
		]);
		assert.equal(
			toJsonl(pairs).split("\n")[2],
			'{"positive":"Hi.","negative":"Hello there, friend!","prompt":"Hi?","system":"You are terse."}',
			"the system message is written back"
		);
		assert.deepEqual(warnings, []);
	});

	it("accepts an empty file as a dataset without pairs", () => {
		assert.deepEqual(parseJsonl("", "empty.jsonl").pairs, []);
		assert.deepEqual(parseJsonl("\n\n", "empty.jsonl").pairs, []);
	});

	it("lists every problem of the file with its line and field, not just the first", () => {
		const text = [
			'{"postive": "a", "negative": "b"}',
			'{"positive": "a", "negative": 3}',
			"not json",
			'["a", "b"]',
			'{"positive": "", "negative": "b", "label": ""}',
			'{"positive": "same", "negative": "same"}',
			'{"positive": "a", "negative": "b", "id": "x"}',
			'{"positive": "c", "negative": "d", "id": "x"}',
			'{"positive": "e", "negative": "f", "color": "red"}'
		].join("\n");
		const issues = issuesOf(() => parseJsonl(text, "bad.jsonl"));
		assert.ok(issues.every((issue) => issue.file === "bad.jsonl"));
		const summary = brief(issues);
		assert.deepEqual(
			summary.filter((issue) => issue.line !== 3),
			[
				{ line: 1, field: "postive", message: 'unknown field; did you mean "positive"?' },
				{ line: 1, field: "positive", message: "required field is missing" },
				{ line: 2, field: "negative", message: "must be a string, got a number" },
				{
					line: 4,
					field: undefined,
					message: 'each line must be a JSON object like {"positive": "…", "negative": "…"}, got an array'
				},
				{ line: 5, field: "positive", message: "must not be empty" },
				{ line: 5, field: "label", message: "must not be empty; omit the field instead" },
				{ line: 6, field: "negative", message: "is identical to positive, so the pair has no contrast" },
				{ line: 8, field: "id", message: 'duplicate id "x", first used on line 7' },
				{
					line: 9,
					field: "color",
					message: "unknown field; allowed fields are positive, negative, prompt, system, label, id"
				}
			]
		);
		const line3 = summary.filter((issue) => issue.line === 3);
		assert.equal(line3.length, 1);
		assert.match(line3[0]!.message, /^invalid JSON: /);
	});

	it("names file, line and field in the error message", () => {
		assert.throws(
			() => parseJsonl('{"positive": "a"}', "one.jsonl"),
			(error: Error) =>
				error.message ===
				'Dataset one.jsonl has 1 problem; nothing was loaded:\n  one.jsonl:1: field "negative": required field is missing'
		);
	});

	it("reports null, object and array values by their type", () => {
		const issues = issuesOf(() => parseJsonl('{"positive": null, "negative": {}, "prompt": ["x"]}', "t.jsonl"));
		assert.deepEqual(
			issues.map((issue) => issue.message),
			["must be a string, got null", "must be a string, got an object", "must be a string, got an array"]
		);
	});

	it("keeps every issue but shortens the message of a file with many", () => {
		const text = Array.from({ length: 30 }, () => "{}").join("\n");
		const error = (() => {
			try {
				parseJsonl(text, "many.jsonl");
			} catch (caught) {
				return caught as DatasetValidationError;
			}
			assert.fail("expected an error");
		})();
		assert.equal(error.issues.length, 60);
		assert.match(error.message, /has 60 problems/);
		assert.match(error.message, /…and 40 more$/);
	});

	it("warns about a pair repeated verbatim without rejecting the file", () => {
		const line = '{"positive": "a", "negative": "b"}';
		const { pairs, warnings } = parseJsonl(`${line}\n${line}`, "twice.jsonl");
		assert.equal(pairs.length, 2);
		assert.deepEqual(brief([...warnings]), [
			{
				line: 2,
				field: undefined,
				message: "same prompt, positive and negative as line 1; the pair counts twice"
			}
		]);
	});

	it("refuses a file with more lines than allowed, without reading the rest", () => {
		const text = Array.from({ length: 5 }, (_, index) => `{"positive": "a${index}", "negative": "b"}`).join("\n");
		assert.equal(parseJsonl(text, "f.jsonl", { maxLines: 5 }).pairs.length, 5);
		const issues = issuesOf(() => parseJsonl(text + "\nbroken", "f.jsonl", { maxLines: 5 }));
		assert.deepEqual(brief(issues), [
			{ line: 6, field: undefined, message: "file has more than 5 lines; split it or raise the maxLines limit" }
		]);
	});

	it("refuses over-long lines without parsing them", () => {
		const long = `{"positive": "${"a".repeat(50)}", "negative": "b"}`;
		const issues = issuesOf(() =>
			parseJsonl(`{"positive": "a", "negative": "b"}\n${long}`, "f.jsonl", { maxLineLength: 40 })
		);
		assert.deepEqual(brief(issues), [
			{ line: 2, field: undefined, message: `line has ${long.length} characters, more than the limit of 40` }
		]);
	});

	it("rejects limits that are not positive integers", () => {
		assert.throws(() => parseJsonl("", "f.jsonl", { maxLines: 0 }), /maxLines must be a positive integer, got 0/);
	});
});

describe("datasets: JSONL serialization", () => {
	const tricky: ContrastPair[] = [
		{
			positive: 'a, "quoted"\nline two',
			negative: "tab\there \\ backslash",
			prompt: "Ünïcödé 😀 ",
			label: "l",
			id: "1"
		},
		{ positive: "\u2028 separators \u2029", negative: "plain" }
	];

	it("writes one object per line in a fixed field order", () => {
		assert.equal(
			toJsonl([{ id: "7", negative: "n", positive: "p", prompt: "q" } as ContrastPair]),
			'{"positive":"p","negative":"n","prompt":"q","id":"7"}\n'
		);
		assert.equal(toJsonl([]), "");
	});

	it("round-trips quotes, newlines, unicode and line separators", () => {
		const text = toJsonl(tricky);
		assert.equal(text.split("\n").length, 3);
		assert.deepEqual(parseJsonl(text, "r.jsonl").pairs, tricky);
	});

	it("validates pairs built in memory with the same rules as files", () => {
		assert.deepEqual(validatePairs(tricky, "mem").pairs, tricky);
		const issues = issuesOf(() =>
			validatePairs([{ positive: "a", negative: "" }, null as unknown as ContrastPair], "mem")
		);
		assert.deepEqual(brief(issues), [
			{ line: 1, field: "negative", message: "must not be empty" },
			{ line: 2, field: undefined, message: "pair must be an object with positive and negative texts" }
		]);
	});

	it("joins a prompt and its completions verbatim", () => {
		assert.deepEqual(pairTexts({ prompt: "Lily was", positive: " happy.", negative: " sad." }), {
			positive: "Lily was happy.",
			negative: "Lily was sad."
		});
		assert.deepEqual(pairTexts({ positive: "a", negative: "b" }), { positive: "a", negative: "b" });
	});
});
