import assert from "node:assert/strict";
import { validateWebviewMessage } from "../../src/shared/webviewProtocol/guards";
import { MESSAGE_LIMITS } from "../../src/shared/webviewProtocol/messages";
import {
	WEBVIEW_TO_HOST_TYPES,
	type WebviewToHost,
	type WebviewToHostType
} from "../../src/shared/webviewProtocol/panelMessages";

/** At least one well-formed message of each kind; a kind added to the protocol must be added here. */
const wellFormed: { readonly [K in WebviewToHostType]: readonly Extract<WebviewToHost, { type: K }>[] } = {
	ready: [{ type: "ready" }],
	runCommand: [{ type: "runCommand", command: "loadModel" }],
	setVectorActive: [{ type: "setVectorActive", fileName: "happy.gguf", active: true }],
	setVectorStrength: [{ type: "setVectorStrength", fileName: "happy.gguf", strength: -1.5 }],
	setVectorLayerRange: [
		{ type: "setVectorLayerRange", fileName: "happy.gguf", range: [2, 4] },
		{ type: "setVectorLayerRange", fileName: "happy.gguf", range: null }
	],
	setVectorPlacement: [
		{ type: "setVectorPlacement", fileName: "happy.gguf", placement: "first:4" },
		{ type: "setVectorPlacement", fileName: "happy.gguf", placement: null }
	],
	setSteeringEnabled: [{ type: "setSteeringEnabled", enabled: false }],
	generate: [{ type: "generate", prompt: "Once upon a time", maxTokens: 32, seed: 7 }],
	cancelGeneration: [{ type: "cancelGeneration" }],
	sweepStrengths: [
		{
			type: "sweepStrengths",
			fileName: "happy.gguf",
			prompt: "Once upon a time",
			strengths: [0.5, 1, 2],
			keywords: ["happy"],
			judge: "",
			maxTokens: 24
		}
	],
	cancelSweep: [{ type: "cancelSweep" }],
	searchCondition: [
		{
			type: "searchCondition",
			fileName: "topic.gguf",
			positives: ["a dog"],
			negatives: ["a cat"],
			thresholdRange: [0, 0.5],
			step: 0.01
		}
	],
	cancelConditionSearch: [{ type: "cancelConditionSearch" }],
	checkRule: [{ type: "checkRule", source: "if topic > 0.3 then happy" }]
};

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
	it("accepts a well-formed message of every kind the protocol lists, and returns it unchanged", () => {
		for (const type of WEBVIEW_TO_HOST_TYPES) {
			const messages: readonly WebviewToHost[] | undefined = wellFormed[type];
			assert.ok(messages && messages.length > 0, `no well-formed "${type}" message to check its guard with`);
			for (const message of messages) assert.deepEqual(accepted(message), message);
		}
		const unlisted = Object.keys(wellFormed).filter(
			(type) => !(WEBVIEW_TO_HOST_TYPES as readonly string[]).includes(type)
		);
		assert.deepEqual(unlisted, [], "examples of kinds the protocol does not list");
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
		rejected({ type: "setVectorLayerRange", fileName: "a.gguf", range: [5, 2] }, /runs backwards/);
		rejected({ type: "setVectorLayerRange", fileName: "a.gguf", range: [0, 2] }, /between 1 and/);
		rejected({ type: "setVectorPlacement", fileName: "a.gguf", placement: 3 }, /placement must be a string/);
		rejected({ type: "setVectorPlacement", fileName: "a.gguf", placement: "x".repeat(41) }, /longer than 40/);
	});

	it("only lets the panel run the commands it has buttons for", () => {
		rejected({ type: "runCommand", command: "workbench.action.terminal.new" }, /command must be one of/);
		rejected({ type: "runCommand", command: "steer.loadModel" }, /command must be one of/);
	});

	it("refuses file names that could reach outside Steer's folders", () => {
		for (const fileName of [
			"../secrets.gguf",
			"..\\x.gguf",
			"/etc/passwd.gguf",
			"a/b.gguf",
			"C:evil.gguf",
			".hidden.gguf",
			"x\u0000.gguf",
			"",
			"   "
		]) {
			rejected({ type: "setVectorActive", fileName, active: true }, /fileName refused/);
		}
		rejected({ type: "setVectorActive", fileName: "model.jsonl", active: true }, /must end in \.gguf/);
		rejected({ type: "setVectorActive", fileName: `${"a".repeat(200)}.gguf`, active: true }, /longer than/);
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
		const tooManyStrengths = Array.from({ length: MESSAGE_LIMITS.maxSweepStrengths + 1 }, (_, i) => i / 4);
		rejected(
			{
				type: "sweepStrengths",
				fileName: "a.gguf",
				prompt: "x",
				strengths: tooManyStrengths,
				keywords: [],
				judge: "",
				maxTokens: 8
			},
			/more than/
		);
	});
});
