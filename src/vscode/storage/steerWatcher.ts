/**
 * Keeps views in step with Steer's folders when files change outside the panel (a git checkout, an
 * editor save, another window). Bursts of events are coalesced into one refresh.
 */
import path from "node:path";
import * as vscode from "vscode";
import type { SteerFolders } from "./steerFolders";

const COALESCE_MS = 200;

export function watchSteerFolders(folders: SteerFolders, onChange: () => void): vscode.Disposable {
	const root = path.basename(folders.root);
	const watchers = [
		// The files in `.steer`, watched from `.steer` itself: this is the watcher that reports edits,
		// saves and deletions of existing datasets and vectors.
		vscode.workspace.createFileSystemWatcher(
			new vscode.RelativePattern(vscode.Uri.file(folders.root), "**/*.{jsonl,csv,gguf}")
		),
		// And `.steer` and its folders, watched from the folder that holds it: a watcher on a folder that
		// does not exist yet (a fresh workspace, or one whose .steer was deleted) reports nothing, and
		// files written into a folder just made can land before that folder is watched; the event of the
		// folder itself triggers the refresh that lists them.
		vscode.workspace.createFileSystemWatcher(
			new vscode.RelativePattern(vscode.Uri.file(path.dirname(folders.root)), `{${root},${root}/**}`)
		)
	];
	let timer: ReturnType<typeof setTimeout> | undefined;
	const schedule = () => {
		if (timer) clearTimeout(timer);
		timer = setTimeout(() => {
			timer = undefined;
			onChange();
		}, COALESCE_MS);
	};
	const subscriptions = watchers.flatMap((watcher) => [
		watcher.onDidCreate(schedule),
		watcher.onDidChange(schedule),
		watcher.onDidDelete(schedule)
	]);
	return new vscode.Disposable(() => {
		if (timer) clearTimeout(timer);
		for (const subscription of subscriptions) subscription.dispose();
		for (const watcher of watchers) watcher.dispose();
	});
}
