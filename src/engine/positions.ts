/**
 * Resolving a position spec against one tokenized text. The spec itself and its text form live in
 * src/steering/positions.ts.
 */
import type { PositionSpec } from "../steering/positions";
import { EngineError } from "./errors";

export interface PositionRange {
	readonly start: number;
	readonly end: number;
	readonly mean: boolean;
}

/**
 * Resolves a position spec to the half-open token range [start, end) of a text of `tokenCount` tokens.
 * `promptTokenCount` is where the completion begins (see `suffixStart`); needed for `suffix`.
 */
export function resolvePositions(spec: PositionSpec, tokenCount: number, promptTokenCount?: number): PositionRange {
	const mean = spec.mean === true;
	switch (spec.select) {
		case "all":
			return { start: meanStart(mean, 0, tokenCount), end: tokenCount, mean };
		case "last": {
			const count = spec.count ?? 1;
			if (!Number.isInteger(count) || count < 1)
				throw new EngineError("BAD_REQUEST", `last:K needs a positive whole K, got ${count}`);
			return { start: meanStart(mean, Math.max(0, tokenCount - count), tokenCount), end: tokenCount, mean };
		}
		case "suffix": {
			if (promptTokenCount === undefined)
				throw new EngineError("BAD_REQUEST", "suffix positions need the item's prompt");
			if (promptTokenCount >= tokenCount)
				throw new EngineError("BAD_REQUEST", "the text has no tokens after its prompt");
			return { start: meanStart(mean, promptTokenCount, tokenCount), end: tokenCount, mean };
		}
		default:
			throw new EngineError(
				"BAD_REQUEST",
				`unknown position selection ${JSON.stringify((spec as { select: unknown }).select)}`
			);
	}
}

/**
 * A mean leaves out the first token whenever there are others to average. The first position is an
 * attention sink: from the middle layers on its state has a huge norm whatever the token is (on
 * SmolLM2-135M-Instruct ~25,000 at layers 12–25 against ~150 for the other tokens), so it would make a
 * text's mean state mostly the sink's — one direction shared by every text, weighted by 1/length —
 * and hide what the text says. Selections of single rows keep it: they are exact copies, not summaries.
 */
function meanStart(mean: boolean, start: number, tokenCount: number): number {
	return mean && start === 0 && tokenCount >= 2 ? 1 : start;
}

/**
 * Where the completion starts in `fullTokens`, given the tokens of the prompt alone: the length of
 * their common prefix. Tokenizers may merge the last prompt characters with the first completion
 * characters into one token; such a boundary token belongs to the completion.
 */
export function suffixStart(fullTokens: readonly number[], promptTokens: readonly number[]): number {
	let i = 0;
	while (i < fullTokens.length && i < promptTokens.length && fullTokens[i] === promptTokens[i]) i++;
	return i;
}
