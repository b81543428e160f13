/**
 * Orienting a direction so that "towards the positives" is the + sign.
 *
 * PCA axes come out with an arbitrary sign; a vector applied with the wrong sign steers towards the
 * negative behaviour, silently. The rule is repeng's majority vote: count the pairs whose positive
 * projects higher than its negative, and flip when the opposite is more common. An exact tie (possible
 * with an even number of pairs) is broken by the sign of the mean projection gap, so the result never
 * depends on the arbitrary sign the eigen-solver returned.
 *
 * Unpaired examples have no pair to compare a positive with, so every positive is compared with every
 * negative (decideClassSign): the same vote over all positive × negative combinations, and the same
 * tie rule with the difference of the classes' mean projections. The share of combinations in the
 * right order is the area under the ROC curve of the projection as a score, counting ties as failures.
 */

export interface SignDecision {
	/** Whether the direction must be negated. */
	readonly flip: boolean;
	/** Fraction of pairs with proj(positive) > proj(negative) after the flip. Ties count as failures. */
	readonly agreement: number;
}

/**
 * Decides the sign from each pair's projection gap gᵢ = proj(posᵢ) − proj(negᵢ) = (posᵢ − negᵢ)·v.
 */
export function decideSign(projectionGaps: ArrayLike<number>): SignDecision {
	const n = projectionGaps.length;
	if (n === 0) throw new RangeError("cannot fix the sign of a direction without any pairs");
	let higher = 0;
	let lower = 0;
	let gapSum = 0;
	for (let i = 0; i < n; i++) {
		const gap = projectionGaps[i];
		if (gap > 0) higher++;
		else if (gap < 0) lower++;
		gapSum += gap;
	}
	const flip = lower > higher || (lower === higher && gapSum < 0);
	return { flip, agreement: (flip ? lower : higher) / n };
}

/** Fraction of gaps that are strictly positive (the pair is separated in the right order). */
export function separationAccuracy(projectionGaps: ArrayLike<number>): number {
	if (projectionGaps.length === 0) return Number.NaN;
	let higher = 0;
	for (let i = 0; i < projectionGaps.length; i++) if (projectionGaps[i] > 0) higher++;
	return higher / projectionGaps.length;
}

/** Negates a vector in place. */
export function negateInPlace(v: Float64Array | Float32Array): void {
	for (let k = 0; k < v.length; k++) v[k] = -v[k];
}

/** How many positive × negative combinations are in the right order, in the wrong one, and the mean gap. */
interface ClassOrdering {
	readonly higher: number;
	readonly lower: number;
	readonly combinations: number;
	/** mean(positive) − mean(negative). */
	readonly meanGap: number;
}

function classOrdering(positive: ArrayLike<number>, negative: ArrayLike<number>): ClassOrdering {
	if (positive.length === 0 || negative.length === 0)
		throw new RangeError("cannot compare the classes without examples of both");
	const sorted = Float64Array.from(negative).sort();
	let higher = 0;
	let lower = 0;
	let positiveSum = 0;
	for (let i = 0; i < positive.length; i++) {
		const value = positive[i];
		positiveSum += value;
		higher += countBelow(sorted, value);
		lower += sorted.length - countAtMost(sorted, value);
	}
	let negativeSum = 0;
	for (let i = 0; i < sorted.length; i++) negativeSum += sorted[i];
	return {
		higher,
		lower,
		combinations: positive.length * negative.length,
		meanGap: positiveSum / positive.length - negativeSum / sorted.length
	};
}

/**
 * decideSign for unpaired examples, from each class's projections: flip when more positive × negative
 * combinations are in the wrong order than in the right one (a tie: when the negatives' mean projects
 * higher). The agreement is the share in the right order after the flip.
 */
export function decideClassSign(positive: ArrayLike<number>, negative: ArrayLike<number>): SignDecision {
	const { higher, lower, combinations, meanGap } = classOrdering(positive, negative);
	const flip = lower > higher || (lower === higher && meanGap < 0);
	return { flip, agreement: (flip ? lower : higher) / combinations };
}

/** separationAccuracy for unpaired examples: the share of positive × negative combinations with the positive higher. */
export function classSeparationAccuracy(positive: ArrayLike<number>, negative: ArrayLike<number>): number {
	const { higher, combinations } = classOrdering(positive, negative);
	return higher / combinations;
}

/** Number of entries of the ascending `sorted` that are < value. */
function countBelow(sorted: Float64Array, value: number): number {
	let low = 0;
	let high = sorted.length;
	while (low < high) {
		const middle = (low + high) >>> 1;
		if (sorted[middle] < value) low = middle + 1;
		else high = middle;
	}
	return low;
}

/** Number of entries of the ascending `sorted` that are ≤ value. */
function countAtMost(sorted: Float64Array, value: number): number {
	let low = 0;
	let high = sorted.length;
	while (low < high) {
		const middle = (low + high) >>> 1;
		if (sorted[middle] <= value) low = middle + 1;
		else high = middle;
	}
	return low;
}
