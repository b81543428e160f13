/**
 * The control vector one context holds now. Compared by value, because every change makes llama.cpp
 * rebuild its compute graph and, for generation, drops the KV cache: a request that repeats the
 * current steering must cost nothing.
 */
import { buildControlVectorBuffer, type ControlVectorBuffer } from "../controlVectorBuffer";
import type { SteeringEntry } from "../protocol";

export class AppliedSteering {
	/** null: no control vector. */
	private data: Float32Array | null = null;

	constructor(
		private readonly shape: { readonly nLayer: number; readonly nEmbd: number },
		private readonly apply: (buffer: ControlVectorBuffer | null) => void
	) {}

	/** Applies `entries` unless the context holds the same data already; true when it changed. */
	update(entries: readonly SteeringEntry[]): boolean {
		const buffer = buildControlVectorBuffer(entries, this.shape.nLayer, this.shape.nEmbd);
		if (sameData(buffer?.data ?? null, this.data)) return false;
		this.apply(buffer);
		this.data = buffer?.data ?? null;
		return true;
	}

	/** The context's control vector was changed behind this object's back: apply the next update in any case. */
	forget(): void {
		this.data = new Float32Array(0);
	}
}

function sameData(a: Float32Array | null, b: Float32Array | null): boolean {
	if (a === null || b === null) return a === b;
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}
