import type { ContrastPair } from "./contrastPair";
import { DatasetValidationError, type DatasetIssue } from "./issues";
import type { ParsedPairs } from "./jsonl";
import { PairCollection } from "./pairCollection";
import { readPairRecord } from "./pairRecord";

/**
 * Applies the file checks to pairs built in memory (by a generator, an editor, a caller of
 * `saveDataset`), so that whatever is saved loads back. Issue line numbers are the 1-based positions
 * of the pairs, which are also their lines once written as JSONL.
 */
export function validatePairs(pairs: readonly ContrastPair[], fileName: string): ParsedPairs {
	const collection = new PairCollection();
	const errors: DatasetIssue[] = [];
	for (const [index, candidate] of pairs.entries()) {
		const location = { file: fileName, line: index + 1 };
		if (typeof candidate !== "object" || candidate === null) {
			errors.push({ ...location, message: "pair must be an object with positive and negative texts" });
			continue;
		}
		const { pair, issues } = readPairRecord(candidate as unknown as Record<string, unknown>, location);
		errors.push(...issues);
		if (pair !== undefined) collection.add(pair, location);
	}
	errors.push(...collection.errors);
	if (errors.length > 0)
		throw new DatasetValidationError(
			fileName,
			errors.sort((a, b) => a.line - b.line)
		);
	return { pairs: collection.pairs, examples: [], warnings: collection.warnings };
}
