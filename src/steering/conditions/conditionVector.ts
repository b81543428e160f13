/**
 * Training a condition vector (CAST): one direction per layer along which prompts of one kind (the
 * positives, e.g. questions about cooking) differ from other prompts (the negatives), read as the mean
 * over each prompt's tokens, as IBM's activation-steering reads them.
 *
 * Unlike a behaviour vector, a condition vector is never added to the model: it is only compared with a
 * prompt's hidden state (|cos|, see similarity). So it keeps a unit direction at EVERY steerable layer,
 * with no band chosen and no calibration, and the search for where the condition reads best
 * (gridSearch) can cover all of them without capturing the training prompts again.
 *
 * The two kinds need not come in pairs or in equal numbers: each prompt is read once, and the i-th
 * positive is paired with the i-th negative, the shorter list repeating from its start, so that every
 * prompt takes part. With `mean-diff` (the default) and equal counts the direction is exactly
 * mean(positives) − mean(negatives), normalised.
 */
import type { PositionSpec } from "../positions";
import type { HiddenStateSource } from "../pipeline/hiddenStateSource";
import type { LayerActivations } from "../training/activations";
import type { LayerDiagnostics } from "../training/diagnostics";
import { TRAINING_METHODS, type TrainingMethod } from "../training/methods";
import { trainSteeringVector } from "../training/train";
import type { SteeringVector } from "../vector";

/** Mean over every token of the prompt: what CAST trains and checks conditions on. */
export const CONDITION_POSITIONS: PositionSpec = { select: "all", mean: true };

export const DEFAULT_CONDITION_METHOD: TrainingMethod = "mean-diff";

export interface ConditionVector {
	/** Unit directions at every trained layer that shows any contrast (never layer 0). */
	readonly vector: SteeringVector;
	/** One entry per trained layer, ascending; "positive" is the condition's kind, "negative" the others. */
	readonly diagnostics: readonly LayerDiagnostics[];
	readonly method: TrainingMethod;
	readonly positions: PositionSpec;
	/** The model's `general.architecture`, stored as the file's model hint. */
	readonly modelHint: string;
	readonly positiveCount: number;
	readonly negativeCount: number;
}

export interface TrainConditionOptions {
	readonly nLayer: number;
	readonly nEmbd: number;
	readonly modelHint: string;
	/** Default mean-diff (the difference of the two kinds' mean states). */
	readonly method?: TrainingMethod;
	/** Layers to train; default every steerable layer, 1..nLayer-1. */
	readonly layers?: readonly number[];
	/** Fraction of the pairs held out for each layer's separation estimate. Default 0.2. */
	readonly validationFraction?: number;
	readonly seed?: number;
	/** Prompts per capture call. Default 32. */
	readonly chunkPrompts?: number;
	readonly signal?: AbortSignal;
	readonly onProgress?: (progress: { stage: "capture" | "train"; done: number; total: number }) => void;
}

export async function trainConditionVector(
	positives: readonly string[],
	negatives: readonly string[],
	source: HiddenStateSource,
	options: TrainConditionOptions
): Promise<ConditionVector> {
	const { nLayer, nEmbd } = options;
	const method = options.method ?? DEFAULT_CONDITION_METHOD;
	if (!TRAINING_METHODS.includes(method)) {
		throw new RangeError(
			`unknown training method "${String(method)}"; expected one of ${TRAINING_METHODS.join(", ")}`
		);
	}
	if (!Number.isInteger(nLayer) || nLayer < 2)
		throw new RangeError(`the model needs at least 2 layers, got nLayer = ${nLayer}`);
	if (!Number.isInteger(nEmbd) || nEmbd < 1) throw new RangeError(`nEmbd must be a whole number ≥ 1, got ${nEmbd}`);
	if (positives.length < 2 || negatives.length < 2) {
		throw new RangeError(
			`a condition vector needs at least 2 prompts of each kind; got ${positives.length} positives and ${negatives.length} negatives`
		);
	}
	const layers = checkLayers(options.layers ?? Array.from({ length: nLayer - 1 }, (_, i) => i + 1), nLayer);
	const total = positives.length + negatives.length;
	const readMeans = async (prompts: readonly string[], offset: number) =>
		captureMeans(prompts, source, layers, nEmbd, {
			chunkPrompts: options.chunkPrompts ?? 32,
			signal: options.signal,
			onItem: (done) => options.onProgress?.({ stage: "capture", done: offset + done, total })
		});
	const positiveMeans = await readMeans(positives, 0);
	const negativeMeans = await readMeans(negatives, positives.length);

	const pairs = Math.max(positives.length, negatives.length);
	const activations: LayerActivations[] = layers.map((layer, slot) => ({
		layer,
		nEmbd,
		positive: pairRows(positiveMeans[slot]!, positives.length, pairs, nEmbd),
		negative: pairRows(negativeMeans[slot]!, negatives.length, pairs, nEmbd)
	}));
	const trained = trainSteeringVector(activations, {
		method,
		validationFraction: options.validationFraction ?? 0.2,
		seed: options.seed ?? 0,
		signal: options.signal,
		onProgress: (done, count) => options.onProgress?.({ stage: "train", done, total: count })
	});
	if (trained.vector.directions.size === 0)
		throw new RangeError("no layer separates the two kinds of prompts at all: every prompt reads the same");
	return {
		vector: trained.vector,
		diagnostics: trained.diagnostics,
		method,
		positions: CONDITION_POSITIONS,
		modelHint: options.modelHint,
		positiveCount: positives.length,
		negativeCount: negatives.length
	};
}

/**
 * Each prompt's mean hidden state at each layer, one packed prompts × nEmbd buffer per layer (in the
 * order of `layers`).
 */
export async function captureMeans(
	prompts: readonly string[],
	source: HiddenStateSource,
	layers: readonly number[],
	nEmbd: number,
	options: { chunkPrompts?: number; signal?: AbortSignal; onItem?: (done: number) => void } = {}
): Promise<Float32Array[]> {
	const chunk = options.chunkPrompts ?? 32;
	const buffers = layers.map(() => new Float32Array(prompts.length * nEmbd));
	for (let first = 0; first < prompts.length; first += chunk) {
		options.signal?.throwIfAborted();
		const texts = prompts.slice(first, first + chunk);
		const captured = await source.capture(
			texts.map((text) => ({ text })),
			{
				layers,
				positions: CONDITION_POSITIONS,
				signal: options.signal,
				onItem: (done) => options.onItem?.(first + done)
			}
		);
		if (captured.length !== texts.length)
			throw new RangeError(`the hidden-state source returned ${captured.length} texts for ${texts.length}`);
		captured.forEach((item, index) => {
			layers.forEach((layer, slot) => {
				const rows = item[slot];
				if (!rows || rows.layer !== layer || rows.hidden.length !== nEmbd) {
					throw new RangeError(
						`prompt ${first + index + 1}: expected one mean row of width ${nEmbd} at layer ${layer}, got ${rows ? `${rows.hidden.length} values at layer ${rows.layer}` : "nothing"}`
					);
				}
				buffers[slot]!.set(rows.hidden, (first + index) * nEmbd);
			});
		});
	}
	return buffers;
}

/** `count` rows repeated from the start until there are `pairs` of them. */
function pairRows(rows: Float32Array, count: number, pairs: number, nEmbd: number): Float32Array {
	if (count === pairs) return rows;
	const out = new Float32Array(pairs * nEmbd);
	for (let i = 0; i < pairs; i++) out.set(rows.subarray((i % count) * nEmbd, ((i % count) + 1) * nEmbd), i * nEmbd);
	return out;
}

function checkLayers(layers: readonly number[], nLayer: number): number[] {
	const sorted = [...new Set(layers)].sort((a, b) => a - b);
	if (sorted.length === 0) throw new RangeError("no layers to train");
	for (const layer of sorted) {
		if (!Number.isInteger(layer) || layer < 1 || layer >= nLayer)
			throw new RangeError(`layer ${layer} is out of range: a condition reads layers 1..${nLayer - 1}`);
	}
	return sorted;
}
