import assert from "node:assert/strict";
import type { GenerationRequest, SteerableModel } from "../../src/steering/pipeline/steerableModel";
import {
	nameFromDescription,
	NEUTRAL_QUESTIONS,
	toLastSentence,
	traitPairs
} from "../../src/steering/pipeline/traitPairs";

/** Answers "<system> → <question> (seed <seed>)", except where told to echo nothing or the same text. */
function fakeAnswerer(log: { system: string; request: GenerationRequest }[], same = new Set<string>()) {
	return (system: string): SteerableModel => ({
		async generate(request) {
			log.push({ system, request });
			if (request.prompt === "empty?") return system.includes("pirate") ? "  " : "Plain.";
			return same.has(request.prompt) ? " The same. " : ` ${system} → ${request.prompt} (seed ${request.seed}) `;
		},
		async continuationLogProbs() {
			throw new Error("not needed");
		}
	});
}

describe("pairs written from a description of a behaviour", () => {
	it("answers every question under both system messages with the same seed, and keeps the question only", async () => {
		const log: { system: string; request: GenerationRequest }[] = [];
		const progress: [number, number][] = [];
		const result = await traitPairs(fakeAnswerer(log), {
			trait: " You answer like a pirate. ",
			opposite: "You answer plainly.",
			questions: ["Why is the sky blue?", "  ", "How do I tie my shoelaces?"],
			seed: 10,
			maxTokens: 20,
			onProgress: (done, total) => progress.push([done, total])
		});
		assert.deepEqual(result.pairs, [
			{
				prompt: "Why is the sky blue?",
				positive: "You answer like a pirate. → Why is the sky blue? (seed 10)",
				negative: "You answer plainly. → Why is the sky blue? (seed 10)",
				label: "You answer like a pirate. / You answer plainly."
			},
			{
				prompt: "How do I tie my shoelaces?",
				positive: "You answer like a pirate. → How do I tie my shoelaces? (seed 11)",
				negative: "You answer plainly. → How do I tie my shoelaces? (seed 11)",
				label: "You answer like a pirate. / You answer plainly."
			}
		]);
		assert.deepEqual(result.skipped, []);
		assert.ok(
			log.every(
				({ request }) =>
					request.maxTokens === 20 && request.temperature === 0.7 && request.steering.length === 0
			)
		);
		assert.deepEqual(progress.at(-1), [4, 4]);
	});

	it("skips questions whose answers give no contrast (empty, or the same text), saying which", async () => {
		const result = await traitPairs(fakeAnswerer([], new Set(["Same?"])), {
			trait: "You answer like a pirate.",
			opposite: "You answer plainly.",
			questions: ["Same?", "empty?", "Fine?"]
		});
		assert.deepEqual(result.skipped, ["Same?", "empty?"]);
		assert.deepEqual(
			result.pairs.map((pair) => pair.prompt),
			["Fine?"]
		);
	});

	it("cuts an answer the token limit ended mid-word back to its last sentence, when that keeps half of it", () => {
		assert.equal(
			toLastSentence("Arr, matey. Ye make tea with a kettle. Then ye pour the wat"),
			"Arr, matey. Ye make tea with a kettle."
		);
		assert.equal(toLastSentence("A finished answer!"), "A finished answer!");
		// Cutting would lose more than half: kept as it is.
		assert.equal(
			toLastSentence("Yes. Then you take the kettle and the cups and the"),
			"Yes. Then you take the kettle and the cups and the"
		);
		assert.equal(toLastSentence("No sentence end at all"), "No sentence end at all");
	});

	it("names the dataset after the description's first telling word, and shortens long descriptions in labels", async () => {
		assert.equal(nameFromDescription("You are a pirate. You always talk like a pirate."), "pirate");
		assert.equal(nameFromDescription("You answer formally, as a butler would."), "formally");
		assert.equal(nameFromDescription("You are a ..."), "behaviour");
		const long = "You are a pirate. You always talk like a pirate, saying arr and matey.";
		const result = await traitPairs(fakeAnswerer([]), { trait: long, opposite: "Plain.", questions: ["Q?"] });
		assert.equal(result.pairs[0]!.label, "You are a pirate. You always talk like… / Plain.");
	});

	it("uses the built-in everyday questions by default, and refuses descriptions that cannot contrast", async () => {
		const log: { system: string; request: GenerationRequest }[] = [];
		const result = await traitPairs(fakeAnswerer(log), { trait: "A", opposite: "B" });
		assert.equal(result.pairs.length, NEUTRAL_QUESTIONS.length);
		await assert.rejects(traitPairs(fakeAnswerer([]), { trait: " ", opposite: "B" }), /describe the behaviour/);
		await assert.rejects(traitPairs(fakeAnswerer([]), { trait: "A", opposite: "" }), /describe its opposite/);
		await assert.rejects(traitPairs(fakeAnswerer([]), { trait: "A", opposite: " A " }), /nothing to contrast/);
		await assert.rejects(
			traitPairs(fakeAnswerer([]), { trait: "A", opposite: "B", questions: [" "] }),
			/no questions/
		);
	});
});
