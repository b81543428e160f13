/**
 * The rule for file names that cross a trust boundary (typed by a user, sent by the webview): a bare
 * name inside one of Steer's folders, never a path. Pure, so the host and the webview share it.
 */
export const MAX_FILE_NAME_LENGTH = 120;

/** Why `fileName` is not acceptable, or undefined when it is. */
export function fileNameProblem(fileName: string, extensions: readonly string[]): string | undefined {
	if (fileName.trim() === "") return "the file name is empty";
	if (fileName.length > MAX_FILE_NAME_LENGTH)
		return `the file name is longer than ${MAX_FILE_NAME_LENGTH} characters`;
	// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
	if (/[\u0000-\u001f/\\:*?"<>|]/.test(fileName)) {
		return `"${fileName}" contains a character not allowed in a file name (path separators, control characters, :*?"<>|)`;
	}
	if (fileName.startsWith(".") || fileName.includes(".."))
		return `"${fileName}" must not start with a dot or contain ".."`;
	if (!extensions.some((extension) => fileName.toLowerCase().endsWith(extension)))
		return `"${fileName}" must end in ${extensions.join(" or ")}`;
	return undefined;
}

export const DATASET_EXTENSIONS = [".jsonl", ".csv"] as const;
export const VECTOR_EXTENSIONS = [".gguf"] as const;
