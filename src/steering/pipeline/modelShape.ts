/**
 * Refusing a vector made for another model before it is used: a width mismatch would fail deep in the
 * engine, and a layer beyond the model's depth would be ignored silently.
 */
import type { SteeringVector } from "../vector";

export function checkVectorFitsModel(
	vector: SteeringVector,
	model: { readonly nLayer: number; readonly nEmbd: number; readonly architecture?: string },
	what = "the vector",
	modelHint?: string
): void {
	const madeFor = modelHint ? ` (it was made for a ${modelHint} model)` : "";
	if (vector.nEmbd !== model.nEmbd) {
		throw new RangeError(
			`${what} is ${vector.nEmbd} wide but the model's hidden state is ${model.nEmbd} wide${madeFor}`
		);
	}
	const deepest = Math.max(...vector.directions.keys());
	if (deepest >= model.nLayer) {
		throw new RangeError(
			`${what} steers layer ${deepest} but the model has layers 0..${model.nLayer - 1}${madeFor}`
		);
	}
}
