/** Training, importing, exporting and dosing steering vectors from the command palette. */
import path from "node:path";
import * as vscode from "vscode";
import {
	POSITION_CHOICES,
	TRAINING_METHOD_CHOICES,
	type PositionChoice,
	type TrainingMethod
} from "../../shared/webviewProtocol/messages";
import { UserFacingError } from "../failures";
import type { DatasetStore } from "../storage/datasetStore";
import type { SteeringController } from "../steering/steeringController";
import type { VectorLibrary } from "../steering/vectorLibrary";
import { IF_EXISTS_CHOICES, type IfExists } from "../storage/vectorFileNames";
import type { TrainingOutcome, TrainingRequest, TrainingRunner } from "../training/trainingRunner";
import { pathArgument, registerSteerCommand, withCancellableProgress } from "./commandRunner";

export interface VectorCommandDependencies {
	readonly datasets: DatasetStore;
	readonly library: VectorLibrary;
	readonly steering: SteeringController;
	readonly training: TrainingRunner;
	readonly log: vscode.LogOutputChannel;
	/** Re-reads the vectors folder and updates every view. */
	readonly refreshVectors: () => Promise<void>;
}

export function registerVectorCommands(deps: VectorCommandDependencies): vscode.Disposable[] {
	const { log, steering, library } = deps;
	return [
		// Arguments (for the dataset editor, other extensions and tests): the dataset's file name, then
		// the method, or every choice at once ({ method, positions, layers, ifExists }); then what to do
		// when the vector exists, when the method came alone.
		registerSteerCommand(
			log,
			"steer.trainVector",
			"Train Vector",
			async (datasetArgument, choicesArgument, ifExistsArgument) => {
				const dataset =
					typeof datasetArgument === "string" ? datasetArgument : await pickDataset(deps.datasets);
				if (!dataset) return undefined;
				const given = trainingChoices(choicesArgument, ifExistsArgument);
				const method = given.method ?? (await pickMethod());
				if (!method) return undefined;
				const outcome = await trainWithProgress(deps, { ...given, datasetFileName: dataset, method });
				await deps.refreshVectors();
				await steering.startFresh(outcome.vectorFileName, outcome.suggested);
				const [first, last] = outcome.suggested;
				void vscode.window.showInformationMessage(
					`Steer: trained ${outcome.vectorFileName}; it steers ${first === last ? `layer ${first}` : `layers ${first}–${last}`}. Tick it in the Vectors view to steer with it.`
				);
				return outcome;
			}
		),
		registerSteerCommand(log, "steer.importVector", "Import Vector", async (argument, ifExistsArgument) => {
			const source = pathArgument(argument) ?? (await pickVectorFile());
			if (!source) return undefined;
			const ifExists = ifExistsFrom(ifExistsArgument);
			const imported = await library.importFile(source, path.basename(source), ifExists);
			await deps.refreshVectors();
			await steering.startFresh(imported.fileName, imported.facts.suggested);
			log.info(
				`imported ${source} as ${imported.fileName} (${imported.vector.directions.size} layers × ${imported.vector.nEmbd})`
			);
			return imported.fileName;
		}),
		registerSteerCommand(log, "steer.exportVector", "Export Vector", async (nameArgument, destinationArgument) => {
			const fileName =
				typeof nameArgument === "string" ? nameArgument : await pickVector(library, "Export which vector?");
			if (!fileName) return undefined;
			const destination =
				pathArgument(destinationArgument) ??
				(
					await vscode.window.showSaveDialog({
						title: "Steer: export control vector",
						defaultUri: vscode.Uri.file(fileName),
						filters: { "Control vectors": ["gguf"] }
					})
				)?.fsPath;
			if (!destination) return undefined;
			await library.exportFile(fileName, destination);
			log.info(`exported ${fileName} to ${destination}`);
			return destination;
		}),
		registerSteerCommand(log, "steer.toggleSteering", "Toggle Steering", async () => {
			await steering.setEnabled(!steering.enabled);
			return steering.enabled;
		}),
		registerSteerCommand(
			log,
			"steer.setStrength",
			"Set Steering Strength",
			async (strengthArgument, nameArgument) => {
				const fileName =
					typeof nameArgument === "string"
						? nameArgument
						: await pickVector(
								library,
								"Set the strength of which vector?",
								steering.activeVectors().map((v) => v.fileName)
							);
				if (!fileName) return undefined;
				const current = steering.choiceOf(fileName).strength;
				const strength =
					typeof strengthArgument === "number"
						? strengthArgument
						: await askStrength(current, library.get(fileName)?.facts.calibrated ?? false);
				if (strength === undefined) return undefined;
				const warning = await steering.setStrength(fileName, strength);
				if (warning) void warnAboutStrength(steering, fileName, warning);
				return strength;
			}
		)
	];
}

/** What a command argument says to do when the file exists; asking when it says nothing known. */
function ifExistsFrom(argument: unknown): IfExists {
	return IF_EXISTS_CHOICES.find((choice) => choice === argument) ?? "ask";
}

/** Shows where the vector was measured, offering the strongest fluent strength when a sweep found one. */
async function warnAboutStrength(steering: SteeringController, fileName: string, warning: string): Promise<void> {
	const fluentUpTo = steering.choiceOf(fileName).measured?.fluentUpTo;
	const strength = steering.choiceOf(fileName).strength;
	const safer = fluentUpTo === null || fluentUpTo === undefined ? undefined : Math.sign(strength || 1) * fluentUpTo;
	const choice = await vscode.window.showWarningMessage(
		`Steer: ${warning}.`,
		...(safer === undefined ? [] : [`Use ${safer}`])
	);
	if (safer !== undefined && choice === `Use ${safer}`) await steering.setStrength(fileName, safer);
}

/** Where each training phase starts on the progress bar, and the phase after it. */
const phaseStart = { capture: 0, train: 0.4, calibrating: 0.5, save: 1 } as const;
const nextPhase = { capture: "train", train: "calibrating", calibrating: "save", save: "save" } as const;

function trainWithProgress(deps: VectorCommandDependencies, request: TrainingRequest): Thenable<TrainingOutcome> {
	return withCancellableProgress(`Steer: training on ${request.datasetFileName}`, (signal, report) => {
		const subscription = deps.training.onDidChange((view) => {
			if (view && view.total > 0)
				report(
					`${view.phase} ${view.done}/${view.total}`,
					phaseStart[view.phase] +
						((phaseStart[nextPhase[view.phase]] - phaseStart[view.phase]) * view.done) / view.total
				);
		});
		return deps.training.train(request, signal).finally(() => subscription.dispose());
	});
}

/** The choices a caller gave, with the defaults of the command for the rest (the method is asked for). */
function trainingChoices(
	choicesArgument: unknown,
	ifExistsArgument: unknown
): Omit<TrainingRequest, "datasetFileName" | "method"> & { method?: TrainingMethod } {
	if (typeof choicesArgument === "object" && choicesArgument !== null) {
		const given = choicesArgument as Record<string, unknown>;
		return {
			method: isMethod(given.method) ? given.method : undefined,
			positions: isPositions(given.positions) ? given.positions : "last",
			layers: typeof given.layers === "string" && given.layers.trim() !== "" ? given.layers : "all",
			ifExists: ifExistsFrom(given.ifExists)
		};
	}
	return {
		method: isMethod(choicesArgument) ? choicesArgument : undefined,
		positions: "last",
		layers: "all",
		ifExists: ifExistsFrom(ifExistsArgument)
	};
}

function isPositions(value: unknown): value is PositionChoice {
	return typeof value === "string" && (POSITION_CHOICES as readonly string[]).includes(value);
}

function isMethod(value: unknown): value is TrainingMethod {
	return typeof value === "string" && (TRAINING_METHOD_CHOICES as readonly string[]).includes(value);
}

async function pickDataset(datasets: DatasetStore): Promise<string | undefined> {
	const files = await datasets.list();
	if (files.length === 0)
		throw new UserFacingError(`no datasets in ${datasets.directory}; create one with "Steer: New Dataset…"`);
	return (
		(await vscode.window.showQuickPick(
			files.map((file) => file.fileName),
			{ title: "Steer: train on which dataset?" }
		)) ?? undefined
	);
}

async function pickMethod(): Promise<TrainingMethod | undefined> {
	const descriptions: Record<TrainingMethod, string> = {
		"pca-diff": "first principal axis of the pair differences (default)",
		"mean-diff": "mean of positive − negative (of the two classes, for labelled examples)",
		"pca-center": "repeng's pca_center",
		probe: "logistic-regression probe (concept-guidance); also for labelled examples without pairs"
	};
	const picked = await vscode.window.showQuickPick(
		TRAINING_METHOD_CHOICES.map((method) => ({ label: method, description: descriptions[method] })),
		{ title: "Steer: training method" }
	);
	return picked?.label as TrainingMethod | undefined;
}

export async function pickVector(
	library: VectorLibrary,
	title: string,
	preferred: readonly string[] = []
): Promise<string | undefined> {
	const vectors = library.list();
	if (vectors.length === 0)
		throw new UserFacingError(`no vectors in ${library.directory}; train or import one first`);
	const items = vectors
		.map((vector) => ({
			label: vector.fileName,
			description: preferred.includes(vector.fileName) ? "active" : vector.facts.method
		}))
		.sort((a, b) => Number(preferred.includes(b.label)) - Number(preferred.includes(a.label)));
	return (await vscode.window.showQuickPick(items, { title: `Steer: ${title}` }))?.label;
}

async function pickVectorFile(): Promise<string | undefined> {
	const picked = await vscode.window.showOpenDialog({
		title: "Steer: import a control vector",
		filters: { "Control vectors": ["gguf"] },
		canSelectMany: false
	});
	return picked?.[0]?.fsPath;
}

async function askStrength(current: number, calibrated: boolean): Promise<number | undefined> {
	const answer = await vscode.window.showInputBox({
		title: "Steer: steering strength",
		prompt: calibrated
			? "Calibrated strength: 1 adds a tenth of each layer's typical hidden-state norm; negative values steer the other way"
			: "Raw α (this vector carries no calibration): h ← h + α·v",
		value: String(current),
		validateInput: (value) =>
			Number.isFinite(Number(value)) && value.trim() !== "" ? undefined : "Enter a number, e.g. 1.5 or -0.5"
	});
	return answer === undefined ? undefined : Number(answer);
}
