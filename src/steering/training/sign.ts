/**
 * Orienting a direction so that "towards the positives" is the + sign.
 *
 * PCA axes come out with an arbitrary sign; a vector applied with the wrong sign steers towards the
 * negative behaviour, silently. The rule is repeng's majority vote: count the pairs whose positive
 * projects higher than its negative, and flip when the opposite is more common. An exact tie (possible
 * with an even number of pairs) is broken by the sign of the mean projection gap, so the result never
 * depends on the arbitrary sign the eigen-solver returned.
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
