/** One problem found in a dataset, located precisely enough to fix it without searching. */
export interface DatasetIssue {
	readonly file: string;
	/** 1-based line number; for CSV the line on which the record starts. */
	readonly line: number;
	readonly field?: string;
	readonly message: string;
}

/** How many issues the error message spells out; `issues` always holds all of them. */
const ISSUES_SHOWN_IN_MESSAGE = 20;

export function formatDatasetIssue(issue: DatasetIssue): string {
	const field = issue.field === undefined ? "" : ` field "${issue.field}":`;
	return `${issue.file}:${issue.line}:${field} ${issue.message}`;
}

/**
 * Thrown when a dataset has at least one error. It lists every problem found rather than only the
 * first, so that a user fixes a file in one pass; nothing of the file is loaded.
 */
export class DatasetValidationError extends Error {
	readonly file: string;
	readonly issues: readonly DatasetIssue[];

	constructor(file: string, issues: readonly DatasetIssue[]) {
		super(describeIssues(file, issues));
		this.name = "DatasetValidationError";
		this.file = file;
		this.issues = issues;
	}
}

function describeIssues(file: string, issues: readonly DatasetIssue[]): string {
	const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
	const shown = issues.slice(0, ISSUES_SHOWN_IN_MESSAGE).map((issue) => `  ${formatDatasetIssue(issue)}`);
	const hidden = issues.length - shown.length;
	if (hidden > 0) shown.push(`  …and ${hidden} more`);
	return [`Dataset ${file} has ${count}; nothing was loaded:`, ...shown].join("\n");
}

/**
 * Thrown instead of writing a dataset when the write would lose something: the file on disk has lines
 * that are not valid pairs (an editor holding only the valid pairs would drop them), it holds labelled
 * examples (pairs written over them would replace them), or it changed since the caller read it. The
 * file is left exactly as it was.
 */
export class DatasetSaveRefusedError extends Error {
	readonly file: string;
	readonly reason: "unreadable-lines" | "labelled-examples" | "changed-on-disk";
	/** For "unreadable-lines": the problems of the file on disk. */
	readonly issues: readonly DatasetIssue[];

	constructor(file: string, reason: DatasetSaveRefusedError["reason"], issues: readonly DatasetIssue[] = []) {
		super(describeRefusal(file, reason, issues));
		this.name = "DatasetSaveRefusedError";
		this.file = file;
		this.reason = reason;
		this.issues = issues;
	}
}

function describeRefusal(
	file: string,
	reason: DatasetSaveRefusedError["reason"],
	issues: readonly DatasetIssue[]
): string {
	if (reason === "changed-on-disk") {
		return `Not saved: ${file} changed on disk since it was opened. Reopen it to see the new content; nothing was written.`;
	}
	if (reason === "labelled-examples") {
		return `Not saved: ${file} holds labelled examples (prompt, completion, label), which Steer edits only as text; saving pairs would replace them. Edit it in the text editor; nothing was written.`;
	}
	const lines = [...new Set(issues.map((issue) => issue.line))];
	const which = lines.length === 1 ? `line ${lines[0]}` : `lines ${lines.join(", ")}`;
	return `Not saved: ${file} has ${lines.length === 1 ? "a line" : `${lines.length} lines`} Steer cannot read (${which}), which saving would drop. Fix ${lines.length === 1 ? "it" : "them"} in the text editor first; nothing was written.`;
}
