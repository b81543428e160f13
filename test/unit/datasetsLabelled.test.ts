/** Labelled, unpaired examples (prompt, completion, label): reading, validating, chat rendering, storage. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseCsv, readCsv } from "../../src/datasets/csv";
import {
	planExampleChats,
	rawTextExampleProblem,
	renderExamplesAsChats,
	type ChatMessage
} from "../../src/datasets/generators/chatTemplate";
import { DatasetSaveRefusedError, DatasetValidationError, type DatasetIssue } from "../../src/datasets/issues";
import { parseJsonl, readJsonl } from "../../src/datasets/jsonl";
import { DEFAULT_DATASET_LIMITS } from "../../src/datasets/limits";
import { loadDataset, saveDataset } from "../../src/datasets/storage";

function issuesOf(run: () => unknown): DatasetIssue[] {
	try {
		run();
	} catch (error) {
		assert.ok(error instanceof DatasetValidationError, `expected DatasetValidationError, got ${String(error)}`);
		return [...error.issues];
	}
	assert.fail("expected a DatasetValidationError");
}

const brief = (issues: readonly DatasetIssue[]) => issues.map(({ line, field, message }) => ({ line, field, message }));
const lines = (...records: unknown[]) => records.map((record) => JSON.stringify(record)).join("\n") + "\n";

describe("datasets: labelled examples", () => {
	it("reads examples with every optional field, concept-guidance's history name included", () => {
		const text = lines(
			{ prompt: "How's the weather?", completion: "Sunny, thanks for asking!", label: 1 },
			{ prompt: "How's the weather?", completion: "I cannot know that.", label: 0, id: "w2" },
			{
				system: "You are a cheerful assistant.",
				history: [
					{ role: "user", content: "Hi!" },
					{ role: "assistant", content: "Hello!" }
				],
				prompt: "Any plans?",
				completion: "A picnic!",
				label: 1
			},
			{
				conversation_history: [{ role: "user", content: "Hi." }],
				prompt: "Well?",
				completion: "Nothing.",
				label: 0
			},
			{ completion: "Lily laughed all day.", label: 1 }
		);
		const { pairs, examples, warnings } = parseJsonl(text, "cheer.jsonl");
		assert.deepEqual(pairs, []);
		assert.deepEqual(warnings, []);
		assert.deepEqual(examples, [
			{ prompt: "How's the weather?", completion: "Sunny, thanks for asking!", label: 1 },
			{ prompt: "How's the weather?", completion: "I cannot know that.", label: 0, id: "w2" },
			{
				prompt: "Any plans?",
				completion: "A picnic!",
				label: 1,
				system: "You are a cheerful assistant.",
				history: [
					{ role: "user", content: "Hi!" },
					{ role: "assistant", content: "Hello!" }
				]
			},
			{ prompt: "Well?", completion: "Nothing.", label: 0, history: [{ role: "user", content: "Hi." }] },
			{ completion: "Lily laughed all day.", label: 1 }
		]);
	});

	it("lists every bad line with its line, field and an exact message", () => {
		const text = lines(
			{ prompt: "a", completion: "b", label: 1 },
			{ prompt: "a", completion: "c", label: 2 },
			{ prompt: "a", completion: "d", label: "1" },
			{ prompt: "a", completion: "e" },
			{ prompt: "a", completion: "", label: 0 },
			{ prompt: "a", completion: "f", label: 0, labels: 1 },
			{ completion: "g", label: 0, history: [{ role: "user", content: "x" }] },
			{ prompt: "a", completion: "h", label: 0, history: [{ role: "system", content: "x" }, "hi"] },
			{ prompt: "a", completion: "i", label: 0, history: [{ role: "user", content: "", name: "me" }] },
			{ prompt: "a", completion: "j", label: 0, history: [], system: "" },
			{
				prompt: "a",
				completion: "k",
				label: 0,
				history: [{ role: "user", content: "x" }],
				conversation_history: []
			},
			{ prompt: "a", completion: "b", label: 0 },
			{ prompt: "a", completion: "l", label: 1, id: "x" },
			{ prompt: "a", completion: "m", label: 0, id: "x" },
			{ prompt: "a", completion: 5, label: true }
		);
		assert.deepEqual(brief(issuesOf(() => parseJsonl(text, "bad.jsonl"))), [
			{
				line: 2,
				field: "label",
				message: "must be 1 (the completion shows the concept) or 0 (it does not), got 2"
			},
			{
				line: 3,
				field: "label",
				message: 'must be 1 (the completion shows the concept) or 0 (it does not), got the string "1"'
			},
			{
				line: 4,
				field: "label",
				message: "required field is missing; 1 when the completion shows the concept, 0 when it does not"
			},
			{ line: 5, field: "completion", message: "must not be empty" },
			{ line: 6, field: "labels", message: 'unknown field; did you mean "label"?' },
			{
				line: 7,
				field: "history",
				message: 'needs a "prompt": the history is the conversation before the user\'s prompt'
			},
			{
				line: 8,
				field: "history",
				message:
					'message 1: "role" must be "user" or "assistant", got "system"; put a system message in the example\'s "system" field'
			},
			{
				line: 8,
				field: "history",
				message: 'message 2 must be an object like {"role": "user", "content": "…"}, got a string'
			},
			{ line: 9, field: "history", message: 'message 1 has "name"; a message has only "role" and "content"' },
			{ line: 9, field: "history", message: 'message 1: "content" must be a non-empty string, got an empty one' },
			{ line: 10, field: "system", message: "must not be empty; omit the field instead" },
			{ line: 10, field: "history", message: "must not be empty; omit the field instead" },
			{
				line: 11,
				field: "conversation_history",
				message: `is concept-guidance's name for "history"; give one of the two`
			},
			{
				line: 12,
				field: "label",
				message: "the same text is labelled 1 on line 1; one text cannot both show the concept and not"
			},
			{ line: 14, field: "id", message: 'duplicate id "x", first used on line 13' },
			{ line: 15, field: "completion", message: "must be a string, got a number" },
			{
				line: 15,
				field: "label",
				message: "must be 1 (the completion shows the concept) or 0 (it does not), got true"
			}
		]);
	});

	it("refuses a file that mixes pairs and examples, or a line with both kinds' fields", () => {
		const examplesFirst = lines(
			{ prompt: "a", completion: "b", label: 1 },
			{ positive: "p", negative: "n" },
			{ prompt: "a", completion: "c", label: 0 },
			{ positive: "p", negative: "n", completion: "c", label: 1 }
		);
		assert.deepEqual(brief(issuesOf(() => parseJsonl(examplesFirst, "mixed.jsonl"))), [
			{
				line: 2,
				field: undefined,
				message:
					"a contrast pair (positive, negative) in a file of labelled examples (line 1 is a labelled example); a dataset holds one kind, so put the pairs in a file of their own"
			},
			{
				line: 4,
				field: undefined,
				message:
					"has the fields of a contrast pair (positive, negative) and of a labelled example (completion, label); a line is one or the other"
			}
		]);
		const pairsFirst = lines({ positive: "p", negative: "n" }, { prompt: "a", completion: "b", label: 1 });
		assert.deepEqual(brief(issuesOf(() => parseJsonl(pairsFirst, "mixed.jsonl"))), [
			{
				line: 2,
				field: undefined,
				message:
					"a labelled example (completion, label) in a file of contrast pairs (line 1 is a pair); a dataset holds one kind, so put the labelled examples in a file of their own"
			}
		]);
		// A numeric label with neither kind's texts reads as an example missing its completion.
		assert.deepEqual(brief(issuesOf(() => parseJsonl(lines({ prompt: "a", label: 1 }), "x.jsonl"))), [
			{ line: 1, field: "completion", message: "required field is missing" }
		]);
	});

	it("refuses examples of one class only", () => {
		const text =
			"\n" + lines({ prompt: "a", completion: "b", label: 1 }, { prompt: "a", completion: "c", label: 1 });
		assert.deepEqual(brief(issuesOf(() => parseJsonl(text, "one.jsonl"))), [
			{
				line: 2,
				field: "label",
				message: "all 2 examples are labelled 1; training compares the two classes, so add examples labelled 0"
			}
		]);
	});

	it("warns about an example repeated verbatim and keeps the file's limits", () => {
		const text = lines(
			{ prompt: "a", completion: "b", label: 1 },
			{ prompt: "a", completion: "c", label: 0 },
			{ prompt: "a", completion: "b", label: 1 }
		);
		const reading = readJsonl(text, "twice.jsonl");
		assert.deepEqual(reading.errors, []);
		assert.equal(reading.examples.length, 3);
		assert.deepEqual(brief(reading.warnings), [
			{ line: 3, field: undefined, message: "same example as line 1; it counts twice" }
		]);
		const long = lines({ prompt: "a", completion: "x".repeat(DEFAULT_DATASET_LIMITS.maxLineLength), label: 1 });
		assert.match(readJsonl(long, "long.jsonl").errors[0]!.message, /more than the limit of 100000/);
		assert.match(readJsonl(text, "short.jsonl", { maxLines: 2 }).errors.at(-1)!.message, /more than 2 lines/);
	});

	it("reads examples from CSV, labels as 1 or 0, and refuses a history column", () => {
		const csv = [
			"Prompt,COMPLETION,label,id",
			'Hi?,"Hello, friend!",1,a',
			"Hi?,Go away.,0,b",
			",Lily smiled., 1 ,c"
		].join("\r\n");
		assert.deepEqual(parseCsv(csv, "cheer.csv").examples, [
			{ prompt: "Hi?", completion: "Hello, friend!", label: 1, id: "a" },
			{ prompt: "Hi?", completion: "Go away.", label: 0, id: "b" },
			{ completion: "Lily smiled.", label: 1, id: "c" }
		]);
		const bad = ["prompt,completion,label", "a,b,yes", "a,c,", "a,d,0", "a,e,1"].join("\n");
		assert.deepEqual(brief(issuesOf(() => parseCsv(bad, "bad.csv"))), [
			{
				line: 2,
				field: "label",
				message: 'must be 1 (the completion shows the concept) or 0 (it does not), got the string "yes"'
			},
			{
				line: 3,
				field: "label",
				message: "required field is missing; 1 when the completion shows the concept, 0 when it does not"
			}
		]);
		assert.deepEqual(brief(readCsv("prompt,completion,label,history,colour\n", "h.csv").errors), [
			{
				line: 1,
				field: "history",
				message: "a history is a list of messages, which a CSV cell does not hold; write the file as JSONL"
			},
			{
				line: 1,
				field: "colour",
				message: "unknown column; allowed columns are prompt, completion, label, system, id"
			}
		]);
		assert.deepEqual(brief(readCsv("prompt,completoin\n", "h.csv").errors), [
			{
				line: 1,
				field: "completoin",
				message: "unknown column; allowed columns are positive, negative, prompt, system, label, id"
			},
			{ line: 1, field: "positive", message: "required column is missing from the header" },
			{ line: 1, field: "negative", message: "required column is missing from the header" }
		]);
		assert.deepEqual(brief(readCsv("positive,negative,completion,label\n", "h.csv").errors), [
			{
				line: 1,
				field: undefined,
				message:
					"the header names the columns of a contrast pair (positive, negative) and of a labelled example (completion, label); a file holds one kind"
			}
		]);
		assert.deepEqual(brief(readCsv("completion,id\n", "h.csv").errors), [
			{ line: 1, field: "label", message: "required column is missing from the header" }
		]);
	});

	it("renders examples as conversations in the model's template, history and system included", async () => {
		const format = (messages: readonly ChatMessage[]) =>
			messages.map((message) => `<${message.role}>${message.content}`).join("");
		const examples = [
			{
				system: "Be kind.",
				history: [
					{ role: "user" as const, content: "Hi" },
					{ role: "assistant" as const, content: "Hello" }
				],
				prompt: "Plans?",
				completion: " A picnic!",
				label: 1 as const,
				id: "e1"
			},
			{ completion: "Lily smiled.", label: 0 as const }
		];
		const plan = planExampleChats(examples, { systemPrompt: "Default." });
		assert.deepEqual(plan.conversations.map(format), [
			"<system>Be kind.<user>Hi<assistant>Hello<user>Plans?<assistant>",
			"<system>Be kind.<user>Hi<assistant>Hello<user>Plans?<assistant>A picnic!",
			"<system>Default.<user>Lily smiled.<assistant>"
		]);
		const rendered = await renderExamplesAsChats(examples, async (conversations) => ({
			texts: conversations.map(format),
			wrapper: "Test"
		}));
		assert.equal(rendered.wrapper, "Test");
		assert.deepEqual(rendered.examples, [
			{
				prompt: "<system>Be kind.<user>Hi<assistant>Hello<user>Plans?<assistant>",
				completion: "A picnic!",
				label: 1,
				id: "e1"
			},
			{ completion: "<user>Lily smiled.<assistant>", label: 0 }
		]);
		assert.equal(
			rawTextExampleProblem(examples),
			'1 of 2 examples have a "system" message or a "history", which only a chat template can carry'
		);
		assert.equal(rawTextExampleProblem([examples[1]!]), undefined);
	});

	describe("on disk", () => {
		let folder: string;
		beforeEach(() => (folder = mkdtempSync(path.join(tmpdir(), "steer-labelled-"))));
		afterEach(() => rmSync(folder, { recursive: true, force: true }));

		it("loads examples, and refuses to save pairs over them, keeping the file byte for byte", async () => {
			const file = path.join(folder, "cheer.jsonl");
			const text = lines({ prompt: "a", completion: "b", label: 1 }, { prompt: "a", completion: "c", label: 0 });
			writeFileSync(file, text);
			const loaded = await loadDataset(file);
			assert.deepEqual(loaded.pairs, []);
			assert.equal(loaded.examples.length, 2);
			await assert.rejects(
				saveDataset(file, { name: "cheer", pairs: [{ positive: "p", negative: "n" }] }),
				(error: unknown) =>
					error instanceof DatasetSaveRefusedError &&
					error.reason === "labelled-examples" &&
					error.message ===
						"Not saved: cheer.jsonl holds labelled examples (prompt, completion, label), which Steer edits only as text; saving pairs would replace them. Edit it in the text editor; nothing was written."
			);
			assert.equal(readFileSync(file, "utf8"), text);
		});
	});
});
