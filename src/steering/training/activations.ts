/**
 * Hidden states collected for training, one record per layer.
 *
 * Stored packed and row-major (pairs × nEmbd in one Float32Array per side) rather than as an array
 * of rows: 256 pairs × 32 layers × 4096 dims is 64M floats, and one contiguous buffer per layer and
 * side means no per-row object overhead, sequential memory access in the kernels, and a buffer that can
 * be transferred between processes without copying row by row.
 */
import type { RowMatrix } from "./linearAlgebra";

export interface LayerActivations {
	/** llama.cpp block index the states were read from (output of block `layer`). 0 is allowed for diagnostics. */
	readonly layer: number;
	/** Width of each hidden state. */
	readonly nEmbd: number;
	/** Row-major pairs × nEmbd; row i belongs to pair i. */
	readonly positive: Float32Array;
	/** Row-major pairs × nEmbd; row i is the contrast of positive row i. */
	readonly negative: Float32Array;
	/** Absent or true: the rows come in pairs (UnpairedLayerActivations says false). */
	readonly paired?: true;
}

/**
 * Hidden states of labelled examples that come in no pairs (concept-guidance's format): any number of
 * positives (label 1) and of negatives (label 0), and row i of one side has nothing to do with row i
 * of the other. Only the methods that need no pairs train on them (see methods).
 */
export interface UnpairedLayerActivations {
	readonly layer: number;
	readonly nEmbd: number;
	/** Row-major positives × nEmbd. */
	readonly positive: Float32Array;
	/** Row-major negatives × nEmbd. */
	readonly negative: Float32Array;
	readonly paired: false;
}

/** Either kind of per-layer hidden states training accepts. */
export type TrainingActivations = LayerActivations | UnpairedLayerActivations;

/** Packs per-pair rows into the packed form, checking that every row has the same width. */
export function packLayerActivations(
	layer: number,
	positiveRows: readonly Float32Array[],
	negativeRows: readonly Float32Array[]
): LayerActivations {
	if (positiveRows.length !== negativeRows.length) {
		throw new RangeError(
			`layer ${layer}: ${positiveRows.length} positive rows but ${negativeRows.length} negative rows; every pair needs one of each`
		);
	}
	if (positiveRows.length === 0) throw new RangeError(`layer ${layer}: no pairs given`);
	const nEmbd = positiveRows[0].length;
	const positive = new Float32Array(positiveRows.length * nEmbd);
	const negative = new Float32Array(negativeRows.length * nEmbd);
	for (let i = 0; i < positiveRows.length; i++) {
		for (const [side, row] of [
			["positive", positiveRows[i]],
			["negative", negativeRows[i]]
		] as const) {
			if (row.length !== nEmbd) {
				throw new RangeError(
					`layer ${layer}: ${side} row ${i} has length ${row.length}, expected ${nEmbd} (width of positive row 0)`
				);
			}
		}
		positive.set(positiveRows[i], i * nEmbd);
		negative.set(negativeRows[i], i * nEmbd);
	}
	return { layer, nEmbd, positive, negative };
}

/** Number of pairs in a layer record, after checking that its buffers are consistent. */
export function pairCount(activations: LayerActivations): number {
	const { layer, nEmbd, positive, negative } = activations;
	if (!Number.isInteger(layer) || layer < 0)
		throw new RangeError(`layer index must be a non-negative integer, got ${layer}`);
	if (!Number.isInteger(nEmbd) || nEmbd < 1)
		throw new RangeError(`layer ${layer}: nEmbd must be a positive integer, got ${nEmbd}`);
	if (positive.length !== negative.length) {
		throw new RangeError(
			`layer ${layer}: positive holds ${positive.length / nEmbd} rows of ${nEmbd} but negative holds ${negative.length / nEmbd}`
		);
	}
	if (positive.length % nEmbd !== 0) {
		throw new RangeError(
			`layer ${layer}: ${positive.length} values is not a whole number of rows of width ${nEmbd}`
		);
	}
	const pairs = positive.length / nEmbd;
	if (pairs === 0) throw new RangeError(`layer ${layer}: no pairs given`);
	return pairs;
}

/**
 * Numbers of positive and negative examples in an unpaired layer record, after checking that its
 * buffers are consistent and that each class has at least one.
 */
export function exampleCounts(activations: UnpairedLayerActivations): { positives: number; negatives: number } {
	const { layer, nEmbd, positive, negative } = activations;
	if (!Number.isInteger(layer) || layer < 0)
		throw new RangeError(`layer index must be a non-negative integer, got ${layer}`);
	if (!Number.isInteger(nEmbd) || nEmbd < 1)
		throw new RangeError(`layer ${layer}: nEmbd must be a positive integer, got ${nEmbd}`);
	for (const [side, data] of [
		["positive", positive],
		["negative", negative]
	] as const) {
		if (data.length % nEmbd !== 0) {
			throw new RangeError(
				`layer ${layer}: ${data.length} ${side} values is not a whole number of rows of width ${nEmbd}`
			);
		}
	}
	const positives = positive.length / nEmbd;
	const negatives = negative.length / nEmbd;
	if (positives === 0 || negatives === 0) {
		throw new RangeError(
			`layer ${layer}: training needs examples of both classes; got ${positives} positive and ${negatives} negative examples`
		);
	}
	return { positives, negatives };
}

/** The positive or negative side as a matrix view. */
export function sideMatrix(activations: TrainingActivations, side: "positive" | "negative"): RowMatrix {
	return { rows: activations[side].length / activations.nEmbd, cols: activations.nEmbd, data: activations[side] };
}

/** The rows positive − negative, with their total squared norm gathered while writing them. */
export interface DifferenceMatrix extends RowMatrix {
	/** Σᵢ ‖posᵢ − negᵢ‖² over the selected pairs. */
	readonly sumOfSquares: number;
}

/**
 * Differences positive − negative for the selected pairs, written into `into` when it is large enough
 * (training reuses one buffer across layers to avoid allocating 4 MB per layer).
 */
export function pairDifferences(
	activations: LayerActivations,
	pairIndices: readonly number[],
	into?: Float32Array
): DifferenceMatrix {
	const { nEmbd, positive, negative } = activations;
	const size = pairIndices.length * nEmbd;
	const data = into && into.length >= size ? into.subarray(0, size) : new Float32Array(size);
	let sumOfSquares = 0;
	for (let r = 0; r < pairIndices.length; r++) {
		const source = pairIndices[r] * nEmbd;
		const target = r * nEmbd;
		for (let k = 0; k < nEmbd; k++) {
			const difference = positive[source + k] - negative[source + k];
			data[target + k] = difference;
			// Squared in float32 precision as stored, so the trace matches what the solver multiplies.
			const stored = data[target + k];
			sumOfSquares += stored * stored;
		}
	}
	return { rows: pairIndices.length, cols: nEmbd, data, sumOfSquares };
}
