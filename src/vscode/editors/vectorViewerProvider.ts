/**
 * The vector viewer: a read-only custom editor for control-vector `.gguf` files in Steer's vectors
 * folder. It shows what the file holds (per-layer plots, the calibration curve, the metadata) and
 * offers the actions that make sense on it: activate, set strength, export for llama.cpp, and compare
 * it with asking for the concept in the prompt (vectorRating.ts).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import { loadControlVectorFile } from "../../steering/gguf/controlVectorFile";
import {
	readVectorViewerMessage,
	type RatingsView,
	type VectorViewerMessage,
	type VectorViewerUpdate
} from "../../shared/vectorViewerProtocol";
import { EngineClient } from "../../engine/client";
import type { ModelInfo } from "../../engine/protocol";
import type { EngineService } from "../engine/engineService";
import { runLongJob } from "../jobs/longJob";
import { engineLogTo } from "../log";
import { readSettings } from "../settings";
import { describeError, isUserCancellation, reportFailure, UserFacingError } from "../failures";
import type { SteeringController } from "../steering/steeringController";
import type { VectorLibrary } from "../steering/vectorLibrary";
import { webviewHtml, webviewResourceRoots } from "../webviewHtml";
import { defaultRatingRequests, type LoadedEngineModel, rateVector } from "./vectorRating";
import { vectorReport } from "./vectorReport";

export const VECTOR_VIEWER_VIEW_TYPE = "steer.vectorViewer";

export interface VectorViewerDependencies {
	readonly extensionUri: vscode.Uri;
	readonly engine: EngineService;
	readonly steering: SteeringController;
	readonly library: VectorLibrary;
	readonly log: vscode.LogOutputChannel;
}

export class VectorViewerProvider implements vscode.CustomReadonlyEditorProvider {
	private readonly shown = new Map<string, VectorViewerUpdate>();
	/** The viewers open on each file (a file may be open in several): rating news goes to all of them. */
	private readonly panels = new Map<string, Set<vscode.WebviewPanel>>();
	/** The comparison running for each file, one at a time: Stop in any of its viewers, or closing the last, aborts it. */
	private readonly running = new Map<
		string,
		{ readonly controller: AbortController; progress: { done: number; total: number } }
	>();
	/** The last comparison of each file, shown again when a viewer's page reloads (a hidden tab drops its page). */
	private readonly rated = new Map<string, RatingsView>();

	constructor(private readonly deps: VectorViewerDependencies) {}

	/** What the open viewers show now, by file path (for tests). */
	get reports(): ReadonlyMap<string, VectorViewerUpdate> {
		return this.shown;
	}

	/** The last ratings each viewer showed, by file path (for tests). */
	get lastRatings(): ReadonlyMap<string, RatingsView> {
		return this.rated;
	}

	openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
		return { uri, dispose: () => this.shown.delete(uri.fsPath) };
	}

	resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
		const { extensionUri, engine, steering, log } = this.deps;
		const filePath = document.uri.fsPath;
		const fileName = path.basename(filePath);
		panel.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(extensionUri) };
		panel.webview.html = webviewHtml(panel.webview, extensionUri, "vectorViewer", fileName);
		const update = async () => {
			const report = await this.report(filePath);
			this.shown.set(filePath, report);
			void panel.webview.postMessage(report);
		};
		const panels = this.panels.get(filePath) ?? new Set();
		panels.add(panel);
		this.panels.set(filePath, panels);
		const watcher = vscode.workspace.createFileSystemWatcher(
			new vscode.RelativePattern(vscode.Uri.file(path.dirname(filePath)), fileName)
		);
		const subscriptions = [
			watcher,
			watcher.onDidChange(() => void update()),
			watcher.onDidCreate(() => void update()),
			engine.onDidChange(() => void update()),
			steering.onDidChange(() => void update()),
			panel.webview.onDidReceiveMessage(async (raw: unknown) => {
				const read = readVectorViewerMessage(raw);
				if (!read.ok) {
					log.warn(`vector viewer sent a message that was refused: ${read.problem}`);
					// The page waits for an answer to a comparison it asked for.
					if (typeof raw === "object" && raw !== null && (raw as { type?: unknown }).type === "rate")
						void panel.webview.postMessage({ type: "ratingEnded", message: read.problem });
					return;
				}
				try {
					await this.handle(filePath, read.message, async () => {
						await update();
						// A page that reloaded (its tab was hidden) gets back what it showed.
						const last = this.rated.get(filePath);
						if (last) void panel.webview.postMessage({ type: "ratings", ratings: last });
						const run = this.running.get(filePath);
						if (run) void panel.webview.postMessage({ type: "ratingProgress", ...run.progress });
					});
				} catch (error) {
					reportFailure(log, actionName(read.message), error);
				}
			})
		];
		panel.onDidDispose(() => {
			panels.delete(panel);
			if (panels.size === 0) {
				this.panels.delete(filePath);
				this.running.get(filePath)?.controller.abort();
				this.rated.delete(filePath);
			}
			subscriptions.forEach((subscription) => subscription.dispose());
		});
	}

	private async report(filePath: string): Promise<VectorViewerUpdate> {
		const fileName = path.basename(filePath);
		if (!vscode.workspace.isTrusted)
			return {
				type: "unreadable",
				fileName,
				message: "this workspace is not trusted, so Steer opens no vector file"
			};
		try {
			const file = await loadControlVectorFile(filePath);
			const inLibrary = this.libraryEntry(filePath);
			const model = this.deps.engine.modelInfo;
			const choice = inLibrary && this.deps.steering.choiceOf(inLibrary.fileName);
			const mismatch = inLibrary ? this.deps.steering.problemFor(inLibrary, model) : undefined;
			return vectorReport(filePath, file, {
				mismatch,
				...(inLibrary && model && !mismatch ? { ratingRequests: defaultRatingRequests(model) } : {}),
				steering: choice
					? { active: choice.active, strength: choice.strength, modelLoaded: model !== undefined }
					: null
			});
		} catch (error) {
			return { type: "unreadable", fileName, message: describeError(error) };
		}
	}

	private libraryEntry(filePath: string) {
		const entry = this.deps.library.get(path.basename(filePath));
		return entry && path.resolve(entry.path) === path.resolve(filePath) ? entry : undefined;
	}

	/**
	 * AxBench's comparison for the viewer's file at the strength, layers and placement chosen for it, in a
	 * cancellable notification; every viewer of the file is told each step and the outcome. One at a time
	 * per file; a model loaded meanwhile ends it (its answers would mix two models).
	 */
	async rate(
		filePath: string,
		request: { readonly concept: string; readonly requests: readonly string[] },
		onProgress: (done: number, total: number) => void = () => {}
	): Promise<RatingsView> {
		const fileName = path.basename(filePath);
		// Refused before any message goes out, so the pages keep showing the comparison that runs.
		if (this.running.has(filePath))
			throw new UserFacingError(`${fileName} is being compared already; stop that comparison first`);
		const controller = new AbortController();
		const run = { controller, progress: { done: 0, total: 0 } };
		this.running.set(filePath, run);
		let info: ModelInfo | undefined;
		let modelChanged = false;
		const watch = this.deps.engine.onDidChange(() => {
			if (info === undefined || this.deps.engine.modelInfo?.modelPath === info.modelPath) return;
			modelChanged = true;
			controller.abort();
		});
		try {
			const entry = this.libraryEntry(filePath);
			if (!entry) throw new UserFacingError(`${fileName} is not in Steer's vectors folder; import it first`);
			const loaded = this.deps.engine.requireModel();
			info = loaded.info;
			const problem = this.deps.steering.problemFor(entry, info);
			if (problem) throw new UserFacingError(problem);
			const choice = this.deps.steering.choiceOf(entry.fileName);
			if (choice.strength === 0)
				throw new UserFacingError("the strength is 0, which is the unsteered model; set a strength to compare");
			const modelInfo = info;
			const judgePath = readSettings().judgeModelPath;
			const view = await runLongJob({
				title: `Steer: comparing ${entry.fileName} with asking`,
				step: (done, total) => `${done} of ${total} answers rated`,
				cancel: () => controller.abort(),
				onProgress: (done, total) => {
					run.progress = { done, total };
					this.broadcast(filePath, { type: "ratingProgress", done, total });
					onProgress(done, total);
				},
				run: async (progress) => {
					// A judge of its own when the settings name one: loaded for this comparison, released after it.
					const judge = judgePath === "" ? undefined : await this.loadJudge(judgePath, controller.signal);
					try {
						return await rateVector(
							{ client: loaded.client, info: modelInfo },
							{
								concept: request.concept,
								requests: request.requests,
								// Asked as the file's 1.0 was measured: under the system message it was calibrated under.
								system: entry.facts.calibratedInChat?.system,
								steering: {
									vector: entry.vector,
									strength: choice.strength,
									...(choice.layerRange ? { layerRange: choice.layerRange } : {})
								},
								placement: this.deps.steering.placementOf(entry.fileName),
								signal: controller.signal,
								onProgress: progress
							},
							judge
						);
					} finally {
						await judge?.client.dispose();
					}
				}
			});
			this.rated.set(filePath, view);
			this.broadcast(filePath, { type: "ratings", ratings: view });
			return view;
		} catch (caught) {
			const error = modelChanged
				? new UserFacingError(
						"the model changed during the comparison (another was loaded, or it was unloaded), so it stopped; compare again"
					)
				: caught;
			this.broadcast(filePath, {
				type: "ratingEnded",
				message: isUserCancellation(error) ? "stopped" : describeError(error)
			});
			throw error;
		} finally {
			watch.dispose();
			if (this.running.get(filePath) === run) this.running.delete(filePath);
		}
	}

	/** The judge model of steer.judgeModelPath in an engine of its own, with its own default context, as steer rate loads one. */
	private async loadJudge(judgePath: string, signal: AbortSignal): Promise<LoadedEngineModel> {
		if (!existsSync(judgePath))
			throw new UserFacingError(`steer.judgeModelPath names no file: ${judgePath}; fix the setting or empty it`);
		const settings = readSettings();
		const client = new EngineClient({ steerRoot: this.deps.extensionUri.fsPath, log: engineLogTo(this.deps.log) });
		try {
			const info = await client.loadModel(
				{ modelPath: judgePath, gpu: settings.gpu, gpuLayers: settings.gpuLayers, threads: settings.threads },
				{ signal }
			);
			return { client, info };
		} catch (error) {
			await client.dispose();
			throw error;
		}
	}

	/** Stops the comparison running for the file, if any (the page's Stop). */
	stopRating(filePath: string): void {
		this.running.get(filePath)?.controller.abort();
	}

	private broadcast(filePath: string, update: VectorViewerUpdate): void {
		for (const panel of this.panels.get(filePath) ?? []) void panel.webview.postMessage(update);
	}

	private async handle(filePath: string, message: VectorViewerMessage, update: () => Promise<void>): Promise<void> {
		const entry = this.libraryEntry(filePath);
		switch (message.type) {
			case "rate":
				// The outcome reaches the page through rate's own messages; a refusal because one is running
				// leaves the page showing that one.
				await this.rate(filePath, message);
				return;
			case "stopRating":
				return this.stopRating(filePath);
			case "ready":
				return update();
			case "exportForLlamaServer":
				await vscode.commands.executeCommand("steer.exportForLlamaServer");
				return;
			case "showInLens":
				await vscode.commands.executeCommand("steer.showConceptLens", entry?.fileName);
				return;
			case "setActive":
			case "setStrength":
				if (!entry)
					throw new Error(`${path.basename(filePath)} is not in Steer's vectors folder; import it first`);
				if (message.type === "setActive") await this.deps.steering.setActive(entry.fileName, message.active);
				else await this.deps.steering.setStrength(entry.fileName, message.strength);
				return;
		}
	}
}

function actionName(message: VectorViewerMessage): string {
	switch (message.type) {
		case "setActive":
			return message.active ? "Activate vector" : "Deactivate vector";
		case "setStrength":
			return "Set strength";
		case "exportForLlamaServer":
			return "Export for llama-server";
		case "showInLens":
			return "Show Concept Lens";
		case "rate":
			return "Compare with asking";
		case "stopRating":
			return "Stop comparing";
		case "ready":
			return "Show vector";
	}
}
