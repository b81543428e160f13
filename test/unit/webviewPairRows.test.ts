import assert from "node:assert/strict";
import { validateWebviewMessage } from "../../src/shared/webviewProtocol/guards";

function reason(raw: unknown): string {
	const result = validateWebviewMessage(raw);
	assert.equal(result.ok, false, "expected a rejection");
	return result.ok ? "" : result.reason;
}

// The grid edits three fields of a pair, but a file's pairs may have more: every one must travel
// through the save message, or saving from the grid would drop the user's labels, ids and system prompts.
describe("webview protocol: pair rows keep every field a dataset file may have", () => {
	it("accepts and returns system, label and id beside the edited fields", () => {
		const row = {
			positive: "Hi.",
			negative: "Hello there!",
			prompt: "Hi?",
			system: "Be terse.",
			label: "tone",
			id: "7"
		};
		const result = validateWebviewMessage({ type: "saveDataset", fileName: "tone.jsonl", pairs: [row] });
		assert.deepEqual(result, { ok: true, message: { type: "saveDataset", fileName: "tone.jsonl", pairs: [row] } });
	});

	it("still refuses fields no dataset has, and checks the type of the optional ones", () => {
		assert.match(
			reason({
				type: "saveDataset",
				fileName: "a.jsonl",
				pairs: [{ positive: "a", negative: "b", labels: "x" }]
			}),
			/unexpected field "labels" in pairs\[0\]/
		);
		assert.match(
			reason({ type: "saveDataset", fileName: "a.jsonl", pairs: [{ positive: "a", negative: "b", id: 7 }] }),
			/pairs\[0\]\.id must be a string/
		);
	});
});
