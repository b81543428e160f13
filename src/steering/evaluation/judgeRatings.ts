/**
 * Ratings as AxBench judges steered text: three questions to a judge model, each answered 0, 1 or 2 —
 * is the concept there, does the text answer the instruction, is it fluent — combined by their harmonic
 * mean, so a text scores 0 when any one of them is 0 (a fluent answer without the concept, or the
 * concept in gibberish, is not a success). AxBench found that this combined score ranks prompting above
 * steering on large models; Steer reports both next to each other.
 *
 * The judge's rating is read from its probabilities for the three answers rather than from text it
 * writes: no parsing, no sampling noise, and the expected rating shows how sure the judge was.
 */

export type RatingCriterion = "concept" | "instruction" | "fluency";
export const RATING_CRITERIA: readonly RatingCriterion[] = ["concept", "instruction", "fluency"];

/** The answers a judge can give; also the rating each stands for. */
export const RATING_ANSWERS = ["0", "1", "2"] as const;

export interface RatedText {
	/** The concept the text should carry, e.g. "the sea" or "answers like a pirate". */
	readonly concept: string;
	/** What the text was asked for: the user's request, or the opening it continues. */
	readonly instruction: string;
	/** The generated text being rated. */
	readonly response: string;
}

const scales: Record<RatingCriterion, (text: RatedText) => string> = {
	concept: ({ concept }) =>
		`How clearly does the response carry this concept: "${concept}"? Judge only the concept, not grammar or sense. 0: the concept is absent. 1: it is hinted at or brief. 2: it is clearly present.`,
	instruction: () =>
		"How well does the response follow the instruction? Judge only whether it does what was asked. 0: it ignores the instruction. 1: it follows it in part. 2: it follows it.",
	fluency: () =>
		"How fluent is the response? Judge only the language, not the content. 0: broken, repetitive or not language. 1: readable with clear errors. 2: fluent and natural."
};

/** One judge question: the instruction and response quoted, the scale, and a request for the digit alone. */
export function ratingQuestion(criterion: RatingCriterion, text: RatedText): string {
	checkRatedText(text);
	const scale = scales[criterion];
	if (!scale) throw new RangeError(`unknown rating criterion ${JSON.stringify(criterion)}`);
	return [
		"Rate a response to an instruction.",
		"",
		`Instruction: ${text.instruction.trim()}`,
		// Fenced: answers run over several lines, and the judge must see where the response ends.
		'Response (between the triple quotes):\n"""',
		text.response.trim(),
		'"""',
		"",
		scale(text),
		"Answer with a single digit: 0, 1 or 2."
	].join("\n");
}

/** Refuses an empty or multi-line concept with a message that says what to give. */
export function checkConcept(concept: string): void {
	if (typeof concept !== "string" || concept.trim().length === 0)
		throw new RangeError('the concept to rate is empty; say what the text should carry, e.g. "the sea"');
	if (/[\r\n]/.test(concept.trim())) throw new RangeError("the concept must be a single line");
}

function checkRatedText({ concept, instruction, response }: RatedText): void {
	checkConcept(concept);
	if (typeof instruction !== "string") throw new RangeError("the instruction must be a string");
	if (typeof response !== "string") throw new RangeError("the response must be a string");
}

export interface JudgeRating {
	/** The answer the judge finds most likely (ties go to the lower rating). */
	readonly rating: 0 | 1 | 2;
	/** The rating weighted by the judge's probabilities of the three answers, in [0, 2]. */
	readonly expected: number;
	/** P(0), P(1), P(2), renormalised over the three answers. */
	readonly probabilities: readonly [number, number, number];
}

/** A rating from the judge's natural-log probabilities of the answers "0", "1" and "2". */
export function ratingFromLogProbs(logProbs: readonly [number, number, number]): JudgeRating {
	if (logProbs.length !== 3) throw new RangeError(`a rating needs 3 log-probabilities, got ${logProbs.length}`);
	for (const value of logProbs)
		if (Number.isNaN(value) || value === Infinity || value > 1e-9)
			throw new RangeError(`log-probabilities must be ≤ 0, got ${value}`);
	const top = Math.max(...logProbs);
	if (top === -Infinity) throw new RangeError("the judge gave every answer zero probability");
	const weights = logProbs.map((value) => Math.exp(value - top));
	const total = weights[0]! + weights[1]! + weights[2]!;
	const probabilities = weights.map((weight) => weight / total) as [number, number, number];
	const rating = logProbs.indexOf(top) as 0 | 1 | 2;
	return { rating, expected: probabilities[1] + 2 * probabilities[2], probabilities };
}

/** AxBench's combined score: the harmonic mean of the three ratings, 0 when any is 0. */
export function harmonicScore(ratings: Readonly<Record<RatingCriterion, number>>): number {
	const values = RATING_CRITERIA.map((criterion) => ratings[criterion]);
	for (const value of values)
		if (!Number.isFinite(value) || value < 0 || value > 2)
			throw new RangeError(`ratings lie in [0, 2], got ${value}`);
	if (values.some((value) => value === 0)) return 0;
	return values.length / values.reduce((sum, value) => sum + 1 / value, 0);
}

/**
 * The prompt-only baseline's request: the user's request with the concept asked for in words, as
 * AxBench writes its prompting baseline. It is rated against the original request, not this one.
 */
export function promptWithConcept(instruction: string, concept: string): string {
	checkRatedText({ concept, instruction, response: "" });
	return `${instruction.trim()}\n\n(In your answer, include this concept: ${concept.trim()}.)`;
}
