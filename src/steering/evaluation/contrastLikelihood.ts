/**
 * How much likelier a model finds the texts that show a concept than the texts that lack it: the mean
 * log-probability of the positives minus that of the negatives, each text summed over its tokens
 * (nats per text). Steering that pushes toward the concept raises it; the rise over the unsteered
 * model's gap is the effect read from the model's output distribution on the training pairs, with no
 * keywords and no hidden state: a push along the direction at one layer that the next-token
 * predictions do not follow does not count (CAA measures steering the same way, by the probability of
 * the answer that shows the behaviour).
 */
export interface ContrastText {
	readonly positive: boolean;
	/** Natural-log probability of each of its tokens. */
	readonly logProbs: ArrayLike<number>;
}

/** Mean over the positives of their summed log-probability minus the same over the negatives. */
export function contrastLogLikelihoodGap(texts: readonly ContrastText[]): number {
	const sums = { positive: { total: 0, count: 0 }, negative: { total: 0, count: 0 } };
	for (const [index, text] of texts.entries()) {
		let total = 0;
		for (let t = 0; t < text.logProbs.length; t++) {
			const value = text.logProbs[t]!;
			if (!(value <= 0))
				throw new RangeError(
					`text ${index + 1}, token ${t + 1} has log-probability ${value}; log-probabilities must be ≤ 0`
				);
			total += value;
		}
		const side = text.positive ? sums.positive : sums.negative;
		side.total += total;
		side.count++;
	}
	if (sums.positive.count === 0 || sums.negative.count === 0)
		throw new RangeError("the likelihood gap needs at least one text with the concept and one without");
	return sums.positive.total / sums.positive.count - sums.negative.total / sums.negative.count;
}
