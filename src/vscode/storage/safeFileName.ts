/**
 * File names that arrive from the user or from the webview name a file inside one of Steer's folders,
 * never a path: anything that could climb out of the folder is refused (see fileNameProblem).
 */
import path from "node:path";
import { fileNameProblem, MAX_FILE_NAME_LENGTH } from "../../shared/fileNames";
import { UserFacingError } from "../failures";

/** Checks a bare file name with one of `extensions`; returns its absolute path inside `folder`. */
export function fileInFolder(folder: string, fileName: string, extensions: readonly string[]): string {
	const problem = fileNameProblem(fileName, extensions);
	if (problem) throw new UserFacingError(problem);
	const resolved = path.resolve(folder, fileName);
	// Defence in depth: the name checks should already make this impossible.
	if (path.dirname(resolved) !== path.resolve(folder))
		throw new UserFacingError(`"${fileName}" does not stay inside ${folder}`);
	return resolved;
}

/** A file name made from what a user typed: spaces become dashes, other unsafe characters go. */
export function fileNameFromTitle(title: string, extension: string): string {
	const stem = title
		.trim()
		.replace(/\s+/g, "-")
		.replace(/[^\p{L}\p{N}_-]/gu, "")
		.replace(/^[-_]+/, "")
		.slice(0, MAX_FILE_NAME_LENGTH - extension.length);
	if (stem === "") throw new UserFacingError(`"${title}" has no letters or digits to make a file name from`);
	return `${stem}${extension}`;
}
