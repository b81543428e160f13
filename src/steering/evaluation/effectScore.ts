/**
 * Cheap lexical measure of a steering effect: how often concept words occur, per 100 words.
 *
 * Normalising by length matters because steering often changes how long the model talks; a raw count
 * would reward verbosity. Plain-string patterns match whole words case-insensitively ("happy" does not
 * match "unhappy"); RegExp patterns are used as written (made global), e.g. for word stems.
 */

export interface EffectScore {
	/** Total matches over all patterns (overlapping patterns count separately). */
	readonly matches: number;
	/** Words in the text (runs of letters, digits, apostrophes or hyphens). */
	readonly words: number;
	/** matches / words × 100; 0 for an empty text. */
	readonly perHundredWords: number;
	/** Matches per pattern, in the order given. */
	readonly byPattern: number[];
}

export function effectScore(text: string, patterns: readonly (string | RegExp)[]): EffectScore {
	if (patterns.length === 0) throw new RangeError("effect score needs at least one keyword or pattern");
	const words = text.match(/[\p{L}\p{N}'’-]+/gu)?.length ?? 0;
	const byPattern = patterns.map((pattern, index) => {
		const regex = toGlobalRegex(pattern, index);
		let count = 0;
		for (const match of text.matchAll(regex)) if (match[0].length > 0) count++;
		return count;
	});
	const matches = byPattern.reduce((sum, count) => sum + count, 0);
	return { matches, words, perHundredWords: words > 0 ? (100 * matches) / words : 0, byPattern };
}

function toGlobalRegex(pattern: string | RegExp, index: number): RegExp {
	if (pattern instanceof RegExp) return pattern.global ? pattern : new RegExp(pattern.source, pattern.flags + "g");
	const keyword = pattern.trim();
	if (keyword.length === 0) throw new RangeError(`keyword ${index} is empty`);
	const escaped = keyword.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
	// Letter/digit look-arounds instead of \b so that non-ASCII words get whole-word matching too.
	return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, "giu");
}
