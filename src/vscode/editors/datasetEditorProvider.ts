/**
 * The dataset editor: a custom text editor for `.steer/datasets/*.jsonl` and `*.csv` that shows the
 * file as a grid. The TextDocument is the only state: every change the page asks for becomes a
 * WorkspaceEdit of the rows it touches, so undo and redo, the dirty mark, Save, hot exit and
 * "Reopen Editor With… Text Editor" behave as for any file, and lines the grid cannot show are kept.
 */
import path from "node:path";
import * as vscode from "vscode";
import { appendRows, datasetFormatOf, deleteRow, readGrid, setCell, setLineText, type GridEdit } from "../../datasets";
import {
	GRID_COLUMNS,
	readDatasetEditorMessage,
	type GridColumn,
	type DatasetEditorMessage,
	type DatasetEditorUpdate
} from "../../shared/datasetEditorProtocol";
import type { EngineService } from "../engine/engineService";
import { generatePairRows } from "./pairGeneration";
import type { DatasetStore } from "../storage/datasetStore";
import type { TrainingOutcome, TrainingRunner } from "../training/trainingRunner";
import { describeError } from "../failures";
import { webviewHtml, webviewResourceRoots } from "../webviewHtml";

export const DATASET_EDITOR_VIEW_TYPE = "steer.datasetEditor";

export interface DatasetEditorDependencies {
	readonly extensionUri: vscode.Uri;
	readonly engine: EngineService;
	readonly training: TrainingRunner;
	readonly datasets: DatasetStore;
	readonly log: vscode.LogOutputChannel;
}

/** One open dataset editor: its document, and how to reach its page. */
interface OpenEditor {
	readonly document: vscode.TextDocument;
	readonly post: (update: DatasetEditorUpdate) => void;
	readonly update: () => void;
	/**
	 * The edits asked for so far, one after another: each reads the document as the last one left it,
	 * so two quick edits never race for the same version of the text.
	 */
	queue: Promise<unknown>;
	/** Whether the page was last told that this file is training. */
	training: boolean;
}

/** A message the host sent to a dataset editor's page (for tests and diagnostics). */
export interface DatasetEditorPost {
	readonly fileName: string;
	readonly update: DatasetEditorUpdate;
}

export class DatasetEditorProvider implements vscode.CustomTextEditorProvider, vscode.Disposable {
	private readonly open = new Set<OpenEditor>();
	private readonly posted = new vscode.EventEmitter<DatasetEditorPost>();
	/** Every message sent to a dataset editor's page, as it is sent. */
	readonly onDidPost = this.posted.event;

	constructor(private readonly deps: DatasetEditorDependencies) {}

	/** The editors open now (for tests): their documents. */
	get openDocuments(): readonly vscode.TextDocument[] {
		return [...this.open].map((editor) => editor.document);
	}

	resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
		const { extensionUri } = this.deps;
		const fileName = path.basename(document.uri.fsPath);
		panel.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(extensionUri) };
		panel.webview.html = webviewHtml(panel.webview, extensionUri, "datasetEditor", fileName);
		const post = (update: DatasetEditorUpdate) => {
			this.posted.fire({ fileName, update });
			void panel.webview.postMessage(update);
		};
		const entry: OpenEditor = {
			document,
			post,
			update: () => post(this.gridUpdate(document)),
			queue: Promise.resolve(),
			training: false
		};
		this.open.add(entry);
		const subscriptions = [
			vscode.workspace.onDidChangeTextDocument((event) => {
				if (event.document === document && event.contentChanges.length > 0) entry.update();
			}),
			this.deps.engine.onDidChange(entry.update),
			// Training this file reports where it is in the page that shows it, as well as in the notification.
			// However it was started (this page, the Datasets view, the palette), and when it stops.
			this.deps.training.onDidChange((view) => {
				if (view?.running && view.dataset === fileName) {
					entry.training = true;
					post({ type: "training", phase: view.phase, done: view.done, total: view.total });
				} else if (entry.training) {
					entry.training = false;
					post({ type: "trainingStopped" });
				}
			}),
			panel.webview.onDidReceiveMessage((raw: unknown) => void this.receiveFrom(entry, raw))
		];
		panel.onDidDispose(() => {
			this.open.delete(entry);
			for (const subscription of subscriptions) subscription.dispose();
		});
	}

	/**
	 * Handles `raw` as if the page of the editor open on `uri` had sent it (tests send what a user's
	 * gesture would); resolves to whether it was accepted, once handled.
	 */
	async receive(uri: vscode.Uri, raw: unknown): Promise<boolean> {
		const entry = [...this.open].find((editor) => editor.document.uri.toString() === uri.toString());
		if (!entry) throw new Error(`no dataset editor is open on ${uri.fsPath}`);
		return this.receiveFrom(entry, raw);
	}

	private async receiveFrom(entry: OpenEditor, raw: unknown): Promise<boolean> {
		const fileName = path.basename(entry.document.uri.fsPath);
		const read = readDatasetEditorMessage(raw);
		if (!read.ok) {
			this.deps.log.warn(`dataset editor (${fileName}) sent a message that was refused: ${read.problem}`);
			// Said on the page too: what the user typed or pasted was not taken, and why.
			entry.post({ type: "error", message: `That change was not made: ${read.problem}` });
			entry.update();
			return false;
		}
		const handle = async () => {
			try {
				await this.handle(entry, read.message);
			} catch (error) {
				this.deps.log.warn(`dataset editor (${fileName}): ${describeError(error)}`);
				entry.post({ type: "error", message: describeError(error) });
				entry.update();
			}
		};
		// Training waits for the edits before it (it saves them first) but does not hold up later ones.
		const done =
			read.message.type === "train" ? entry.queue.then(handle) : (entry.queue = entry.queue.then(handle));
		await done;
		return true;
	}

	dispose(): void {
		this.posted.dispose();
	}

	/** Training reads Steer's datasets folder: a file of the same name elsewhere is not the one trained. */
	private isSteerDataset(document: vscode.TextDocument): boolean {
		try {
			return this.deps.datasets.pathOf(path.basename(document.uri.fsPath)) === path.resolve(document.uri.fsPath);
		} catch {
			return false;
		}
	}

	private gridUpdate(document: vscode.TextDocument): DatasetEditorUpdate {
		const fileName = path.basename(document.uri.fsPath);
		const grid = readGrid(document.getText(), fileName, datasetFormatOf(fileName) ?? "jsonl");
		const steerDataset = this.isSteerDataset(document);
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
			canTrain: this.deps.engine.modelInfo !== undefined && steerDataset,
			...(steerDataset
				? {}
				: { trainHint: `Only datasets in ${this.deps.datasets.directory} can be trained from here` })
		};
	}

	private async handle({ document, post, update }: OpenEditor, message: DatasetEditorMessage): Promise<void> {
		const fileName = path.basename(document.uri.fsPath);
		const format = datasetFormatOf(fileName) ?? "jsonl";
		const text = document.getText();
		const kind = readGrid(text, fileName, format).kind;
		switch (message.type) {
			case "ready":
				update();
				return;
			case "setCell":
				return applyEdit(document, setCell(text, format, message.line, message.column, message.value, kind));
			case "setLineText":
				return applyEdit(document, setLineText(text, message.line, message.value));
			case "appendRows":
				return applyEdit(document, appendRows(text, format, message.rows, kind));
			case "deleteRow":
				return applyEdit(document, deleteRow(text, format, message.line));
			case "openAsText":
				await vscode.commands.executeCommand("vscode.openWith", document.uri, "default");
				return;
			case "generatePairs": {
				if (kind !== "pair")
					throw new Error(
						`${fileName} holds labelled examples; generated contrast pairs belong in a dataset of pairs`
					);
				const rows = generatePairRows(message.generator).map(({ prompt, positive, negative }) => ({
					...(prompt === undefined ? {} : { prompt }),
					positive,
					negative
				}));
				return applyEdit(document, appendRows(text, format, rows, kind));
			}
			case "train": {
				// Training reads the file from disk: what the grid shows must be there first.
				if (document.isDirty && !(await document.save()))
					throw new Error(`could not save ${fileName} before training`);
				const { type: _type, ...choices } = message;
				const outcome = await vscode.commands.executeCommand<TrainingOutcome | undefined>(
					"steer.trainVector",
					fileName,
					choices
				);
				post(
					outcome
						? { type: "trained", vectorFileName: outcome.vectorFileName, suggested: [...outcome.suggested] }
						: {
								type: "trainingFailed",
								message: "Training did not finish; the notification and the log say why."
							}
				);
				return;
			}
			case "cancelTraining":
				this.deps.training.cancel();
				return;
			case "openVector":
				await vscode.commands.executeCommand("steer.openVector", message.fileName);
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
