/**
 * What the model sees around the cursor. Both sides are capped: prompt evaluation time grows with
 * length, and on a small local model the nearest text is what shapes the next words anyway.
 */

/** Characters before the cursor used as the prompt. */
export const PREFIX_CHARACTERS = 2000;
/**
 * Characters after the cursor sent for fill-in-the-middle. Smaller than the prefix: the completion
 * has to fit what follows it, and only the nearest part of what follows constrains that.
 */
export const SUFFIX_CHARACTERS = 500;

export interface CompletionContext {
	readonly prefix: string;
	readonly suffix: string;
}

/**
 * The capped text either side of `offset` in a document of `length` characters; `textBetween` reads
 * a range of it (a document's `getText` over a range, or a string's `slice`).
 */
export function completionContext(
	offset: number,
	length: number,
	textBetween: (start: number, end: number) => string
): CompletionContext {
	return {
		prefix: textBetween(Math.max(0, offset - PREFIX_CHARACTERS), offset),
		suffix: textBetween(offset, Math.min(length, offset + SUFFIX_CHARACTERS))
	};
}
