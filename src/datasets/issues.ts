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
