/**
 * Per-layer statistics shown next to a trained vector and used to pick layers and strengths.
 */

export interface ProjectionHistogram {
	/** bins + 1 ascending bin edges; bin b covers [edges[b], edges[b+1]) and the last bin includes its right edge. */
	readonly edges: number[];
	/** Count of positive rows per bin (sums to the number of pairs). */
	readonly positive: number[];
	/** Count of negative rows per bin (sums to the number of pairs). */
	readonly negative: number[];
}

export interface LayerDiagnostics {
	readonly layer: number;
	/** Fraction of the training matrix's energy along the direction (see DirectionFit). */
	readonly explainedVarianceRatio: number;
	/** Fraction of all pairs with proj(positive) > proj(negative) under the final direction. */
	readonly agreement: number;
	/**
	 * Fraction of validation pairs with proj(positive) > proj(negative) under a direction fitted on the
	 * training pairs only; null when no pairs were held out.
	 */
	readonly heldOutAccuracy: number | null;
	readonly trainPairs: number;
	readonly validationPairs: number;
	/** Mean over pairs of proj(positive) − proj(negative) along the unit direction: the natural size of the shift. */
	readonly meanProjectionGap: number;
	/**
	 * Mean over pairs of the cosine between the pair's difference (positive − negative) and the direction:
	 * 1 when every pair differs exactly along it, near 0 when the differences point every which way. How
	 * consistently the pairs agree predicts how reliably a vector steers (Braun et al. 2025, "Understanding
	 * (Un)Reliability of Steering Vectors"). Null for unpaired examples and for layers without contrast;
	 * absent in files written before it was measured.
	 */
	readonly pairConsistency?: number | null;
	/**
	 * The held-out gaps (proj(positive) − proj(negative) along the direction fitted without them) in units
	 * of their own standard deviation: unlike held-out accuracy it keeps growing once every held-out pair is
	 * on the right side, so it can still rank layers that all reach accuracy 1. Null when fewer than two
	 * pairs were held out or the examples are unpaired; absent in older files.
	 */
	readonly heldOutMargin?: number | null;
	/** Mean Euclidean norm of all hidden states (positives and negatives) at this layer. */
	readonly hiddenNormMean: number;
	/** Population standard deviation of those norms. */
	readonly hiddenNormStd: number;
	readonly histogram: ProjectionHistogram;
	/** Matrix-vector products the final fit spent, and whether it converged (always true for mean-diff). */
	readonly iterations: number;
	readonly converged: boolean;
}

/** Margins beyond this are reported as it: already certain separation, and JSON has no Infinity. */
export const MAX_GAP_MARGIN = 1000;

/**
 * mean / std of the gaps, the z-score of a pair's separation (accuracy ≈ Φ(margin) for normal gaps),
 * within ±MAX_GAP_MARGIN (also when every gap is the same non-zero value). Null for fewer than two gaps;
 * 0 when every gap is zero.
 */
export function gapMargin(gaps: ArrayLike<number>): number | null {
	if (gaps.length < 2) return null;
	const { mean, std } = meanAndStd(gaps);
	if (mean === 0) return 0;
	if (std * MAX_GAP_MARGIN <= Math.abs(mean)) return Math.sign(mean) * MAX_GAP_MARGIN;
	return mean / std;
}

/** Mean and population standard deviation. */
export function meanAndStd(values: ArrayLike<number>): { mean: number; std: number } {
	const n = values.length;
	if (n === 0) return { mean: Number.NaN, std: Number.NaN };
	let sum = 0;
	for (let i = 0; i < n; i++) sum += values[i];
	const mean = sum / n;
	let squares = 0;
	for (let i = 0; i < n; i++) squares += (values[i] - mean) ** 2;
	return { mean, std: Math.sqrt(squares / n) };
}

/**
 * Histogram of positive and negative projections over one shared range, so both series can be drawn on
 * the same axis. The range is [min, max] of all projections; a degenerate range is widened by ±0.5.
 */
export function projectionHistogram(
	positive: ArrayLike<number>,
	negative: ArrayLike<number>,
	bins: number
): ProjectionHistogram {
	if (!Number.isInteger(bins) || bins < 1)
		throw new RangeError(`histogram needs a positive whole number of bins, got ${bins}`);
	let low = Infinity;
	let high = -Infinity;
	for (const series of [positive, negative]) {
		for (let i = 0; i < series.length; i++) {
			low = Math.min(low, series[i]);
			high = Math.max(high, series[i]);
		}
	}
	if (!Number.isFinite(low) || !Number.isFinite(high)) {
		low = 0;
		high = 0;
	}
	if (high === low) {
		low -= 0.5;
		high += 0.5;
	}
	const width = (high - low) / bins;
	const edges = Array.from({ length: bins + 1 }, (_, b) => (b === bins ? high : low + b * width));
	const count = (series: ArrayLike<number>): number[] => {
		const counts = new Array<number>(bins).fill(0);
		for (let i = 0; i < series.length; i++) {
			const bin = Math.min(bins - 1, Math.max(0, Math.floor((series[i] - low) / width)));
			counts[bin]++;
		}
		return counts;
	};
	return { edges, positive: count(positive), negative: count(negative) };
}
