import assert from "node:assert/strict";
import { parsePromptLines, parseThresholdGrid } from "../../webview/conditionInput";
import { validateWebviewMessage } from "../../src/shared/webviewProtocol/guards";
import { MESSAGE_LIMITS } from "../../src/shared/webviewProtocol/messages";

function reason(raw: unknown): string {
	const result = validateWebviewMessage(raw);
	assert.equal(result.ok, false, `expected ${JSON.stringify(raw)?.slice(0, 80)} to be rejected`);
	return result.ok ? "" : result.reason;
}

const search = {
	type: "searchCondition",
	fileName: "dogs.gguf",
	positives: ["The dog barked.", "A puppy ran."],
	negatives: ["The cat purred."],
	thresholdRange: [0, 0.5],
	step: 0.01
};

describe("webview protocol: condition search and rule messages", () => {
	it("accepts well-formed condition messages unchanged", () => {
		for (const message of [
			search,
			{ type: "cancelConditionSearch" },
			{ type: "checkRule", source: "if C1 and not C2 then B2" },
			{ type: "checkRule", source: "" }
		]) {
			const result = validateWebviewMessage(message);
			assert.ok(result.ok, result.ok ? "" : result.reason);
			assert.deepEqual(result.message, message);
		}
	});

	it("caps the prompt lists in count and length, and needs both of them", () => {
		const many = Array.from({ length: MESSAGE_LIMITS.maxConditionPrompts + 1 }, (_, i) => `prompt ${i}`);
		assert.match(
			reason({ ...search, positives: many }),
			new RegExp(`positives has ${many.length} entries, more than ${MESSAGE_LIMITS.maxConditionPrompts}`)
		);
		assert.match(
			reason({ ...search, negatives: ["x".repeat(MESSAGE_LIMITS.maxConditionPromptLength + 1)] }),
			/negatives\[0\] is longer than 2000/
		);
		assert.match(reason({ ...search, negatives: [] }), /negatives must list at least one prompt/);
		assert.match(reason({ ...search, positives: "The dog barked." }), /positives must be an array/);
		assert.match(reason({ ...search, positives: ["ok", 3] }), /positives\[1\] must be a string/);
	});

	it("keeps thresholds within [0, 1], ascending, with a step that bounds the grid", () => {
		assert.match(reason({ ...search, thresholdRange: [0.6, 0.2] }), /runs backwards/);
		assert.match(reason({ ...search, thresholdRange: [-0.1, 0.5] }), /thresholdRange\[0\] must be between 0 and 1/);
		assert.match(reason({ ...search, thresholdRange: [0, 2] }), /thresholdRange\[1\] must be between 0 and 1/);
		assert.match(reason({ ...search, thresholdRange: [0] }), /must be \[low, high\]/);
		assert.match(reason({ ...search, step: 0 }), /step must be between 0.001 and 1/);
		assert.match(reason({ ...search, step: Number.NaN }), /step must be a finite number/);
	});

	it("refuses escaping file names, extra fields and over-long rules", () => {
		assert.match(reason({ ...search, fileName: "../dogs.gguf" }), /fileName refused/);
		assert.match(reason({ ...search, layers: [1] }), /unexpected field "layers"/);
		assert.match(
			reason({ type: "checkRule", source: "x".repeat(MESSAGE_LIMITS.maxRuleLength + 1) }),
			/source is longer than 500/
		);
		assert.match(reason({ type: "checkRule" }), /source is missing from the checkRule message/);
		assert.match(reason({ type: "checkRule", source: 3 }), /source must be a string, got number 3/);
		assert.match(reason({ type: "cancelConditionSearch", now: true }), /unexpected field "now"/);
	});
});

describe("webview: condition editor input", () => {
	it("reads one prompt a line, trimmed, without blank lines", () => {
		assert.deepEqual(parsePromptLines(" The dog ran.\r\n\n  A puppy barked. \n", "where it holds"), {
			ok: true,
			value: ["The dog ran.", "A puppy barked."]
		});
		assert.deepEqual(parsePromptLines(" \n ", "where it holds"), {
			ok: false,
			error: "list at least one prompt where it holds, one a line"
		});
		const many = Array.from({ length: MESSAGE_LIMITS.maxConditionPrompts + 1 }, (_, i) => `p${i}`).join("\n");
		assert.match((parsePromptLines(many, "x") as { error: string }).error, /at most 64 prompts/);
	});

	it("reads the threshold range and step, naming what is wrong", () => {
		assert.deepEqual(parseThresholdGrid("0", " .5 ", "0.01"), { ok: true, value: { range: [0, 0.5], step: 0.01 } });
		assert.deepEqual(parseThresholdGrid("0.6", "0.2", "0.01"), {
			ok: false,
			error: "the threshold range 0.6–0.2 runs backwards"
		});
		assert.equal(
			(parseThresholdGrid("0", "1.5", "0.01") as { error: string }).error,
			"thresholds are similarities between 0 and 1"
		);
		assert.equal(
			(parseThresholdGrid("-1", "0.5", "0.01") as { error: string }).error,
			"thresholds are similarities between 0 and 1"
		);
		assert.match((parseThresholdGrid("0", "1", "0") as { error: string }).error, /step must be between/);
	});
});
