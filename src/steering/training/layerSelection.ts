/**
 * Suggesting which layers to steer, from the training diagnostics.
 *
 * Steering one layer rarely works as well as a contiguous band around the layers where the concept is
 * most linearly readable, and separation usually rises and falls smoothly with depth. So: find the
 * best-separating layer, then grow a band around it while the neighbours separate nearly as well.
 *
 * Or, as concept-guidance's guidance_top_k does, the k layers that separate best wherever they are
 * (`topK`): not necessarily a band.
 */
import type { LayerDiagnostics } from "./diagnostics";

export interface LayerSuggestionOptions {
	/** Widest band to return. Default: a quarter of the steerable layers given, at least 1. */
	readonly maxBand?: number;
	/** A neighbour joins the band if its score is at least best − tolerance. Default 0.05. */
	readonly tolerance?: number;
	/** The user's own choice (inclusive); validated against the diagnostics and returned as is. */
	readonly override?: readonly [number, number];
	/**
	 * Instead of a band: the k best-scoring layers (all of them when fewer are given), ranked and tied as
	 * the band's core is. Not together with `override`.
	 */
	readonly topK?: number;
}

export interface LayerSuggestion {
	/** Inclusive first and last layer of the band (of the top k layers: the lowest and the highest); first ≥ 1. */
	readonly from: number;
	readonly to: number;
	/** The layers, ascending; contiguous except for a top-k choice. */
	readonly layers: number[];
	/** Mean score over `layers`. */
	readonly score: number;
	/** Which measurement the score is: held-out accuracy when pairs were held out, otherwise agreement. */
	readonly scoredBy: "heldOutAccuracy" | "agreement";
}

/**
 * Picks a contiguous band of layers (never layer 0).
 *
 * Score of a layer: held-out accuracy, or sign agreement on all pairs when nothing was held out (an
 * optimistic in-sample figure, flagged by `scoredBy`). Ties for the core layer go to the higher pair
 * consistency, then to the higher explained-variance ratio (a cleaner single axis), then to the layer
 * nearest the middle of the given layers, then to the lower layer. The band grows one layer at a time
 * towards the better-scoring neighbour (the more consistent one on a tie, the lower one when that ties
 * too) while that neighbour is within `tolerance` of the core and the band is narrower than `maxBand`.
 * With `topK`, the first k layers of that same ranking are returned instead.
 *
 * Why consistency: on a deep model held-out accuracy is 1 at nearly every layer, and on
 * SmolLM2-135M-Instruct (29 steerable layers; docs/steering.md, "Choosing layers on 30 layers") the band
 * whose pairs agree most on the direction steered best or within a story of the best for each concept
 * measured, where explained variance and the held-out margin pointed at worse bands.
 */
export function suggestLayers(
	diagnostics: readonly LayerDiagnostics[],
	options: LayerSuggestionOptions = {}
): LayerSuggestion {
	const steerable = diagnostics.filter((entry) => entry.layer >= 1).sort((a, b) => a.layer - b.layer);
	if (steerable.length === 0) throw new RangeError("no steerable layer (≥ 1) among the diagnostics");
	const scoredBy = steerable.every((entry) => entry.heldOutAccuracy !== null) ? "heldOutAccuracy" : "agreement";
	const scoreOf = (entry: LayerDiagnostics): number =>
		scoredBy === "heldOutAccuracy" ? (entry.heldOutAccuracy as number) : entry.agreement;
	const byLayer = new Map(steerable.map((entry) => [entry.layer, entry]));
	const bandScore = (from: number, to: number): number => {
		let sum = 0;
		for (let layer = from; layer <= to; layer++) sum += scoreOf(byLayer.get(layer) as LayerDiagnostics);
		return sum / (to - from + 1);
	};
	const describe = (from: number, to: number): LayerSuggestion => ({
		from,
		to,
		layers: Array.from({ length: to - from + 1 }, (_, i) => from + i),
		score: bandScore(from, to),
		scoredBy
	});

	const middle = (steerable[0].layer + steerable[steerable.length - 1].layer) / 2;
	// To two decimals: differences below that are noise between layers, and explained variance decides them.
	const consistencyOf = (entry: LayerDiagnostics): number => Math.round((entry.pairConsistency ?? 0) * 100) / 100;
	const ranked = [...steerable].sort(
		(a, b) =>
			scoreOf(b) - scoreOf(a) ||
			consistencyOf(b) - consistencyOf(a) ||
			b.explainedVarianceRatio - a.explainedVarianceRatio ||
			Math.abs(a.layer - middle) - Math.abs(b.layer - middle) ||
			a.layer - b.layer
	);

	if (options.topK !== undefined) {
		const { topK } = options;
		if (options.override) throw new RangeError("give a layer override or topK, not both");
		if (!Number.isInteger(topK) || topK < 1) throw new RangeError(`topK must be a whole number ≥ 1, got ${topK}`);
		const layers = ranked
			.slice(0, topK)
			.map((entry) => entry.layer)
			.sort((a, b) => a - b);
		const score = layers.reduce((sum, layer) => sum + scoreOf(byLayer.get(layer) as LayerDiagnostics), 0);
		return { from: layers[0], to: layers[layers.length - 1], layers, score: score / layers.length, scoredBy };
	}

	if (options.override) {
		const [from, to] = options.override;
		if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < from) {
			throw new RangeError(
				`layer override [${from}, ${to}] must be whole numbers with 1 ≤ from ≤ to (block 0 cannot be steered)`
			);
		}
		for (let layer = from; layer <= to; layer++) {
			if (!byLayer.has(layer))
				throw new RangeError(`layer override [${from}, ${to}] includes layer ${layer}, which was not trained`);
		}
		return describe(from, to);
	}

	const maxBand = options.maxBand ?? Math.max(1, Math.floor(steerable.length / 4));
	if (!Number.isInteger(maxBand) || maxBand < 1)
		throw new RangeError(`maxBand must be a whole number ≥ 1, got ${maxBand}`);
	const tolerance = options.tolerance ?? 0.05;
	if (!(tolerance >= 0)) throw new RangeError(`tolerance must be ≥ 0, got ${tolerance}`);

	const core = ranked[0];
	const floor = scoreOf(core) - tolerance;
	let from = core.layer;
	let to = core.layer;
	while (to - from + 1 < maxBand) {
		const below = byLayer.get(from - 1);
		const above = byLayer.get(to + 1);
		const belowScore = below ? scoreOf(below) : -Infinity;
		const aboveScore = above ? scoreOf(above) : -Infinity;
		if (Math.max(belowScore, aboveScore) < floor) break;
		const takeBelow =
			belowScore !== aboveScore
				? belowScore > aboveScore
				: consistencyOf(below as LayerDiagnostics) >= consistencyOf(above as LayerDiagnostics);
		if (takeBelow) from--;
		else to++;
	}
	return describe(from, to);
}
