/**
 * How far a vector's effect can be trusted, from the per-sample readouts calibration already takes
 * (calibrateStrength.ts), in the two ways the steering-reliability studies report it:
 * - the **random-direction floor**: the effect of a direction with the same length at every layer but
 *   no meaning (calibration draws a fresh one for every sample). Any push changes the text, and a
 *   readout that moves as much under a random push says nothing about the concept; the vector's effect
 *   is given as a multiple of that floor;
 * - the **anti-steerable share**: samples the vector moved the wrong way, the steered text reading
 *   less like the concept than the unsteered text of the same prompt and seed (Tan et al. 2024 found
 *   such inputs for up to half of some datasets' prompts).
 */
import { mulberry32 } from "../random";
import { meanAndStd } from "../training/diagnostics";
import { norm } from "../training/linearAlgebra";
import type { SteeringVector } from "../vector";

export interface SteeringReliability {
	/** Samples compared (prompts × seeds). */
	readonly samples: number;
	/** Mean readout gain over the unsteered samples, at the chosen strength. */
	readonly gain: number;
	/** The same for the random directions of the same lengths. */
	readonly randomGain: number;
	/**
	 * Standard error of the random push's gain, from the per-sample differences (the samples are paired by
	 * prompt and seed): the smallest floor worth quoting.
	 */
	readonly gainStandardError: number;
	/**
	 * gain ÷ max(|randomGain|, gainStandardError): how many times the random push's effect the vector has.
	 * Where the random push's effect is within noise, this is a lower bound (`floorIsNoise`). Null when
	 * the random push changed no sample's reading, so there is no floor to divide by.
	 */
	readonly overRandom: number | null;
	readonly floorIsNoise: boolean;
	/** Share of samples whose steered readout is below the unsteered readout of the same prompt and seed. */
	readonly antiSteerableShare: number;
}

/**
 * From the readouts of the same samples (same prompts and seeds, in the same order) unsteered, steered
 * by the vector and steered by the random directions.
 */
export function measureReliability(
	unsteered: readonly number[],
	steered: readonly number[],
	random: readonly number[]
): SteeringReliability {
	const samples = unsteered.length;
	if (samples < 2) throw new RangeError(`reliability needs at least two samples, got ${samples}`);
	if (steered.length !== samples || random.length !== samples)
		throw new RangeError(
			`reliability compares the same samples: got ${samples} unsteered, ${steered.length} steered and ${random.length} random readouts`
		);
	const base = meanAndStd(unsteered).mean;
	const gain = meanAndStd(steered).mean - base;
	const randomGain = meanAndStd(random).mean - base;
	// Sample (n − 1) standard deviation of the paired differences, over √n.
	const differences = meanAndStd(random.map((value, i) => value - unsteered[i]!));
	const gainStandardError = (differences.std * Math.sqrt(samples / (samples - 1))) / Math.sqrt(samples);
	const floor = Math.max(Math.abs(randomGain), gainStandardError);
	const against = steered.filter((value, i) => value < unsteered[i]!).length;
	return {
		samples,
		gain,
		randomGain,
		gainStandardError,
		overRandom: floor > 0 ? gain / floor : null,
		floorIsNoise: Math.abs(randomGain) < gainStandardError,
		antiSteerableShare: against / samples
	};
}

/**
 * A vector with the same layers and the same length at each, but directions drawn uniformly on the
 * sphere (normal coordinates, Box–Muller), seeded so a calibration can be repeated exactly.
 */
export function randomDirectionsLike(vector: SteeringVector, seed: number): SteeringVector {
	const random = mulberry32(seed);
	const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
	const directions = new Map<number, Float32Array>();
	for (const [layer, direction] of vector.directions) {
		const length = norm(direction);
		const values = Float64Array.from({ length: vector.nEmbd }, normal);
		const scale = length / norm(values);
		directions.set(
			layer,
			Float32Array.from(values, (value) => value * scale)
		);
	}
	return { nEmbd: vector.nEmbd, directions };
}
