import {
	CONTRAST_PAIR_FIELDS,
	REQUIRED_CONTRAST_PAIR_FIELDS,
	type ContrastPair,
	type ContrastPairField
} from "./contrastPair";
import { closestName } from "./closestName";
import type { DatasetIssue } from "./issues";

export interface RecordLocation {
	readonly file: string;
	readonly line: number;
}

/**
 * Checks one record (a parsed JSON object, or a CSV row keyed by header) and turns it into a pair.
 *
 * Unknown fields are errors, not warnings: a typo such as "postive" would otherwise silently drop the
 * text the user meant to contrast. Identical positive and negative texts are errors too: such a pair
 * adds a zero difference, which shrinks a mean-difference vector and says nothing, and it is almost
 * always a copy-and-paste slip.
 */
export function readPairRecord(
	record: Readonly<Record<string, unknown>>,
	location: RecordLocation
): { pair?: ContrastPair; issues: DatasetIssue[] } {
	const issues: DatasetIssue[] = [];
	const report = (field: string | undefined, message: string) =>
		issues.push({ file: location.file, line: location.line, ...(field === undefined ? {} : { field }), message });

	for (const field of Object.keys(record)) {
		if ((CONTRAST_PAIR_FIELDS as readonly string[]).includes(field)) continue;
		const suggestion = closestName(field, CONTRAST_PAIR_FIELDS);
		const hint =
			suggestion === undefined
				? `allowed fields are ${CONTRAST_PAIR_FIELDS.join(", ")}`
				: `did you mean "${suggestion}"?`;
		report(field, `unknown field; ${hint}`);
	}

	const values: Partial<Record<ContrastPairField, string>> = {};
	for (const field of CONTRAST_PAIR_FIELDS) {
		const value = record[field];
		if (value === undefined) {
			if (REQUIRED_CONTRAST_PAIR_FIELDS.includes(field)) report(field, "required field is missing");
			continue;
		}
		if (typeof value !== "string") {
			report(field, `must be a string, got ${describeType(value)}`);
			continue;
		}
		if (value.trim() === "") {
			const remedy = REQUIRED_CONTRAST_PAIR_FIELDS.includes(field) ? "" : "; omit the field instead";
			report(field, `must not be empty${remedy}`);
			continue;
		}
		values[field] = value;
	}

	if (values.positive !== undefined && values.positive === values.negative) {
		report("negative", "is identical to positive, so the pair has no contrast");
	}
	if (issues.length > 0 || values.positive === undefined || values.negative === undefined) return { issues };

	const pair: ContrastPair = {
		positive: values.positive,
		negative: values.negative,
		...(values.prompt === undefined ? {} : { prompt: values.prompt }),
		...(values.system === undefined ? {} : { system: values.system }),
		...(values.label === undefined ? {} : { label: values.label }),
		...(values.id === undefined ? {} : { id: values.id })
	};
	return { pair, issues };
}

function describeType(value: unknown): string {
	if (value === null) return "null";
	if (Array.isArray(value)) return "an array";
	return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
