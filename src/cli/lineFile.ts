import { readFile } from "node:fs/promises";

/** Non-empty lines of a text file named by `--flag`, e.g. one prompt per line. */
export async function readLines(file: string, flag: string): Promise<string[]> {
	let text: string;
	try {
		text = await readFile(file, "utf8");
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === "ENOENT")
			throw new Error(`--${flag} file ${file} does not exist`, { cause: error });
		throw error;
	}
	const lines = text.split(/\r?\n/).filter((line) => line.trim().length > 0);
	if (lines.length === 0) throw new Error(`--${flag} file ${file} has no non-empty lines`);
	return lines;
}
