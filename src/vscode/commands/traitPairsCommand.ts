/**
 * "Write Pairs from a Behaviour…": the loaded instruct model writes a contrast-pair dataset from a
 * description of a behaviour and of its opposite (steering/pipeline/traitPairs.ts), which then opens in
 * the dataset editor to be reviewed before training. The file is written only once every answer is in,
 * so cancelling leaves nothing behind.
 */
import * as vscode from "vscode";
import { engineSteerableModel } from "../../engine/steerableModel";
import { nameFromDescription, traitPairs } from "../../steering/pipeline/traitPairs";
import type { EngineService } from "../engine/engineService";
import { UserFacingError } from "../failures";
import { requireTrustedWorkspace } from "../trust";
import type { DatasetStore } from "../storage/datasetStore";
import { fileNameFromTitle } from "../storage/safeFileName";
import { registerSteerCommand, withCancellableProgress } from "./commandRunner";

export interface TraitPairsCommandDependencies {
	readonly engine: EngineService;
	readonly datasets: DatasetStore;
	readonly log: vscode.LogOutputChannel;
	readonly onDatasetsChanged: () => void;
}

export function registerTraitPairsCommand(deps: TraitPairsCommandDependencies): vscode.Disposable {
	const { engine, datasets, log } = deps;
	return registerSteerCommand(log, "steer.writePairsFromBehaviour", "Write Pairs from a Behaviour", async () => {
		requireTrustedWorkspace("Writing pairs with the model");
		const { client, info } = engine.requireModel();
		if (!info.hasChatTemplate)
			throw new UserFacingError(
				"writing pairs from a behaviour needs an instruct model (one with a chat template) that follows a system message; load one first"
			);
		// The boxes start with an example (selected, so typing replaces it): Enter tries it as it is.
		const traitExample = "You are a pirate. You always talk like a pirate, saying arr and matey.";
		const trait = await vscode.window.showInputBox({
			title: "Steer: write pairs from a behaviour (1/3)",
			prompt: "Describe the behaviour as a system message to the model (an example is filled in)",
			value: traitExample,
			valueSelection: [0, traitExample.length],
			validateInput: (value) => (value.trim() === "" ? "Describe the behaviour" : undefined)
		});
		if (!trait) return undefined;
		const opposite = await vscode.window.showInputBox({
			title: "Steer: write pairs from a behaviour (2/3)",
			prompt: "Describe its opposite, the same way",
			value: "You answer plainly and politely.",
			valueSelection: [0, "You answer plainly and politely.".length],
			validateInput: (value) =>
				value.trim() === ""
					? "Describe the opposite behaviour"
					: value.trim() === trait.trim()
						? "The opposite must differ from the behaviour"
						: undefined
		});
		if (!opposite) return undefined;
		const existing = new Set((await datasets.list()).map((file) => file.fileName));
		const name = await vscode.window.showInputBox({
			title: "Steer: write pairs from a behaviour (3/3)",
			prompt: "Name of the new dataset",
			value: nameFromDescription(trait),
			validateInput: (value) => {
				if (value.trim() === "") return "Give the dataset a name";
				let candidate: string;
				try {
					candidate = fileNameFromTitle(value, ".jsonl");
				} catch (error) {
					return (error as Error).message;
				}
				return existing.has(candidate) ? `${candidate} already exists; choose another name` : undefined;
			}
		});
		if (!name) return undefined;
		const fileName = fileNameFromTitle(name, ".jsonl");
		const result = await withCancellableProgress(
			`Steer: ${info.name ?? "the model"} is writing pairs`,
			(signal, report) =>
				traitPairs((system) => engineSteerableModel(client, { chat: { system } }), {
					trait,
					opposite,
					signal,
					onProgress: (done, total) =>
						report(
							`answer ${done} of ${total} (each of ${total / 2} questions answered both ways)`,
							done / total
						)
				})
		);
		if (result.pairs.length === 0)
			throw new UserFacingError(
				"no question gave a contrast: every answer came out empty or the same under both descriptions; describe the two behaviours more differently"
			);
		// Minutes have passed: if a file of that name appeared meanwhile, the answers go to a free name
		// beside it rather than being lost.
		const taken = new Set((await datasets.list()).map((file) => file.fileName));
		let savedAs = fileName;
		for (let n = 2; taken.has(savedAs); n++) savedAs = fileName.replace(/\.jsonl$/, `-${n}.jsonl`);
		await datasets.create(savedAs);
		await datasets.save(savedAs, result.pairs);
		deps.onDatasetsChanged();
		log.info(
			`wrote ${savedAs}: ${result.pairs.length} pairs from "${trait}" / "${opposite}"${result.skipped.length > 0 ? ` (${result.skipped.length} questions gave no contrast)` : ""}`
		);
		await vscode.commands.executeCommand("steer.openDataset", savedAs);
		void vscode.window.showInformationMessage(
			`Steer: ${result.pairs.length} pairs written by the model into ${savedAs}. Read them, fix or delete what does not show the behaviour, then train.`
		);
		return savedAs;
	});
}
