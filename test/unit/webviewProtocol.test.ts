import assert from "node:assert/strict";
import { validateWebviewMessage } from "../../src/shared/webviewProtocol/guards";
import { MESSAGE_LIMITS } from "../../src/shared/webviewProtocol/messages";

function accepted(raw: unknown) {
	const result = validateWebviewMessage(raw);
	assert.ok(result.ok, `expected acceptance, got: ${result.ok ? "" : result.reason}`);
	return result.message;
}

function rejected(raw: unknown, reason: RegExp): void {
	const result = validateWebviewMessage(raw);
	assert.equal(result.ok, false, `expected ${JSON.stringify(raw)?.slice(0, 80)} to be rejected`);
	if (!result.ok) assert.match(result.reason, reason);
}

describe("webview protocol: validation of messages from the panel", () => {
	it("accepts every well-formed message kind and returns it unchanged", () => {
		const messages = [
			{ type: "ready" },
			{ type: "runCommand", command: "loadModel" },
			{ type: "openDataset", fileName: "happy-sad.jsonl" },
			{
				type: "saveDataset",
				fileName: "happy-sad.jsonl",
				pairs: [
					{ positive: "a", negative: "b" },
					{ positive: "c", negative: "d", prompt: "p" }
				]
			},
			{ type: "deleteDataset", fileName: "old.csv" },
			{ type: "train", fileName: "happy-sad.jsonl", method: "pca-diff", positions: "last", layers: "2-4" },
			{ type: "cancelTraining" },
			{ type: "setVectorActive", fileName: "happy.gguf", active: true },
			{ type: "setVectorStrength", fileName: "happy.gguf", strength: -1.5 },
			{ type: "setVectorLayerRange", fileName: "happy.gguf", range: [2, 4] },
			{ type: "setVectorLayerRange", fileName: "happy.gguf", range: null },
			{ type: "setSteeringEnabled", enabled: false },
			{ type: "generate", prompt: "Once upon a time", maxTokens: 32, seed: 7 },
			{ type: "cancelGeneration" }
		];
		for (const message of messages) assert.deepEqual(accepted(message), message);
	});

	it("rejects values that are not objects, and unknown kinds", () => {
		rejected(null, /must be an object/);
		rejected("ready", /must be an object/);
		rejected([{ type: "ready" }], /must be an object/);
		rejected({ type: "evaluate", code: "process.exit()" }, /unknown message type "evaluate"/);
		rejected({}, /unknown message type/);
		rejected({ type: "__proto__" }, /unknown message type/);
	});

	it("rejects wrong field types and extra fields", () => {
		rejected({ type: "setVectorActive", fileName: "a.gguf", active: "yes" }, /active must be true or false/);
		rejected({ type: "setVectorStrength", fileName: "a.gguf", strength: "2" }, /strength must be a finite number/);
		rejected({ type: "setVectorStrength", fileName: "a.gguf", strength: Number.NaN }, /finite number/);
		rejected({ type: "setVectorStrength", fileName: "a.gguf", strength: 1e9 }, /between/);
		rejected({ type: "generate", prompt: "x", maxTokens: 2.5, seed: 1 }, /whole number/);
		rejected({ type: "generate", prompt: "x", maxTokens: 0, seed: 1 }, /between 1 and/);
		rejected({ type: "ready", extra: 1 }, /unexpected field "extra"/);
		rejected(
			{ type: "train", fileName: "a.jsonl", method: "magic", positions: "last", layers: "all" },
			/method must be one of/
		);
		rejected({ type: "setVectorLayerRange", fileName: "a.gguf", range: [5, 2] }, /runs backwards/);
		rejected({ type: "setVectorLayerRange", fileName: "a.gguf", range: [0, 2] }, /between 1 and/);
	});

	it("only lets the panel run the commands it has buttons for", () => {
		rejected({ type: "runCommand", command: "workbench.action.terminal.new" }, /command must be one of/);
		rejected({ type: "runCommand", command: "steer.loadModel" }, /command must be one of/);
	});

	it("refuses file names that could reach outside Steer's folders", () => {
		for (const fileName of [
			"../secrets.jsonl",
			"..\\x.jsonl",
			"/etc/passwd.jsonl",
			"a/b.jsonl",
			"C:evil.jsonl",
			".hidden.jsonl",
			"x\u0000.jsonl",
			"",
			"   "
		]) {
			rejected({ type: "openDataset", fileName }, /fileName refused/);
		}
		rejected({ type: "openDataset", fileName: "data.txt" }, /must end in \.jsonl or \.csv/);
		rejected({ type: "setVectorActive", fileName: "model.jsonl", active: true }, /must end in \.gguf/);
		rejected({ type: "openDataset", fileName: `${"a".repeat(200)}.jsonl` }, /longer than/);
	});

	it("refuses oversized and deeply nested payloads before reading their fields", () => {
		const huge = "x".repeat(MESSAGE_LIMITS.maxMessageSize + 1);
		rejected({ type: "generate", prompt: huge, maxTokens: 1, seed: 1 }, /larger than/);
		rejected(
			{ type: "generate", prompt: "x".repeat(MESSAGE_LIMITS.maxPromptLength + 1), maxTokens: 1, seed: 1 },
			/prompt is longer/
		);
		let nested: unknown = {};
		for (let i = 0; i < 50; i++) nested = { inner: nested };
		rejected({ type: "ready", nested }, /nested deeper/);
		const tooManyRows = Array.from({ length: MESSAGE_LIMITS.maxPairs + 1 }, () => ({
			positive: "a",
			negative: "b"
		}));
		rejected({ type: "saveDataset", fileName: "a.jsonl", pairs: tooManyRows }, /more than/);
	});

	it("checks every row of a dataset being saved", () => {
		rejected(
			{
				type: "saveDataset",
				fileName: "a.jsonl",
				pairs: [
					{ positive: "a", negative: "b" },
					{ positive: 3, negative: "b" }
				]
			},
			/pairs\[1\]\.positive must be a string/
		);
		rejected(
			{ type: "saveDataset", fileName: "a.jsonl", pairs: [{ positive: "a", negative: "b", script: "x" }] },
			/unexpected field "script" in pairs\[0\]/
		);
		rejected({ type: "saveDataset", fileName: "a.jsonl", pairs: "a,b" }, /pairs must be an array/);
	});
});
