/**
 * The commands behind the Datasets and Vectors trees: a click, the context menu and the view's title
 * buttons. Each takes the tree row it was invoked on (or a file name, for tests and keybindings) and
 * hands the work to the service that owns it, so the trees stay views.
 */
import * as vscode from "vscode";
import { parseLayerSpec } from "../../steering/layerSpec";
import type { DatasetStore } from "../storage/datasetStore";
import type { SteeringController } from "../steering/steeringController";
import type { VectorLibrary } from "../steering/vectorLibrary";
import { DATASET_EDITOR_VIEW_TYPE } from "../editors/datasetEditorProvider";
import { VECTOR_VIEWER_VIEW_TYPE } from "../editors/vectorViewerProvider";
import { UserFacingError } from "../failures";
import { requireTrustedWorkspace } from "../trust";
import { registerSteerCommand } from "./commandRunner";

export interface TreeItemCommandDependencies {
	readonly datasets: DatasetStore;
	readonly library: VectorLibrary;
	readonly steering: SteeringController;
	readonly log: vscode.LogOutputChannel;
	readonly refreshVectors: () => Promise<void>;
	readonly onDatasetsChanged: () => void;
}

/** The file name a tree row or a plain argument names. */
export function fileNameOf(argument: unknown): string | undefined {
	if (typeof argument === "string") return argument;
	if (typeof argument === "object" && argument !== null && "fileName" in argument) {
		const { fileName } = argument as { fileName: unknown };
		if (typeof fileName === "string") return fileName;
	}
	return undefined;
}

function requireFileName(argument: unknown, what: string): string {
	const fileName = fileNameOf(argument);
	if (!fileName) throw new UserFacingError(`pick a ${what} in the Steer sidebar first`);
	return fileName;
}

export function registerTreeItemCommands(deps: TreeItemCommandDependencies): vscode.Disposable[] {
	const { datasets, library, steering, log } = deps;
	return [
		registerSteerCommand(log, "steer.openDataset", "Open Dataset", async (argument) => {
			const uri = vscode.Uri.file(datasets.pathOf(requireFileName(argument, "dataset")));
			await vscode.commands.executeCommand("vscode.openWith", uri, DATASET_EDITOR_VIEW_TYPE);
		}),
		registerSteerCommand(log, "steer.openDatasetAsText", "Open Dataset as Text", async (argument) => {
			const uri = vscode.Uri.file(datasets.pathOf(requireFileName(argument, "dataset")));
			await vscode.commands.executeCommand("vscode.openWith", uri, "default");
		}),
		registerSteerCommand(log, "steer.trainOnDataset", "Train Vector", (argument) =>
			vscode.commands.executeCommand("steer.trainVector", requireFileName(argument, "dataset"))
		),
		registerSteerCommand(log, "steer.renameDataset", "Rename Dataset", async (argument, newNameArgument) => {
			const fileName = requireFileName(argument, "dataset");
			const newFileName = typeof newNameArgument === "string" ? newNameArgument : await askNewName(fileName);
			if (!newFileName || newFileName === fileName) return undefined;
			const oldPath = datasets.pathOf(fileName);
			const open = vscode.workspace.textDocuments.find((document) => document.uri.fsPath === oldPath);
			if (open?.isDirty)
				throw new UserFacingError(`${fileName} has unsaved changes; save or revert them before renaming it`);
			await datasets.rename(fileName, newFileName);
			// Its editors would keep showing (and could save back to) the old name: reopen it under the new one.
			if (await closeTabsOf(oldPath)) await vscode.commands.executeCommand("steer.openDataset", newFileName);
			deps.onDatasetsChanged();
			log.info(`renamed dataset ${fileName} to ${newFileName}`);
			return newFileName;
		}),
		registerSteerCommand(log, "steer.deleteDataset", "Delete Dataset", async (argument) => {
			requireTrustedWorkspace("Deleting a dataset");
			const fileName = requireFileName(argument, "dataset");
			const uri = vscode.Uri.file(datasets.pathOf(fileName));
			if (!(await deleteWithConfirmation(uri, `the dataset ${fileName}`))) return false;
			deps.onDatasetsChanged();
			log.info(`deleted dataset ${fileName}`);
			return true;
		}),
		registerSteerCommand(log, "steer.openVector", "Open Vector", async (argument) => {
			const vector = library.get(requireFileName(argument, "vector"));
			if (!vector) throw new UserFacingError(`no vector named ${fileNameOf(argument)}`);
			await vscode.commands.executeCommand(
				"vscode.openWith",
				vscode.Uri.file(vector.path),
				VECTOR_VIEWER_VIEW_TYPE
			);
		}),
		registerSteerCommand(log, "steer.setVectorStrength", "Set Strength", (argument) =>
			vscode.commands.executeCommand("steer.setStrength", undefined, requireFileName(argument, "vector"))
		),
		registerSteerCommand(log, "steer.setVectorLayers", "Set Layers", async (argument, layersArgument) => {
			const fileName = requireFileName(argument, "vector");
			const vector = library.get(fileName);
			if (!vector) throw new UserFacingError(`no vector named ${fileName}`);
			const layers = [...vector.vector.directions.keys()].sort((a, b) => a - b);
			const current = steering.choiceOf(fileName).layerRange;
			const suggested = vector.facts.suggested;
			const answer =
				typeof layersArgument === "string"
					? layersArgument
					: await vscode.window.showInputBox({
							title: `Steer: which layers should ${vector.name} steer?`,
							prompt: `A range such as ${suggested ? `${suggested[0]}-${suggested[1]} (the suggested one)` : `${layers[0]}-${layers.at(-1)}`}, or "all" for every layer the vector has (${layers[0]}–${layers.at(-1)})`,
							value: current ? `${current[0]}-${current[1]}` : "all",
							validateInput: (value) => layerRangeProblem(value, layers)
						});
			if (answer === undefined) return undefined;
			const problem = layerRangeProblem(answer, layers);
			if (problem) throw new UserFacingError(problem);
			const range = layerRangeFrom(answer, layers);
			await steering.setLayerRange(fileName, range);
			return range ?? "all";
		}),
		registerSteerCommand(log, "steer.renameVector", "Rename Vector", async (argument, newNameArgument) => {
			const fileName = requireFileName(argument, "vector");
			const newFileName = typeof newNameArgument === "string" ? newNameArgument : await askNewName(fileName);
			if (!newFileName || newFileName === fileName) return undefined;
			const oldPath = library.get(fileName)?.path;
			// Taken before the file moves: the folder watcher forgets the choices of a name that is gone.
			const choice = steering.hasChoice(fileName) ? steering.choiceOf(fileName) : undefined;
			const stored = await library.rename(fileName, newFileName);
			await steering.moveChoice(fileName, stored, choice);
			if (oldPath && (await closeTabsOf(oldPath)))
				await vscode.commands.executeCommand("steer.openVector", stored);
			await deps.refreshVectors();
			log.info(`renamed vector ${fileName} to ${stored}`);
			return stored;
		}),
		registerSteerCommand(log, "steer.deleteVector", "Delete Vector", async (argument) => {
			requireTrustedWorkspace("Deleting a vector");
			const fileName = requireFileName(argument, "vector");
			const vector = library.get(fileName);
			if (!vector) throw new UserFacingError(`no vector named ${fileName}`);
			if (!(await deleteWithConfirmation(vscode.Uri.file(vector.path), `the vector ${fileName}`))) return false;
			await deps.refreshVectors();
			log.info(`deleted vector ${fileName}`);
			return true;
		}),
		registerSteerCommand(log, "steer.exportVectorFile", "Export Vector", (argument) =>
			vscode.commands.executeCommand("steer.exportVector", requireFileName(argument, "vector"))
		),
		registerSteerCommand(log, "steer.showVectorInLens", "Show in Concept Lens", (argument) =>
			vscode.commands.executeCommand("steer.showConceptLens", requireFileName(argument, "vector"))
		),
		registerSteerCommand(log, "steer.steeringOn", "Turn Steering On", () => steering.setEnabled(true)),
		registerSteerCommand(log, "steer.steeringOff", "Turn Steering Off", () => steering.setEnabled(false))
	];
}

/** Closes every editor tab showing the file at `filePath`; resolves to whether there was one. */
async function closeTabsOf(filePath: string): Promise<boolean> {
	const tabs = vscode.window.tabGroups.all
		.flatMap((group) => group.tabs)
		.filter((tab) => {
			const input = tab.input as { uri?: vscode.Uri } | undefined;
			return input?.uri instanceof vscode.Uri && input.uri.fsPath === filePath;
		});
	if (tabs.length === 0) return false;
	await vscode.window.tabGroups.close(tabs);
	return true;
}

async function askNewName(fileName: string): Promise<string | undefined> {
	const dot = fileName.lastIndexOf(".");
	return vscode.window.showInputBox({
		title: `Steer: rename ${fileName}`,
		prompt: "New file name, with the same extension",
		value: fileName,
		valueSelection: [0, dot > 0 ? dot : fileName.length],
		validateInput: (value) => (value.trim() === "" ? "Give it a name" : undefined)
	});
}

/**
 * Asks, then moves the file to the trash; where there is no trash (a remote host such as
 * code-server), asks again before deleting it for good. Returns whether the file is gone.
 */
async function deleteWithConfirmation(uri: vscode.Uri, what: string): Promise<boolean> {
	const choice = await vscode.window.showWarningMessage(
		`Delete ${what}?`,
		{ modal: true, detail: "It is moved to the trash, where you can restore it." },
		"Move to Trash"
	);
	if (choice !== "Move to Trash") return false;
	try {
		await vscode.workspace.fs.delete(uri, { useTrash: true });
		return true;
	} catch (error) {
		const again = await vscode.window.showWarningMessage(
			`There is no trash here: delete ${what} for good?`,
			{
				modal: true,
				detail: `${error instanceof Error ? error.message : String(error)}\n\nThis cannot be undone.`
			},
			"Delete Permanently"
		);
		if (again !== "Delete Permanently") return false;
		await vscode.workspace.fs.delete(uri, { useTrash: false });
		return true;
	}
}

/** Why `text` is not a contiguous layer range of the vector, or undefined when it is one. */
export function layerRangeProblem(text: string, layers: readonly number[]): string | undefined {
	if (text.trim() === "all") return undefined;
	let picked: number[];
	try {
		picked = parseLayerSpec(text.replace(/[–—]/g, "-"), (layers.at(-1) ?? 0) + 1);
	} catch (error) {
		return (error as Error).message;
	}
	if (picked.length === 0) return "pick at least one layer";
	const first = picked[0];
	const last = picked.at(-1) ?? first;
	if (last - first + 1 !== picked.length) return "steer one unbroken range of layers, such as 2-4";
	if (!layers.some((layer) => layer >= first && layer <= last))
		return `the vector has no direction in layers ${first}–${last} (it has ${layers.join(", ")})`;
	return undefined;
}

function layerRangeFrom(text: string, layers: readonly number[]): readonly [number, number] | undefined {
	if (text.trim() === "all") return undefined;
	const picked = parseLayerSpec(text.replace(/[–—]/g, "-"), (layers.at(-1) ?? 0) + 1);
	return [picked[0], picked.at(-1) ?? picked[0]];
}
