/**
 * Seeded synthetic hidden states for the steering tests: Gaussian noise plus a planted shift.
 * (Not a test file itself: mocha only loads *.test.ts.)
 */
import { seededRandom } from "../../src/steering/training/topComponent";
import type { LayerActivations } from "../../src/steering/training/activations";

export function gaussian(seed: number): () => number {
	const uniform = seededRandom(seed);
	return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

export function randomUnit(nEmbd: number, seed: number): Float64Array {
	const normal = gaussian(seed);
	const v = new Float64Array(nEmbd).map(() => normal());
	const length = Math.hypot(...v);
	return v.map((x) => x / length);
}

export interface PlantedOptions {
	readonly pairs: number;
	readonly nEmbd: number;
	readonly layer: number;
	/** Unit direction of the shift added to positives. */
	readonly shift: Float64Array;
	/** Size of the shift. */
	readonly shiftSize: number;
	/** Standard deviation of the per-row noise. */
	readonly noise: number;
	/** Standard deviation of the per-pair content shared by both sides. */
	readonly content?: number;
	/** Pair-to-pair variation of the shift size (multiplier drawn from 1 ± spread uniformly). */
	readonly spread?: number;
	readonly seed: number;
}

export function plantedActivations(options: PlantedOptions): LayerActivations {
	const { pairs, nEmbd, shift, shiftSize, noise, seed } = options;
	const normal = gaussian(seed);
	const uniform = seededRandom(seed + 1000);
	const positive = new Float32Array(pairs * nEmbd);
	const negative = new Float32Array(pairs * nEmbd);
	for (let i = 0; i < pairs; i++) {
		const size = shiftSize * (1 + (options.spread ?? 0) * (2 * uniform() - 1));
		for (let k = 0; k < nEmbd; k++) {
			const content = (options.content ?? 0) * normal();
			positive[i * nEmbd + k] = content + size * shift[k] + noise * normal();
			negative[i * nEmbd + k] = content + noise * normal();
		}
	}
	return { layer: options.layer, nEmbd, positive, negative };
}
