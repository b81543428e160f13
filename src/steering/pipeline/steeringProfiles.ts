/**
 * The ways a trained vector can spread its push over the layers, which calibration compares
 * (calibrateVector):
 * - `band`: the suggested band, each layer pushed by a share of its own typical norm (trainFromPairs);
 * - `every-layer`: every trained layer pushed by the same absolute amount, a share of the layers' mean
 *   typical norm, as llama.cpp's cvector-generator does at its plain scale (its unit directions at every
 *   layer), so the early layers, whose states are smaller, are pushed harder for their size.
 * On stories260K the second profile carried several concepts where the band did not, and the band others
 * (docs/steering.md, "A search over layers × strength"); neither wins everywhere.
 */
import { bakeCalibration } from "../calibration";
import type { SteeringProfile } from "./calibrationCurve";
import { bandPushFraction, type TrainedVector } from "./trainFromPairs";

export type { SteeringProfile } from "./calibrationCurve";

export const STEERING_PROFILES: readonly SteeringProfile[] = ["band", "every-layer"];

/**
 * The trained vector in the every-layer profile at its fixed push: each trained layer's unit direction
 * times bandPushFraction(layers) × the layers' mean typical norm (as a band that wide would push in
 * total), or undefined when the vector has fewer than two trained layers (the profile is then the band).
 * `pushFraction` is that share of the mean typical norm.
 */
export function everyLayerProfile(trained: TrainedVector): TrainedVector | undefined {
	const layers = [...trained.unitVector.directions.keys()].sort((a, b) => a - b);
	if (layers.length < 2) return undefined;
	const norms = layers.map((layer) => {
		const norm = trained.diagnostics.find((entry) => entry.layer === layer)?.hiddenNormMean;
		if (!(norm !== undefined && norm > 0 && Number.isFinite(norm)))
			throw new RangeError(`layer ${layer} has no typical hidden-state norm to scale its push by`);
		return norm;
	});
	const pushFraction = bandPushFraction(layers.length);
	const meanNorm = norms.reduce((sum, norm) => sum + norm, 0) / norms.length;
	// bakeCalibration scales each direction to the push share of the norm it is given: here the same mean for every layer.
	const vector = bakeCalibration(trained.unitVector, new Map(layers.map((layer) => [layer, meanNorm])), {
		pushFraction
	});
	const push = pushFraction * meanNorm;
	return {
		...trained,
		vector,
		suggestedLayers: layers,
		rawAlphaPerLayer: new Map(layers.map((layer) => [layer, push])),
		pushFraction
	};
}
