/**
 * Where each token of a text sits in the document. The engine returns token pieces, not offsets,
 * and tokenizers add BOS, drop or rewrite leading spaces, or split characters across tokens, so each
 * piece is searched for a little ahead of where the previous one ended; a piece that cannot be found
 * (BOS, a partial character) gets no range rather than a wrong one.
 */
export interface TokenSpan {
	readonly index: number;
	readonly start: number;
	readonly end: number;
}

const LOOKAHEAD = 8;

export function locateTokens(text: string, pieces: readonly string[]): TokenSpan[] {
	const spans: TokenSpan[] = [];
	let cursor = 0;
	pieces.forEach((piece, index) => {
		const candidates = [piece, piece.replace(/^\u2581/, " ").replace(/\u2581/g, " "), piece.trimStart()];
		for (const candidate of candidates) {
			if (candidate.length === 0) continue;
			const found = text.indexOf(candidate, cursor);
			// A whitespace-only piece (a tokenizer's dummy prefix space) matches only where we are;
			// searched for ahead, it would claim the next space and push every later token off its word.
			const reach = candidate.trim() === "" ? 0 : LOOKAHEAD;
			if (found >= 0 && found - cursor <= reach) {
				// A leading space is part of the token but highlighting it looks like a gap; start at the word.
				const leading = candidate.length - candidate.trimStart().length;
				const start = candidate.trim() === "" ? found : found + leading;
				spans.push({ index, start, end: found + candidate.length });
				cursor = found + candidate.length;
				return;
			}
		}
	});
	return spans;
}
