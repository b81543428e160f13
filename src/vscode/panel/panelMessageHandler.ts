/**
 * What the host does for each (already validated) message from the steering panel. Replies go back
 * through `post`; failures are shown in the panel and logged, never thrown into the webview channel.
 */
import * as vscode from "vscode";
import path from "node:path";
import { DatasetSaveRefusedError, DatasetValidationError, formatDatasetIssue } from "../../datasets";
import type { HostToWebview, PairRow, RowIssue, WebviewToHost } from "../../shared/webviewProtocol/messages";
import type { EngineService } from "../engine/engineService";
import { describeError, isUserCancellation } from "../failures";
import { COMPARISON_SEED } from "../commands/generationCommands";
import type { DatasetStore } from "../storage/datasetStore";
import type { SteeringController } from "../steering/steeringController";
import type { TrainingRunner } from "../training/trainingRunner";
import { readSettings } from "../settings";
import type { ConditionSearchRunner } from "./conditionSearchRunner";
import { generatePairRows } from "./pairGeneration";
import { checkRule } from "./ruleCheck";
import type { StrengthSweepRunner } from "./strengthSweepRunner";

export interface PanelHandlerDependencies {
	readonly engine: EngineService;
	readonly steering: SteeringController;
	readonly datasets: DatasetStore;
	readonly training: TrainingRunner;
	readonly sweeps: StrengthSweepRunner;
	readonly conditions: ConditionSearchRunner;
	readonly log: vscode.LogOutputChannel;
	readonly post: (message: HostToWebview) => void;
	readonly refresh: () => Promise<void>;
	readonly refreshVectors: () => Promise<void>;
}

export class PanelMessageHandler {
	private generation: AbortController | undefined;

	constructor(private readonly deps: PanelHandlerDependencies) {}

	async handle(message: WebviewToHost): Promise<void> {
		try {
			await this.dispatch(message);
		} catch (error) {
			if (isUserCancellation(error)) return;
			this.deps.log.error(`panel: ${message.type} failed: ${describeError(error)}`);
			this.deps.post({ type: "error", message: describeError(error) });
		}
	}

	private async dispatch(message: WebviewToHost): Promise<void> {
		const { steering, datasets, post } = this.deps;
		switch (message.type) {
			case "ready":
				await this.deps.refresh();
				return;
			case "runCommand": {
				const result = await vscode.commands.executeCommand<unknown>(`steer.${message.command}`);
				// A dataset made from the panel opens in its grid, where the user fills it in next.
				if (message.command === "newDataset" && typeof result === "string")
					await this.dispatch({ type: "openDataset", fileName: result });
				return;
			}
			case "openDataset": {
				const reading = await datasets.read(message.fileName);
				post({
					type: "dataset",
					fileName: message.fileName,
					// Every field travels with its row, so a save from the grid keeps labels, ids and system prompts.
					pairs: reading.pairs,
					issues: [],
					problems: [
						...reading.errors.map((issue) =>
							formatDatasetIssue({ ...issue, file: path.basename(issue.file) })
						),
						// The grid edits pairs; a file of labelled examples is edited as text (saving is refused anyway).
						...(reading.examples.length > 0
							? [
									`${message.fileName} holds ${reading.examples.length} labelled examples (prompt, completion, label) without pairs, which this grid does not edit; open it as text. Training takes them with mean-diff or probe.`
								]
							: [])
					],
					revision: reading.revision
				});
				return;
			}
			case "openDatasetAsText": {
				const document = await vscode.workspace.openTextDocument(
					vscode.Uri.file(datasets.pathOf(message.fileName))
				);
				await vscode.window.showTextDocument(document);
				return;
			}
			case "saveDataset": {
				// An emptied optional cell means the field is gone, not an empty string the validator refuses.
				const pairs = message.pairs.map(
					(pair) =>
						Object.fromEntries(
							Object.entries(pair).filter(
								([field, value]) => field === "positive" || field === "negative" || value !== ""
							)
						) as PairRow
				);
				let revision: string;
				try {
					revision = await datasets.save(message.fileName, pairs, message.revision);
				} catch (error) {
					// Nothing is written when a row is invalid; the grid keeps the user's edits and marks the rows.
					if (error instanceof DatasetValidationError) {
						post({
							type: "datasetSaved",
							fileName: message.fileName,
							saved: false,
							issues: rowIssues(error)
						});
						return;
					}
					// Nor when the file holds lines the grid does not show, or changed since it was opened.
					if (error instanceof DatasetSaveRefusedError) {
						this.deps.log.warn(`saving dataset ${message.fileName} refused: ${error.message}`);
						post({
							type: "datasetSaved",
							fileName: message.fileName,
							saved: false,
							issues: [],
							message: error.message
						});
						return;
					}
					throw error;
				}
				post({ type: "datasetSaved", fileName: message.fileName, saved: true, issues: [], revision });
				await this.deps.refresh();
				return;
			}
			case "deleteDataset": {
				const choice = await vscode.window.showWarningMessage(
					`Delete the dataset ${message.fileName}?`,
					{ modal: true },
					"Delete"
				);
				if (choice !== "Delete") return;
				await datasets.delete(message.fileName);
				await this.deps.refresh();
				return;
			}
			case "renameDataset":
				await this.rename(message.fileName, message.newFileName);
				return;
			case "generatePairs": {
				let pairs;
				try {
					pairs = generatePairRows(message.generator);
				} catch (error) {
					post({ type: "pairsNotGenerated", fileName: message.fileName, message: describeError(error) });
					return;
				}
				post({ type: "pairsGenerated", fileName: message.fileName, pairs });
				return;
			}
			case "train":
				await this.train(message);
				return;
			case "cancelTraining":
				this.deps.training.cancel();
				return;
			case "setVectorActive":
				await steering.setActive(message.fileName, message.active);
				return;
			case "setVectorStrength":
				await steering.setStrength(message.fileName, message.strength);
				return;
			case "setVectorLayerRange":
				await steering.setLayerRange(message.fileName, message.range ?? undefined);
				return;
			case "setVectorPlacement":
				await steering.setPlacement(message.fileName, message.placement);
				return;
			case "setSteeringEnabled":
				await steering.setEnabled(message.enabled);
				return;
			case "generate":
				await this.generate(message.prompt, message.maxTokens, message.seed, message.chat);
				return;
			case "cancelGeneration":
				this.generation?.abort();
				return;
			case "sweepStrengths":
				await this.sweep(message);
				return;
			case "cancelSweep":
				this.deps.sweeps.cancel();
				return;
			case "searchCondition":
				await this.searchCondition(message);
				return;
			case "cancelConditionSearch":
				this.deps.conditions.cancel();
				return;
			case "checkRule":
				post(checkRule(message.source));
				return;
		}
	}

	/** Every refusal (a name that leaves the folder, one already taken) is shown beside the rename form. */
	private async rename(fileName: string, newFileName: string): Promise<void> {
		try {
			await this.deps.datasets.rename(fileName, newFileName);
		} catch (error) {
			this.deps.log.warn(`renaming dataset ${fileName} refused: ${describeError(error)}`);
			this.deps.post({ type: "datasetNotRenamed", fileName, newFileName, message: describeError(error) });
			return;
		}
		this.deps.post({ type: "datasetRenamed", fileName, newFileName });
		await this.deps.refresh();
	}

	private async train(message: Extract<WebviewToHost, { type: "train" }>): Promise<void> {
		try {
			const { type: _type, fileName, ...choices } = message;
			const outcome = await this.deps.training.train({ datasetFileName: fileName, ...choices });
			await this.deps.refreshVectors();
			await this.deps.steering.startFresh(outcome.vectorFileName, outcome.suggested);
			this.deps.post({
				type: "trainingDone",
				vectorFileName: outcome.vectorFileName,
				layers: outcome.layers,
				suggested: outcome.suggested
			});
		} catch (error) {
			if (isUserCancellation(error)) {
				this.deps.post({ type: "trainingFailed", message: "training cancelled" });
				return;
			}
			const text =
				error instanceof DatasetValidationError
					? error.message.split("\n").slice(0, 3).join(" ")
					: describeError(error);
			this.deps.log.error(`training failed: ${describeError(error)}`);
			this.deps.post({ type: "trainingFailed", message: text });
		}
	}

	/** The sweep's outcome goes to the playground's table; its failure is shown there, not as a banner. */
	private async sweep(message: Extract<WebviewToHost, { type: "sweepStrengths" }>): Promise<void> {
		const { type: _type, ...request } = message;
		try {
			const sweep = await this.deps.sweeps.run(request, (done, total) =>
				this.deps.post({ type: "sweepProgress", done, total })
			);
			await this.deps.steering.recordSweep(sweep.vectorFileName, sweep.rows);
			this.deps.post({ type: "sweepDone", sweep });
		} catch (error) {
			if (isUserCancellation(error)) {
				this.deps.post({ type: "sweepFailed", message: "sweep stopped" });
				return;
			}
			this.deps.log.error(`strength sweep failed: ${describeError(error)}`);
			this.deps.post({ type: "sweepFailed", message: describeError(error) });
		}
	}

	/** The search's outcome goes to the Vectors section's condition editor; so does its failure. */
	private async searchCondition(message: Extract<WebviewToHost, { type: "searchCondition" }>): Promise<void> {
		const { type: _type, ...request } = message;
		try {
			const search = await this.deps.conditions.run(request, (done, total) =>
				this.deps.post({ type: "conditionProgress", done, total })
			);
			this.deps.post({ type: "conditionFound", search });
		} catch (error) {
			if (isUserCancellation(error)) {
				this.deps.post({ type: "conditionFailed", message: "search stopped" });
				return;
			}
			this.deps.log.error(`condition search failed: ${describeError(error)}`);
			this.deps.post({ type: "conditionFailed", message: describeError(error) });
		}
	}

	/** Baseline then steered, same seed and settings (chat mode included), each streamed into its column. */
	private async generate(
		prompt: string,
		maxTokens: number,
		seed: number,
		chat: { readonly system?: string } | undefined
	): Promise<void> {
		this.generation?.abort();
		const controller = new AbortController();
		this.generation = controller;
		const temperature = readSettings().temperature;
		const sides = [
			["baseline", []],
			["steered", this.deps.steering.activeEntries()]
		] as const;
		for (const [side, steering] of sides) {
			let text = "";
			this.deps.post({ type: "generation", side, text, done: false });
			const result = await this.deps.engine.generate(
				{ prompt, maxTokens, seed: seed || COMPARISON_SEED, temperature, steering, ...(chat ? { chat } : {}) },
				{
					signal: controller.signal,
					onText: (chunk) => {
						text += chunk;
						this.deps.post({ type: "generation", side, text, done: false });
					}
				}
			);
			this.deps.post({
				type: "generation",
				side,
				text: result.text,
				done: true,
				tokensPerSecond: result.tokensPerSecond
			});
		}
		if (this.generation === controller) this.generation = undefined;
	}

	dispose(): void {
		this.generation?.abort();
		this.deps.sweeps.cancel();
		this.deps.conditions.cancel();
	}
}

function rowIssues(error: DatasetValidationError): RowIssue[] {
	return error.issues.map((issue) => ({
		row: Math.max(0, issue.line - 1),
		field: issue.field,
		message: issue.message
	}));
}
