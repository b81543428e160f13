/**
 * Text to tokens and back for one loaded model. Capture and generation both tokenize here, so a
 * vector trained on captured states is applied to exactly the tokens it was trained on.
 */
import type { LlamaModel } from "node-llama-cpp";
import { EngineError } from "../errors";
import type { Log } from "./backend";
import type { NativeBridge } from "./nativeBridge";

export class Tokenizer {
	private readonly warnedCharacters = new Set<string>();
	private trimLeadingSpaceChecked: boolean | undefined;

	constructor(
		private readonly model: LlamaModel,
		private readonly bridge: NativeBridge,
		private readonly log: Log
	) {}

	tokenizeWithBos(text: string, specialTokens = false): number[] {
		const tokens = this.tokenizeText(text, specialTokens);
		const bos = this.model.tokens.bos;
		return this.model.tokens.shouldPrependBosToken && bos !== null ? [bos as number, ...tokens] : [...tokens];
	}

	/**
	 * Tokens of `text` (no BOS), as node-llama-cpp reads a prompt: without the word-start space that
	 * SentencePiece vocabularies would otherwise put before the first word, a token sequence the model
	 * never saw in training.
	 *
	 * llama.cpp's tokenizer throws a C++ exception (which aborts the process inside node-llama-cpp) for
	 * characters a vocabulary cannot represent, e.g. `#` in TinyStories. Text is therefore first checked
	 * with Steer's addon, which turns that exception into an error; such characters are replaced by
	 * spaces, with one warning per character.
	 */
	tokenizeText(text: string, specialTokens = false): number[] {
		const representable = this.representableText(text);
		if (this.canTrimLeadingSpace)
			return [...(this.model.tokenize(representable, specialTokens, "trimLeadingSpace") as number[])];
		return this.bridge.tokenize(representable, specialTokens);
	}

	pieces(tokens: readonly number[]): string[] {
		// Detokenized with the preceding tokens as context, so pieces keep their leading spaces.
		return tokens.map((token, i) =>
			this.model.detokenize([token as never], true, tokens.slice(Math.max(0, i - 8), i) as never)
		);
	}

	/** `text` with every character the vocabulary has no token for replaced by a space. */
	private representableText(text: string): string {
		try {
			this.bridge.tokenize(text, false);
			return text;
		} catch (error) {
			const unrepresentable = [...new Set(text)].filter((character) => {
				try {
					this.bridge.tokenize(character, false);
					return false;
				} catch {
					return true;
				}
			});
			if (unrepresentable.length === 0) throw new EngineError("BAD_REQUEST", (error as Error).message);
			const fresh = unrepresentable.filter((character) => !this.warnedCharacters.has(character));
			if (fresh.length > 0) {
				for (const character of fresh) this.warnedCharacters.add(character);
				this.log(
					"warn",
					`the model's vocabulary has no token for ${fresh.map((character) => JSON.stringify(character)).join(", ")}; such characters are read as spaces`
				);
			}
			const replacement = unrepresentable.includes(" ") ? "" : " ";
			return [...text]
				.map((character) => (unrepresentable.includes(character) ? replacement : character))
				.join("");
		}
	}

	/**
	 * node-llama-cpp trims the leading space by tokenizing a newline or the BOS text in front of the text;
	 * that is only safe when those are representable themselves.
	 */
	private get canTrimLeadingSpace(): boolean {
		if (this.trimLeadingSpaceChecked === undefined) {
			const probes = ["\n", this.model.tokens.bosString ?? ""].filter((probe) => probe.length > 0);
			this.trimLeadingSpaceChecked = probes.every((probe) => {
				try {
					this.bridge.tokenize(probe, true);
					return true;
				} catch {
					return false;
				}
			});
		}
		return this.trimLeadingSpaceChecked;
	}
}

/**
 * Turns generated tokens into text as they arrive, decoding each against the tokens before it:
 * SentencePiece decoders drop the word-start space of a sequence's first token, which node-llama-cpp's
 * own text stream does for the first generated token ("One day," + "as" instead of " as"). Tokens that
 * end inside a multi-byte character wait for the rest of it.
 */
export class IncrementalDetokenizer {
	private readonly context: number[];
	private pending: number[] = [];

	constructor(
		private readonly model: LlamaModel,
		promptTokens: readonly number[]
	) {
		this.context = promptTokens.slice(-contextTokensForDecoding);
	}

	push(tokens: readonly number[]): string {
		this.pending.push(...tokens);
		const text = this.decode();
		if (text.endsWith("\uFFFD") && this.pending.length < maxTokensPerCharacter) return "";
		return this.flush(text);
	}

	flush(text = this.decode()): string {
		this.context.push(...this.pending);
		this.context.splice(0, Math.max(0, this.context.length - contextTokensForDecoding));
		this.pending = [];
		return text;
	}

	private decode(): string {
		return this.pending.length === 0
			? ""
			: this.model.detokenize(this.pending as never, false, this.context as never);
	}
}

const contextTokensForDecoding = 16;
/** UTF-8 characters take at most four bytes, so at most four byte tokens. */
const maxTokensPerCharacter = 4;
