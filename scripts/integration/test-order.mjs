// A seeded shuffle shared by the runner (UI test modules) and the extension-host index (test files), so
// that a failure seen in one order can be replayed with the seed the run printed.

/**
 * A copy of `items` in an order fixed by `seed` (Fisher–Yates over a mulberry32 generator).
 * @template T
 * @param {readonly T[]} items
 * @param {number} seed
 * @returns {T[]}
 */
export function shuffledBySeed(items, seed) {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const result = [...items];
	for (let i = result.length - 1; i > 0; i--) {
		const j = Math.floor(next() * (i + 1));
		[result[i], result[j]] = [result[j], result[i]];
	}
	return result;
}

/** The seed of STEER_TEST_ORDER_SEED, or undefined for the usual sorted order. */
export function testOrderSeed() {
	const value = process.env.STEER_TEST_ORDER_SEED;
	if (value === undefined || value === "") return undefined;
	const seed = Number(value);
	if (!Number.isInteger(seed) || seed < 0)
		throw new Error(`STEER_TEST_ORDER_SEED must be a whole number ≥ 0, got "${value}"`);
	return seed;
}
