/**
 * Combining steering vectors: weighted sums for the engine and simple vector arithmetic.
 *
 * llama.cpp adds one control tensor per layer, so several active vectors must be summed on this side,
 * each honouring its own strength and layer range. Width mismatches are errors rather than silent
 * truncation: a vector trained on another model family is the usual cause.
 */
import type { SteeringVector, WeightedVector } from "./vector";

/**
 * Σᵢ strengthᵢ·vᵢ per layer, over the layers each vector covers within its optional inclusive range.
 * Layers no vector contributes to are absent from the result. Sums are accumulated in float64.
 */
export function composeWeighted(vectors: readonly WeightedVector[]): Map<number, Float32Array> {
	const nEmbd = commonWidth(vectors.map((weighted) => weighted.vector));
	const sums = new Map<number, Float64Array>();
	vectors.forEach((weighted, index) => {
		if (!Number.isFinite(weighted.strength))
			throw new RangeError(`vector ${index}: strength must be a finite number, got ${weighted.strength}`);
		const range = weighted.layerRange;
		if (range && !(Number.isInteger(range[0]) && Number.isInteger(range[1]) && range[0] <= range[1])) {
			throw new RangeError(
				`vector ${index}: layer range [${range[0]}, ${range[1]}] must be whole numbers with from ≤ to`
			);
		}
		for (const [layer, direction] of weighted.vector.directions) {
			if (range && (layer < range[0] || layer > range[1])) continue;
			checkLayer(layer, direction, nEmbd, `vector ${index}`);
			let sum = sums.get(layer);
			if (!sum) {
				sum = new Float64Array(nEmbd);
				sums.set(layer, sum);
			}
			for (let k = 0; k < nEmbd; k++) sum[k] += weighted.strength * direction[k];
		}
	});
	const result = new Map<number, Float32Array>();
	for (const layer of [...sums.keys()].sort((a, b) => a - b))
		result.set(layer, Float32Array.from(sums.get(layer) as Float64Array));
	return result;
}

/** a + b, layer by layer; a layer present in only one operand is copied. */
export function add(a: SteeringVector, b: SteeringVector): SteeringVector {
	return linearCombination(a, 1, b, 1);
}

/** a − b, layer by layer; a layer present only in b appears negated. */
export function subtract(a: SteeringVector, b: SteeringVector): SteeringVector {
	return linearCombination(a, 1, b, -1);
}

/** factor·v. */
export function scale(vector: SteeringVector, factor: number): SteeringVector {
	if (!Number.isFinite(factor)) throw new RangeError(`scale factor must be a finite number, got ${factor}`);
	const directions = new Map<number, Float32Array>();
	for (const [layer, direction] of vector.directions) {
		checkLayer(layer, direction, vector.nEmbd, "vector");
		directions.set(
			layer,
			direction.map((value) => value * factor)
		);
	}
	return { nEmbd: vector.nEmbd, directions };
}

function linearCombination(a: SteeringVector, weightA: number, b: SteeringVector, weightB: number): SteeringVector {
	const nEmbd = commonWidth([a, b]);
	const layers = [...new Set([...a.directions.keys(), ...b.directions.keys()])].sort((x, y) => x - y);
	const directions = new Map<number, Float32Array>();
	for (const layer of layers) {
		const left = a.directions.get(layer);
		const right = b.directions.get(layer);
		if (left) checkLayer(layer, left, nEmbd, "left operand");
		if (right) checkLayer(layer, right, nEmbd, "right operand");
		const out = new Float32Array(nEmbd);
		for (let k = 0; k < nEmbd; k++) out[k] = weightA * (left ? left[k] : 0) + weightB * (right ? right[k] : 0);
		directions.set(layer, out);
	}
	return { nEmbd, directions };
}

function commonWidth(vectors: readonly SteeringVector[]): number {
	if (vectors.length === 0) throw new RangeError("no vectors to combine");
	const nEmbd = vectors[0].nEmbd;
	vectors.forEach((vector, index) => {
		if (vector.nEmbd !== nEmbd) {
			throw new RangeError(
				`vector ${index} has width ${vector.nEmbd} but vector 0 has ${nEmbd}; vectors from different models cannot be combined`
			);
		}
	});
	return nEmbd;
}

function checkLayer(layer: number, direction: Float32Array, nEmbd: number, owner: string): void {
	if (!Number.isInteger(layer) || layer < 1) {
		throw new RangeError(
			`${owner} has a direction for layer ${layer}; layers start at 1 (block 0 cannot be steered)`
		);
	}
	if (direction.length !== nEmbd) {
		throw new RangeError(
			`${owner}, layer ${layer}: direction has length ${direction.length} but the vector's nEmbd is ${nEmbd}`
		);
	}
}
