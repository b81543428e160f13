/**
 * The Datasets tree: the files of Steer's datasets folder, each with how many pairs (or labelled
 * examples) it holds and, when some lines are not usable, a problem badge. A click opens the file in
 * the dataset editor. Empty when there are none, so the view's welcome content (New Dataset) shows.
 */
import * as vscode from "vscode";
import type { DatasetStore } from "../storage/datasetStore";
import { countOf } from "../../shared/plainWords";

export const DATASETS_VIEW_ID = "steer.datasets";

/** A dataset row, also the argument its context-menu commands receive. */
export interface DatasetNode {
	readonly kind: "dataset";
	readonly fileName: string;
	readonly path: string;
	readonly pairs: number;
	readonly examples: number;
	/** Lines that cannot be used until fixed (a line may have several problems). */
	readonly problems: number;
	/** The first problem, for the tooltip; a dataset that could not be read at all says why here. */
	readonly firstProblem?: string;
}

export class DatasetsTreeProvider implements vscode.TreeDataProvider<DatasetNode>, vscode.Disposable {
	private readonly changed = new vscode.EventEmitter<void>();
	readonly onDidChangeTreeData = this.changed.event;

	constructor(private readonly datasets: DatasetStore) {}

	refresh(): void {
		this.changed.fire();
	}

	getTreeItem(node: DatasetNode): vscode.TreeItem {
		const item = new vscode.TreeItem(node.fileName, vscode.TreeItemCollapsibleState.None);
		item.id = node.fileName;
		item.resourceUri = vscode.Uri.file(node.path);
		const size = node.examples > 0 ? countOf(node.examples, "labelled example") : countOf(node.pairs, "pair");
		item.description = node.problems > 0 ? `${size} · ${countOf(node.problems, "line")} to fix` : size;
		item.iconPath = new vscode.ThemeIcon(
			node.problems > 0 ? "warning" : "table",
			node.problems > 0 ? new vscode.ThemeColor("problemsWarningIcon.foreground") : undefined
		);
		item.tooltip = new vscode.MarkdownString(
			[
				`**${node.fileName}** — ${size}`,
				node.problems > 0
					? `${countOf(node.problems, "line")} cannot be used until fixed, e.g. ${node.firstProblem ?? ""}`
					: "Every line is a usable example.",
				"Click to open it in the dataset editor."
			].join("\n\n")
		);
		item.contextValue = node.problems > 0 ? "dataset.problems" : "dataset";
		item.command = { command: "steer.openDataset", title: "Open Dataset", arguments: [node] };
		return item;
	}

	async getChildren(parent?: DatasetNode): Promise<DatasetNode[]> {
		if (parent || !vscode.workspace.isTrusted) return [];
		const files = await this.datasets.list().catch(() => []);
		return Promise.all(
			files.map(async (file): Promise<DatasetNode> => {
				try {
					const reading = await this.datasets.read(file.fileName);
					const first = reading.errors[0];
					return {
						kind: "dataset",
						fileName: file.fileName,
						path: file.path,
						pairs: reading.pairs.length,
						examples: reading.examples.length,
						problems: new Set(reading.errors.map((error) => error.line)).size,
						firstProblem: first && `line ${first.line}: ${first.message}`
					};
				} catch (error) {
					return {
						kind: "dataset",
						fileName: file.fileName,
						path: file.path,
						pairs: 0,
						examples: 0,
						problems: 1,
						firstProblem: error instanceof Error ? error.message : String(error)
					};
				}
			})
		);
	}

	dispose(): void {
		this.changed.dispose();
	}
}
