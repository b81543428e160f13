/** Reading and comparing captured hidden states, for the engine's exactness tests. */
import assert from "node:assert/strict";
import type { CapturedItem } from "../../src/engine/protocol";

/** The hidden states of one layer of a capture; fails the test when the layer is missing. */
export function layerOf(item: CapturedItem, layer: number): Float32Array {
	const found = item.layers.find((entry) => entry.layer === layer);
	assert.ok(found, `layer ${layer} missing from capture`);
	return found.hidden;
}

export function maxAbsDifference(a: Float32Array, b: Float32Array): number {
	assert.equal(a.length, b.length);
	let max = 0;
	for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
	return max;
}

export function maxAbs(values: Float32Array): number {
	let max = 0;
	for (const value of values) max = Math.max(max, Math.abs(value));
	return max;
}
