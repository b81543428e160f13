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

/** A split of unpaired examples: row indices of each class. */
export interface ExampleSplit {
	readonly train: { readonly positive: number[]; readonly negative: number[] };
	/** Empty on both sides when either class would have nothing held out. */
	readonly validation: { readonly positive: number[]; readonly negative: number[] };
}

/**
 * Splits unpaired examples class by class (splitPairs on each, the negatives with seed + 1), so that
 * both classes are held out in proportion. A separation needs a held-out example of each class, so
 * when either class would hold out none, nothing is held out.
 */
export function splitExamples(
	positives: number,
	negatives: number,
	validationFraction: number,
	seed: number
): ExampleSplit {
	const positive = splitPairs(positives, validationFraction, seed);
	const negative = splitPairs(negatives, validationFraction, seed + 1);
	if (positive.validation.length === 0 || negative.validation.length === 0) {
		const all = (count: number) => Array.from({ length: count }, (_, i) => i);
		return {
			train: { positive: all(positives), negative: all(negatives) },
			validation: { positive: [], negative: [] }
		};
	}
	return {
		train: { positive: positive.train, negative: negative.train },
		validation: { positive: positive.validation, negative: negative.validation }
	};
}
