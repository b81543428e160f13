/**
 * The dataset editor: a custom text editor for `.steer/datasets/*.jsonl` and `*.csv` that shows the
 * file as a grid. The TextDocument is the only state: every change the page asks for becomes a
 * WorkspaceEdit of the rows it touches, so undo and redo, the dirty mark, Save, hot exit and
 * "Reopen Editor With… Text Editor" behave as for any file, and lines the grid cannot show are kept.
 */
import path from "node:path";
import * as vscode from "vscode";
import {
	appendRows,
	datasetFormatOf,
	deleteRow,
	readGrid,
	setCell,
	setLineText,
	type GridEdit
} from "../../datasets";
import {
	GRID_COLUMNS,
	readDatasetEditorMessage,
	type GridColumn,
	type DatasetEditorMessage,
	type DatasetEditorUpdate
} from "../../shared/datasetEditorProtocol";
import type { EngineService } from "../engine/engineService";
import { describeError, reportFailure } from "../failures";
import { webviewHtml, webviewResourceRoots } from "../webviewHtml";

export const DATASET_EDITOR_VIEW_TYPE = "steer.datasetEditor";

export interface DatasetEditorDependencies {
	readonly extensionUri: vscode.Uri;
	readonly engine: EngineService;
	readonly log: vscode.LogOutputChannel;
}

export class DatasetEditorProvider implements vscode.CustomTextEditorProvider {
	private readonly open = new Set<{ document: vscode.TextDocument; update: () => void }>();

	constructor(private readonly deps: DatasetEditorDependencies) {}

	/** The editors open now (for tests): their documents. */
	get openDocuments(): readonly vscode.TextDocument[] {
		return [...this.open].map((editor) => editor.document);
	}

	resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
		const { extensionUri, log } = this.deps;
		const fileName = path.basename(document.uri.fsPath);
		panel.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(extensionUri) };
		panel.webview.html = webviewHtml(panel.webview, extensionUri, "datasetEditor", fileName);
		const post = (update: DatasetEditorUpdate) => void panel.webview.postMessage(update);
		const update = () => post(this.gridUpdate(document));
		const entry = { document, update };
		this.open.add(entry);
		const subscriptions = [
			vscode.workspace.onDidChangeTextDocument((event) => {
				if (event.document === document && event.contentChanges.length > 0) update();
			}),
			this.deps.engine.onDidChange(update),
			panel.webview.onDidReceiveMessage(async (raw: unknown) => {
				const read = readDatasetEditorMessage(raw);
				if (!read.ok) {
					log.warn(`dataset editor sent a message that was refused: ${read.problem}`);
					return;
				}
				try {
					await this.handle(document, read.message, update);
				} catch (error) {
					log.warn(`dataset editor (${fileName}): ${describeError(error)}`);
					post({ type: "error", message: describeError(error) });
					update();
				}
			})
		];
		panel.onDidDispose(() => {
			this.open.delete(entry);
			for (const subscription of subscriptions) subscription.dispose();
		});
	}

	private gridUpdate(document: vscode.TextDocument): DatasetEditorUpdate {
		const fileName = path.basename(document.uri.fsPath);
		const grid = readGrid(document.getText(), fileName, datasetFormatOf(fileName) ?? "jsonl");
		return {
			type: "grid",
			fileName,
			kind: grid.kind,
			columns: grid.columns.filter(isGridColumn),
			required: [...grid.required],
			rows: grid.rows.map((row) => ({
				line: row.line,
				cells: row.cells && { ...row.cells },
				raw: row.raw,
				problems: [...row.problems],
				warnings: [...row.warnings]
			})),
			fileProblems: [...grid.fileProblems],
			readOnlyReason: grid.readOnlyReason,
			canTrain: this.deps.engine.modelInfo !== undefined
		};
	}

	private async handle(document: vscode.TextDocument, message: DatasetEditorMessage, update: () => void): Promise<void> {
		const fileName = path.basename(document.uri.fsPath);
		const format = datasetFormatOf(fileName) ?? "jsonl";
		const text = document.getText();
		const kind = readGrid(text, fileName, format).kind;
		switch (message.type) {
			case "ready":
				update();
				return;
			case "setCell":
				return applyEdit(document, setCell(text, format, message.line, message.column, message.value));
			case "setLineText":
				return applyEdit(document, setLineText(text, message.line, message.value));
			case "appendRows":
				return applyEdit(document, appendRows(text, format, message.rows, kind));
			case "deleteRow":
				return applyEdit(document, deleteRow(text, format, message.line));
			case "openAsText":
				await vscode.commands.executeCommand("vscode.openWith", document.uri, "default");
				return;
			case "train":
				// Training reads the file from disk: what the grid shows must be there first.
				if (document.isDirty && !(await document.save()))
					throw new Error(`could not save ${fileName} before training`);
				try {
					await vscode.commands.executeCommand("steer.trainVector", fileName);
				} catch (error) {
					reportFailure(this.deps.log, "Train Vector", error);
				}
				return;
		}
	}
}

function isGridColumn(column: string): column is GridColumn {
	return (GRID_COLUMNS as readonly string[]).includes(column);
}

async function applyEdit(document: vscode.TextDocument, edit: GridEdit): Promise<void> {
	const workspaceEdit = new vscode.WorkspaceEdit();
	workspaceEdit.replace(
		document.uri,
		new vscode.Range(document.positionAt(edit.start), document.positionAt(edit.end)),
		edit.text
	);
	if (!(await vscode.workspace.applyEdit(workspaceEdit)))
		throw new Error(`VS Code refused the edit of ${path.basename(document.uri.fsPath)}`);
}
