/**
 * The vector viewer: a read-only custom editor for control-vector `.gguf` files in Steer's vectors
 * folder. It shows what the file holds (per-layer plots, the calibration curve, the metadata) and
 * offers the actions that make sense on it: activate, set strength, export for llama.cpp, and compare
 * it with asking for the concept in the prompt (vectorRating.ts).
 */
import path from "node:path";
import * as vscode from "vscode";
import { loadControlVectorFile } from "../../steering/gguf/controlVectorFile";
import {
	readVectorViewerMessage,
	type RatingsView,
	type VectorViewerMessage,
	type VectorViewerUpdate
} from "../../shared/vectorViewerProtocol";
import type { EngineService } from "../engine/engineService";
import { runLongJob } from "../jobs/longJob";
import { describeError, isUserCancellation, reportFailure, UserFacingError } from "../failures";
import type { SteeringController } from "../steering/steeringController";
import type { VectorLibrary } from "../steering/vectorLibrary";
import { webviewHtml, webviewResourceRoots } from "../webviewHtml";
import { defaultRatingRequests, rateVector } from "./vectorRating";
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
	/** The rating running in each viewer, by file path: Stop, a new rating or closing the viewer aborts it. */
	private readonly ratings = new Map<string, AbortController>();
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
					return;
				}
				try {
					await this.handle(
						filePath,
						read.message,
						update,
						(message) => void panel.webview.postMessage(message)
					);
				} catch (error) {
					reportFailure(log, actionName(read.message), error);
				}
			})
		];
		panel.onDidDispose(() => {
			this.ratings.get(filePath)?.abort();
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
	 * AxBench's comparison for the viewer's file at the strength chosen for it: in a cancellable
	 * notification, with the page told each step; the outcome goes to the page (and lastRatings).
	 */
	async rate(
		filePath: string,
		request: { readonly concept: string; readonly requests: readonly string[] },
		onProgress: (done: number, total: number) => void = () => {}
	): Promise<RatingsView> {
		const entry = this.libraryEntry(filePath);
		if (!entry)
			throw new UserFacingError(`${path.basename(filePath)} is not in Steer's vectors folder; import it first`);
		const { client, info } = this.deps.engine.requireModel();
		const problem = this.deps.steering.problemFor(entry, info);
		if (problem) throw new UserFacingError(problem);
		const choice = this.deps.steering.choiceOf(entry.fileName);
		if (choice.strength === 0)
			throw new UserFacingError("the strength is 0, which is the unsteered model; set a strength to compare");
		this.ratings.get(filePath)?.abort();
		const controller = new AbortController();
		this.ratings.set(filePath, controller);
		try {
			const view = await runLongJob({
				title: `Steer: comparing ${entry.fileName} with asking`,
				step: (done, total) => `${done} of ${total} answers rated`,
				cancel: () => controller.abort(),
				onProgress,
				run: (progress) =>
					rateVector(client, info, {
						concept: request.concept,
						requests: request.requests,
						steering: {
							vector: entry.vector,
							strength: choice.strength,
							...(choice.layerRange ? { layerRange: choice.layerRange } : {})
						},
						placement: this.deps.steering.placementOf(entry.fileName),
						signal: controller.signal,
						onProgress: progress
					})
			});
			this.rated.set(filePath, view);
			return view;
		} finally {
			if (this.ratings.get(filePath) === controller) this.ratings.delete(filePath);
		}
	}

	private async rateForPage(
		filePath: string,
		message: Extract<VectorViewerMessage, { type: "rate" }>,
		post: (update: VectorViewerUpdate) => void
	): Promise<void> {
		try {
			const ratings = await this.rate(filePath, message, (done, total) =>
				post({ type: "ratingProgress", done, total })
			);
			post({ type: "ratings", ratings });
		} catch (error) {
			post({ type: "ratingEnded", message: isUserCancellation(error) ? "stopped" : describeError(error) });
			if (!isUserCancellation(error)) throw error;
		}
	}

	private async handle(
		filePath: string,
		message: VectorViewerMessage,
		update: () => Promise<void>,
		post: (update: VectorViewerUpdate) => void
	): Promise<void> {
		const entry = this.libraryEntry(filePath);
		switch (message.type) {
			case "rate":
				return this.rateForPage(filePath, message, post);
			case "stopRating":
				this.ratings.get(filePath)?.abort();
				return;
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
