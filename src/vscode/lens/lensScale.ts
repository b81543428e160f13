/**
 * How the concept lens turns a token's projection into a tint and a sentence: the tint is the
 * distance from the text's median in fifths of its largest distance, and the sentence says how
 * many of the text's tokens lie further from the vector's positive side. No VS Code here.
 */

/** Shades per side: the colour says the side, the opacity how far. */
export const LENS_SHADES = 5;

export interface LensScale {
	readonly median: number;
	/** The largest distance of any token from the median (never 0, so a flat text draws no tint). */
	readonly spread: number;
}

export function lensScale(scores: readonly number[]): LensScale {
	const centre = median(scores);
	return { median: centre, spread: Math.max(1e-9, ...scores.map((score) => Math.abs(score - centre))) };
}

/** Which side of the median a score falls on, and how strongly (shade 0 … LENS_SHADES − 1). */
export function lensShade(score: number, scale: LensScale): { side: "positive" | "negative"; shade: number } {
	const relative = (score - scale.median) / scale.spread;
	return {
		side: relative >= 0 ? "positive" : "negative",
		shade: Math.min(LENS_SHADES - 1, Math.floor(Math.abs(relative) * LENS_SHADES))
	};
}

/** Share of the text's tokens whose score is below `score` (ties count half): 0 … 1. */
export function shareBelow(score: number, scores: readonly number[]): number {
	if (scores.length === 0) return 0;
	let below = 0;
	for (const other of scores) below += other < score ? 1 : other === score ? 0.5 : 0;
	// The token itself is one of the ties; it is not "below" itself.
	return Math.max(0, (below - 0.5) / Math.max(1, scores.length - 1));
}

/** The hover's sentence: "closer to the positive side of happy-sad than 80% of this text". */
export function lensSentence(concept: string, score: number, scores: readonly number[]): string {
	const below = shareBelow(score, scores);
	return below >= 0.5
		? `closer to the positive side of ${concept} than ${Math.round(below * 100)}% of this text`
		: `closer to the negative side of ${concept} than ${Math.round((1 - below) * 100)}% of this text`;
}

export function median(values: readonly number[]): number {
	if (values.length === 0) return 0;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
