/**
 * The in-memory form of a steering vector: one direction per transformer block.
 *
 * Layer numbering follows llama.cpp everywhere in Steer: the direction stored under layer `il` is added
 * to the output of transformer block `il` (llama.cpp's tensor `l_out-il`). llama.cpp cannot steer
 * block 0, so a valid vector never has layer 0. Keeping one convention end to end matters because a
 * shift by one layer fails silently.
 */
export interface SteeringVector {
	/** Width of the residual stream the directions belong to. */
	readonly nEmbd: number;
	/** Direction per layer (1-based block index as in llama.cpp), each of length `nEmbd`. */
	readonly directions: ReadonlyMap<number, Float32Array>;
}

/** A vector together with the strength it should be applied with (h ← h + strength · v). */
export interface WeightedVector {
	readonly vector: SteeringVector;
	readonly strength: number;
	/** Optional inclusive layer range outside of which this vector's directions are ignored. */
	readonly layerRange?: readonly [number, number];
}
