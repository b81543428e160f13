/**
 * Training a steering vector from paired hidden states, with per-layer diagnostics.
 *
 * Per layer: (1) fit a direction on the training pairs and measure, on the held-out pairs, how often the
 * positive projects above its negative — an honest estimate of how well the layer separates the
 * concept; (2) refit on all pairs, warm-started from (1) so it usually converges in a few steps;
 * (3) fix the sign by majority vote and record agreement, projection histogram and hidden-state norms.
 * Directions are unit length; calibration turns strengths into physical pushes later.
 *
 * Unpaired examples (UnpairedLayerActivations) go the same way, with the classes split each in
 * proportion (splitExamples) and every positive compared with every negative where pairs compare a
 * positive with its own negative (decideClassSign).
 */
import type { SteeringVector } from "../vector";
import {
	exampleCounts,
	pairCount,
	type LayerActivations,
	type TrainingActivations,
	type UnpairedLayerActivations
} from "./activations";
import { gapMargin, meanAndStd, projectionHistogram, type LayerDiagnostics } from "./diagnostics";
import { dotF32, dotF32F64, multiplyRows, squaredDistanceF32 } from "./linearAlgebra";
import {
	fitClassDirection,
	fitDirection,
	requireUnpairedMethod,
	TRAINING_METHODS,
	type TrainingMethod
} from "./methods";
import { classSeparationAccuracy, decideClassSign, decideSign, negateInPlace, separationAccuracy } from "./sign";
import { splitExamples, splitPairs, type ExampleSplit, type PairSplit } from "./split";

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
	/** For probe: its λ (see probe). Default 1. */
	readonly l2Penalty?: number;
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
	activations: readonly TrainingActivations[],
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
	const unpaired = ordered[0].paired === false;
	if (unpaired) requireUnpairedMethod(method);
	const countsOf = (record: TrainingActivations): string => {
		if (record.paired === false) {
			const { positives, negatives } = exampleCounts(record);
			return `${positives} positive and ${negatives} negative examples`;
		}
		return `${pairCount(record)} pairs`;
	};
	const counts = countsOf(ordered[0]);
	for (let i = 0; i < ordered.length; i++) {
		const record = ordered[i];
		if ((record.paired === false) !== unpaired) {
			throw new RangeError(
				`layer ${record.layer} holds ${unpaired ? "pairs" : "unpaired examples"} but layer ${ordered[0].layer} holds ${unpaired ? "unpaired examples" : "pairs"}; every layer needs the same data`
			);
		}
		const recordCounts = countsOf(record);
		if (record.nEmbd !== nEmbd) {
			throw new RangeError(
				`layer ${record.layer} has nEmbd ${record.nEmbd} but layer ${ordered[0].layer} has ${nEmbd}; all layers must come from one model`
			);
		}
		if (recordCounts !== counts) {
			throw new RangeError(
				`layer ${record.layer} has ${recordCounts} but layer ${ordered[0].layer} has ${counts}; every layer needs the same ${unpaired ? "examples" : "pairs"}`
			);
		}
		if (i > 0 && ordered[i - 1].layer === record.layer)
			throw new RangeError(`layer ${record.layer} is given twice`);
	}
	if (ordered[ordered.length - 1].layer < 1) {
		throw new RangeError("only layer 0 was given; llama.cpp cannot steer block 0, so there is nothing to train");
	}

	const directions = new Map<number, Float32Array>();
	const diagnostics: LayerDiagnostics[] = [];
	const settings = {
		method,
		bins,
		centerDifferences: options.centerDifferences ?? false,
		l2Penalty: options.l2Penalty
	};
	let trainOne: (record: TrainingActivations) => LayerResult;
	if (unpaired) {
		const { positives, negatives } = exampleCounts(ordered[0] as UnpairedLayerActivations);
		const split = splitExamples(positives, negatives, validationFraction, seed);
		trainOne = (record) => trainUnpairedLayer(record as UnpairedLayerActivations, split, settings);
	} else {
		const pairs = pairCount(ordered[0] as LayerActivations);
		const split = splitPairs(pairs, validationFraction, seed);
		const allPairs = Array.from({ length: pairs }, (_, i) => i);
		const scratch = new Float32Array(pairs * nEmbd);
		trainOne = (record) =>
			trainLayer(record as LayerActivations, split, allPairs, scratch, seed + record.layer, settings);
	}

	ordered.forEach((record, index) => {
		options.signal?.throwIfAborted();
		const result = trainOne(record);
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

interface LayerSettings {
	readonly method: TrainingMethod;
	readonly bins: number;
	readonly centerDifferences: boolean;
	readonly l2Penalty: number | undefined;
}

function trainLayer(
	record: LayerActivations,
	split: PairSplit,
	allPairs: number[],
	scratch: Float32Array,
	seed: number,
	settings: LayerSettings
): LayerResult {
	const { method, centerDifferences, l2Penalty } = settings;
	let heldOutAccuracy: number | null = null;
	let heldOutMargin: number | null = null;
	let warmStart: Float64Array | undefined;
	if (split.validation.length > 0) {
		const trainFit = fitDirection(record, split.train, method, { scratch, seed, centerDifferences, l2Penalty });
		if (trainFit.totalEnergy > 0) {
			const trainSign = decideSign(multiplyRows(trainFit.differences, trainFit.direction));
			if (trainSign.flip) negateInPlace(trainFit.direction);
			const heldOutGaps = gapsAlong(record, split.validation, trainFit.direction);
			heldOutAccuracy = separationAccuracy(heldOutGaps);
			heldOutMargin = gapMargin(heldOutGaps);
			warmStart = trainFit.direction;
		} else {
			// Nothing to learn from the training pairs, so nothing can be predicted about the others.
			heldOutAccuracy = 0;
			heldOutMargin = split.validation.length >= 2 ? 0 : null;
		}
	}

	const fit = fitDirection(record, allPairs, method, {
		scratch,
		seed,
		centerDifferences,
		l2Penalty,
		start: warmStart
	});
	return finishLayer(
		record,
		fit,
		{ accuracy: heldOutAccuracy, margin: heldOutMargin },
		split.train.length,
		split.validation.length,
		settings.bins
	);
}

function trainUnpairedLayer(
	record: UnpairedLayerActivations,
	split: ExampleSplit,
	settings: LayerSettings
): LayerResult {
	const { method, l2Penalty } = settings;
	const { positives, negatives } = exampleCounts(record);
	const trainCount = split.train.positive.length + split.train.negative.length;
	const validationCount = split.validation.positive.length + split.validation.negative.length;
	let heldOutAccuracy: number | null = null;
	if (validationCount > 0) {
		const trainFit = fitClassDirection(record, split.train, method, { l2Penalty });
		if (trainFit.totalEnergy > 0) {
			const along = (side: "positive" | "negative", rows: readonly number[]) =>
				projectionsAlong(record[side], record.nEmbd, rows, trainFit.direction);
			const trainSign = decideClassSign(
				along("positive", split.train.positive),
				along("negative", split.train.negative)
			);
			if (trainSign.flip) negateInPlace(trainFit.direction);
			heldOutAccuracy = classSeparationAccuracy(
				along("positive", split.validation.positive),
				along("negative", split.validation.negative)
			);
		} else {
			heldOutAccuracy = 0;
		}
	}
	const all = {
		positive: Array.from({ length: positives }, (_, i) => i),
		negative: Array.from({ length: negatives }, (_, i) => i)
	};
	const fit = fitClassDirection(record, all, method, { l2Penalty });
	// Unpaired positives and negatives have no pairwise gaps to take a margin of.
	return finishLayer(
		record,
		fit,
		{ accuracy: heldOutAccuracy, margin: null },
		trainCount,
		validationCount,
		settings.bins
	);
}

/**
 * The final fit's diagnostics, with its sign fixed: one pass over the hidden states for projections
 * and norms together (reading 8 MB twice costs more than the arithmetic).
 */
function finishLayer(
	record: TrainingActivations,
	fit: {
		readonly direction: Float64Array;
		readonly explainedVarianceRatio: number;
		readonly totalEnergy: number;
		readonly iterations: number;
		readonly converged: boolean;
	},
	heldOut: { readonly accuracy: number | null; readonly margin: number | null },
	trainCount: number,
	validationCount: number,
	bins: number
): LayerResult {
	const { layer, nEmbd, positive, negative } = record;
	const direction = fit.direction;
	const positives = positive.length / nEmbd;
	const negatives = negative.length / nEmbd;
	const positiveProjection = new Float64Array(positives);
	const negativeProjection = new Float64Array(negatives);
	// Pairs keep their norms side by side (positive, negative, next pair…), unpaired rows class by class.
	const paired = record.paired !== false;
	const norms = new Float64Array(positives + negatives);
	// |positive − negative| per pair, for the pair consistency.
	const differenceNorms = paired ? new Float64Array(positives) : undefined;
	for (let i = 0; i < positives; i++) {
		const offset = i * nEmbd;
		positiveProjection[i] = dotF32F64(positive, offset, direction, 0, nEmbd);
		norms[paired ? 2 * i : i] = Math.sqrt(dotF32(positive, offset, positive, offset, nEmbd));
	}
	for (let i = 0; i < negatives; i++) {
		const offset = i * nEmbd;
		negativeProjection[i] = dotF32F64(negative, offset, direction, 0, nEmbd);
		norms[paired ? 2 * i + 1 : positives + i] = Math.sqrt(dotF32(negative, offset, negative, offset, nEmbd));
		if (differenceNorms)
			differenceNorms[i] = Math.sqrt(squaredDistanceF32(positive, offset, negative, offset, nEmbd));
	}
	const normStats = meanAndStd(norms);
	const common = {
		layer,
		heldOutAccuracy: heldOut.accuracy,
		heldOutMargin: heldOut.margin,
		trainPairs: trainCount,
		validationPairs: validationCount,
		hiddenNormMean: normStats.mean,
		hiddenNormStd: normStats.std,
		iterations: fit.iterations,
		converged: fit.converged
	};

	// Identical positives and negatives (e.g. a layer before the prompts diverge) carry no direction;
	// report the layer and leave it out of the vector instead of inventing an axis.
	if (!(fit.totalEnergy > 0)) {
		return {
			direction: null,
			diagnostics: {
				...common,
				explainedVarianceRatio: 0,
				agreement: 0,
				meanProjectionGap: 0,
				pairConsistency: null,
				histogram: projectionHistogram(new Float64Array(positives), new Float64Array(negatives), bins)
			}
		};
	}

	let sign;
	let meanProjectionGap: number;
	let pairConsistency: number | null = null;
	if (!paired) {
		sign = decideClassSign(positiveProjection, negativeProjection);
		meanProjectionGap = meanAndStd(positiveProjection).mean - meanAndStd(negativeProjection).mean;
	} else {
		const gaps = positiveProjection.map((value, i) => value - negativeProjection[i]);
		sign = decideSign(gaps);
		meanProjectionGap = meanAndStd(gaps).mean;
		// A pair with identical sides has no direction of its own and counts as 0 (it agrees with nothing).
		let cosines = 0;
		gaps.forEach((gap, i) => {
			if (differenceNorms![i] > 0) cosines += gap / differenceNorms![i];
		});
		pairConsistency = cosines / gaps.length;
	}
	if (sign.flip) {
		negateInPlace(direction);
		negateInPlace(positiveProjection);
		negateInPlace(negativeProjection);
		meanProjectionGap = -meanProjectionGap;
		if (pairConsistency !== null) pairConsistency = -pairConsistency;
	}
	return {
		direction,
		diagnostics: {
			...common,
			explainedVarianceRatio: fit.explainedVarianceRatio,
			agreement: sign.agreement,
			meanProjectionGap,
			pairConsistency,
			histogram: projectionHistogram(positiveProjection, negativeProjection, bins)
		}
	};
}

/** row·direction for the given rows of one side. */
function projectionsAlong(
	data: Float32Array,
	nEmbd: number,
	rows: readonly number[],
	direction: Float64Array
): Float64Array {
	return Float64Array.from(rows, (row) => dotF32F64(data, row * nEmbd, direction, 0, nEmbd));
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
