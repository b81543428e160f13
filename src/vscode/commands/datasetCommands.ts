/**
 * Building datasets from the editor. A contrast pair needs both sides, so adding a selection as one
 * side holds it until the other side is added; then the pair is appended to the chosen dataset.
 */
import * as vscode from "vscode";
import type { DatasetStore } from "../storage/datasetStore";
import { fileNameFromTitle } from "../storage/safeFileName";
import { UserFacingError } from "../failures";
import { registerSteerCommand } from "./commandRunner";

export interface DatasetCommandDependencies {
	readonly datasets: DatasetStore;
	readonly log: vscode.LogOutputChannel;
	/** Called after a dataset file was written, so views refresh without waiting for the watcher. */
	readonly onDatasetsChanged: () => void;
}

type Side = "positive" | "negative";

export function registerDatasetCommands(deps: DatasetCommandDependencies): vscode.Disposable[] {
	const { datasets, log } = deps;
	let pending: { side: Side; text: string; dataset: string } | undefined;
	let lastDataset: string | undefined;

	const createDataset = async (name: string | undefined): Promise<string | undefined> => {
		const title =
			name ??
			(await vscode.window.showInputBox({
				title: "Steer: new dataset",
				prompt: "Name of the concept, e.g. happy-vs-sad",
				validateInput: (value) => (value.trim() === "" ? "Give the dataset a name" : undefined)
			}));
		if (!title) return undefined;
		const fileName =
			title.endsWith(".jsonl") || title.endsWith(".csv") ? title : fileNameFromTitle(title, ".jsonl");
		await datasets.create(fileName);
		lastDataset = fileName;
		deps.onDatasetsChanged();
		log.info(`created dataset ${fileName}`);
		return fileName;
	};

	const addSelection = async (side: Side, datasetArgument: unknown): Promise<number | undefined> => {
		const editor = vscode.window.activeTextEditor;
		const text = editor ? editor.document.getText(editor.selection) : "";
		if (!editor || text.trim() === "") throw new UserFacingError("select the text of the example first");
		const dataset =
			typeof datasetArgument === "string"
				? datasetArgument
				: await pickDataset(datasets, lastDataset, () => createDataset(undefined));
		if (!dataset) return undefined;
		// Checked before the first half of a pair is kept: otherwise a bad name or a missing file would
		// only be reported after the user had selected and added the second half too.
		await datasets.load(dataset);
		lastDataset = dataset;
		if (!pending || pending.side === side || pending.dataset !== dataset) {
			pending = { side, text, dataset };
			const other = side === "positive" ? "negative" : "positive";
			void vscode.window.showInformationMessage(
				`Steer: kept as the ${side} example; now add its ${other} example to complete the pair.`
			);
			return undefined;
		}
		const pair =
			side === "positive"
				? { positive: text, negative: pending.text }
				: { positive: pending.text, negative: text };
		pending = undefined;
		const count = await datasets.append(dataset, pair);
		deps.onDatasetsChanged();
		const pairs = `${count} pair${count === 1 ? "" : "s"}`;
		log.info(`added a pair to ${dataset} (${pairs})`);
		void vscode.window.showInformationMessage(`Steer: added the pair to ${dataset} (${pairs}).`);
		return count;
	};

	return [
		// Asked for a name (a user's click), the new dataset opens in the dataset editor to be filled in;
		// given one (other extensions, tests), it is only created.
		registerSteerCommand(log, "steer.newDataset", "New Dataset", async (nameArgument) => {
			const fileName = await createDataset(typeof nameArgument === "string" ? nameArgument : undefined);
			if (fileName && typeof nameArgument !== "string")
				await vscode.commands.executeCommand("steer.openDataset", fileName);
			return fileName;
		}),
		registerSteerCommand(log, "steer.addSelectionAsPositive", "Add Selection as Positive Example", (dataset) =>
			addSelection("positive", dataset)
		),
		registerSteerCommand(log, "steer.addSelectionAsNegative", "Add Selection as Negative Example", (dataset) =>
			addSelection("negative", dataset)
		)
	];
}

async function pickDataset(
	datasets: DatasetStore,
	preferred: string | undefined,
	createDataset: () => Promise<string | undefined>
): Promise<string | undefined> {
	const files = await datasets.list();
	const create = "$(add) New dataset…";
	const items: vscode.QuickPickItem[] = [
		...files
			.map((file) => ({
				label: file.fileName,
				description: file.fileName === preferred ? "last used" : undefined
			}))
			.sort((a, b) => Number(b.description !== undefined) - Number(a.description !== undefined)),
		{ label: create }
	];
	const picked = await vscode.window.showQuickPick(items, { title: "Steer: add the example to which dataset?" });
	if (!picked) return undefined;
	if (picked.label === create) return createDataset();
	return picked.label;
}
