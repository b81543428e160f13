import type { ContrastPair } from "../contrastPair";
import type { ChatTurn, LabelledExample } from "../labelledExample";

export interface ChatMessage {
	readonly role: "system" | "user" | "assistant";
	readonly content: string;
}

/**
 * Renders a conversation as the exact text a chat model is prompted with. The conversation ends with
 * an assistant message whose content is the beginning of the model's answer; the formatter must leave
 * that turn open (no end-of-turn marker) so that the text reads as the model in the middle of replying.
 * `createChatFormatter` builds one from a node-llama-cpp chat wrapper.
 */
export type ChatFormatter = (messages: readonly ChatMessage[]) => string;

export interface ChatTemplateOptions {
	/** A system message put before every conversation whose pair has no `system` of its own. */
	readonly systemPrompt?: string;
}

/**
 * Wraps pairs in a chat model's template, since a chat model steered on raw text learns a direction
 * for a context it never sees when chatting.
 *
 * A pair with a `prompt` becomes a user message (the prompt) and the opening of the assistant's answer
 * (each completion, leading whitespace removed, as an answer does not start with a space). The result
 * keeps the rendered conversation up to the answer as its `prompt` whenever it is a prefix of both
 * rendered texts, which is so for every common template; otherwise the full texts are returned
 * without a prompt. A pair without a prompt becomes two user messages, each followed by the opening of
 * an empty answer. A pair's own `system` is its system message (else `options.systemPrompt`); the
 * rendered pairs hold it inside their texts, so they have no `system` field. Labels and ids are kept.
 */
export function applyChatTemplate(
	pairs: readonly ContrastPair[],
	format: ChatFormatter,
	options: ChatTemplateOptions = {}
): ContrastPair[] {
	const plan = planChatTemplate(pairs, options);
	return plan.assemble(plan.conversations.map(format));
}

export interface ChatTemplatePlan {
	/** Every conversation to render, in order; render each with the model's template. */
	readonly conversations: readonly (readonly ChatMessage[])[];
	/** Builds the pairs from the rendered conversations (same order as `conversations`). */
	assemble(rendered: readonly string[]): ContrastPair[];
}

/**
 * `applyChatTemplate` in two steps, for a template that is rendered elsewhere in one batch (the
 * engine renders with the loaded model's own chat wrapper): the conversations to render, then the
 * pairs built from the rendered texts.
 */
export function planChatTemplate(pairs: readonly ContrastPair[], options: ChatTemplateOptions = {}): ChatTemplatePlan {
	// Per pair: [positive, negative] without a prompt; [prompt, positive, negative] with one.
	const conversations = pairs.flatMap((pair) => {
		const systemPrompt = pair.system ?? options.systemPrompt;
		const conversation = (user: string, answer: string): ChatMessage[] => [
			...(systemPrompt === undefined ? [] : [{ role: "system" as const, content: systemPrompt }]),
			{ role: "user", content: user },
			{ role: "assistant", content: answer }
		];
		return pair.prompt === undefined
			? [conversation(pair.positive, ""), conversation(pair.negative, "")]
			: [
					conversation(pair.prompt, ""),
					conversation(pair.prompt, pair.positive.trimStart()),
					conversation(pair.prompt, pair.negative.trimStart())
				];
	});
	return {
		conversations,
		assemble(rendered) {
			if (rendered.length !== conversations.length) {
				throw new Error(`expected ${conversations.length} rendered conversations, got ${rendered.length}`);
			}
			let next = 0;
			return pairs.map((pair) => {
				const tags = {
					...(pair.label === undefined ? {} : { label: pair.label }),
					...(pair.id === undefined ? {} : { id: pair.id })
				};
				if (pair.prompt === undefined) {
					const positive = rendered[next++]!;
					const negative = rendered[next++]!;
					return { positive, negative, ...tags };
				}
				const prompt = rendered[next++]!;
				const positive = rendered[next++]!;
				const negative = rendered[next++]!;
				if (
					positive.startsWith(prompt) &&
					negative.startsWith(prompt) &&
					positive !== prompt &&
					negative !== prompt
				) {
					return {
						prompt,
						positive: positive.slice(prompt.length),
						negative: negative.slice(prompt.length),
						...tags
					};
				}
				return { positive, negative, ...tags };
			});
		}
	};
}

/** Renders conversations in a model's chat template elsewhere (the engine does it for the loaded model). */
export type ChatRenderer = (
	conversations: readonly (readonly ChatMessage[])[]
) => Promise<{ readonly texts: readonly string[]; readonly wrapper: string }>;

/**
 * The pairs an instruct model is trained on: each pair a conversation in the model's own template,
 * rendered in one batch by `render`. Returns the rendered pairs and the template's name.
 */
export async function renderPairsAsChats(
	pairs: readonly ContrastPair[],
	render: ChatRenderer,
	options: ChatTemplateOptions = {}
): Promise<{ pairs: ContrastPair[]; wrapper: string }> {
	const { items, wrapper } = await renderPlan(planChatTemplate(pairs, options), render);
	return { pairs: items, wrapper };
}

/** Renders a plan's conversations in one batch and assembles its items from the texts. */
async function renderPlan<T>(
	plan: { readonly conversations: readonly (readonly ChatMessage[])[]; assemble(rendered: readonly string[]): T[] },
	render: ChatRenderer
): Promise<{ items: T[]; wrapper: string }> {
	const { texts, wrapper } = await render(plan.conversations);
	return { items: plan.assemble(texts), wrapper };
}

/**
 * Why `pairs` cannot be trained as raw text, or undefined: a system message has no place outside a
 * chat template, and dropping it would train on other texts than the user wrote.
 */
export function rawTextProblem(pairs: readonly ContrastPair[]): string | undefined {
	const withSystem = pairs.filter((pair) => pair.system !== undefined).length;
	if (withSystem === 0) return undefined;
	return `${withSystem} of ${pairs.length} pairs have a "system" message, which only a chat template can carry`;
}

/**
 * `planChatTemplate` for labelled examples: an example with a `prompt` is its `system` message (else
 * `options.systemPrompt`), its `history`, the prompt as the user's message and the completion (leading
 * whitespace removed) as the opening of the assistant's answer; the rendered conversation up to the
 * answer becomes the example's `prompt` when it is a prefix of the whole, as for pairs. An example
 * without a prompt becomes a user message followed by the opening of an empty answer. The rendered
 * examples hold system and history inside their texts, so they have neither field; labels and ids
 * are kept.
 */
export function planExampleChats(
	examples: readonly LabelledExample[],
	options: ChatTemplateOptions = {}
): {
	readonly conversations: readonly (readonly ChatMessage[])[];
	assemble(rendered: readonly string[]): LabelledExample[];
} {
	const conversations = examples.flatMap((example) => {
		const systemPrompt = example.system ?? options.systemPrompt;
		const conversation = (history: readonly ChatTurn[], user: string, answer: string): ChatMessage[] => [
			...(systemPrompt === undefined ? [] : [{ role: "system" as const, content: systemPrompt }]),
			...history,
			{ role: "user", content: user },
			{ role: "assistant", content: answer }
		];
		const history = example.history ?? [];
		return example.prompt === undefined
			? [conversation(history, example.completion, "")]
			: [
					conversation(history, example.prompt, ""),
					conversation(history, example.prompt, example.completion.trimStart())
				];
	});
	return {
		conversations,
		assemble(rendered) {
			if (rendered.length !== conversations.length) {
				throw new Error(`expected ${conversations.length} rendered conversations, got ${rendered.length}`);
			}
			let next = 0;
			return examples.map((example) => {
				const tags = { label: example.label, ...(example.id === undefined ? {} : { id: example.id }) };
				if (example.prompt === undefined) return { completion: rendered[next++]!, ...tags };
				const prompt = rendered[next++]!;
				const whole = rendered[next++]!;
				if (whole.startsWith(prompt) && whole !== prompt)
					return { prompt, completion: whole.slice(prompt.length), ...tags };
				return { completion: whole, ...tags };
			});
		}
	};
}

/** `renderPairsAsChats` for labelled examples (see planExampleChats). */
export async function renderExamplesAsChats(
	examples: readonly LabelledExample[],
	render: ChatRenderer,
	options: ChatTemplateOptions = {}
): Promise<{ examples: LabelledExample[]; wrapper: string }> {
	const { items, wrapper } = await renderPlan(planExampleChats(examples, options), render);
	return { examples: items, wrapper };
}

/** `rawTextProblem` for labelled examples: system messages and histories need a chat template. */
export function rawTextExampleProblem(examples: readonly LabelledExample[]): string | undefined {
	const conversational = examples.filter(
		(example) => example.system !== undefined || example.history !== undefined
	).length;
	if (conversational === 0) return undefined;
	return `${conversational} of ${examples.length} examples have a "system" message or a "history", which only a chat template can carry`;
}
