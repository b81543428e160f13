/**
 * Turns a "Generate pairs" request from the dataset editor into rows, through the datasets module's
 * generators so that the editor makes the same pairs as code calling them directly.
 */
import { personaPairs, promptPair, type ContrastPair } from "../../datasets";
import type { PairGenerator } from "../../shared/datasetEditorProtocol";

/** A generated pair as a row of the grid: its texts, and the prompt a prompt pair shares. */
export type PairRow = Pick<ContrastPair, "positive" | "negative" | "prompt">;

/** Throws the generator's own error (a missing `{persona}`, unequal lists, equal prompts). */
export function generatePairRows(generator: PairGenerator): PairRow[] {
	const pairs =
		generator.mode === "persona"
			? personaPairs({
					template: generator.template,
					positive: generator.positive,
					negative: generator.negative,
					suffixes: generator.suffixes
				})
			: [promptPair(generator.positive, generator.negative)];
	return pairs.map(toRow);
}

// The grid has no label column; a persona pair's "happy vs sad" label is visible in its texts anyway.
function toRow({ positive, negative, prompt }: ContrastPair): PairRow {
	return prompt === undefined ? { positive, negative } : { positive, negative, prompt };
}
