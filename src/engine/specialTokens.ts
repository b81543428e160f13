/**
 * Which of a model's special tokens end a generation, and which special-token texts must never reach
 * the user. Pure functions over a summary of the vocabulary, so they are testable without a model.
 *
 * Two ways a model "says" a special token:
 * - it samples the token itself. Generated text is detokenized without special tokens, so the token
 *   shows as nothing; node-llama-cpp stops at end-of-generation tokens (llama.cpp's EOG set and EOS),
 *   and `stopTokens` adds special tokens whose text names an end but that llama.cpp did not put in
 *   that set (the tokenizer config only marks some of them).
 * - it spells the token's text out in ordinary tokens. Models trained on text with the markers
 *   written in it do this: TinyStories ends every story with "<|" "end" "_story" "|>", four normal
 *   tokens, never with its EOS token. `stopTexts` are matched on the text stream like stop sequences,
 *   so such a marker ends the generation and is not shown.
 */

export interface SpecialTokenInfo {
	readonly id: number;
	/** The token's text, detokenized with special tokens rendered. */
	readonly text: string;
	/** llama.cpp or node-llama-cpp counts it as end of generation (EOS, EOT, EOG). */
	readonly eog: boolean;
	/**
	 * A user-defined token (text added to the vocabulary, such as the HTML tags in Gemma's) rather
	 * than a control token: only its `<|...|>`-shaped text counts as special.
	 */
	readonly userDefined?: boolean;
}

export interface GenerationStops {
	/** Special tokens that are not end of generation for llama.cpp but whose text names an end. */
	readonly stopTokens: readonly number[];
	/** Special-token texts that end generation when they appear in the generated text. */
	readonly stopTexts: readonly string[];
	/** The subset of `stopTexts` that name an end (the rest are other markup, e.g. `<|im_start|>`). */
	readonly endTexts: readonly string[];
}

/** One markup-like word: `<...>` or `[...]` without spaces, as special tokens are written. */
const markupPattern = /^(?:<[^<>\s]+>|\[[^[\]\s]+\])$/u;
/** `<|...|>` (also with the full-width bar some tokenizers use): never ordinary text. */
const barredPattern = /^<[|｜][^<>\s]*[|｜]>$/u;

/** Words after "end" that mark the end of a part of a turn, not of the generation. */
const notGenerationEnds = new Set([
	"header",
	"role",
	"thought",
	"think",
	"thinking",
	"box",
	"image",
	"img",
	"audio",
	"video",
	"vision",
	"tool",
	"code",
	"quote",
	"answer",
	"plan",
	"step",
	"reasoning"
]);

/** Whether `text` has the shape of a special token: `<|name|>`, `<name>`, `</s>`, `[NAME]`. */
export function isSpecialMarkup(text: string): boolean {
	return text.length >= 3 && markupPattern.test(text);
}

/**
 * Whether a special token's text names the end of a text or turn: `</s>`, `<|endoftext|>`,
 * `<|end_story|>`, `<|im_end|>`, `<end_of_turn>`, `<|eot_id|>`, `<|eom_id|>`, `<EOS>`, `<|end|>`,
 * `<｜end▁of▁sentence｜>`. Not `<|end_header_id|>` or `<|end_of_role|>`, which end a header inside a turn.
 */
export function looksLikeEndMarker(text: string): boolean {
	if (!isSpecialMarkup(text)) return false;
	const name = text
		.slice(1, -1)
		.replace(/^[|｜]/u, "")
		.replace(/[|｜]$/u, "")
		.toLowerCase();
	if (name === "/s" || name === "/eos") return true;
	const words = name.split(/[_▁\-\s.]+/u).filter((word) => word.length > 0);
	const first = words[0];
	if (first === undefined) return false;
	if (first === "eos" || first === "eot" || first === "eom") return true;
	if (words.length === 2 && words[1] === "end") return endingWords.has(first);
	const rest =
		first === "end"
			? words.slice(1)
			: first.startsWith("endof")
				? [first.slice("endof".length), ...words.slice(1)]
				: undefined;
	return rest !== undefined && !rest.some((word) => notGenerationEnds.has(word));
}

/** `<|im_end|>`-style names: what ends, then "end". */
const endingWords = new Set(["im", "text", "turn", "message", "msg", "response"]);

/**
 * The stops for generation from a model's special tokens (control, user-defined and EOG tokens):
 * every end marker ends it, as a token and as spelled-out text; other special texts end it only when
 * spelled out and shaped `<|...|>`, which ordinary text never is (`<s>` or `[PAD]` could be HTML or
 * prose, so those are left alone).
 */
export function generationStops(tokens: readonly SpecialTokenInfo[]): GenerationStops {
	const stopTokens: number[] = [];
	const endTexts = new Set<string>();
	const otherTexts = new Set<string>();
	for (const token of tokens) {
		if (token.userDefined && !token.eog && !barredPattern.test(token.text)) continue;
		const end = token.eog || looksLikeEndMarker(token.text);
		if (end && !token.eog) stopTokens.push(token.id);
		if (!isSpecialMarkup(token.text)) continue;
		if (end) endTexts.add(token.text);
		else if (barredPattern.test(token.text)) otherTexts.add(token.text);
	}
	for (const text of endTexts) otherTexts.delete(text);
	return { stopTokens, stopTexts: [...endTexts, ...otherTexts], endTexts: [...endTexts] };
}
