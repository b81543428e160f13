/**
 * Contrast pairs → a steering vector ready to use: capture, train every layer, suggest a band of
 * layers, calibrate, and keep the diagnostics that justify each choice.
 *
 * What "ready to use" means: `vector` holds directions only at the suggested layers, each scaled so
 * that applying it at strength 1.0 adds the recommended push (see calibration). A saved file therefore
 * steers noticeably under llama.cpp's plain `--control-vector V.gguf`, which applies every stored
 * layer at scale 1; storing the other layers too would steer where the concept is not readable and
 * dilute or break the effect. The unit directions of all trained layers stay in `unitVector` (and in
 * the file's metadata), so a different band can be chosen later without capturing again.
 *
 * Labelled examples that come in no pairs take the same way through trainFromExamples, with the methods
 * that need no pairs (mean-diff, probe).
 */
import { bakeCalibration, DEFAULT_PUSH_FRACTION, typicalNormsFromDiagnostics } from "../calibration";
import type { SteeringPlacement } from "../placement";
import type { PositionSpec } from "../positions";
import type { CalibrationCurve } from "./calibrationCurve";
import type { LayerDiagnostics } from "../training/diagnostics";
import { suggestLayers } from "../training/layerSelection";
import { requireUnpairedMethod, TRAINING_METHODS, type TrainingMethod } from "../training/methods";
import type { TrainingActivations } from "../training/activations";
import { trainSteeringVector, type TrainingOptions, type TrainingResult } from "../training/train";
import type { SteeringVector } from "../vector";
import {
	collectExampleActivations,
	collectPairActivations,
	type ExampleTexts,
	type PairTexts
} from "./collectActivations";
import type { HiddenStateSource } from "./hiddenStateSource";

export type TrainingStage = "capture" | "train";

export interface TrainFromPairsOptions {
	readonly method: TrainingMethod;
	readonly positions: PositionSpec;
	/** The model's `general.architecture`, stored as the file's model hint. */
	readonly modelHint: string;
	readonly nLayer: number;
	readonly nEmbd: number;
	/** Layers to capture and train (diagnostics for each); default 1..nLayer-1 (block 0 cannot be steered). */
	readonly layers?: readonly number[];
	/** Layers to steer, overriding the suggested band; each must be trained and ≥ 1. */
	readonly steerLayers?: readonly number[];
	/**
	 * Steer the k layers that separate best (held-out accuracy; see suggestLayers' topK) instead of the
	 * suggested band; not together with steerLayers.
	 */
	readonly topK?: number;
	/** For the probe method: its λ (see probe). Default 1. */
	readonly l2Penalty?: number;
	/** Fraction of pairs held out to estimate separation. Default 0.2. */
	readonly validationFraction?: number;
	readonly seed?: number;
	/** Per-layer push at strength 1, as a fraction of the layer's typical hidden-state norm; default bandPushFraction(band width). */
	readonly pushFraction?: number;
	/** Pairs per capture call. Default 16. */
	readonly chunkPairs?: number;
	readonly signal?: AbortSignal;
	readonly onProgress?: (progress: { stage: TrainingStage; done: number; total: number }) => void;
}

export interface TrainedVector {
	/** Calibrated directions at the steered layers only: strength 1.0 is the recommended push. */
	readonly vector: SteeringVector;
	/** Unit directions of every trained layer ≥ 1 with any contrast. */
	readonly unitVector: SteeringVector;
	/** One entry per trained layer, ascending. */
	readonly diagnostics: readonly LayerDiagnostics[];
	/** The layers `vector` steers (the suggested band, or the caller's override), ascending. */
	readonly suggestedLayers: readonly number[];
	/** Always 1: calibration is baked into `vector`. Stored so other tools need not assume it. */
	readonly recommendedStrength: number;
	/** α per steered layer that turns the unit direction into the stored one (‖vector_l‖ = α_l). */
	readonly rawAlphaPerLayer: ReadonlyMap<number, number>;
	readonly pushFraction: number;
	readonly method: TrainingMethod;
	readonly positions: PositionSpec;
	readonly modelHint: string;
	/** Contrast pairs trained on; 0 when the vector was trained from unpaired examples. */
	readonly pairCount: number;
	/** For a vector trained from labelled examples without pairs: how many of each class. */
	readonly exampleCounts?: { readonly positive: number; readonly negative: number };
	/** What calibration by measurement found, when it ran (calibrateStrength); the directions then include its factor. */
	readonly calibration?: CalibrationCurve;
	/** Where the vector is meant to act (written as `steer.placement`); every position when absent. */
	readonly placement?: SteeringPlacement;
}

export async function trainFromPairs(
	pairs: readonly PairTexts[],
	source: HiddenStateSource,
	options: TrainFromPairsOptions
): Promise<TrainedVector> {
	checkOptions(options);
	if (pairs.length < 2) throw new RangeError(`training needs at least 2 contrast pairs, got ${pairs.length}`);
	const layers = layersOf(options);
	const activations = await collectPairActivations(pairs, source, collectOptionsOf(options, layers));
	return trainCaptured(activations, options, { pairCount: pairs.length });
}

/**
 * trainFromPairs for labelled examples that come in no pairs (label 1: the concept is there, 0: it is
 * not), with mean-diff (the difference of the two classes' mean states) or the probe; the methods that
 * need pairs are refused by name. Each class needs at least 2 examples.
 */
export async function trainFromExamples(
	examples: readonly ExampleTexts[],
	source: HiddenStateSource,
	options: TrainFromPairsOptions
): Promise<TrainedVector> {
	checkOptions(options);
	requireUnpairedMethod(options.method);
	const positive = examples.filter((example) => example.label === 1).length;
	const negative = examples.filter((example) => example.label === 0).length;
	if (positive < 2 || negative < 2) {
		throw new RangeError(
			`training needs at least 2 examples of each class, got ${positive} labelled 1 and ${negative} labelled 0`
		);
	}
	const layers = layersOf(options);
	const activations = await collectExampleActivations(examples, source, collectOptionsOf(options, layers));
	return trainCaptured(activations, options, { pairCount: 0, exampleCounts: { positive, negative } });
}

/** Checks the options both entry points share. */
function checkOptions(options: TrainFromPairsOptions): void {
	const { method, nLayer, nEmbd } = options;
	if (!TRAINING_METHODS.includes(method)) {
		throw new RangeError(
			`unknown training method "${String(method)}"; expected one of ${TRAINING_METHODS.join(", ")}`
		);
	}
	if (!Number.isInteger(nLayer) || nLayer < 2)
		throw new RangeError(`the model needs at least 2 layers to steer, got nLayer = ${nLayer}`);
	if (!Number.isInteger(nEmbd) || nEmbd < 1) throw new RangeError(`nEmbd must be a whole number ≥ 1, got ${nEmbd}`);
	if (options.topK !== undefined) {
		if (options.steerLayers !== undefined)
			throw new RangeError("choose the layers to steer or the top k layers, not both");
		if (!Number.isInteger(options.topK) || options.topK < 1)
			throw new RangeError(`topK must be a whole number ≥ 1, got ${options.topK}`);
	}
}

/** The layers to capture and train, checked. */
function layersOf(options: TrainFromPairsOptions): number[] {
	const { nLayer } = options;
	return checkLayers(options.layers ?? Array.from({ length: nLayer - 1 }, (_, i) => i + 1), nLayer);
}

function collectOptionsOf(options: TrainFromPairsOptions, layers: readonly number[]) {
	return {
		layers,
		positions: options.positions,
		nEmbd: options.nEmbd,
		chunkPairs: options.chunkPairs,
		signal: options.signal,
		onProgress: (done: number, total: number) => options.onProgress?.({ stage: "capture", done, total })
	};
}

/** Trains the captured states, chooses the layers and bakes the fixed push in. */
async function trainCaptured(
	activations: readonly TrainingActivations[],
	options: TrainFromPairsOptions,
	counts: Pick<TrainedVector, "pairCount" | "exampleCounts">
): Promise<TrainedVector> {
	const { method, positions, nEmbd } = options;
	const trained = await trainLayerByLayer(activations, {
		method,
		validationFraction: options.validationFraction ?? 0.2,
		seed: options.seed ?? 0,
		l2Penalty: options.l2Penalty,
		signal: options.signal,
		onProgress: (done, total) => options.onProgress?.({ stage: "train", done, total })
	});

	const steered = chooseSteeredLayers(
		trained.diagnostics,
		trained.vector,
		options.steerLayers,
		options.topK,
		counts.exampleCounts !== undefined
	);
	const band: SteeringVector = {
		nEmbd,
		directions: new Map(steered.map((layer) => [layer, trained.vector.directions.get(layer) as Float32Array]))
	};
	const pushFraction = options.pushFraction ?? bandPushFraction(steered.length);
	const vector = bakeCalibration(band, typicalNormsFromDiagnostics(trained.diagnostics), { pushFraction });
	const rawAlphaPerLayer = new Map(
		steered.map((layer) => [layer, vectorNorm(vector.directions.get(layer) as Float32Array)])
	);
	return {
		vector,
		unitVector: trained.vector,
		diagnostics: trained.diagnostics,
		suggestedLayers: steered,
		recommendedStrength: 1,
		rawAlphaPerLayer,
		pushFraction,
		method,
		positions,
		modelHint: options.modelHint,
		...counts
	};
}

/**
 * The least push, as a fraction of the typical hidden-state norm, that a whole band adds at strength 1.
 * The residual stream carries each layer's addition forward, so wide bands reach a large total at the
 * calibration's 0.1 per layer; a band of one or two layers would stay at 0.1–0.2. Measured on
 * TinyStories-656K (one steerable layer, docs/steering.md): 0.1 changes the text barely more than
 * sampling noise, 0.2 makes the concept words two to three times as frequent with perplexity still
 * within 1.5× of the unsteered text.
 */
export const MIN_BAND_PUSH_FRACTION = 0.2;

/** Per-layer push fraction for a band: the calibration's default, raised so the band adds at least MIN_BAND_PUSH_FRACTION. */
export function bandPushFraction(bandWidth: number): number {
	if (!Number.isInteger(bandWidth) || bandWidth < 1)
		throw new RangeError(`band width must be a whole number ≥ 1, got ${bandWidth}`);
	return Math.max(DEFAULT_PUSH_FRACTION, MIN_BAND_PUSH_FRACTION / bandWidth);
}

function checkLayers(layers: readonly number[], nLayer: number): number[] {
	if (layers.length === 0) throw new RangeError("no layers to train");
	const sorted = [...new Set(layers)].sort((a, b) => a - b);
	for (const layer of sorted) {
		if (!Number.isInteger(layer) || layer < 0 || layer >= nLayer) {
			throw new RangeError(`layer ${layer} is out of range: this model has layers 0..${nLayer - 1}`);
		}
	}
	if (sorted[sorted.length - 1] < 1) throw new RangeError("only layer 0 was given; block 0 cannot be steered");
	return sorted;
}

/**
 * The override when given (checked), otherwise the top k layers when asked for, otherwise the suggested
 * band, minus layers that had no contrast.
 */
function chooseSteeredLayers(
	diagnostics: readonly LayerDiagnostics[],
	unit: SteeringVector,
	override: readonly number[] | undefined,
	topK: number | undefined,
	unpaired: boolean
): number[] {
	if (override) {
		if (override.length === 0) throw new RangeError("the layers to steer are empty");
		const layers = [...new Set(override)].sort((a, b) => a - b);
		for (const layer of layers) {
			if (layer < 1) throw new RangeError(`layer ${layer} cannot be steered (block 0 never is)`);
			if (!diagnostics.some((entry) => entry.layer === layer))
				throw new RangeError(`layer ${layer} was asked to be steered but was not trained`);
			if (!unit.directions.has(layer))
				throw new RangeError(`layer ${layer} has no direction: its positive and negative states are identical`);
		}
		return layers;
	}
	const usable = diagnostics.filter((entry) => unit.directions.has(entry.layer));
	if (usable.length === 0) {
		throw new RangeError(
			unpaired
				? "no layer separates the examples at all: every text reads the same"
				: "no layer separates the pairs at all: every positive text reads the same as its negative"
		);
	}
	return suggestLayers(usable, { topK }).layers;
}

function vectorNorm(values: Float32Array): number {
	let sum = 0;
	for (let k = 0; k < values.length; k++) sum += values[k] * values[k];
	return Math.sqrt(sum);
}

/**
 * trainSteeringVector one layer at a time, yielding to the event loop in between: the editor runs this
 * in its extension host, which must keep answering (progress, cancellation, typing) while a large
 * model trains. Each layer's result is independent of the others (the pair split depends only on the
 * pair count and seed, the layer's own seed on its index), so the result equals one call over all layers.
 */
async function trainLayerByLayer(
	activations: readonly TrainingActivations[],
	options: TrainingOptions & { onProgress: (done: number, total: number) => void }
): Promise<TrainingResult> {
	const ordered = [...activations].sort((a, b) => a.layer - b.layer);
	if (ordered.length === 0 || ordered.every((record) => record.layer < 1))
		return trainSteeringVector(ordered, options);
	const directions = new Map<number, Float32Array>();
	const diagnostics: LayerDiagnostics[] = [];
	for (let index = 0; index < ordered.length; index++) {
		await new Promise((resolve) => setTimeout(resolve, 0));
		options.signal?.throwIfAborted();
		const record = ordered[index]!;
		// Layer 0 alone is refused by trainSteeringVector (nothing to steer); train it beside a steerable layer.
		const batch = record.layer < 1 ? [record, ordered[ordered.length - 1]!] : [record];
		const result = trainSteeringVector(batch, { ...options, onProgress: undefined });
		const own = result.diagnostics.find((entry) => entry.layer === record.layer)!;
		diagnostics.push(own);
		const direction = result.vector.directions.get(record.layer);
		if (direction) directions.set(record.layer, direction);
		options.onProgress(index + 1, ordered.length);
	}
	return { vector: { nEmbd: ordered[0]!.nEmbd, directions }, diagnostics };
}
