/**
 * The candidate closest to `name` by edit distance, if it is close enough to be a likely typo
 * ("postive" → "positive"); otherwise undefined so that no misleading suggestion is made.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
	const lowered = name.toLowerCase();
	let best: string | undefined;
	let bestDistance = Infinity;
	for (const candidate of candidates) {
		const distance = editDistance(lowered, candidate.toLowerCase());
		if (distance < bestDistance) {
			best = candidate;
			bestDistance = distance;
		}
	}
	const tolerated = Math.max(1, Math.floor((best?.length ?? 0) / 3));
	return bestDistance <= tolerated ? best : undefined;
}

function editDistance(a: string, b: string): number {
	let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
	for (let i = 1; i <= a.length; i++) {
		const current = [i];
		for (let j = 1; j <= b.length; j++) {
			const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
			current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
		}
		previous = current;
	}
	return previous[b.length]!;
}
