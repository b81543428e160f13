/**
 * Perplexity from per-token log-probabilities: exp(−mean log p). Natural logarithms, as llama.cpp and
 * node-llama-cpp report them. A fluent text scores low; steering that breaks the model drives it up.
 */
export function perplexity(tokenLogProbabilities: ArrayLike<number>): number {
	const n = tokenLogProbabilities.length;
	if (n === 0) throw new RangeError("perplexity needs at least one token log-probability");
	let sum = 0;
	for (let i = 0; i < n; i++) {
		const value = tokenLogProbabilities[i];
		if (!(value <= 0) || Number.isNaN(value)) {
			throw new RangeError(
				`token ${i} has log-probability ${value}; log-probabilities must be ≤ 0 (natural log of a probability)`
			);
		}
		sum += value;
	}
	return Math.exp(-sum / n);
}
