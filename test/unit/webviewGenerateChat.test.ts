import assert from "node:assert/strict";
import { validateWebviewMessage } from "../../src/shared/webviewProtocol/guards";

describe("webview protocol: the Playground's chat mode", () => {
	const base = { type: "generate", prompt: "Hi?", maxTokens: 16, seed: 1 };

	it("carries chat mode and its system message, and leaves raw text without them", () => {
		assert.deepEqual(validateWebviewMessage({ ...base, chat: { system: "Be brief." } }), {
			ok: true,
			message: { ...base, chat: { system: "Be brief." } }
		});
		assert.deepEqual(validateWebviewMessage({ ...base, chat: {} }), { ok: true, message: { ...base, chat: {} } });
		assert.deepEqual(validateWebviewMessage(base), { ok: true, message: base });
	});

	it("refuses a chat option that is not an object of a system message", () => {
		for (const [chat, reason] of [
			["yes", /chat must be an object/],
			[{ system: 3 }, /chat\.system must be a string/],
			[{ system: "a", tools: [] }, /unexpected field "tools"/]
		] as const) {
			const result = validateWebviewMessage({ ...base, chat });
			assert.equal(result.ok, false, JSON.stringify(chat));
			if (!result.ok) assert.match(result.reason, reason);
		}
	});
});
