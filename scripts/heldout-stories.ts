/**
 * The held-out figures' stories: the goal's 4 openings (test/fixtures/heldOutConcepts.ts) × 16 seeds, the
 * test's seeds 101–104 first, so that each vector's rate is measured on 64 stories and the test's own 16
 * are the first block. A count of 16 at fixed seeds moves by several stories under any change of the
 * vector, however small (sampling at temperature 0.8 takes another path from the first token that
 * changes), so 16 stories rank two vectors only when they differ by more than that.
 */
import type { SteerableModel } from "../src/steering/pipeline/steerableModel";
import type { SteeringVector } from "../src/steering/vector";
import { rain, snow, storyPrompts, storySeeds } from "../test/fixtures/heldOutConcepts";
import type { TuningConcept } from "./calibration-concepts";

/** The held-out concepts in the shape the figure helpers take (their words as the keywords). */
export const heldOutFigureConcepts: readonly TuningConcept[] = [rain, snow].map((concept) => ({
	name: concept.name,
	pairs: concept.pairs,
	keywords: concept.words
}));

/** The test's seeds, then twelve more. */
export const heldOutSeeds = [
	...storySeeds,
	...Array.from({ length: 12 }, (_, index) => storySeeds.at(-1)! + 1 + index)
];

/** 64 stories of 60 tokens at temperature 0.8 in blocks of 16 (the openings × four consecutive seeds). */
export async function heldOutStories(model: SteerableModel, vector?: SteeringVector): Promise<string[][]> {
	const blocks: string[][] = [];
	for (let first = 0; first < heldOutSeeds.length; first += storySeeds.length) {
		const block: string[] = [];
		for (const prompt of storyPrompts)
			for (const seed of heldOutSeeds.slice(first, first + storySeeds.length))
				block.push(
					await model.generate({
						prompt,
						maxTokens: 60,
						temperature: 0.8,
						seed,
						steering: vector ? [{ vector, strength: 1 }] : []
					})
				);
		blocks.push(block);
	}
	return blocks;
}

/** Wilson's 95% interval for a rate of `hits` in `n`, in whole percent: "21–43%". */
export function wilsonInterval(hits: number, n: number): string {
	const z = 1.96;
	const p = hits / n;
	const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
	const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
	return `${Math.round(100 * Math.max(0, centre - half))}–${Math.round(100 * Math.min(1, centre + half))}%`;
}
