import assert from "node:assert/strict";
import {
	checkDegeneration,
	compareFluency,
	measureText,
	summarizeFluency
} from "../../src/steering/evaluation/degeneration";
import { analyzeStrengthSweep } from "../../src/steering/evaluation/strengthSweep";

// Unsteered samples of TinyStories-656K and stories260K (60 tokens, temperature 0.8).
const fluent = [
	", a little bird named Leo lived in a small house. Bee loved to fly high in the sky. He had many colors and birds on the flowers. One sunny day, Leo saw a small bird. The bird was sad because it could not find its home.\nLeo said, \"Don't cry, Leo! What's wrong?\" The little bird did not listen",
	", there was a little girl named Lily. She loved to play with her toys and her friends. One day, she went to the park to play. She saw something shiny that sparkly par",
	"Once upon a time, there was a little boy named Tim. Tim loved to play with his red ball in the park. One day, he kicked the ball very high and it landed in a big tree. Tim was sad, but his friend Sue came to help."
];

// Over-steered samples of the same models.
const looping =
	". He was on his dad had his dad with his dad to Jack. Sam were in his dad with their dad to his dad. Sam had a big sack. Sam were dried his dad with his dad with his mom. Sam liked to drive his dad with his dad to his dad to his dad to his dad with his dad to his dad with his dad. They ato his dad dad his dad. Sam said ";
const punctuationStorm = ", in a pororg,,,,,,,, Tim,, g g dog,, dog,,,,,,,,,,,,,,,,,,,,, Tim,,, dog,,,, dog,";

describe("degeneration guard", () => {
	it("passes fluent children's stories", () => {
		for (const text of fluent) {
			const verdict = checkDegeneration(text);
			assert.equal(verdict.degenerate, false, `${JSON.stringify(verdict.reasons)} for ${text}`);
			assert.ok(verdict.measures.realWordShare > 0.85, `word share ${verdict.measures.realWordShare}`);
		}
	});

	it("catches a word loop", () => {
		const verdict = checkDegeneration(looping);
		assert.equal(verdict.degenerate, true);
		assert.ok(verdict.reasons.some((reason) => reason.kind === "loop"));
		const short = checkDegeneration(
			"One day his dad his dad John when he his dad his dad John when he his dad his dad"
		);
		assert.ok(short.reasons.some((reason) => reason.kind === "loop"));
	});

	it("catches character garbage inside an otherwise fluent sentence", () => {
		const verdict = checkDegeneration(
			"Once upon a time, there was a little dog named Chirirhhirhhhhhirhhhhhhhh. He liked to run in the park."
		);
		assert.equal(verdict.degenerate, true);
		assert.deepEqual(
			verdict.reasons.map((reason) => reason.kind),
			["garbage"]
		);
		assert.ok(checkDegeneration("The bugge hory pororg barargge orgge zzzg liR went to a dog.").degenerate);
	});

	it("catches collapse: punctuation storms and next to nothing", () => {
		const storm = checkDegeneration(punctuationStorm);
		assert.ok(storm.reasons.some((reason) => reason.kind === "collapse"));
		assert.ok(checkDegeneration("").reasons.some((reason) => reason.kind === "collapse"));
		assert.ok(checkDegeneration(" dog").degenerate);
		assert.ok(checkDegeneration("D.D.D.D wasD.D.D.D. D.D.D was.D.D. e.e.e.e.e.e.e.e.e.e").degenerate);
	});

	it("catches a text that is one phrase over and over by its compression ratio", () => {
		const text = "the dog ran. ".repeat(30);
		const verdict = checkDegeneration(text);
		assert.ok(verdict.measures.compressionRatio < 0.1);
		assert.ok(verdict.reasons.some((reason) => reason.detail.startsWith("compresses")));
	});

	it("measures words, distinct n-grams and letter runs", () => {
		const measures = measureText("The cat's toy. The cat's toy! Hmmmmm");
		assert.equal(measures.words, 7);
		assert.equal(measures.longestLetterRun, 5);
		assert.equal(measures.distinctBigrams, 4 / 6);
		assert.equal(measures.distinctTrigrams, 4 / 5);
		assert.equal(measures.distinctWords, 4 / 7);
		assert.equal(measures.realWordShare, 6 / 7, "cat's is read as cat; hmmmmm is not a word");
		assert.equal(measureText("").realWordShare, 0);
		assert.equal(measureText("").compressionRatio, 1);
	});

	it("compares steered samples with unsteered ones by word share, distinct words and degenerate share", () => {
		const base = summarizeFluency(fluent);
		assert.equal(base.degenerateShare, 0);
		assert.ok(compareFluency(base, base).fluent);
		const broken = summarizeFluency([looping, punctuationStorm, fluent[0]!]);
		assert.ok(Math.abs(broken.degenerateShare - 2 / 3) < 1e-12);
		const comparison = compareFluency(broken, base);
		assert.equal(comparison.fluent, false);
		assert.ok(comparison.distinctRatio < 0.9);
		// Loose bounds let the same text through.
		assert.equal(
			compareFluency(broken, base, { minWordShareRatio: 0, minDistinctRatio: 0, maxExtraDegenerateShare: 1 })
				.fluent,
			true
		);
	});

	it("makes the sweep analysis refuse a strength whose text loops, even when its perplexity is low", () => {
		const base = summarizeFluency(fluent);
		const loops = summarizeFluency([looping, looping, fluent[1]!]);
		const analysis = analyzeStrengthSweep([
			{ strength: 0, effect: 0, perplexity: 10, fluency: base },
			{ strength: 1, effect: 1, perplexity: 11, fluency: base },
			// Repetition lowers perplexity: by perplexity alone this strength would be recommended.
			{ strength: 2, effect: 2, perplexity: 6, fluency: loops }
		]);
		assert.equal(analysis.recommended?.strength, 1);
		const two = analysis.points.find((point) => point.strength === 2)!;
		assert.equal(two.degenerate, true);
		assert.equal(two.fluencyComparison?.fluent, false);
		assert.equal(analysis.points.find((point) => point.strength === 1)!.fluencyComparison?.fluent, true);
	});
});
