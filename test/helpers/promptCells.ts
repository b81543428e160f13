import type { EngineClient } from "../../src/engine/client";
import { suffixStart } from "../../src/engine/positions";
import type { GenerateResult } from "../../src/engine/protocol";

/**
 * How many prompt cells Steer's generation loop must keep for `nextPrompt` after generating `last`
 * from `lastPrompt`: the common prefix of the cells the last run left (its prompt and every generated
 * token but the last, which was sampled but never evaluated) with the next prompt's tokens, leaving at
 * least one prompt token to evaluate.
 */
export async function expectedKeptCells(
	engine: EngineClient,
	lastPrompt: string,
	last: GenerateResult,
	nextPrompt: string
): Promise<number> {
	const { tokens: lastTokens } = await engine.request("tokenize", { text: lastPrompt });
	const { tokens: nextTokens } = await engine.request("tokenize", { text: nextPrompt });
	const cells = [...lastTokens, ...last.tokens].slice(0, lastTokens.length + last.tokens.length - 1);
	return Math.min(suffixStart(nextTokens, cells), nextTokens.length - 1);
}
