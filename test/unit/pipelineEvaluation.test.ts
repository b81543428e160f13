/**
 * Strength sweeps and conditional generation against a fake model whose behaviour is known exactly:
 * steering adds "happy" words and lowers the unsteered likelihood of the text by a known amount.
 */
import assert from "node:assert/strict";
import { parseRule } from "../../src/steering/conditions/rules";
import { conditionalGenerate } from "../../src/steering/pipeline/conditionalGenerate";
import type { HiddenStateSource } from "../../src/steering/pipeline/hiddenStateSource";
import type { GenerationRequest, SteerableModel } from "../../src/steering/pipeline/steerableModel";
import { sweepStrengths } from "../../src/steering/pipeline/strengthSweep";
import type { SteeringVector } from "../../src/steering/vector";

const vector: SteeringVector = { nEmbd: 2, directions: new Map([[1, Float32Array.of(1, 0)]]) };

/** Text gets one "happy" per whole unit of strength; each token's log-probability is −(1 + strength). */
class FakeModel implements SteerableModel {
	readonly requests: GenerationRequest[] = [];
	private readonly strengthOfText = new Map<string, number>();

	async generate(request: GenerationRequest): Promise<string> {
		this.requests.push(request);
		const strength = request.steering.reduce((sum, entry) => sum + entry.strength, 0);
		const text = ` the dog ran${" happy".repeat(Math.floor(strength))} seed${request.seed}`;
		this.strengthOfText.set(text, strength);
		return text;
	}

	async continuationLogProbs(prompt: string, continuation: string): Promise<Float32Array> {
		if (continuation === " Yes" || continuation === " No") {
			// The judge leans to Yes as the text gets happier: log P(Yes) − log P(No) = happy count − 1
			// (the question itself says "happy" once more).
			const happy = (prompt.match(/happy/g) ?? []).length - 1;
			return Float32Array.of(continuation === " Yes" ? happy - 1 - 2 : -2);
		}
		const strength = this.strengthOfText.get(continuation);
		assert.ok(strength !== undefined, `asked about a text it did not generate: ${continuation}`);
		const tokens = continuation.trim().split(/\s+/).length;
		return new Float32Array(tokens).fill(-(1 + strength));
	}
}

describe("strength sweep (fake model)", () => {
	it("measures keywords, self-judge and unsteered perplexity per strength and picks the strongest fluent one", async () => {
		const model = new FakeModel();
		const result = await sweepStrengths(model, {
			vector,
			prompts: ["Once", "Later"],
			strengths: [3, 1, 0.25],
			seeds: [1, 2, 3],
			keywords: ["happy"],
			judge: "happy"
		});
		assert.deepEqual(
			result.points.map((point) => point.strength),
			[0, 0.25, 1, 3],
			"0 is added as the baseline; strengths ascend"
		);
		assert.equal(model.requests.length, 4 * 2 * 3);
		assert.ok(
			model.requests.filter((request) => request.steering.length === 0).length === 6,
			"strength 0 must generate unsteered"
		);
		const [zero, quarter, one, three] = result.points;
		assert.equal(zero!.keywordHitRate, 0);
		assert.equal(one!.keywordHitRate, 1);
		assert.ok(three!.keywordsPerHundredWords! > one!.keywordsPerHundredWords!);
		assert.ok(Math.abs(zero!.perplexity! - Math.E) < 1e-5);
		assert.ok(Math.abs(one!.perplexity! - Math.exp(2)) < 1e-4);
		assert.ok(Math.abs(zero!.judgeScore! - 1 / (1 + Math.E)) < 1e-6);
		assert.ok(three!.judgeScore! > one!.judgeScore! && one!.judgeScore! > zero!.judgeScore!);
		// e^(1+s)/e ≤ 1.5 ⇔ s ≤ ln 1.5 ≈ 0.405: 0.25 passes, 1 does not.
		assert.equal(result.suggestedMaxStrength, 0.25);
		assert.equal(result.effectMeasure, "keywords");
		assert.ok(quarter!.samples.every((sample) => sample.tokens > 0));
	});

	it("uses the same seeds at every strength, stops when cancelled, and rejects empty inputs", async () => {
		const model = new FakeModel();
		await sweepStrengths(model, { vector, prompts: ["Once"], strengths: [1], seeds: [7, 9] });
		assert.deepEqual(
			model.requests.map((request) => request.seed),
			[7, 9, 7, 9]
		);
		const controller = new AbortController();
		let calls = 0;
		await assert.rejects(
			sweepStrengths(new FakeModel(), {
				vector,
				prompts: ["Once"],
				strengths: [1, 2],
				seeds: [1],
				signal: controller.signal,
				onProgress: () => ++calls === 2 && controller.abort()
			}),
			{ name: "AbortError" }
		);
		assert.equal(calls, 2);
		await assert.rejects(
			sweepStrengths(new FakeModel(), { vector, prompts: [], strengths: [1], seeds: [1] }),
			/at least one prompt/
		);
		await assert.rejects(
			sweepStrengths(new FakeModel(), { vector, prompts: ["x"], strengths: [Number.NaN], seeds: [1] }),
			/not a finite number/
		);
	});
});

describe("conditional generation (CAST)", () => {
	const condition: SteeringVector = { nEmbd: 2, directions: new Map([[2, Float32Array.of(0, 1)]]) };
	const behavior: SteeringVector = { nEmbd: 2, directions: new Map([[1, Float32Array.of(1, 1)]]) };
	/** Prompts about dogs point along the condition direction at layer 2; others are orthogonal to it. */
	const source: HiddenStateSource = {
		async capture(items, options) {
			assert.deepEqual(options.positions, { select: "all", mean: true });
			return items.map((item) =>
				options.layers.map((layer) => ({
					layer,
					hidden: item.text.includes("dog") ? Float32Array.of(0.1, 1) : Float32Array.of(1, 0.05)
				}))
			);
		}
	};

	for (const [prompt, fires] of [
		["My dog is sick.", true],
		["My bike is broken.", false]
	] as const) {
		it(`${fires ? "applies" : "withholds"} the behaviour for "${prompt}"`, async () => {
			const model = new FakeModel();
			const result = await conditionalGenerate(model, source, {
				prompt,
				maxTokens: 8,
				temperature: 0,
				seed: 1,
				conditions: [{ vector: condition, check: { layers: [2], threshold: 0.5, direction: "larger" } }],
				behaviors: [{ vector: behavior, strength: 2 }],
				rules: [parseRule("if C1 then B1")]
			});
			assert.deepEqual(result.conditionResults, [fires]);
			assert.deepEqual(result.activeBehaviors, fires ? [1] : []);
			assert.equal(model.requests[0]!.steering.length, fires ? 1 : 0);
			assert.ok(
				fires ? result.similarities[0]![0]!.similarity > 0.9 : result.similarities[0]![0]!.similarity < 0.1
			);
		});
	}
});
