import { access } from "node:fs/promises";

/** Whether anything (file or folder) is at `filePath`; unreadable counts as absent. */
export async function pathExists(filePath: string): Promise<boolean> {
	try {
		await access(filePath);
		return true;
	} catch {
		return false;
	}
}
