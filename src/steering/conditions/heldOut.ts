/**
 * Judging a condition check honestly: on prompts that neither trained the condition vector nor chose
 * its layer and threshold. A grid search over 29 layers × 100 thresholds on a few dozen prompts finds
 * some point that separates them by chance; only prompts it never saw say how often the condition will
 * fire on new prompts of the kind (recall) and on others (the false-alarm rate CAST reports, e.g. 2.4%
 * of harmless prompts).
 */
import { mulberry32 } from "../random";
import type { SteeringVector } from "../vector";
import { conditionHolds, type ConditionCheck } from "./similarity";

export interface HeldOutSplit<T> {
	/** What the search (and training) may use. */
	readonly kept: T[];
	/** Never shown to the search. */
	readonly heldOut: T[];
}

/**
 * A seeded random `fraction` of `items` held out (rounded, at least one when fraction > 0 and at least
 * one left), the rest kept; both in their original order.
 */
export function splitHeldOut<T>(items: readonly T[], fraction: number, seed: number): HeldOutSplit<T> {
	if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`held-out fraction must be in [0, 1), got ${fraction}`);
	if (fraction === 0 || items.length < 2) return { kept: [...items], heldOut: [] };
	const count = Math.min(items.length - 1, Math.max(1, Math.round(items.length * fraction)));
	const random = mulberry32(seed);
	const order = items.map((_, index) => index);
	for (let i = order.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[order[i], order[j]] = [order[j]!, order[i]!];
	}
	const held = new Set(order.slice(0, count));
	return {
		kept: items.filter((_, index) => !held.has(index)),
		heldOut: items.filter((_, index) => held.has(index))
	};
}

export interface ConditionEvaluation {
	readonly positives: number;
	readonly negatives: number;
	/** Positives on which the condition fired. */
	readonly truePositives: number;
	/** Negatives on which it fired. */
	readonly falsePositives: number;
	/** truePositives / positives: how often the behaviour is switched on for prompts of the kind. */
	readonly firesOnPositives: number;
	/** falsePositives / negatives: how often it is switched on for the others. */
	readonly firesOnNegatives: number;
	readonly precision: number;
	readonly recall: number;
	readonly f1: number;
}

/** How a chosen check does on prompts given as their hidden states per layer (mean over tokens). */
export function evaluateCondition(
	positives: readonly ReadonlyMap<number, ArrayLike<number>>[],
	negatives: readonly ReadonlyMap<number, ArrayLike<number>>[],
	condition: SteeringVector,
	check: ConditionCheck
): ConditionEvaluation {
	if (positives.length === 0 || negatives.length === 0) {
		throw new RangeError(
			`an evaluation needs both kinds of prompts; got ${positives.length} positives and ${negatives.length} negatives`
		);
	}
	const truePositives = positives.filter((states) => conditionHolds(states, condition, check)).length;
	const falsePositives = negatives.filter((states) => conditionHolds(states, condition, check)).length;
	const predicted = truePositives + falsePositives;
	const precision = predicted > 0 ? truePositives / predicted : 0;
	const recall = truePositives / positives.length;
	return {
		positives: positives.length,
		negatives: negatives.length,
		truePositives,
		falsePositives,
		firesOnPositives: recall,
		firesOnNegatives: falsePositives / negatives.length,
		precision,
		recall,
		f1: truePositives > 0 ? (2 * precision * recall) / (precision + recall) : 0
	};
}
