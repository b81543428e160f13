import assert from "node:assert/strict";
import { effectScore } from "../../src/steering/evaluation/effectScore";
import { perplexity } from "../../src/steering/evaluation/perplexity";
import { selfJudgeScore, selfJudgeSuffix } from "../../src/steering/evaluation/selfJudge";
import { analyzeStrengthSweep } from "../../src/steering/evaluation/strengthSweep";

describe("steering evaluation", () => {
	it("counts whole-word keywords and regex matches per 100 words", () => {
		const text = "Happy dogs are happy. Unhappy cats are not! Joyful, joyous joy.";
		const score = effectScore(text, ["happy", /joy\w*/i]);
		assert.equal(score.words, 11);
		assert.deepEqual(score.byPattern, [2, 3]);
		assert.equal(score.matches, 5);
		assert.ok(Math.abs(score.perHundredWords - 500 / 11) < 1e-12);
		assert.deepEqual(effectScore("", ["x"]), { matches: 0, words: 0, perHundredWords: 0, byPattern: [0] });
		assert.equal(effectScore("a+b a+b", ["a+b"]).matches, 2, "keywords are literal, not regular expressions");
		assert.throws(() => effectScore("text", []), /at least one keyword/);
	});

	it("computes perplexity from natural-log token probabilities", () => {
		assert.ok(Math.abs(perplexity([Math.log(0.5), Math.log(0.5)]) - 2) < 1e-12);
		assert.ok(Math.abs(perplexity([Math.log(0.25), Math.log(1)]) - 2) < 1e-12);
		assert.throws(() => perplexity([]), /at least one/);
		assert.throws(() => perplexity([0.3]), /must be ≤ 0/);
	});

	it("builds the self-judge question and scores Yes against No", () => {
		assert.equal(selfJudgeSuffix(" happy? "), "\n\nIs the above text happy? Answer Yes or No.");
		assert.throws(() => selfJudgeSuffix("  "), /non-empty/);
		assert.ok(Math.abs(selfJudgeScore(2, 2, "logits") - 0.5) < 1e-12);
		assert.ok(Math.abs(selfJudgeScore(Math.log(3), 0, "logits") - 0.75) < 1e-12);
		// Log-probabilities work as logits: only the difference matters.
		assert.ok(Math.abs(selfJudgeScore(Math.log(0.3), Math.log(0.1), "logits") - 0.75) < 1e-12);
		assert.ok(Math.abs(selfJudgeScore(0.3, 0.1, "probabilities") - 0.75) < 1e-12);
		assert.equal(selfJudgeScore(-1000, 1000, "logits"), 0);
		assert.throws(() => selfJudgeScore(0, 0, "probabilities"), /zero probability/);
		assert.throws(() => selfJudgeScore(1.2, 0, "probabilities"), /\[0, 1\]/);
	});

	it("picks the largest strength before perplexity exceeds k × baseline, per sign", () => {
		const analysis = analyzeStrengthSweep([
			{ strength: 0, effect: 0.1, perplexity: 4 },
			{ strength: 1, effect: 1, perplexity: 4.4 },
			{ strength: 2, effect: 2, perplexity: 5.9 },
			{ strength: 3, effect: 3, perplexity: 6.5 },
			{ strength: 4, effect: 4, perplexity: 5 },
			{ strength: -1, effect: -1, perplexity: 5 },
			{ strength: -2, effect: -2, perplexity: 9 }
		]);
		assert.equal(analysis.baselinePerplexity, 4);
		assert.equal(analysis.recommended?.strength, 2);
		assert.equal(analysis.recommendedNegative?.strength, -1);
		assert.deepEqual(
			analysis.points.map((point) => point.strength),
			[-2, -1, 0, 1, 2, 3, 4]
		);
		// Strength 4 recovers but lies beyond the first degenerate point, so it is not admissible.
		assert.deepEqual(
			analysis.points.map((point) => point.admissible),
			[false, true, true, true, true, false, false]
		);
		assert.deepEqual(
			analysis.points.map((point) => point.degenerate),
			[true, false, false, false, false, true, false]
		);
		const strict = analyzeStrengthSweep([{ strength: 1, effect: 1, perplexity: 4.4 }], {
			baselinePerplexity: 4,
			maxPerplexityRatio: 1.05
		});
		assert.equal(strict.recommended, null);
		assert.throws(() => analyzeStrengthSweep([{ strength: 1, effect: 1, perplexity: 2 }]), /no baseline/);
		assert.throws(() => analyzeStrengthSweep([{ strength: 0, effect: 0, perplexity: 0.5 }]), /perplexity is ≥ 1/);
		assert.throws(
			() =>
				analyzeStrengthSweep([
					{ strength: 0, effect: 0, perplexity: 2 },
					{ strength: 0, effect: 1, perplexity: 2 }
				]),
			/appears twice/
		);
	});
});
