/** Splits text into pieces whose concatenation is the text again, e.g. the model's token strings. */
export type TextSplitter = (text: string) => readonly string[];

/** Each word together with the whitespace before it, so joining the pieces gives back the text. */
export const splitIntoWordPieces: TextSplitter = (text) => text.match(/\s*\S+/g) ?? [];

/**
 * Every prefix of every text, one piece longer each time: "I think", → "I", "I think". repeng makes its
 * suffixes this way from example answers cut at every token, so a persona is contrasted at many points
 * of an answer instead of at one fixed ending. Pass the model's tokenizer (as token strings) for that
 * exact behaviour; without one, texts are cut between words, which needs no model and gives fewer,
 * coarser suffixes. Unlike repeng the complete text is included too. Duplicates (the common opening
 * words of several texts) are kept once, in first-seen order; whitespace-only prefixes are skipped.
 */
export function truncationSuffixes(texts: readonly string[], split: TextSplitter = splitIntoWordPieces): string[] {
	const suffixes = new Set<string>();
	for (const text of texts) {
		let prefix = "";
		for (const piece of split(text)) {
			prefix += piece;
			if (prefix.trim() !== "") suffixes.add(prefix);
		}
	}
	return [...suffixes];
}
