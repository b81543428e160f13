/**
 * Steer's entry point: creates the services and wires them to VS Code's surfaces. No work happens
 * here beyond wiring; the engine process starts only when a model is first loaded.
 */
import path from "node:path";
import * as vscode from "vscode";
import { registerDatasetCommands } from "./commands/datasetCommands";
import { registerGenerationCommands } from "./commands/generationCommands";
import { registerLensCommands } from "./commands/lensCommands";
import { registerLlamaCppExportCommand } from "./commands/llamaCppExportCommand";
import { loadModel, registerModelCommands } from "./commands/modelCommands";
import { registerSteerCommand } from "./commands/commandRunner";
import { registerTraitPairsCommand } from "./commands/traitPairsCommand";
import { registerTreeItemCommands } from "./commands/treeItemCommands";
import { registerVectorCommands } from "./commands/vectorCommands";
import { notifyCrashLoops, type ShownNotice } from "./engine/crashLoopNotice";
import { EngineService } from "./engine/engineService";
import { DATASET_EDITOR_VIEW_TYPE, DatasetEditorProvider } from "./editors/datasetEditorProvider";
import { VECTOR_VIEWER_VIEW_TYPE, VectorViewerProvider } from "./editors/vectorViewerProvider";
import { reportFailure } from "./failures";
import { SteeredCompletionProvider } from "./inline/steeredCompletionProvider";
import { ConceptLens } from "./lens/conceptLens";
import { createLogChannel, engineLogTo, type SteerLog } from "./log";
import { STEERING_VIEW_ID, SteeringViewProvider } from "./panel/steeringViewProvider";
import { ConditionSearchRunner } from "./panel/conditionSearchRunner";
import { StrengthSweepRunner } from "./panel/strengthSweepRunner";
import { readSettings } from "./settings";
import { SteeringController } from "./steering/steeringController";
import { VectorLibrary } from "./steering/vectorLibrary";
import { DatasetStore } from "./storage/datasetStore";
import { resolveSteerFolders } from "./storage/steerFolders";
import { watchSteerFolders } from "./storage/steerWatcher";
import { TrainingRunner } from "./training/trainingRunner";
import { DATASETS_VIEW_ID, DatasetsTreeProvider } from "./trees/datasetsTreeProvider";
import { MODEL_VIEW_ID, ModelTreeProvider } from "./trees/modelTreeProvider";
import { VECTORS_VIEW_ID, VectorsTreeProvider, type VectorNode } from "./trees/vectorsTreeProvider";
import { createStatusBar, type StatusBarView } from "./ui/statusBar";

/** What the extension exports: its live services, for integration tests and diagnostics. */
export interface SteerApi {
	readonly engine: EngineService;
	readonly steering: SteeringController;
	readonly library: VectorLibrary;
	readonly datasets: DatasetStore;
	readonly lens: ConceptLens;
	readonly panel: SteeringViewProvider;
	readonly trees: {
		readonly model: ModelTreeProvider;
		readonly datasets: DatasetsTreeProvider;
		readonly vectors: VectorsTreeProvider;
	};
	readonly inline: SteeredCompletionProvider;
	readonly editors: { readonly datasets: DatasetEditorProvider; readonly vectors: VectorViewerProvider };
	readonly training: TrainingRunner;
	readonly log: Pick<SteerLog, "recentLines" | "linesLogged">;
	readonly refreshVectors: () => Promise<void>;
	/** What the status-bar item shows now. */
	readonly statusBar: () => StatusBarView;
	/** The crash-loop notifications shown so far. */
	readonly crashLoopNotices: () => readonly ShownNotice[];
}

let activeEngine: EngineService | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<SteerApi> {
	const log = createLogChannel();
	const folders = resolveSteerFolders(context.globalStorageUri);
	const engine = new EngineService({ steerRoot: context.extensionPath, log: engineLogTo(log) });
	activeEngine = engine;
	const library = new VectorLibrary(folders.vectors);
	const datasets = new DatasetStore(folders.datasets);
	const steering = new SteeringController(engine, library, context.workspaceState, log);
	const training = new TrainingRunner(engine, datasets, folders.vectors, log);
	const lens = new ConceptLens(engine, () => readSettings().lensDebounceMs, log);
	const refreshVectors = async (): Promise<void> => {
		await library.refresh(vscode.workspace.isTrusted);
		for (const failure of library.failures) log.warn(`skipped vector ${failure.fileName}: ${failure.reason}`);
		await vscode.commands.executeCommand("setContext", "steer.hasVectors", library.list().length > 0);
		await steering.libraryChanged().catch((error) => reportFailure(log, "Apply steering", error));
		await updateDatasetsContext();
		trees.vectors.refresh();
		trees.datasets.refresh();
		await panel.refresh();
	};
	// Context keys the walkthrough completes its steps on, whichever surface the user did them in.
	const updateDatasetsContext = async (): Promise<void> => {
		const hasDatasets = vscode.workspace.isTrusted && (await datasets.list().catch(() => [])).length > 0;
		await vscode.commands.executeCommand("setContext", "steer.hasDatasets", hasDatasets);
	};
	const updateSteeringContext = async (): Promise<void> => {
		await vscode.commands.executeCommand("setContext", "steer.steeringApplied", steering.entries().length > 0);
		await vscode.commands.executeCommand("setContext", "steer.steeringEnabled", steering.enabled);
	};
	const trees = {
		model: new ModelTreeProvider(engine),
		datasets: new DatasetsTreeProvider(datasets),
		vectors: new VectorsTreeProvider(library, steering, engine, log)
	};
	const vectorsView = vscode.window.createTreeView<VectorNode>(VECTORS_VIEW_ID, {
		treeDataProvider: trees.vectors,
		manageCheckboxStateManually: true
	});
	const datasetsChanged = (): void => {
		void updateDatasetsContext();
		trees.datasets.refresh();
	};
	const sweeps = new StrengthSweepRunner({
		engine,
		library,
		steering,
		temperature: () => readSettings().temperature
	});
	const conditions = new ConditionSearchRunner({ engine, library, steering });
	const panel = new SteeringViewProvider({
		engine,
		steering,
		library,
		sweeps,
		conditions,
		log,
		extensionUri: context.extensionUri
	});
	const editors = {
		datasets: new DatasetEditorProvider({ extensionUri: context.extensionUri, engine, training, datasets, log }),
		vectors: new VectorViewerProvider({ extensionUri: context.extensionUri, engine, steering, library, log })
	};
	const inline = new SteeredCompletionProvider({
		engine,
		steering,
		settings: () => readSettings().inline,
		temperature: () => readSettings().temperature,
		log
	});
	const statusBar = createStatusBar(engine, steering, () => library.list().length);
	const crashLoopNotices = notifyCrashLoops(engine, log);
	const modelCommandDeps = {
		engine,
		steering,
		log,
		extensionPath: context.extensionPath,
		modelsFolder: path.join(context.globalStorageUri.fsPath, "models")
	};

	context.subscriptions.push(
		log,
		steering,
		training,
		lens,
		panel,
		trees.model,
		trees.datasets,
		trees.vectors,
		vectorsView,
		vectorsView.onDidChangeCheckboxState((event) => void trees.vectors.checkboxesChanged(event)),
		editors.datasets,
		vscode.window.registerCustomEditorProvider(DATASET_EDITOR_VIEW_TYPE, editors.datasets),
		vscode.window.registerCustomEditorProvider(VECTOR_VIEWER_VIEW_TYPE, editors.vectors, {
			supportsMultipleEditorsPerDocument: true
		}),
		vscode.window.registerTreeDataProvider(MODEL_VIEW_ID, trees.model),
		vscode.window.registerTreeDataProvider(DATASETS_VIEW_ID, trees.datasets),
		vscode.window.registerWebviewViewProvider(STEERING_VIEW_ID, panel, {
			webviewOptions: { retainContextWhenHidden: false }
		}),
		vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, inline),
		statusBar,
		crashLoopNotices,
		...registerModelCommands(modelCommandDeps),
		...registerDatasetCommands({
			datasets,
			log,
			onDatasetsChanged: datasetsChanged
		}),
		...registerTreeItemCommands({
			datasets,
			library,
			steering,
			log,
			refreshVectors,
			onDatasetsChanged: datasetsChanged
		}),
		...registerVectorCommands({ datasets, library, steering, training, log, refreshVectors }),
		...registerGenerationCommands({ engine, steering, log }),
		registerTraitPairsCommand({ engine, datasets, log, onDatasetsChanged: datasetsChanged }),
		registerLlamaCppExportCommand({ engine, steering, log }),
		...registerLensCommands({ lens, library, steering, log }),
		registerSteerCommand(log, "steer.openPanel", "Focus Steering View", () =>
			vscode.commands.executeCommand(`${STEERING_VIEW_ID}.focus`)
		),
		registerSteerCommand(log, "steer.showLog", "Show Log", () => log.show()),
		registerSteerCommand(log, "steer.openPlayground", "Open Playground", () => panel.openPlayground()),
		// The folder watcher can miss a file another program wrote; the views' Refresh reads the folders again.
		registerSteerCommand(log, "steer.refreshViews", "Refresh", () => refreshVectors()),
		watchSteerFolders(
			folders,
			() => void refreshVectors().catch((error) => log.warn(`refreshing vectors: ${String(error)}`))
		),
		engine.onDidChange(() => void panel.refresh()),
		steering.onDidChange(() => {
			inline.clearCache();
			void updateSteeringContext();
			void panel.refresh();
		}),
		// A dataset saved from its editor changes what the Datasets view counts; the folder watcher
		// would tell too, but a moment later.
		vscode.workspace.onDidSaveTextDocument((document) => {
			if (path.dirname(document.uri.fsPath) === path.resolve(folders.datasets)) datasetsChanged();
		}),
		vscode.workspace.onDidGrantWorkspaceTrust(() => {
			void refreshVectors();
			void loadConfiguredModel();
		})
	);

	const loadConfiguredModel = async (): Promise<void> => {
		const { modelPath } = readSettings();
		if (!modelPath || !vscode.workspace.isTrusted || engine.modelInfo) return;
		try {
			await loadModel(modelCommandDeps, modelPath);
		} catch (error) {
			reportFailure(log, `Load the model in steer.modelPath (${modelPath})`, error);
		}
	};

	await vscode.commands.executeCommand("setContext", "steer.modelLoaded", false);
	await updateSteeringContext();
	if (!vscode.workspace.isTrusted) log.info("workspace not trusted: no model or vector file is opened until it is");
	// Reading vectors and loading the configured model can take a while; activation does not wait.
	void refreshVectors()
		.catch((error) => log.warn(`reading vectors: ${String(error)}`))
		.then(loadConfiguredModel);
	log.info(`Steer activated; datasets in ${folders.datasets}, vectors in ${folders.vectors}`);
	return {
		engine,
		steering,
		library,
		datasets,
		lens,
		panel,
		trees,
		inline,
		editors,
		training,
		log,
		refreshVectors,
		statusBar: () => statusBar.view,
		crashLoopNotices: () => crashLoopNotices.shown
	};
}

export async function deactivate(): Promise<void> {
	const engine = activeEngine;
	activeEngine = undefined;
	await engine?.dispose();
}
