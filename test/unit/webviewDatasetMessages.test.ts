import assert from "node:assert/strict";
import { readDatasetEditorMessage } from "../../src/shared/datasetEditorProtocol";
import { MESSAGE_LIMITS } from "../../src/shared/webviewProtocol/messages";
import { INITIAL_PAIR_GENERATOR_FORM, parsePairGenerator } from "../../webview/pairGeneratorInput";

function problem(raw: unknown): string {
	const result = readDatasetEditorMessage(raw);
	assert.equal(result.ok, false, `expected ${JSON.stringify(raw)?.slice(0, 80)} to be refused`);
	return result.ok ? "" : result.problem;
}

const persona = {
	type: "generatePairs",
	generator: {
		mode: "persona",
		template: "Act as if you're extremely {persona}.",
		positive: ["happy"],
		negative: ["sad"],
		suffixes: ["I feel", ""]
	}
};
const promptPair = { type: "generatePairs", generator: { mode: "promptPair", positive: "Love", negative: "Hate" } };

describe("dataset editor protocol: the pair generator message", () => {
	it("accepts well-formed messages unchanged", () => {
		for (const message of [persona, promptPair]) {
			const result = readDatasetEditorMessage(message);
			assert.ok(result.ok, result.ok ? "" : result.problem);
			assert.deepEqual(result.message, message);
		}
	});

	it("caps persona lists, answer openings, the template and the pairs they would cross into", () => {
		const words = (count: number) => Array.from({ length: count }, (_, i) => `mood ${i}`);
		const withGenerator = (fields: Record<string, unknown>) => ({
			...persona,
			generator: { ...persona.generator, ...fields }
		});
		assert.equal(
			problem(withGenerator({ positive: words(MESSAGE_LIMITS.maxPersonas + 1) })),
			"generator.positive: at most 100 personas a side"
		);
		assert.equal(
			problem(withGenerator({ negative: ["x".repeat(MESSAGE_LIMITS.maxPersonaLength + 1)] })),
			"generator.negative.0: a persona is longer than 200 characters"
		);
		assert.equal(
			problem(withGenerator({ suffixes: words(MESSAGE_LIMITS.maxSuffixes + 1) })),
			"generator.suffixes: at most 1000 answer openings"
		);
		assert.equal(
			problem(withGenerator({ suffixes: ["x".repeat(MESSAGE_LIMITS.maxSuffixLength + 1)] })),
			"generator.suffixes.0: an answer opening is longer than 2000 characters"
		);
		assert.equal(
			problem(withGenerator({ template: "{persona}".repeat(300) })),
			"generator.template: the template is longer than 2000 characters"
		);
		assert.equal(
			problem(withGenerator({ positive: words(100), negative: words(100), suffixes: words(51) })),
			"generator: that would make more than 5000 pairs"
		);
		assert.match(problem(withGenerator({ suffixes: "I feel" })), /^generator.suffixes: /);
		assert.match(problem(withGenerator({ positive: ["happy", 3] })), /^generator.positive.1: /);
	});

	it("refuses unknown modes, fields of the other mode and over-long prompts", () => {
		assert.match(problem({ ...persona, generator: { ...persona.generator, mode: "eval" } }), /^generator.mode: /);
		assert.match(problem({ ...promptPair, generator: { ...promptPair.generator, suffixes: [""] } }), /suffixes/);
		assert.equal(
			problem({
				...promptPair,
				generator: { ...promptPair.generator, positive: "x".repeat(MESSAGE_LIMITS.maxFieldLength + 1) }
			}),
			"generator.positive: the positive prompt is longer than 20000 characters"
		);
		assert.match(problem({ ...promptPair, generator: null }), /^generator: /);
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
