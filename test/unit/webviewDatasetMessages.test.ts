import assert from "node:assert/strict";
import { INITIAL_PAIR_GENERATOR_FORM, parsePairGenerator } from "../../webview/pairGeneratorInput";
import { validateWebviewMessage } from "../../src/shared/webviewProtocol/guards";
import { MESSAGE_LIMITS } from "../../src/shared/webviewProtocol/messages";

function reason(raw: unknown): string {
	const result = validateWebviewMessage(raw);
	assert.equal(result.ok, false, `expected ${JSON.stringify(raw)?.slice(0, 80)} to be rejected`);
	return result.ok ? "" : result.reason;
}

const persona = {
	type: "generatePairs",
	fileName: "moods.jsonl",
	generator: {
		mode: "persona",
		template: "Act as if you're extremely {persona}.",
		positive: ["happy"],
		negative: ["sad"],
		suffixes: ["I feel", ""]
	}
};
const promptPair = {
	type: "generatePairs",
	fileName: "moods.jsonl",
	generator: { mode: "promptPair", positive: "Love", negative: "Hate" }
};
const rename = { type: "renameDataset", fileName: "moods.jsonl", newFileName: "feelings.jsonl" };

describe("webview protocol: dataset generator and rename messages", () => {
	it("accepts well-formed messages unchanged", () => {
		for (const message of [persona, promptPair, rename]) {
			const result = validateWebviewMessage(message);
			assert.ok(result.ok, result.ok ? "" : result.reason);
			assert.deepEqual(result.message, message);
		}
	});

	it("caps persona lists, suffixes, the template and the pairs they would cross into", () => {
		const words = (count: number) => Array.from({ length: count }, (_, i) => `mood ${i}`);
		const withGenerator = (fields: Record<string, unknown>) => ({
			...persona,
			generator: { ...persona.generator, ...fields }
		});
		assert.match(
			reason(withGenerator({ positive: words(MESSAGE_LIMITS.maxPersonas + 1) })),
			/generator.positive has 101 entries, more than 100/
		);
		assert.match(
			reason(withGenerator({ negative: ["x".repeat(MESSAGE_LIMITS.maxPersonaLength + 1)] })),
			/generator.negative\[0\] is longer than 200/
		);
		assert.match(
			reason(withGenerator({ suffixes: words(MESSAGE_LIMITS.maxSuffixes + 1) })),
			/generator.suffixes has 1001 entries, more than 1000/
		);
		assert.match(
			reason(withGenerator({ suffixes: ["x".repeat(MESSAGE_LIMITS.maxSuffixLength + 1)] })),
			/generator.suffixes\[0\] is longer than 2000/
		);
		assert.match(
			reason(withGenerator({ template: "{persona}".repeat(300) })),
			/generator.template is longer than 2000/
		);
		assert.match(
			reason(withGenerator({ positive: words(100), negative: words(100), suffixes: words(51) })),
			/would make 5100 pairs, more than 5000/
		);
		assert.match(reason(withGenerator({ suffixes: "I feel" })), /generator.suffixes must be an array/);
		assert.match(reason(withGenerator({ positive: ["happy", 3] })), /generator.positive\[1\] must be a string/);
	});

	it("refuses unknown modes, fields of the other mode and over-long prompts", () => {
		assert.match(
			reason({ ...persona, generator: { ...persona.generator, mode: "eval" } }),
			/generator.mode must be one of persona, promptPair/
		);
		assert.match(
			reason({ ...promptPair, generator: { ...promptPair.generator, suffixes: [""] } }),
			/unexpected field "suffixes" in a promptPair generator/
		);
		assert.match(
			reason({
				...promptPair,
				generator: { ...promptPair.generator, positive: "x".repeat(MESSAGE_LIMITS.maxFieldLength + 1) }
			}),
			/generator.positive is longer than 20000/
		);
		assert.match(reason({ ...promptPair, generator: null }), /generator must be an object/);
		assert.match(reason({ ...promptPair, fileName: "../moods.jsonl" }), /fileName refused/);
	});

	it("checks the renamed file strictly and bounds the new name, leaving its rules to the datasets module", () => {
		assert.match(reason({ ...rename, fileName: "../moods.jsonl" }), /fileName refused/);
		assert.match(reason({ ...rename, newFileName: "x".repeat(121) }), /newFileName is longer than 120/);
		assert.match(reason({ ...rename, newFileName: 7 }), /newFileName must be a string/);
		assert.match(reason({ ...rename, force: true }), /unexpected field "force"/);
		// The module refuses this one with a reason the panel shows; the boundary only bounds it.
		assert.ok(validateWebviewMessage({ ...rename, newFileName: "../x.jsonl" }).ok);
	});
});

describe("webview: generate pairs form", () => {
	const form = {
		...INITIAL_PAIR_GENERATOR_FORM,
		positivePersonas: " happy\n\ncalm \n",
		negativePersonas: "sad\nangry",
		suffixes: "I feel\r\nToday\n"
	};

	it("reads personas and suffixes one a line, and no suffixes as the statement alone", () => {
		assert.deepEqual(parsePairGenerator(form), {
			ok: true,
			value: {
				mode: "persona",
				template: INITIAL_PAIR_GENERATOR_FORM.template,
				positive: ["happy", "calm"],
				negative: ["sad", "angry"],
				suffixes: ["I feel", "Today"]
			}
		});
		const alone = parsePairGenerator({ ...form, suffixes: " \n" });
		assert.deepEqual(alone.ok && alone.value.mode === "persona" ? alone.value.suffixes : undefined, [""]);
	});

	it("names mistakes before anything is sent", () => {
		assert.deepEqual(parsePairGenerator({ ...form, template: "Be happy." }), {
			ok: false,
			error: "the template needs a {persona} placeholder"
		});
		assert.deepEqual(parsePairGenerator({ ...form, negativePersonas: "sad" }), {
			ok: false,
			error: "list as many negative personas as positive ones, one a line (2 positive, 1 negative)"
		});
		assert.deepEqual(parsePairGenerator({ ...form, mode: "promptPair", positivePrompt: "Love" }), {
			ok: false,
			error: "give both prompts"
		});
		assert.deepEqual(
			parsePairGenerator({ ...form, mode: "promptPair", positivePrompt: "Love", negativePrompt: "Hate" }),
			{ ok: true, value: { mode: "promptPair", positive: "Love", negative: "Hate" } }
		);
	});
});
