/**
 * Where Steer keeps what the user makes: `.steer/datasets/*.jsonl` and `.steer/vectors/*.gguf` in the
 * first workspace folder, so they can be committed with the project; in the extension's global
 * storage when no folder is open.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";

export interface SteerFolders {
	readonly root: string;
	readonly datasets: string;
	readonly vectors: string;
	/** True when the folders live in the workspace (a watcher can see them). */
	readonly inWorkspace: boolean;
}

export function resolveSteerFolders(globalStorage: vscode.Uri): SteerFolders {
	const folder = vscode.workspace.workspaceFolders?.[0];
	const root =
		folder && folder.uri.scheme === "file"
			? path.join(folder.uri.fsPath, ".steer")
			: path.join(globalStorage.fsPath, "steer");
	return {
		root,
		datasets: path.join(root, "datasets"),
		vectors: path.join(root, "vectors"),
		inWorkspace: folder !== undefined
	};
}

export async function ensureFolder(folder: string): Promise<string> {
	await mkdir(folder, { recursive: true });
	return folder;
}
