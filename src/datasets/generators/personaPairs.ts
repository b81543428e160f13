import type { ContrastPair } from "../contrastPair";
import type { ChatFormatter } from "./chatTemplate";

export interface PersonaPairOptions {
	/** A statement with a `{persona}` placeholder, e.g. "Act as if you're extremely {persona}." */
	readonly template: string;
	/** Personas of the positive side; `positive[i]` is contrasted with `negative[i]`. */
	readonly positive: readonly string[];
	readonly negative: readonly string[];
	/** Openings of an answer, each appended to every statement; see `truncationSuffixes`. */
	readonly suffixes: readonly string[];
	/** Shared prefix kept as each pair's `prompt` in plain-text mode, e.g. a raw "[INST] " tag. */
	readonly prompt?: string;
	/** Put between the statement and the suffix in plain-text mode; a space by default. */
	readonly separator?: string;
	/** Render as a chat instead: the statement as the user message, the suffix as the answer's start. */
	readonly chat?: { readonly format: ChatFormatter; readonly systemPrompt?: string };
}

const PLACEHOLDER = "{persona}";

/**
 * Contrast pairs in the style of repeng: a statement asking the model to be one persona or its
 * opposite, followed by the same opening of an answer. Every persona pair is crossed with every
 * suffix, so the two texts of a pair differ only in the persona word and the vector captures the
 * persona rather than any particular answer. Pairs are ordered by suffix, then persona, and labelled
 * "positive vs negative".
 */
export function personaPairs(options: PersonaPairOptions): ContrastPair[] {
	const { template, positive, negative, suffixes, prompt, separator = " ", chat } = options;
	if (!template.includes(PLACEHOLDER)) {
		throw new Error(`Persona template "${template}" has no ${PLACEHOLDER} placeholder to put the persona in.`);
	}
	if (positive.length === 0 || positive.length !== negative.length) {
		throw new Error(
			`Persona lists must be non-empty and equally long, since positive[i] is contrasted with negative[i]; got ${positive.length} positive and ${negative.length} negative.`
		);
	}
	if (suffixes.length === 0)
		throw new Error('At least one suffix is needed; an empty string "" stands for no suffix.');
	if (chat !== undefined && prompt !== undefined) {
		throw new Error("prompt applies to plain-text pairs only; with chat, give chat.systemPrompt instead.");
	}

	const statementFor = (persona: string) => template.replaceAll(PLACEHOLDER, persona);
	const render =
		chat === undefined
			? (persona: string, suffix: string) =>
					suffix === "" ? statementFor(persona) : statementFor(persona) + separator + suffix
			: (persona: string, suffix: string) =>
					chat.format([
						...(chat.systemPrompt === undefined
							? []
							: [{ role: "system" as const, content: chat.systemPrompt }]),
						{ role: "user", content: statementFor(persona) },
						{ role: "assistant", content: suffix }
					]);

	const pairs: ContrastPair[] = [];
	for (const suffix of suffixes) {
		positive.forEach((positivePersona, index) => {
			const negativePersona = negative[index]!;
			pairs.push({
				...(prompt === undefined ? {} : { prompt }),
				positive: render(positivePersona, suffix),
				negative: render(negativePersona, suffix),
				label: `${positivePersona} vs ${negativePersona}`
			});
		});
	}
	return pairs;
}
