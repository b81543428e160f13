/**
 * Keeps views in step with Steer's folders when files change outside the panel (a git checkout, an
 * editor save, another window). Bursts of events are coalesced into one refresh.
 */
import path from "node:path";
import * as vscode from "vscode";
import type { SteerFolders } from "./steerFolders";

const COALESCE_MS = 200;

export function watchSteerFolders(folders: SteerFolders, onChange: () => void): vscode.Disposable {
	// Based on the folder that holds `.steer`, not on `.steer` itself: a watcher on a folder that does not
	// exist yet (a fresh workspace, or one whose .steer was deleted) never reports the files made in it.
	// Folders count too: files written into a folder just made can land before the folder is watched,
	// and no event ever comes for them; the refresh that the folder's own event triggers lists them.
	const base = vscode.Uri.file(path.dirname(folders.root));
	const root = path.basename(folders.root);
	const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(base, `{${root},${root}/**}`));
	let timer: ReturnType<typeof setTimeout> | undefined;
	const schedule = () => {
		if (timer) clearTimeout(timer);
		timer = setTimeout(() => {
			timer = undefined;
			onChange();
		}, COALESCE_MS);
	};
	const subscriptions = [watcher.onDidCreate(schedule), watcher.onDidChange(schedule), watcher.onDidDelete(schedule)];
	return new vscode.Disposable(() => {
		if (timer) clearTimeout(timer);
		for (const subscription of subscriptions) subscription.dispose();
		watcher.dispose();
	});
}
