import { closestName } from "./closestName";
import type { DatasetIssue } from "./issues";
import {
	HISTORY_ALIAS,
	LABELLED_EXAMPLE_FIELDS,
	REQUIRED_LABELLED_EXAMPLE_FIELDS,
	type ChatTurn,
	type LabelledExample
} from "./labelledExample";
import type { RecordLocation } from "./pairRecord";

/** What a record is: a contrast pair or a labelled example. A file holds one kind. */
export type RecordKind = "pair" | "example";

/** How each kind is named in messages, with the fields that make it. */
export const RECORD_KIND_NAMES: Readonly<Record<RecordKind, string>> = {
	pair: "contrast pair (positive, negative)",
	example: "labelled example (completion, label)"
};

/**
 * The kind a record reads as, or "both" when it has fields of each. A record with neither kind's own
 * fields is a pair unless its `label` is a number (pairs' labels are free-form strings), so that the
 * errors it gets are about the fields it misses.
 */
export function recordKindOf(record: Readonly<Record<string, unknown>>): RecordKind | "both" {
	const pairFields = "positive" in record || "negative" in record;
	const exampleFields = "completion" in record || "history" in record || HISTORY_ALIAS in record;
	if (pairFields && exampleFields) return "both";
	if (exampleFields) return "example";
	if (pairFields) return "pair";
	return typeof record.label === "number" ? "example" : "pair";
}

/** The message for a record with both kinds' fields. */
export const MIXED_RECORD_MESSAGE =
	"has the fields of a contrast pair (positive, negative) and of a labelled example (completion, label); a line is one or the other";

/**
 * Checks one record (a parsed JSON object, or a CSV row keyed by header, whose label cells the CSV
 * reader has turned into numbers where they read 1 or 0) and turns it into an example, with the rules
 * of pairs: unknown fields and empty texts are errors, optional fields are absent rather than empty.
 */
export function readExampleRecord(
	record: Readonly<Record<string, unknown>>,
	location: RecordLocation
): { example?: LabelledExample; issues: DatasetIssue[] } {
	const issues: DatasetIssue[] = [];
	const report = (field: string | undefined, message: string) =>
		issues.push({ file: location.file, line: location.line, ...(field === undefined ? {} : { field }), message });

	for (const field of Object.keys(record)) {
		if ((LABELLED_EXAMPLE_FIELDS as readonly string[]).includes(field) || field === HISTORY_ALIAS) continue;
		const suggestion = closestName(field, LABELLED_EXAMPLE_FIELDS);
		const hint =
			suggestion === undefined
				? `allowed fields are ${LABELLED_EXAMPLE_FIELDS.join(", ")}`
				: `did you mean "${suggestion}"?`;
		report(field, `unknown field; ${hint}`);
	}

	const texts: Partial<Record<"prompt" | "completion" | "system" | "id", string>> = {};
	for (const field of ["prompt", "completion", "system", "id"] as const) {
		const value = record[field];
		if (value === undefined) {
			if (REQUIRED_LABELLED_EXAMPLE_FIELDS.includes(field)) report(field, "required field is missing");
			continue;
		}
		if (typeof value !== "string") {
			report(field, `must be a string, got ${describeType(value)}`);
			continue;
		}
		if (value.trim() === "") {
			report(
				field,
				`must not be empty${REQUIRED_LABELLED_EXAMPLE_FIELDS.includes(field) ? "" : "; omit the field instead"}`
			);
			continue;
		}
		texts[field] = value;
	}

	const label = readLabel(record.label, report);
	const history = readHistory(record, report);
	if (history !== undefined && record.prompt === undefined) {
		report(
			HISTORY_ALIAS in record ? HISTORY_ALIAS : "history",
			'needs a "prompt": the history is the conversation before the user\'s prompt'
		);
	}
	if (issues.length > 0 || texts.completion === undefined || label === undefined) return { issues };

	const example: LabelledExample = {
		...(texts.prompt === undefined ? {} : { prompt: texts.prompt }),
		completion: texts.completion,
		label,
		...(texts.system === undefined ? {} : { system: texts.system }),
		...(history === undefined ? {} : { history }),
		...(texts.id === undefined ? {} : { id: texts.id })
	};
	return { example, issues };
}

function readLabel(value: unknown, report: (field: string, message: string) => void): 0 | 1 | undefined {
	if (value === undefined) {
		report("label", "required field is missing; 1 when the completion shows the concept, 0 when it does not");
		return undefined;
	}
	if (value === 0 || value === 1) return value;
	const got =
		typeof value === "string" ? `the string ${JSON.stringify(value)}` : (JSON.stringify(value) ?? String(value));
	report("label", `must be 1 (the completion shows the concept) or 0 (it does not), got ${got}`);
	return undefined;
}

function readHistory(
	record: Readonly<Record<string, unknown>>,
	report: (field: string, message: string) => void
): readonly ChatTurn[] | undefined {
	const both = "history" in record && HISTORY_ALIAS in record;
	if (both) {
		report(HISTORY_ALIAS, `is concept-guidance's name for "history"; give one of the two`);
		return undefined;
	}
	const field = HISTORY_ALIAS in record ? HISTORY_ALIAS : "history";
	const value = record[field];
	if (value === undefined) return undefined;
	if (!Array.isArray(value)) {
		report(
			field,
			`must be a list of {"role": "user" | "assistant", "content": "…"} messages, got ${describeType(value)}`
		);
		return undefined;
	}
	if (value.length === 0) {
		report(field, "must not be empty; omit the field instead");
		return undefined;
	}
	const turns: ChatTurn[] = [];
	let valid = true;
	value.forEach((entry: unknown, index) => {
		const where = `message ${index + 1}`;
		if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
			report(
				field,
				`${where} must be an object like {"role": "user", "content": "…"}, got ${describeType(entry)}`
			);
			valid = false;
			return;
		}
		const message = entry as Record<string, unknown>;
		const extra = Object.keys(message).filter((key) => key !== "role" && key !== "content");
		if (extra.length > 0) {
			report(
				field,
				`${where} has ${extra.map((key) => `"${key}"`).join(", ")}; a message has only "role" and "content"`
			);
			valid = false;
		}
		const { role, content } = message;
		if (role !== "user" && role !== "assistant") {
			const remedy = role === "system" ? '; put a system message in the example\'s "system" field' : "";
			report(
				field,
				`${where}: "role" must be "user" or "assistant", got ${JSON.stringify(role) ?? "nothing"}${remedy}`
			);
			valid = false;
		}
		if (typeof content !== "string" || content.trim() === "") {
			report(
				field,
				`${where}: "content" must be a non-empty string, got ${typeof content === "string" ? "an empty one" : describeType(content)}`
			);
			valid = false;
		}
		if (valid) turns.push({ role: role as ChatTurn["role"], content: content as string });
	});
	return valid ? turns : undefined;
}

function describeType(value: unknown): string {
	if (value === undefined) return "nothing";
	if (value === null) return "null";
	if (Array.isArray(value)) return "an array";
	return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * Accumulates the examples of one file and checks what only the whole file can tell: ids are unique,
 * a text labelled both 1 and 0 is an error (it cannot show the concept and not), an example repeated
 * verbatim is worth a warning (it counts twice), and both classes must be there, since training
 * compares them.
 */
export class ExampleCollection {
	readonly examples: LabelledExample[] = [];
	readonly errors: DatasetIssue[] = [];
	readonly warnings: DatasetIssue[] = [];
	private readonly lineById = new Map<string, number>();
	private readonly seen = new Map<string, { line: number; label: 0 | 1 }>();
	private firstLine: number | undefined;

	add(example: LabelledExample, location: RecordLocation): void {
		if (example.id !== undefined) {
			const firstLine = this.lineById.get(example.id);
			if (firstLine !== undefined) {
				this.errors.push({
					...location,
					field: "id",
					message: `duplicate id "${example.id}", first used on line ${firstLine}`
				});
				return;
			}
			this.lineById.set(example.id, location.line);
		}
		const content = JSON.stringify([
			example.system ?? null,
			example.history ?? null,
			example.prompt ?? null,
			example.completion
		]);
		const earlier = this.seen.get(content);
		if (earlier === undefined) {
			this.seen.set(content, { line: location.line, label: example.label });
		} else if (earlier.label !== example.label) {
			this.errors.push({
				...location,
				field: "label",
				message: `the same text is labelled ${earlier.label} on line ${earlier.line}; one text cannot both show the concept and not`
			});
			return;
		} else {
			this.warnings.push({
				...location,
				message: `same example as line ${earlier.line}; it counts twice`
			});
		}
		this.firstLine ??= location.line;
		this.examples.push(example);
	}

	/**
	 * The file-level problem, if any: examples of one class only. Call once all lines are added, and
	 * only when no line had an error (a line with an error may hold the other class).
	 */
	classProblem(file: string): DatasetIssue | undefined {
		if (this.examples.length === 0 || this.firstLine === undefined) return undefined;
		const positives = this.examples.filter((example) => example.label === 1).length;
		const negatives = this.examples.length - positives;
		if (positives > 0 && negatives > 0) return undefined;
		const [has, lacks] = positives > 0 ? [1, 0] : [0, 1];
		return {
			file,
			line: this.firstLine,
			field: "label",
			message: `all ${this.examples.length} examples are labelled ${has}; training compares the two classes, so add examples labelled ${lacks}`
		};
	}
}
