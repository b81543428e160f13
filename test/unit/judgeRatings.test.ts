/**
 * AxBench-style ratings: the judge questions, a rating from the judge's answer probabilities, the
 * harmonic combination, and the whole evaluation against a fake model and judge whose answers are known.
 */
import assert from "node:assert/strict";
import {
	harmonicScore,
	promptWithConcept,
	ratingFromLogProbs,
	ratingQuestion
} from "../../src/steering/evaluation/judgeRatings";
import { rateSteering, rateText, type RatingJudge } from "../../src/steering/pipeline/rateSteering";
import type { GenerationRequest, SteerableModel } from "../../src/steering/pipeline/steerableModel";
import type { SteeringVector } from "../../src/steering/vector";

const vector: SteeringVector = { nEmbd: 2, directions: new Map([[1, Float32Array.of(1, 0)]]) };

describe("judge ratings (AxBench)", () => {
	it("asks each criterion about the instruction and the response, for a single digit", () => {
		const text = { concept: "the sea", instruction: " Write a story. ", response: " The waves were big.\n" };
		const concept = ratingQuestion("concept", text);
		assert.match(
			concept,
			/Instruction: Write a story\.\nResponse \(between the triple quotes\):\n"""\nThe waves were big\.\n"""\n/
		);
		assert.match(concept, /"the sea"/);
		assert.match(concept, /Answer with a single digit: 0, 1 or 2\.$/);
		assert.doesNotMatch(ratingQuestion("fluency", text), /the sea/, "fluency is judged without the concept");
		assert.notEqual(ratingQuestion("instruction", text), ratingQuestion("fluency", text));
	});

	it("refuses an empty or multi-line concept with a message that says what to give", () => {
		const text = { instruction: "Write.", response: "Text." };
		assert.throws(() => ratingQuestion("concept", { ...text, concept: "  " }), /concept to rate is empty.*the sea/);
		assert.throws(() => ratingQuestion("concept", { ...text, concept: "a\nb" }), /single line/);
		assert.throws(() => ratingQuestion("bogus" as never, { ...text, concept: "x" }), /unknown rating criterion/);
		assert.throws(() => promptWithConcept("Write.", ""), /concept to rate is empty/);
	});

	it("reads the rating from the three answers' probabilities", () => {
		const rating = ratingFromLogProbs([Math.log(0.1), Math.log(0.3), Math.log(0.4)]);
		assert.equal(rating.rating, 2);
		// Renormalised over the three answers: 0.125, 0.375, 0.5.
		assert.deepEqual(
			rating.probabilities.map((p) => Number(p.toFixed(12))),
			[0.125, 0.375, 0.5]
		);
		assert.ok(Math.abs(rating.expected - 1.375) < 1e-12);
		assert.equal(ratingFromLogProbs([-1, -1, -2]).rating, 0, "a tie goes to the lower rating");
		assert.equal(ratingFromLogProbs([-Infinity, -Infinity, -3]).expected, 2);
		assert.throws(() => ratingFromLogProbs([-Infinity, -Infinity, -Infinity]), /zero probability/);
		assert.throws(() => ratingFromLogProbs([0.5, -1, -1]), /≤ 0/);
		assert.throws(() => ratingFromLogProbs([Number.NaN, -1, -1]), /≤ 0/);
	});

	it("combines the ratings by their harmonic mean, 0 when any is 0", () => {
		assert.equal(harmonicScore({ concept: 2, instruction: 2, fluency: 2 }), 2);
		assert.equal(harmonicScore({ concept: 1, instruction: 2, fluency: 2 }), 1.5);
		assert.ok(Math.abs(harmonicScore({ concept: 1, instruction: 1, fluency: 2 }) - 1.2) < 1e-12);
		assert.equal(harmonicScore({ concept: 0, instruction: 2, fluency: 2 }), 0);
		assert.equal(harmonicScore({ concept: 2, instruction: 2, fluency: 0 }), 0);
		assert.throws(() => harmonicScore({ concept: 3, instruction: 2, fluency: 2 }), /\[0, 2\]/);
	});

	it("writes the concept into the request for the prompt-only baseline", () => {
		assert.equal(
			promptWithConcept(" Tell me a story. ", " the sea "),
			"Tell me a story.\n\n(In your answer, include this concept: the sea.)"
		);
	});
});

/** Steered answers mention the sea; the baseline's request asks for it; unsteered answers do not. */
class FakeModel implements SteerableModel {
	readonly requests: GenerationRequest[] = [];
	async generate(request: GenerationRequest): Promise<string> {
		this.requests.push(request);
		if (request.steering.length > 0) return "sea sea sea sea";
		return request.prompt.includes("include this concept") ? "A calm story about the sea." : "A calm story.";
	}
	async continuationLogProbs(): Promise<Float32Array> {
		throw new Error("the model being evaluated is not the judge");
	}
}

/**
 * A judge that rates by rules: concept 2 when the response says "sea", else 0; instruction 2 unless the
 * response repeats itself (then 1); fluency 2 for a sentence ending in a full stop, else 0. It puts
 * probability 0.8 on its answer and 0.1 on each other one, and records what it was asked.
 */
function ruleJudge(form: "chat" | "plain"): RatingJudge & { asked: { prompt: string; answer: string }[] } {
	const asked: { prompt: string; answer: string }[] = [];
	return {
		form,
		asked,
		model: {
			async continuationLogProbs(prompt: string, continuation: string): Promise<Float32Array> {
				asked.push({ prompt, answer: continuation });
				const response = /\n"""\n([\s\S]*)\n"""\n/.exec(prompt)![1]!;
				let rating: number;
				if (prompt.includes("carry this concept")) rating = response.includes("sea") ? 2 : 0;
				else if (prompt.includes("follow the instruction")) rating = /\b(\w+) \1\b/.test(response) ? 1 : 2;
				else rating = response.endsWith(".") ? 2 : 0;
				const digit = Number(continuation.trim());
				return Float32Array.of(Math.log(digit === rating ? 0.8 : 0.1));
			}
		}
	};
}

describe("rateSteering", () => {
	it("rates unsteered, steered and asked-for answers, each against the request as written", async () => {
		const model = new FakeModel();
		const judge = ruleJudge("chat");
		const rows = await rateSteering(model, judge, {
			concept: "the sea",
			steering: [{ vector, strength: 1 }],
			prompts: ["Tell me a story.", "Describe a day."],
			seeds: [1, 2],
			maxTokens: 20,
			temperature: 0.7
		});
		assert.deepEqual(
			rows.map((row) => row.condition),
			["unsteered", "steered", "prompted"]
		);
		const [unsteered, steered, prompted] = rows;
		assert.deepEqual(unsteered!.mean, { concept: 0, instruction: 2, fluency: 2 });
		assert.equal(unsteered!.score, 0, "no concept: 0 whatever the fluency");
		assert.deepEqual(steered!.mean, { concept: 2, instruction: 1, fluency: 0 });
		assert.equal(steered!.score, 0, "the concept in broken text: 0");
		assert.deepEqual(prompted!.mean, { concept: 2, instruction: 2, fluency: 2 });
		assert.equal(prompted!.score, 2);
		assert.equal(model.requests.length, 12);
		assert.equal(model.requests.filter((request) => request.steering.length > 0).length, 4);
		// The judge read the original request, never the one with the concept written in.
		assert.ok(judge.asked.every(({ prompt }) => !prompt.includes("include this concept")));
		assert.equal(judge.asked.length, 12 * 3 * 3);
		assert.deepEqual(
			[...new Set(judge.asked.map(({ answer }) => answer))],
			["0", "1", "2"],
			"in chat the digit starts the reply"
		);
		assert.ok(Math.abs(steered!.samples[0]!.ratings.concept.expected - 1.7) < 1e-6);
		// 0.8 on the judge's answer, 0.1 on each other: a 0 is expected 0.3, a 1 is 1, a 2 is 1.7.
		for (const [criterion, value] of Object.entries({ concept: 0.3, instruction: 1.7, fluency: 1.7 }))
			assert.ok(Math.abs(unsteered!.meanExpected[criterion as "concept"] - value) < 1e-6, criterion);
	});

	it("asks a plain-text judge after 'Rating:' with a space before each digit", async () => {
		const judge = ruleJudge("plain");
		const rated = await rateText(judge, { concept: "the sea", instruction: "Write.", response: "The sea." });
		assert.equal(rated.score, 2);
		assert.ok(judge.asked.every(({ prompt }) => prompt.endsWith("\nRating:")));
		assert.deepEqual([...new Set(judge.asked.map(({ answer }) => answer))], [" 0", " 1", " 2"]);
	});

	it("sums an answer split into several tokens, and refuses an answer the judge read no token of", async () => {
		const split: RatingJudge = {
			form: "plain",
			model: {
				// " 2" is two tokens with log-probabilities −0.5 and −1 (−1.5 in all); " 0" and " 1" one each.
				async continuationLogProbs(_prompt: string, answer: string) {
					return answer === " 2" ? Float32Array.of(-0.5, -1) : Float32Array.of(answer === " 1" ? -1.2 : -3);
				}
			}
		};
		const rated = await rateText(split, { concept: "the sea", instruction: "Write.", response: "Waves.\nSand." });
		// −1.2 (one token) beats −1.5 (two): a first-token-only reading would have picked 2.
		assert.equal(rated.ratings.concept.rating, 1);
		const weights = [Math.exp(-3), Math.exp(-1.2), Math.exp(-1.5)];
		const total = weights[0]! + weights[1]! + weights[2]!;
		assert.ok(Math.abs(rated.ratings.concept.expected - (weights[1]! + 2 * weights[2]!) / total) < 1e-6);
		const merged: RatingJudge = {
			form: "chat",
			model: { continuationLogProbs: async () => new Float32Array(0) }
		};
		await assert.rejects(
			rateText(merged, { concept: "the sea", instruction: "Write.", response: "Waves." }),
			/read no token for the answer "0"/
		);
	});

	it("passes the file's placement to the steered answers only", async () => {
		const model = new FakeModel();
		await rateSteering(model, ruleJudge("chat"), {
			concept: "the sea",
			steering: [{ vector, strength: 1 }],
			placement: { kind: "generated" },
			prompts: ["Tell me a story."],
			seeds: [1],
			maxTokens: 20,
			temperature: 0.7
		});
		assert.deepEqual(
			model.requests.map((request) => request.placement),
			[undefined, { kind: "generated" }, undefined]
		);
	});

	it("leaves out the prompt-only baseline when asked, and checks its input before generating", async () => {
		const model = new FakeModel();
		const options = {
			concept: "the sea",
			steering: [{ vector, strength: 1 }],
			prompts: ["Tell me a story."],
			seeds: [1],
			maxTokens: 20,
			temperature: 0.7
		};
		const rows = await rateSteering(model, ruleJudge("plain"), { ...options, promptBaseline: false });
		assert.deepEqual(
			rows.map((row) => row.condition),
			["unsteered", "steered"]
		);
		await assert.rejects(rateSteering(model, ruleJudge("plain"), { ...options, concept: " " }), /concept to rate/);
		await assert.rejects(
			rateSteering(model, ruleJudge("plain"), { ...options, prompts: [] }),
			/at least one prompt/
		);
		await assert.rejects(rateSteering(model, ruleJudge("plain"), { ...options, steering: [] }), /a vector/);
		assert.equal(model.requests.length, 2, "nothing was generated for the refused requests");
	});

	it("stops when cancelled", async () => {
		const controller = new AbortController();
		controller.abort();
		await assert.rejects(
			rateSteering(new FakeModel(), ruleJudge("chat"), {
				concept: "the sea",
				steering: [{ vector, strength: 1 }],
				prompts: ["Tell me a story."],
				seeds: [1],
				maxTokens: 20,
				temperature: 0.7,
				signal: controller.signal
			}),
			{ name: "AbortError" }
		);
	});
});
