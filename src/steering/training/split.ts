/**
 * Deterministic train/validation split of pair indices.
 *
 * Held-out separation is only comparable across layers if every layer uses the same split, and only
 * reproducible if the split is seeded; a seeded Fisher–Yates shuffle gives both.
 */
import { seededRandom } from "./topComponent";

export interface PairSplit {
	/** Sorted pair indices used to fit the direction. */
	readonly train: number[];
	/** Sorted pair indices held out to measure separation; may be empty. */
	readonly validation: number[];
}

/**
 * Splits `pairs` indices so that round(pairs × validationFraction) are held out, always leaving at least
 * one pair for training.
 */
export function splitPairs(pairs: number, validationFraction: number, seed: number): PairSplit {
	if (!Number.isInteger(pairs) || pairs < 1) throw new RangeError(`need at least one pair to split, got ${pairs}`);
	if (!(validationFraction >= 0 && validationFraction < 1)) {
		throw new RangeError(`validationFraction must be in [0, 1), got ${validationFraction}`);
	}
	const order = Array.from({ length: pairs }, (_, i) => i);
	const random = seededRandom(seed);
	for (let i = pairs - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[order[i], order[j]] = [order[j], order[i]];
	}
	const validationCount = Math.min(pairs - 1, Math.round(pairs * validationFraction));
	const byIndex = (a: number, b: number) => a - b;
	return {
		validation: order.slice(0, validationCount).sort(byIndex),
		train: order.slice(validationCount).sort(byIndex)
	};
}
