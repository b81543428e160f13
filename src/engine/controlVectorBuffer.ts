import { EngineError } from "./errors";
import type { SteeringEntry } from "./protocol";

/** The summed steering of several entries, laid out as llama.cpp's llama_set_adapter_cvec expects. */
export interface ControlVectorBuffer {
	/** (nLayer - 1) × nEmbd floats; row 0 is block 1 because llama.cpp cannot steer block 0. */
	readonly data: Float32Array;
	/** Inclusive range of blocks that carry a non-zero direction. */
	readonly layerStart: number;
	readonly layerEnd: number;
	/** Blocks with a direction, ascending. */
	readonly layers: readonly number[];
}

/**
 * Sums `strength · direction` of every entry per layer (restricted to each entry's layer range),
 * checking every vector against the model's shape. Returns null when nothing is left to apply.
 * Layer 0 is rejected, not dropped: a vector silently losing a layer would steer less than asked.
 */
export function buildControlVectorBuffer(
	entries: readonly SteeringEntry[],
	nLayer: number,
	nEmbd: number
): ControlVectorBuffer | null {
	const data = new Float32Array((nLayer - 1) * nEmbd);
	const used = new Set<number>();
	entries.forEach((entry, index) => {
		const { vector, strength, layerRange } = entry;
		const label = `steering vector ${index + 1}`;
		if (!Number.isFinite(strength))
			throw new EngineError("BAD_REQUEST", `${label}: strength must be a finite number`);
		if (vector.nEmbd !== nEmbd)
			throw new EngineError(
				"SHAPE_MISMATCH",
				`${label} is ${vector.nEmbd} wide, but the model's hidden state is ${nEmbd} wide`
			);
		for (const [layer, direction] of vector.directions) {
			if (!Number.isInteger(layer) || layer < 0 || layer >= nLayer)
				throw new EngineError(
					"LAYER_OUT_OF_RANGE",
					`${label} has a direction for layer ${layer}, but the model has layers 0..${nLayer - 1}`
				);
			if (layer === 0)
				throw new EngineError(
					"LAYER_OUT_OF_RANGE",
					`${label} has a direction for layer 0, which llama.cpp cannot steer (steerable layers: 1..${nLayer - 1})`
				);
			if (direction.length !== nEmbd)
				throw new EngineError(
					"SHAPE_MISMATCH",
					`${label}: layer ${layer} has ${direction.length} values, expected ${nEmbd}`
				);
			if (layerRange && (layer < layerRange[0] || layer > layerRange[1])) continue;
			if (strength === 0) continue;
			const row = (layer - 1) * nEmbd;
			for (let i = 0; i < nEmbd; i++) {
				const value = direction[i]!;
				if (!Number.isFinite(value))
					throw new EngineError("BAD_REQUEST", `${label}: layer ${layer} contains a non-finite value`);
				data[row + i]! += strength * value;
			}
			used.add(layer);
		}
	});
	if (used.size === 0) return null;
	const layers = [...used].sort((a, b) => a - b);
	return { data, layerStart: layers[0]!, layerEnd: layers[layers.length - 1]!, layers };
}
