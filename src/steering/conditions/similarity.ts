/**
 * CAST condition checks (IBM activation-steering): does a prompt's hidden state point along a
 * condition direction c?
 *
 * Similarity: cos(h, P·h) with the projector P = c·cᵀ/(c·c). Since P·h = (h·c / c·c)·c, we have
 * h·P·h = (h·c)²/(c·c) and |P·h| = |h·c|/|c|, so cos(h, P·h) = |h·c| / (|h|·|c|) = |cos(h, c)|: a value
 * in [0, 1] that ignores the sign of c, so a condition vector works whichever way PCA oriented it. IBM's
 * code applies tanh element-wise to P·h before the cosine (`squash: "tanh"` reproduces it); tanh is
 * odd, so that variant is sign-insensitive too, but it depends on the scale of h (it saturates for large
 * states), which makes thresholds model-specific. Steer defaults to the exact |cos| ("none").
 *
 * Direction semantics: here `direction` names where the *similarity* must lie relative to the
 * threshold — "larger" holds when similarity > threshold. IBM's `condition_comparator_threshold_is`
 * names the *threshold's* side instead: its "larger" holds when similarity < threshold. Use
 * `fromIbmComparator` when importing their settings.
 *
 * With several condition layers the condition holds if it holds at any of them, as in IBM's code (the
 * first layer whose check passes sets the flag; later layers cannot clear it).
 */
import type { SteeringVector } from "../vector";

export type ConditionDirection = "larger" | "smaller";
export type ConditionSquash = "none" | "tanh";

export interface ConditionCheck {
	/** Layers (llama.cpp numbering) at which to test; the condition holds if any passes. */
	readonly layers: readonly number[];
	readonly threshold: number;
	/** "larger": holds when similarity > threshold; "smaller": when similarity < threshold. */
	readonly direction: ConditionDirection;
	/** Default "none" (exact |cos(h, c)|); "tanh" reproduces IBM activation-steering. */
	readonly squash?: ConditionSquash;
}

/** cos(h, P·h) (or cos(h, tanh(P·h))) for one hidden state h and condition direction c. */
export function conditionSimilarity(
	hidden: ArrayLike<number>,
	condition: ArrayLike<number>,
	squash: ConditionSquash = "none"
): number {
	if (hidden.length !== condition.length) {
		throw new RangeError(
			`condition similarity: hidden state has length ${hidden.length} but the condition direction has ${condition.length}`
		);
	}
	let hc = 0;
	let cc = 0;
	let hh = 0;
	for (let k = 0; k < hidden.length; k++) {
		hc += hidden[k] * condition[k];
		cc += condition[k] * condition[k];
		hh += hidden[k] * hidden[k];
	}
	if (!(cc > 0)) throw new RangeError("condition direction is all zeros");
	if (!(hh > 0)) return 0;
	if (squash === "none") return Math.abs(hc) / Math.sqrt(hh * cc);
	const coefficient = hc / cc;
	let hp = 0;
	let pp = 0;
	for (let k = 0; k < hidden.length; k++) {
		const projected = Math.tanh(coefficient * condition[k]);
		hp += hidden[k] * projected;
		pp += projected * projected;
	}
	return pp > 0 ? hp / Math.sqrt(hh * pp) : 0;
}

/** Whether `similarity` passes `threshold` in `direction`; equality never passes. */
export function passes(similarity: number, threshold: number, direction: ConditionDirection): boolean {
	return direction === "larger" ? similarity > threshold : similarity < threshold;
}

/** Evaluates a condition on the hidden states of one prompt (mean or last token, chosen by the caller). */
export function conditionHolds(
	hiddenByLayer: ReadonlyMap<number, ArrayLike<number>>,
	condition: SteeringVector,
	check: ConditionCheck
): boolean {
	if (check.layers.length === 0) throw new RangeError("a condition check needs at least one layer");
	if (check.direction !== "larger" && check.direction !== "smaller") {
		throw new RangeError(`condition direction must be "larger" or "smaller", got "${String(check.direction)}"`);
	}
	return check.layers.some((layer) => {
		const hidden = hiddenByLayer.get(layer);
		if (!hidden) throw new RangeError(`no hidden state captured for condition layer ${layer}`);
		const direction = condition.directions.get(layer);
		if (!direction) throw new RangeError(`the condition vector has no direction for layer ${layer}`);
		return passes(conditionSimilarity(hidden, direction, check.squash), check.threshold, check.direction);
	});
}

/** Translates IBM's `condition_comparator_threshold_is` (the threshold's side) into Steer's direction. */
export function fromIbmComparator(thresholdIs: "larger" | "smaller"): ConditionDirection {
	if (thresholdIs === "larger") return "smaller";
	if (thresholdIs === "smaller") return "larger";
	throw new RangeError(`IBM comparator must be "larger" or "smaller", got "${String(thresholdIs)}"`);
}
