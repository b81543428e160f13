/**
 * Self-labelled contrast pairs against a fake model whose judge scores are known exactly: each
 * completion carries a "mood" number, and the judge's log P(Yes) − log P(No) equals that mood, so a
 * completion's score is sigmoid(mood).
 */
import assert from "node:assert/strict";
import { validatePairs, type ContrastPair } from "../../src/datasets";
import { selfJudgeSuffix } from "../../src/steering/evaluation/selfJudge";
import { selfLabelPairs } from "../../src/steering/pipeline/selfLabel";
import type { GenerationRequest, SteerableModel } from "../../src/steering/pipeline/steerableModel";
import { seededRandom } from "../helpers/testModels";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Completions are " <prompt> story <seed> mood <m>". The mood comes from `moods[prompt][seed − 1]`
 * when given (null: the model stops at once and returns ""), otherwise from a generator seeded by
 * the prompt and the seed, as a sampler would.
 */
class MoodModel implements SteerableModel {
	readonly requests: GenerationRequest[] = [];
	readonly judged: string[] = [];

	constructor(private readonly moods: Record<string, readonly (number | null)[]> = {}) {}

	async generate(request: GenerationRequest): Promise<string> {
		this.requests.push(request);
		const listed = this.moods[request.prompt]?.[request.seed - 1];
		if (listed === null) return "";
		const mood = listed ?? Math.floor(seededRandom(request.seed * 1000 + request.prompt.length)() * 21) - 10;
		return ` ${request.prompt} story ${request.seed} mood ${mood}`;
	}

	async continuationLogProbs(prompt: string, continuation: string): Promise<Float32Array> {
		assert.ok(
			continuation === " Yes" || continuation === " No",
			`only the judge's answers are scored, got ${JSON.stringify(continuation)}`
		);
		const question = selfJudgeSuffix("happy");
		assert.ok(prompt.endsWith(question), "the judge question must follow the text");
		const mood = Number(/mood (-?\d+)$/.exec(prompt.slice(0, -question.length))?.[1]);
		assert.ok(Number.isFinite(mood), `the judge was asked about a text without a mood: ${prompt}`);
		if (continuation === " Yes") this.judged.push(prompt);
		// Two tokens per answer, to check that whole answers are compared.
		return continuation === " Yes" ? Float32Array.of(mood - 1, -1) : Float32Array.of(-1, -1);
	}
}

const text = (prompt: string, seed: number, mood: number) => ` ${prompt} story ${seed} mood ${mood}`;

describe("self-labelled contrast pairs (fake model)", () => {
	it("pairs the best-judged completions with the worst of the same prompt, widest gap first", async () => {
		const model = new MoodModel({ Once: [0, 3, -2, 1, 5, -1], Later: [4, -3, 2, 2, 0, 1] });
		const result = await selfLabelPairs(model, {
			prompts: ["Once", "Later"],
			trait: "happy",
			samplesPerPrompt: 6,
			keep: 2,
			maxTokens: 20,
			temperature: 0.9
		});
		assert.deepEqual(result.pairs, [
			{
				prompt: "Once",
				positive: text("Once", 5, 5),
				negative: text("Once", 3, -2),
				label: `happy: ${sigmoid(5).toFixed(3)} vs ${sigmoid(-2).toFixed(3)}`
			},
			{
				prompt: "Once",
				positive: text("Once", 2, 3),
				negative: text("Once", 6, -1),
				label: `happy: ${sigmoid(3).toFixed(3)} vs ${sigmoid(-1).toFixed(3)}`
			},
			{
				prompt: "Later",
				positive: text("Later", 1, 4),
				negative: text("Later", 2, -3),
				label: `happy: ${sigmoid(4).toFixed(3)} vs ${sigmoid(-3).toFixed(3)}`
			},
			// Seeds 3 and 4 tie at mood 2; the earlier sample ranks first.
			{
				prompt: "Later",
				positive: text("Later", 3, 2),
				negative: text("Later", 5, 0),
				label: `happy: ${sigmoid(2).toFixed(3)} vs ${sigmoid(0).toFixed(3)}`
			}
		]);
		const expectedScores = [
			[5, 3, 1, 0, -1, -2],
			[4, 2, 2, 1, 0, -3]
		].map((moods) => moods.map(sigmoid));
		assert.equal(result.scores.length, 2);
		for (const [p, scores] of result.scores.entries()) {
			assert.equal(scores.length, 6);
			scores.forEach((score, i) =>
				assert.ok(Math.abs(score - expectedScores[p]![i]!) < 1e-6, `prompt ${p} score ${i}: ${score}`)
			);
		}
		assert.deepEqual(result.keptPerPrompt, [2, 2]);
		assert.deepEqual(
			model.requests.map((request) => [request.prompt, request.seed]),
			[...[1, 2, 3, 4, 5, 6].map((seed) => ["Once", seed]), ...[1, 2, 3, 4, 5, 6].map((seed) => ["Later", seed])]
		);
		for (const request of model.requests) {
			assert.deepEqual(request.steering, [], "samples are generated unsteered");
			assert.equal(request.maxTokens, 20);
			assert.equal(request.temperature, 0.9);
		}
		// What it returns is a dataset the datasets module saves and loads as is.
		const pairs: readonly ContrastPair[] = result.pairs;
		assert.equal(validatePairs(pairs, "self.jsonl").pairs.length, 4);
	});

	it("skips a prompt whose best and worst tie, stops a prompt's pairs at the first tie, and never judges empty completions", async () => {
		const model = new MoodModel({ Flat: [1, 1, 1, 1], Narrow: [2, 0, 0, -2] });
		const result = await selfLabelPairs(model, {
			prompts: ["Flat", "Narrow"],
			trait: "happy",
			samplesPerPrompt: 4,
			keep: 2
		});
		assert.deepEqual(result.keptPerPrompt, [0, 1]);
		assert.deepEqual(
			result.pairs.map((pair) => [pair.prompt, pair.positive, pair.negative]),
			[["Narrow", text("Narrow", 1, 2), text("Narrow", 4, -2)]]
		);
		assert.deepEqual(result.scores[0], [1, 1, 1, 1].map(sigmoid));

		const quiet = new MoodModel({ Quiet: [null, 3, null, -1, 0] });
		const fromQuiet = await selfLabelPairs(quiet, {
			prompts: ["Quiet"],
			trait: "happy",
			samplesPerPrompt: 5,
			keep: 2
		});
		assert.equal(quiet.requests.length, 5);
		assert.equal(quiet.judged.length, 3, "the two empty completions are not judged");
		assert.equal(fromQuiet.scores[0]!.length, 3);
		// Three usable samples make one pair, although two were asked for.
		assert.deepEqual(fromQuiet.keptPerPrompt, [1]);
		assert.deepEqual(
			fromQuiet.pairs.map((pair) => [pair.positive, pair.negative]),
			[[text("Quiet", 2, 3), text("Quiet", 4, -1)]]
		);
	});

	it("is deterministic given the seed, and another seed samples other completions", async () => {
		const options = {
			prompts: ["Once upon a time", "The dog"],
			trait: "happy",
			samplesPerPrompt: 8,
			keep: 3,
			seed: 40
		};
		const first = new MoodModel();
		const a = await selfLabelPairs(first, options);
		const b = await selfLabelPairs(new MoodModel(), options);
		assert.deepEqual(a, b);
		assert.deepEqual(
			first.requests.filter((request) => request.prompt === "The dog").map((request) => request.seed),
			[40, 41, 42, 43, 44, 45, 46, 47]
		);
		assert.ok(a.pairs.length > 0);
		for (const scores of a.scores)
			for (let i = 1; i < scores.length; i++)
				assert.ok(scores[i - 1]! >= scores[i]!, "scores are sorted, highest first");
		const c = await selfLabelPairs(new MoodModel(), { ...options, seed: 7 });
		assert.notDeepEqual(c.pairs, a.pairs);
	});

	it("refuses impossible requests before generating anything", async () => {
		const model = new MoodModel();
		const base = { prompts: ["Once"], trait: "happy", samplesPerPrompt: 4, keep: 2 };
		await assert.rejects(
			selfLabelPairs(model, { ...base, keep: 3 }),
			/keeping 3 pairs per prompt needs at least 6 samples per prompt .*got 4/
		);
		await assert.rejects(selfLabelPairs(model, { ...base, keep: 0 }), /keep must be a whole number ≥ 1/);
		await assert.rejects(
			selfLabelPairs(model, { ...base, samplesPerPrompt: 1, keep: 1 }),
			/samples per prompt must be a whole number ≥ 2/
		);
		await assert.rejects(selfLabelPairs(model, { ...base, prompts: [] }), /at least one prompt/);
		await assert.rejects(selfLabelPairs(model, { ...base, prompts: ["Once", "  "] }), /prompt 2 is empty/);
		await assert.rejects(selfLabelPairs(model, { ...base, trait: " ? " }), /non-empty trait/);
		await assert.rejects(selfLabelPairs(model, { ...base, trait: "happy\nsad" }), /single line/);
		await assert.rejects(selfLabelPairs(model, { ...base, temperature: 0 }), /temperature must be above 0/);
		assert.equal(model.requests.length, 0);
	});

	it("stops when cancelled, between samples and before the first one", async () => {
		const controller = new AbortController();
		const model = new MoodModel();
		const progress: [number, number][] = [];
		await assert.rejects(
			selfLabelPairs(model, {
				prompts: ["Once", "Later"],
				trait: "happy",
				samplesPerPrompt: 4,
				keep: 1,
				signal: controller.signal,
				onProgress: (done, total) => {
					progress.push([done, total]);
					if (done === 3) controller.abort();
				}
			}),
			{ name: "AbortError" }
		);
		assert.deepEqual(progress, [
			[1, 8],
			[2, 8],
			[3, 8]
		]);
		assert.equal(model.requests.length, 3);

		const idle = new MoodModel();
		await assert.rejects(
			selfLabelPairs(idle, {
				prompts: ["Once"],
				trait: "happy",
				samplesPerPrompt: 2,
				keep: 1,
				signal: AbortSignal.abort()
			}),
			{ name: "AbortError" }
		);
		assert.equal(idle.requests.length, 0);
	});
});
