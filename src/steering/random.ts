/**
 * mulberry32: a tiny seeded PRNG giving uniform numbers in [0, 1). Identical on every platform, which
 * is what byte-identical test models, reproducible training splits and reproducible tests need.
 */
export function mulberry32(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
