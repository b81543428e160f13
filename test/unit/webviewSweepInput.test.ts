import assert from "node:assert/strict";
import { validateWebviewMessage } from "../../src/shared/webviewProtocol/guards";
import { parseKeywords, parseStrengthList } from "../../webview/sweepInput";

describe("webview: strength sweep input", () => {
	it("reads strengths separated by commas or spaces, ascending and without repeats", () => {
		assert.deepEqual(parseStrengthList("4, -2  0,2 ; 4 −1.5 .5 1e1"), {
			ok: true,
			value: [-2, -1.5, 0, 0.5, 2, 4, 10]
		});
	});

	it("names the entry that is not a strength", () => {
		assert.deepEqual(parseStrengthList("1, two, 3"), { ok: false, error: '"two" is not a number' });
		assert.deepEqual(parseStrengthList("0x10"), { ok: false, error: '"0x10" is not a number' });
		assert.deepEqual(parseStrengthList("Infinity"), { ok: false, error: '"Infinity" is not a number' });
		assert.equal(parseStrengthList(" , ").ok, false);
		assert.match((parseStrengthList("5000") as { error: string }).error, /beyond ±1000/);
		assert.match(
			(parseStrengthList(Array.from({ length: 17 }, (_, i) => i).join(",")) as { error: string }).error,
			/at most 16/
		);
	});

	it("reads concept words, dropping empty ones", () => {
		assert.deepEqual(parseKeywords(" happy, , joy ,smile "), { ok: true, value: ["happy", "joy", "smile"] });
		assert.deepEqual(parseKeywords(""), { ok: true, value: [] });
		assert.equal(parseKeywords("x".repeat(101)).ok, false);
	});

	it("accepts a well-formed sweep message and refuses malformed ones with the reason", () => {
		const good = {
			type: "sweepStrengths",
			fileName: "happy.gguf",
			prompt: "Once",
			strengths: [0, 2],
			keywords: ["happy"],
			judge: "",
			maxTokens: 32
		};
		assert.deepEqual(validateWebviewMessage(good), { ok: true, message: good });
		assert.deepEqual(validateWebviewMessage({ type: "cancelSweep" }), {
			ok: true,
			message: { type: "cancelSweep" }
		});
		const refused = (change: Record<string, unknown>) => {
			const result = validateWebviewMessage({ ...good, ...change });
			assert.equal(result.ok, false, JSON.stringify(change));
			return (result as { reason: string }).reason;
		};
		assert.match(refused({ strengths: "0,2" }), /strengths must be an array/);
		assert.match(refused({ strengths: [0, Number.NaN] }), /strengths\[1\] must be a finite number/);
		assert.match(refused({ strengths: [] }), /at least one strength/);
		assert.match(refused({ keywords: [1] }), /keywords\[0\] must be a string/);
		assert.match(refused({ maxTokens: 257 }), /maxTokens must be between 1 and 256/);
		assert.match(refused({ fileName: "happy.jsonl" }), /fileName refused/);
		assert.match(refused({ extra: true }), /unexpected field "extra"/);
	});
});
