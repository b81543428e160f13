import type { ContrastPair } from "./contrastPair";
import type { DatasetIssue } from "./issues";
import type { RecordLocation } from "./pairRecord";

/**
 * Accumulates the pairs of one file and checks what only the whole file can tell: ids must be unique
 * (they are how results refer back to pairs), and a pair repeated verbatim is worth a warning because
 * it silently counts twice in the average.
 */
export class PairCollection {
	readonly pairs: ContrastPair[] = [];
	readonly errors: DatasetIssue[] = [];
	readonly warnings: DatasetIssue[] = [];
	private readonly lineById = new Map<string, number>();
	private readonly lineByContent = new Map<string, number>();

	add(pair: ContrastPair, location: RecordLocation): void {
		if (pair.id !== undefined) {
			const firstLine = this.lineById.get(pair.id);
			if (firstLine !== undefined) {
				this.errors.push({
					...location,
					field: "id",
					message: `duplicate id "${pair.id}", first used on line ${firstLine}`
				});
				return;
			}
			this.lineById.set(pair.id, location.line);
		}
		const content = JSON.stringify([pair.prompt ?? null, pair.positive, pair.negative]);
		const firstLine = this.lineByContent.get(content);
		if (firstLine === undefined) {
			this.lineByContent.set(content, location.line);
		} else {
			this.warnings.push({
				...location,
				message: `same prompt, positive and negative as line ${firstLine}; the pair counts twice`
			});
		}
		this.pairs.push(pair);
	}
}
