/**
 * Training a steering vector from paired hidden states, with per-layer diagnostics.
 *
 * Per layer: (1) fit a direction on the training pairs and measure, on the held-out pairs, how often the
 * positive projects above its negative — an honest estimate of how well the layer separates the
 * concept; (2) refit on all pairs, warm-started from (1) so it usually converges in a few steps;
 * (3) fix the sign by majority vote and record agreement, projection histogram and hidden-state norms.
 * Directions are unit length; calibration turns strengths into physical pushes later.
 */
import type { SteeringVector } from "../vector";
import { pairCount, type LayerActivations } from "./activations";
import { meanAndStd, projectionHistogram, type LayerDiagnostics } from "./diagnostics";
import { dotF32, dotF32F64, multiplyRows } from "./linearAlgebra";
import { fitDirection, TRAINING_METHODS, type TrainingMethod } from "./methods";
import { decideSign, negateInPlace, separationAccuracy } from "./sign";
import { splitPairs } from "./split";

export interface TrainingOptions {
	/** Default "pca-diff" (repeng's default method, without the implicit centring; see methods). */
	readonly method?: TrainingMethod;
	/** Fraction of pairs held out for the separation estimate, in [0, 1). Default 0.2. */
	readonly validationFraction?: number;
	/** Seed of the split and of the PCA start vectors. Default 0. */
	readonly seed?: number;
	/** Histogram bin count. Default 20. */
	readonly histogramBins?: number;
	/** For pca-diff: centre the differences like repeng's scikit-learn call. Default false. */
	readonly centerDifferences?: boolean;
	/** Called after each layer with (layers done, layers total). */
	readonly onProgress?: (done: number, total: number) => void;
	/** Checked between layers. */
	readonly signal?: AbortSignal;
}

export interface TrainingResult {
	/** Unit-length directions for every given layer ≥ 1 that has any contrast (never layer 0). */
	readonly vector: SteeringVector;
	/** One entry per given layer (layer 0 included when given), ascending by layer. */
	readonly diagnostics: LayerDiagnostics[];
}

export function trainSteeringVector(
	activations: readonly LayerActivations[],
	options: TrainingOptions = {}
): TrainingResult {
	const method = options.method ?? "pca-diff";
	if (!TRAINING_METHODS.includes(method)) {
		throw new RangeError(
			`unknown training method "${String(method)}"; expected one of ${TRAINING_METHODS.join(", ")}`
		);
	}
	const validationFraction = options.validationFraction ?? 0.2;
	const seed = options.seed ?? 0;
	const bins = options.histogramBins ?? 20;
	if (activations.length === 0) throw new RangeError("no layers given to train on");

	const ordered = [...activations].sort((a, b) => a.layer - b.layer);
	const nEmbd = ordered[0].nEmbd;
	const pairs = pairCount(ordered[0]);
	for (let i = 0; i < ordered.length; i++) {
		const record = ordered[i];
		const recordPairs = pairCount(record);
		if (record.nEmbd !== nEmbd) {
			throw new RangeError(
				`layer ${record.layer} has nEmbd ${record.nEmbd} but layer ${ordered[0].layer} has ${nEmbd}; all layers must come from one model`
			);
		}
		if (recordPairs !== pairs) {
			throw new RangeError(
				`layer ${record.layer} has ${recordPairs} pairs but layer ${ordered[0].layer} has ${pairs}; every layer needs the same pairs`
			);
		}
		if (i > 0 && ordered[i - 1].layer === record.layer)
			throw new RangeError(`layer ${record.layer} is given twice`);
	}
	if (ordered[ordered.length - 1].layer < 1) {
		throw new RangeError("only layer 0 was given; llama.cpp cannot steer block 0, so there is nothing to train");
	}

	const split = splitPairs(pairs, validationFraction, seed);
	const allPairs = Array.from({ length: pairs }, (_, i) => i);
	const scratch = new Float32Array(pairs * nEmbd);
	const directions = new Map<number, Float32Array>();
	const diagnostics: LayerDiagnostics[] = [];

	ordered.forEach((record, index) => {
		options.signal?.throwIfAborted();
		const result = trainLayer(
			record,
			method,
			split,
			allPairs,
			scratch,
			seed + record.layer,
			bins,
			options.centerDifferences ?? false
		);
		diagnostics.push(result.diagnostics);
		if (record.layer >= 1 && result.direction) directions.set(record.layer, Float32Array.from(result.direction));
		options.onProgress?.(index + 1, ordered.length);
	});
	return { vector: { nEmbd, directions }, diagnostics };
}

interface LayerResult {
	readonly direction: Float64Array | null;
	readonly diagnostics: LayerDiagnostics;
}

function trainLayer(
	record: LayerActivations,
	method: TrainingMethod,
	split: { train: number[]; validation: number[] },
	allPairs: number[],
	scratch: Float32Array,
	seed: number,
	bins: number,
	centerDifferences: boolean
): LayerResult {
	const { layer, nEmbd, positive, negative } = record;
	const pairs = allPairs.length;

	let heldOutAccuracy: number | null = null;
	let warmStart: Float64Array | undefined;
	if (split.validation.length > 0) {
		const trainFit = fitDirection(record, split.train, method, { scratch, seed, centerDifferences });
		if (trainFit.totalEnergy > 0) {
			const trainSign = decideSign(multiplyRows(trainFit.differences, trainFit.direction));
			if (trainSign.flip) negateInPlace(trainFit.direction);
			heldOutAccuracy = separationAccuracy(gapsAlong(record, split.validation, trainFit.direction));
			warmStart = trainFit.direction;
		} else {
			// Nothing to learn from the training pairs, so nothing can be predicted about the others.
			heldOutAccuracy = 0;
		}
	}

	const fit = fitDirection(record, allPairs, method, { scratch, seed, centerDifferences, start: warmStart });
	const direction = fit.direction;
	// One pass over the hidden states for projections and norms together: reading 8 MB twice costs more
	// than the arithmetic.
	const positiveProjection = new Float64Array(pairs);
	const negativeProjection = new Float64Array(pairs);
	const norms = new Float64Array(2 * pairs);
	const gaps = new Float64Array(pairs);
	for (let i = 0; i < pairs; i++) {
		const offset = i * nEmbd;
		positiveProjection[i] = dotF32F64(positive, offset, direction, 0, nEmbd);
		negativeProjection[i] = dotF32F64(negative, offset, direction, 0, nEmbd);
		norms[2 * i] = Math.sqrt(dotF32(positive, offset, positive, offset, nEmbd));
		norms[2 * i + 1] = Math.sqrt(dotF32(negative, offset, negative, offset, nEmbd));
		gaps[i] = positiveProjection[i] - negativeProjection[i];
	}
	const normStats = meanAndStd(norms);

	// Identical positives and negatives (e.g. a layer before the prompts diverge) carry no direction;
	// report the layer and leave it out of the vector instead of inventing an axis.
	if (!(fit.totalEnergy > 0)) {
		const zeros = new Float64Array(pairs);
		return {
			direction: null,
			diagnostics: {
				layer,
				explainedVarianceRatio: 0,
				agreement: 0,
				heldOutAccuracy,
				trainPairs: split.train.length,
				validationPairs: split.validation.length,
				meanProjectionGap: 0,
				hiddenNormMean: normStats.mean,
				hiddenNormStd: normStats.std,
				histogram: projectionHistogram(zeros, zeros, bins),
				iterations: fit.iterations,
				converged: fit.converged
			}
		};
	}

	const sign = decideSign(gaps);
	if (sign.flip) {
		negateInPlace(direction);
		negateInPlace(positiveProjection);
		negateInPlace(negativeProjection);
		negateInPlace(gaps);
	}
	return {
		direction,
		diagnostics: {
			layer,
			explainedVarianceRatio: fit.explainedVarianceRatio,
			agreement: sign.agreement,
			heldOutAccuracy,
			trainPairs: split.train.length,
			validationPairs: split.validation.length,
			meanProjectionGap: meanAndStd(gaps).mean,
			hiddenNormMean: normStats.mean,
			hiddenNormStd: normStats.std,
			histogram: projectionHistogram(positiveProjection, negativeProjection, bins),
			iterations: fit.iterations,
			converged: fit.converged
		}
	};
}

/** proj(posᵢ) − proj(negᵢ) along `direction` for the given pairs. */
function gapsAlong(record: LayerActivations, pairIndices: readonly number[], direction: Float64Array): Float64Array {
	const { nEmbd, positive, negative } = record;
	const gaps = new Float64Array(pairIndices.length);
	pairIndices.forEach((pair, r) => {
		const offset = pair * nEmbd;
		gaps[r] = dotF32F64(positive, offset, direction, 0, nEmbd) - dotF32F64(negative, offset, direction, 0, nEmbd);
	});
	return gaps;
}
