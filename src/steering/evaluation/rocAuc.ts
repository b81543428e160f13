/**
 * The area under the ROC curve of a score that should rank positives above negatives: the share of
 * (positive, negative) pairs the score orders correctly, ties counting half (the Mann–Whitney U
 * statistic divided by the number of pairs). 1 separates perfectly, 0.5 is chance, 0 is inverted.
 */
export function rocAuc(positives: readonly number[], negatives: readonly number[]): number {
	if (positives.length === 0 || negatives.length === 0)
		throw new RangeError("the AUC needs at least one positive and one negative score");
	for (const score of [...positives, ...negatives]) if (Number.isNaN(score)) throw new RangeError("a score is NaN");
	// Rank all scores together (average ranks for ties), then U = rank sum of positives − n₁(n₁+1)/2.
	const all = [
		...positives.map((score) => ({ score, positive: true })),
		...negatives.map((score) => ({ score, positive: false }))
	].sort((a, b) => a.score - b.score);
	let positiveRankSum = 0;
	for (let start = 0; start < all.length;) {
		let end = start;
		while (end + 1 < all.length && all[end + 1]!.score === all[start]!.score) end++;
		const averageRank = (start + end) / 2 + 1;
		for (let i = start; i <= end; i++) if (all[i]!.positive) positiveRankSum += averageRank;
		start = end + 1;
	}
	const n1 = positives.length;
	const u = positiveRankSum - (n1 * (n1 + 1)) / 2;
	return u / (n1 * negatives.length);
}
