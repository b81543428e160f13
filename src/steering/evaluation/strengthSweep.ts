/**
 * Choosing a strength from a sweep: the strongest setting before the text degenerates.
 *
 * Degeneration is judged against the unsteered baseline (strength 0) in two ways. By the text itself
 * (degeneration.ts), when the points carry a fluency summary: a point is degenerate when its share of
 * real English words falls below 0.9× the baseline's, its distinct-word ratio below 0.7×, or the guard
 * rejects a quarter more of its samples than of the baseline's. Perplexity alone misjudges steered
 * text (a new topic raises it, a loop lowers it), so this is what catches loops and garbage. And by
 * perplexity: a point is also degenerate when perplexity > k × baseline. Default k = 1.5: an unsteered model's perplexity on its own
 * output is low and stable, a change of topic or tone moves it only modestly, while repetition loops and
 * broken grammar multiply it, so +50 % separates "steered" from "broken" with room to spare. Walking
 * outwards from 0, the first degenerate strength ends the admissible range even if a larger one happens
 * to recover — sweeps are noisy and a model near its breaking point is not a safe recommendation.
 * Positive and negative strengths are analysed separately.
 */

import { compareFluency, type FluencyBounds, type FluencyComparison, type FluencySummary } from "./degeneration";

export interface SweepPoint {
	readonly strength: number;
	/** Any effect measure where larger means more of the concept (effect score, self-judge score…). */
	readonly effect: number;
	readonly perplexity: number;
	/** The samples' fluency (summarizeFluency); judged against the baseline's when both have one. */
	readonly fluency?: FluencySummary;
}

export interface SweepOptions {
	/** k in "perplexity ≤ k × baseline". Default 1.5. */
	readonly maxPerplexityRatio?: number;
	/** Bounds of the text-level comparison with the baseline (compareFluency's defaults otherwise). */
	readonly fluencyBounds?: FluencyBounds;
	/** Baseline perplexity; default: the point at strength 0, which must then be present. */
	readonly baselinePerplexity?: number;
}

export interface SweepPointAnalysis extends SweepPoint {
	readonly perplexityRatio: number;
	/** The text against the baseline's, when both points carry a fluency summary. */
	readonly fluencyComparison?: FluencyComparison;
	/** Perplexity beyond the bound, or text less fluent than the baseline's. */
	readonly degenerate: boolean;
	/** Within the admissible range (reached from 0 without crossing a degenerate point). */
	readonly admissible: boolean;
}

export interface SweepAnalysis {
	readonly baselinePerplexity: number;
	readonly maxPerplexityRatio: number;
	/** Largest admissible positive strength, or null when even the smallest positive one degenerates. */
	readonly recommended: SweepPointAnalysis | null;
	/** Most negative admissible strength, or null. */
	readonly recommendedNegative: SweepPointAnalysis | null;
	/** All points ascending by strength. */
	readonly points: SweepPointAnalysis[];
}

export function analyzeStrengthSweep(points: readonly SweepPoint[], options: SweepOptions = {}): SweepAnalysis {
	if (points.length === 0) throw new RangeError("the strength sweep has no points");
	const k = options.maxPerplexityRatio ?? 1.5;
	if (!(k >= 1) || !Number.isFinite(k)) throw new RangeError(`maxPerplexityRatio must be a number ≥ 1, got ${k}`);
	const seen = new Set<number>();
	for (const point of points) {
		for (const key of ["strength", "effect", "perplexity"] as const) {
			if (!Number.isFinite(point[key]))
				throw new RangeError(`sweep point at strength ${point.strength} has ${key} ${point[key]}`);
		}
		if (!(point.perplexity >= 1))
			throw new RangeError(
				`sweep point at strength ${point.strength} has perplexity ${point.perplexity}; perplexity is ≥ 1`
			);
		if (seen.has(point.strength)) throw new RangeError(`strength ${point.strength} appears twice in the sweep`);
		seen.add(point.strength);
	}
	const baseline = options.baselinePerplexity ?? points.find((point) => point.strength === 0)?.perplexity;
	if (baseline === undefined)
		throw new RangeError("no baseline: include a point at strength 0 or pass baselinePerplexity");
	if (!(baseline >= 1) || !Number.isFinite(baseline))
		throw new RangeError(`baseline perplexity must be a number ≥ 1, got ${baseline}`);

	const sorted = [...points].sort((a, b) => a.strength - b.strength);
	const baselineFluency = points.find((point) => point.strength === 0)?.fluency;
	const comparisonOf = (point: SweepPoint): FluencyComparison | undefined =>
		baselineFluency && point.fluency
			? compareFluency(point.fluency, baselineFluency, options.fluencyBounds)
			: undefined;
	const degenerate = (point: SweepPoint) => point.perplexity > k * baseline || comparisonOf(point)?.fluent === false;
	const admissibleStrengths = new Set<number>();
	for (const side of [1, -1]) {
		const outward = sorted
			.filter((point) => side * point.strength > 0)
			.sort((a, b) => side * (a.strength - b.strength));
		for (const point of outward) {
			if (degenerate(point)) break;
			admissibleStrengths.add(point.strength);
		}
	}
	const analyzed: SweepPointAnalysis[] = sorted.map((point) => ({
		...point,
		perplexityRatio: point.perplexity / baseline,
		fluencyComparison: comparisonOf(point),
		degenerate: degenerate(point),
		admissible: point.strength === 0 ? !degenerate(point) : admissibleStrengths.has(point.strength)
	}));
	const positive = analyzed.filter((point) => point.strength > 0 && point.admissible);
	const negative = analyzed.filter((point) => point.strength < 0 && point.admissible);
	return {
		baselinePerplexity: baseline,
		maxPerplexityRatio: k,
		recommended: positive.length ? positive[positive.length - 1] : null,
		recommendedNegative: negative.length ? negative[0] : null,
		points: analyzed
	};
}
