/**
 * Contrast pairs from a one-line description of a behaviour, written by the instruct model itself (as
 * persona vectors are made, Chen et al. 2025): each neutral question is answered twice, once under a
 * system message asking for the behaviour ("You answer like a pirate.") and once under one asking for
 * its opposite ("You answer plainly."), and the two answers become a pair. The pair keeps the question
 * but not the system messages, so a vector trained on it reads the behaviour in the answers themselves —
 * what it must bring about when no system message asks for it.
 */
import type { SteerableModel } from "./steerableModel";

/** Everyday questions that do not ask for any particular behaviour, for the model to answer both ways. */
export const NEUTRAL_QUESTIONS: readonly string[] = [
	"How do I make a cup of tea?",
	"What should I pack for a day at the beach?",
	"Can you explain how rain forms?",
	"What is a good way to start learning to cook?",
	"How do I water a houseplant?",
	"What can I do on a rainy afternoon?",
	"How does a bicycle work?",
	"What is the best way to remember a shopping list?",
	"Why do cats sleep so much?",
	"How do I write a thank-you note?",
	"What makes a good breakfast?",
	"How far away is the moon?",
	"How do I tie my shoelaces?",
	"What should I do if I feel tired in the afternoon?",
	"How do birds find their way?",
	"What is a fun game to play with friends?",
	"How do I keep my room tidy?",
	"Why is the sky blue?",
	"How do I plan a picnic?",
	"What is a good book for a long train ride?"
];

export interface TraitPair {
	/** The question, as the user's message. */
	readonly prompt: string;
	/** The answer written with the behaviour. */
	readonly positive: string;
	/** The answer written with its opposite. */
	readonly negative: string;
	/** Which behaviour was asked for on each side, so the dataset says where its pairs came from. */
	readonly label: string;
}

export interface TraitPairOptions {
	/** The behaviour, as the system message that asks for it, e.g. "You answer like a pirate." */
	readonly trait: string;
	/** Its opposite, e.g. "You answer plainly." */
	readonly opposite: string;
	/** Default NEUTRAL_QUESTIONS. */
	readonly questions?: readonly string[];
	/** Default 64. */
	readonly maxTokens?: number;
	/** Default 0.7. */
	readonly temperature?: number;
	/** Question i is answered with seed + i on both sides. Default 1. */
	readonly seed?: number;
	readonly signal?: AbortSignal;
	/** After each answer: (answers done, answers in all). */
	readonly onProgress?: (done: number, total: number) => void;
}

export interface TraitPairResult {
	readonly pairs: readonly TraitPair[];
	/** Questions whose two answers were the same text or one was empty: no contrast, so no pair. */
	readonly skipped: readonly string[];
}

/**
 * `answer(system)` is the instruct model generating in chat mode under that system message
 * (engineSteerableModel(engine, { chat: { system } })); both sides use the same seed per question, so the
 * pair differs by the system message alone.
 */
export async function traitPairs(
	answer: (system: string) => SteerableModel,
	options: TraitPairOptions
): Promise<TraitPairResult> {
	const trait = options.trait.trim();
	const opposite = options.opposite.trim();
	if (trait.length === 0) throw new RangeError('describe the behaviour, e.g. "You answer like a pirate."');
	if (opposite.length === 0) throw new RangeError('describe its opposite, e.g. "You answer plainly."');
	if (trait === opposite)
		throw new RangeError("the behaviour and its opposite are the same text: there is nothing to contrast");
	const questions = (options.questions ?? NEUTRAL_QUESTIONS).map((question) => question.trim()).filter(Boolean);
	if (questions.length === 0) throw new RangeError("no questions to answer");
	const maxTokens = options.maxTokens ?? 64;
	const temperature = options.temperature ?? 0.7;
	const seed = options.seed ?? 1;
	const withTrait = answer(trait);
	const withOpposite = answer(opposite);
	const pairs: TraitPair[] = [];
	const skipped: string[] = [];
	let done = 0;
	for (const [index, question] of questions.entries()) {
		const request = { prompt: question, maxTokens, temperature, seed: seed + index, steering: [] };
		options.signal?.throwIfAborted();
		const positive = (await withTrait.generate(request, options.signal)).trim();
		options.onProgress?.(++done, questions.length * 2);
		options.signal?.throwIfAborted();
		const negative = (await withOpposite.generate(request, options.signal)).trim();
		options.onProgress?.(++done, questions.length * 2);
		if (positive.length === 0 || negative.length === 0 || positive === negative) skipped.push(question);
		else
			pairs.push({
				prompt: question,
				positive: toLastSentence(positive),
				negative: toLastSentence(negative),
				label: `${shortened(trait)} / ${shortened(opposite)}`
			});
	}
	return { pairs, skipped };
}

/**
 * An answer cut by the token limit ends mid-word; it is cut back to its last finished sentence when that
 * keeps at least half of it (a pair's two sides should both read as whole answers).
 */
export function toLastSentence(text: string): string {
	const trimmed = text.trim();
	if (/[.!?…)"']$/.test(trimmed)) return trimmed;
	const end = Math.max(...[". ", "! ", "? ", ".\n", "!\n", "?\n"].map((mark) => trimmed.lastIndexOf(mark)));
	return end + 1 >= trimmed.length / 2 ? trimmed.slice(0, end + 1) : trimmed;
}

/** A description as a label: its first 40 characters. */
function shortened(description: string): string {
	return description.length > 40 ? `${description.slice(0, 39).trimEnd()}…` : description;
}

const NAME_FILLER = new Set(
	"you are a an the your always answer answers talk talks speak speaks write writes like as and with in of to who is be".split(
		" "
	)
);

/** A dataset name from a description: its first word that says something ("You are a pirate…" → "pirate"). */
export function nameFromDescription(description: string): string {
	const word = description
		.toLowerCase()
		.split(/[^\p{L}\p{N}]+/u)
		.find((candidate) => candidate.length > 1 && !NAME_FILLER.has(candidate));
	return word ?? "behaviour";
}
