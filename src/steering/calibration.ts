/**
 * Calibrated strength: making "strength 1.0" mean the same push on every model and layer.
 *
 * A raw coefficient α in h ← h + α·v means nothing by itself: hidden-state norms differ by orders of
 * magnitude between models (a 7B Mistral's mid-layer states are far smaller than a 13B Llama's) and
 * grow with depth inside one model, which is why repeng users find working coefficients anywhere from
 * 0.2 to 3. Steering changes behaviour when the added vector is a noticeable fraction of the state it is
 * added to, so strength is defined relative to the layer's typical hidden-state norm:
 *
 *   α_il = strength × c × typicalNorm_il / ‖v_il‖,    i.e.  ‖α_il·v_il‖ = strength × c × typicalNorm_il.
 *
 * c = DEFAULT_PUSH_FRACTION = 0.1: each steered layer adds a tenth of its typical norm. The residual
 * stream carries every layer's addition forward, so a band of 4–8 layers at strength 1 accumulates a
 * push of roughly 0.4–0.8× the state norm — enough to change behaviour visibly, while strengths around
 * 2–3 approach a push as large as the state itself, where models typically start to degenerate (the
 * strength sweep finds the exact limit). Bands much wider than that should use a lower strength.
 *
 * The typical norm is the mean norm of the training hidden states at that layer (LayerDiagnostics).
 */
import type { SteeringVector } from "./vector";

export const DEFAULT_PUSH_FRACTION = 0.1;

export interface CalibrationOptions {
	/** c: fraction of the typical hidden-state norm pushed per layer at strength 1. Default 0.1. */
	readonly pushFraction?: number;
}

/** Typical hidden-state norm per layer, keyed by layer. */
export type LayerNorms = ReadonlyMap<number, number>;

/** Per-layer typical norms from training diagnostics (layer 0 is skipped: it cannot be steered). */
export function typicalNormsFromDiagnostics(
	diagnostics: readonly { layer: number; hiddenNormMean: number }[]
): Map<number, number> {
	const norms = new Map<number, number>();
	for (const entry of diagnostics) if (entry.layer >= 1) norms.set(entry.layer, entry.hiddenNormMean);
	return norms;
}

/** Raw α for one layer from a calibrated strength. */
export function calibratedToRaw(
	strength: number,
	typicalNorm: number,
	directionNorm: number,
	options: CalibrationOptions = {}
): number {
	return strength * rawPerCalibrated(typicalNorm, directionNorm, options);
}

/** Calibrated strength for one layer from a raw α. */
export function rawToCalibrated(
	alpha: number,
	typicalNorm: number,
	directionNorm: number,
	options: CalibrationOptions = {}
): number {
	return alpha / rawPerCalibrated(typicalNorm, directionNorm, options);
}

export interface LayerStrength {
	readonly layer: number;
	readonly calibrated: number;
	/** The α the engine multiplies this layer's stored direction by. */
	readonly raw: number;
	readonly directionNorm: number;
	readonly typicalNorm: number;
	/** ‖α·v‖: the size of what is added to the hidden state. */
	readonly pushNorm: number;
	/** pushNorm / typicalNorm. */
	readonly pushRatio: number;
}

/** Both views of one calibrated strength, per layer of the vector (ascending), for display. */
export function strengthTable(
	vector: SteeringVector,
	norms: LayerNorms,
	calibratedStrength: number,
	options: CalibrationOptions = {}
): LayerStrength[] {
	if (!Number.isFinite(calibratedStrength))
		throw new RangeError(`strength must be a finite number, got ${calibratedStrength}`);
	return [...vector.directions.keys()]
		.sort((a, b) => a - b)
		.map((layer) => {
			const directionNorm = directionLength(vector, layer);
			const typicalNorm = normFor(norms, layer);
			const raw = calibratedToRaw(calibratedStrength, typicalNorm, directionNorm, options);
			const pushNorm = Math.abs(raw) * directionNorm;
			return {
				layer,
				calibrated: calibratedStrength,
				raw,
				directionNorm,
				typicalNorm,
				pushNorm,
				pushRatio: pushNorm / typicalNorm
			};
		});
}

/**
 * Rescales every direction so that ‖v_il‖ = c × typicalNorm_il. A file saved from the result, applied
 * at strength (= raw α) 1.0 by any runtime, gives the recommended push; the sign is kept.
 */
export function bakeCalibration(
	vector: SteeringVector,
	norms: LayerNorms,
	options: CalibrationOptions = {}
): SteeringVector {
	const directions = new Map<number, Float32Array>();
	for (const [layer, direction] of vector.directions) {
		const factor = calibratedToRaw(1, normFor(norms, layer), directionLength(vector, layer), options);
		directions.set(
			layer,
			direction.map((value) => value * factor)
		);
	}
	return { nEmbd: vector.nEmbd, directions };
}

function rawPerCalibrated(typicalNorm: number, directionNorm: number, options: CalibrationOptions): number {
	const fraction = options.pushFraction ?? DEFAULT_PUSH_FRACTION;
	if (!(fraction > 0) || !Number.isFinite(fraction))
		throw new RangeError(`pushFraction must be a positive number, got ${fraction}`);
	if (!(typicalNorm > 0) || !Number.isFinite(typicalNorm)) {
		throw new RangeError(`typical hidden-state norm must be a positive number, got ${typicalNorm}`);
	}
	if (!(directionNorm > 0) || !Number.isFinite(directionNorm)) {
		throw new RangeError(
			`direction norm must be a positive number, got ${directionNorm} (an all-zero direction cannot be calibrated)`
		);
	}
	return (fraction * typicalNorm) / directionNorm;
}

function normFor(norms: LayerNorms, layer: number): number {
	const value = norms.get(layer);
	if (value === undefined) {
		throw new RangeError(
			`no typical hidden-state norm for layer ${layer}; calibration needs the training diagnostics of every layer in the vector`
		);
	}
	if (!(value > 0) || !Number.isFinite(value))
		throw new RangeError(`typical hidden-state norm of layer ${layer} must be positive, got ${value}`);
	return value;
}

function directionLength(vector: SteeringVector, layer: number): number {
	const direction = vector.directions.get(layer) as Float32Array;
	if (direction.length !== vector.nEmbd) {
		throw new RangeError(
			`layer ${layer}: direction has length ${direction.length} but the vector's nEmbd is ${vector.nEmbd}`
		);
	}
	let sum = 0;
	for (let k = 0; k < direction.length; k++) sum += direction[k] * direction[k];
	const length = Math.sqrt(sum);
	if (!(length > 0)) throw new RangeError(`layer ${layer}: the direction is all zeros and cannot be calibrated`);
	return length;
}
