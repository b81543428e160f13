import type { ContrastPair } from "../contrastPair";

export interface PromptPairOptions {
	/** Appended to the shorter prompt until the lengths match; a space, as in ActAdd, by default. */
	readonly padWith?: string;
	/**
	 * Length of a text in the model's tokens. By default Unicode code points are counted, which makes
	 * the two texts equally long in characters only; pass the model's token count for ActAdd's
	 * alignment of token positions.
	 */
	readonly countTokens?: (text: string) => number;
}

const countCodePoints = (text: string) => [...text].length;

/**
 * One ActAdd-style pair from two prompts ("Love" and "Hate"): the shorter is padded at its end until
 * both have the same length, so that activations can be subtracted position by position. Throws if
 * padding cannot reach the same length exactly, for instance when the tokenizer merges repeated
 * padding into one token; choose another `padWith` then.
 */
export function promptPair(positive: string, negative: string, options: PromptPairOptions = {}): ContrastPair {
	const { padWith = " ", countTokens = countCodePoints } = options;
	if (positive === "" || negative === "") throw new Error("Both prompts of an ActAdd pair must be non-empty.");
	if (positive === negative) throw new Error(`Both prompts are "${positive}"; a pair needs two different prompts.`);
	if (padWith === "") throw new Error("padWith must not be empty.");

	const positiveLength = countTokens(positive);
	const negativeLength = countTokens(negative);
	if (positiveLength === negativeLength) return { positive, negative };
	const longLength = Math.max(positiveLength, negativeLength);
	const padPositive = positiveLength < negativeLength;
	let padded = padPositive ? positive : negative;
	// Each pad should add at least one token; a few that do not are tolerated, an endless loop is not.
	const maxPads = 2 * Math.abs(positiveLength - negativeLength) + 8;
	for (let pads = 0; countTokens(padded) < longLength; pads++) {
		if (pads === maxPads) {
			throw new Error(
				`Padding "${padded.trimEnd()}" with ${JSON.stringify(padWith)} does not lengthen it to ${longLength} tokens; choose another padWith.`
			);
		}
		padded += padWith;
	}
	if (countTokens(padded) !== longLength) {
		throw new Error(
			`Padding with ${JSON.stringify(padWith)} overshoots ${longLength} tokens (reaches ${countTokens(padded)}); choose a padWith that is a single token.`
		);
	}
	return padPositive ? { positive: padded, negative } : { positive, negative: padded };
}
