/**
 * The "suffix score" (SelfControl): append a yes/no question about the text and read the model's own
 * probability of answering Yes. It needs no labelled data and no second model, which suits an editor.
 */

/** The question appended after the generated text, e.g. trait "happy" → "Is the above text happy? …". */
export function selfJudgeSuffix(trait: string): string {
	const cleaned = trait.trim().replace(/[?.!\s]+$/, "");
	if (cleaned.length === 0) throw new RangeError("the self-judge question needs a non-empty trait");
	if (/[\r\n]/.test(cleaned)) throw new RangeError("the trait must be a single line");
	return `\n\nIs the above text ${cleaned}? Answer Yes or No.`;
}

export type YesNoScale = "logits" | "probabilities";

/**
 * P(Yes | Yes or No) from the model's scores for the "Yes" and "No" tokens, in [0, 1].
 *
 * Only the two answers are compared, so probability mass on other tokens (" yes", punctuation) does not
 * dilute the score. With logits (or log-probabilities, which differ from logits by a constant) this is
 * sigmoid(yes − no); with probabilities it is yes / (yes + no).
 */
export function selfJudgeScore(yes: number, no: number, scale: YesNoScale): number {
	if (!Number.isFinite(yes) && !(scale === "logits" && yes === -Infinity)) {
		throw new RangeError(`"Yes" score must be a number, got ${yes}`);
	}
	if (!Number.isFinite(no) && !(scale === "logits" && no === -Infinity)) {
		throw new RangeError(`"No" score must be a number, got ${no}`);
	}
	if (scale === "logits") {
		if (yes === -Infinity && no === -Infinity) throw new RangeError('both "Yes" and "No" have zero probability');
		const difference = yes - no;
		return difference >= 0 ? 1 / (1 + Math.exp(-difference)) : Math.exp(difference) / (1 + Math.exp(difference));
	}
	if (scale === "probabilities") {
		if (yes < 0 || no < 0 || yes > 1 || no > 1)
			throw new RangeError(`probabilities must lie in [0, 1], got Yes=${yes}, No=${no}`);
		if (yes + no === 0) throw new RangeError('both "Yes" and "No" have zero probability');
		return yes / (yes + no);
	}
	throw new RangeError(`scale must be "logits" or "probabilities", got "${String(scale)}"`);
}
