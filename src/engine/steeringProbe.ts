/**
 * The verdict on a steering probe: did the model's graph add the control vector? llama.cpp applies
 * control vectors in each architecture's graph builder, and a builder without the hook ignores them
 * without a word, so generation would look steered and be plain.
 */

/** How far a probe token's hidden state moved at the lowest steered layer, against what was added. */
export interface SteeringProbe {
	readonly layer: number;
	/** ‖α·v‖ at that layer: what the control vector adds there. */
	readonly expectedNorm: number;
	/** ‖steered − unsteered‖ of the layer's output for the probe token. */
	readonly movedNorm: number;
}

/** Below this share of the push the vector counts as ignored; applied, it moves the state by all of it. */
export const IGNORED_BELOW = 0.01;

/** Why steering would do nothing on this model, or undefined when the probe saw it applied. */
export function steeringIgnoredMessage(probe: SteeringProbe, architecture: string): string | undefined {
	if (probe.expectedNorm === 0 || probe.movedNorm >= IGNORED_BELOW * probe.expectedNorm) return undefined;
	return `this model's architecture (${architecture}) ignores control vectors in this llama.cpp version: a push of norm ${probe.expectedNorm.toPrecision(3)} at layer ${probe.layer} moved its output by ${probe.movedNorm.toPrecision(3)}, so steering would generate unsteered text`;
}
