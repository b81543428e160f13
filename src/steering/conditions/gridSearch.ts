/**
 * Finding where and how to check a condition: CAST's grid search over layer × threshold × direction,
 * maximising F1 of "condition holds" against the labels (positives should trigger, negatives not).
 *
 * Similarities are computed once per prompt and layer, then every grid point is a cheap count. Single
 * layers only (IBM's `max_layers_to_combine = 1`, its default). Thresholds run from low to high
 * inclusive in `step` increments (computed as low + i·step, so no drift accumulates).
 */
import type { SteeringVector } from "../vector";
import { conditionSimilarity, passes, type ConditionDirection, type ConditionSquash } from "./similarity";

export interface ConditionGridPoint {
	readonly layer: number;
	readonly threshold: number;
	readonly direction: ConditionDirection;
	readonly f1: number;
	readonly precision: number;
	readonly recall: number;
	/** Smallest distance from the threshold to any prompt's similarity at this layer. */
	readonly margin: number;
}

export interface ConditionSearchResult {
	/** Highest F1; ties go to the larger margin, then the lower layer, then the lower threshold, then "larger". */
	readonly best: ConditionGridPoint;
	/** Every grid point, layer-major, thresholds ascending, "larger" before "smaller". */
	readonly table: ConditionGridPoint[];
	/** Per layer, the similarity of every positive and negative prompt (for plots). */
	readonly similarities: Map<number, { positive: number[]; negative: number[] }>;
}

export interface ConditionSearchOptions {
	readonly squash?: ConditionSquash;
}

const MAX_GRID_POINTS = 2_000_000;

/**
 * @param positives hidden states (per layer) of prompts that should trigger the condition
 * @param negatives hidden states (per layer) of prompts that should not
 * @param layerRange inclusive [from, to]
 * @param thresholdRange inclusive [low, high]
 */
export function findBestCondition(
	positives: readonly ReadonlyMap<number, ArrayLike<number>>[],
	negatives: readonly ReadonlyMap<number, ArrayLike<number>>[],
	condition: SteeringVector,
	layerRange: readonly [number, number],
	thresholdRange: readonly [number, number],
	step: number,
	options: ConditionSearchOptions = {}
): ConditionSearchResult {
	if (positives.length === 0 || negatives.length === 0) {
		throw new RangeError(
			`the search needs both kinds of prompts; got ${positives.length} positives and ${negatives.length} negatives`
		);
	}
	const [from, to] = layerRange;
	if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < from) {
		throw new RangeError(`layer range [${from}, ${to}] must be whole numbers with 1 ≤ from ≤ to`);
	}
	const [low, high] = thresholdRange;
	if (!Number.isFinite(low) || !Number.isFinite(high) || high < low) {
		throw new RangeError(`threshold range [${low}, ${high}] must be finite with low ≤ high`);
	}
	if (!(step > 0) || !Number.isFinite(step))
		throw new RangeError(`threshold step must be a positive number, got ${step}`);
	const thresholdCount = Math.floor((high - low) / step + 1e-9) + 1;
	const layerCount = to - from + 1;
	if (thresholdCount * layerCount * 2 > MAX_GRID_POINTS) {
		throw new RangeError(
			`${layerCount} layers × ${thresholdCount} thresholds × 2 directions exceeds ${MAX_GRID_POINTS} grid points; use a larger step or a narrower range`
		);
	}

	const similarities = new Map<number, { positive: number[]; negative: number[] }>();
	const table: ConditionGridPoint[] = [];
	let best: ConditionGridPoint | null = null;
	for (let layer = from; layer <= to; layer++) {
		const direction = condition.directions.get(layer);
		if (!direction)
			throw new RangeError(
				`the condition vector has no direction for layer ${layer} (searched range ${from}–${to})`
			);
		const similarityOf = (states: ReadonlyMap<number, ArrayLike<number>>, label: string, index: number): number => {
			const hidden = states.get(layer);
			if (!hidden) throw new RangeError(`${label} prompt ${index} has no hidden state for layer ${layer}`);
			return conditionSimilarity(hidden, direction, options.squash);
		};
		const positive = positives.map((states, index) => similarityOf(states, "positive", index));
		const negative = negatives.map((states, index) => similarityOf(states, "negative", index));
		similarities.set(layer, { positive, negative });
		const all = [...positive, ...negative];

		for (let i = 0; i < thresholdCount; i++) {
			const threshold = low + i * step;
			let margin = Infinity;
			for (const value of all) margin = Math.min(margin, Math.abs(value - threshold));
			for (const comparison of ["larger", "smaller"] as const) {
				let truePositives = 0;
				let falsePositives = 0;
				for (const value of positive) if (passes(value, threshold, comparison)) truePositives++;
				for (const value of negative) if (passes(value, threshold, comparison)) falsePositives++;
				const predicted = truePositives + falsePositives;
				const precision = predicted > 0 ? truePositives / predicted : 0;
				const recall = truePositives / positive.length;
				const f1 = truePositives > 0 ? (2 * precision * recall) / (precision + recall) : 0;
				const point: ConditionGridPoint = {
					layer,
					threshold,
					direction: comparison,
					f1,
					precision,
					recall,
					margin
				};
				table.push(point);
				// Strictly better F1 wins; equal F1 prefers the threshold farthest from every sample, which
				// generalises best. Iteration order supplies the remaining tie-breaks.
				if (!best || f1 > best.f1 || (f1 === best.f1 && margin > best.margin)) best = point;
			}
		}
	}
	return { best: best as ConditionGridPoint, table, similarities };
}
