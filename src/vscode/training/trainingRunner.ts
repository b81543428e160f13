/**
 * Runs one training at a time for any surface (command or panel): loads the dataset, trains through
 * the engine, saves the vector into the vectors folder, and reports progress to whoever listens.
 */
import path from "node:path";
import * as vscode from "vscode";
import type { PositionSpec } from "../../engine/protocol";
import { parseLayerSpec } from "../../steering/layerSpec";
import { describeCalibration } from "../../steering/pipeline/calibrateStrength";
import type { LayerSummary, PositionChoice, TrainingMethod, TrainingView } from "../../shared/webviewProtocol/messages";
import type { EngineService } from "../engine/engineService";
import { UserFacingError } from "../failures";
import type { DatasetStore } from "../storage/datasetStore";
import { ensureFolder } from "../storage/steerFolders";
import { resolveTargetFileName, trainedVectorFileName, type IfExists } from "../storage/vectorFileNames";
import { requireTrustedWorkspace } from "../trust";
import { layerSummaries, saveTrainedVector, steeredBand, trainWithEngine } from "./pipeline";

export interface TrainingRequest {
	readonly datasetFileName: string;
	readonly method: TrainingMethod;
	readonly positions: PositionChoice;
	/**
	 * "all", "A-B" or "i,j"; steerable layers only (block 0 is dropped). "top:K" trains every layer and
	 * steers the K that separate the held-out pairs best (concept-guidance's top-k) instead of the band.
	 */
	readonly layers: string;
	/** When this dataset already has a vector for this model: ask (the default), replace it or keep both. */
	readonly ifExists?: IfExists;
}

export interface TrainingOutcome {
	readonly vectorFileName: string;
	readonly vectorPath: string;
	readonly layers: LayerSummary[];
	readonly suggested: readonly [number, number];
}

export class TrainingRunner implements vscode.Disposable {
	private current: { controller: AbortController; view: TrainingView } | undefined;
	private readonly changed = new vscode.EventEmitter<TrainingView | undefined>();
	readonly onDidChange = this.changed.event;

	constructor(
		private readonly engine: EngineService,
		private readonly datasets: DatasetStore,
		private readonly vectorsFolder: string,
		private readonly log: vscode.LogOutputChannel
	) {}

	get view(): TrainingView | undefined {
		return this.current?.view;
	}

	cancel(): void {
		this.current?.controller.abort();
	}

	async train(request: TrainingRequest, signal?: AbortSignal): Promise<TrainingOutcome> {
		// Checked before the model, so an untrusted workspace hears the real reason, not "load a model".
		requireTrustedWorkspace("Training a vector");
		if (this.current)
			throw new UserFacingError(`a training on ${this.current.view.dataset} is already running; cancel it first`);
		const { client, info } = this.engine.requireModel();
		const controller = new AbortController();
		signal?.addEventListener("abort", () => controller.abort(), { once: true });
		const update = (view: TrainingView): void => {
			if (this.current) this.current.view = view;
			this.changed.fire(view);
		};
		this.current = {
			controller,
			view: { running: true, dataset: request.datasetFileName, phase: "capture", done: 0, total: 0 }
		};
		this.changed.fire(this.current.view);
		try {
			const dataset = await this.datasets.load(request.datasetFileName);
			const { layers, topK } = trainingLayers(request.layers, info.nLayer);
			// Asked before the work, so that a user who keeps the old vector has not waited for nothing.
			const folder = await ensureFolder(this.vectorsFolder);
			const vectorFileName = await resolveTargetFileName(
				folder,
				trainedVectorFileName(request.datasetFileName, info.modelPath),
				request.ifExists ?? "ask",
				`the vector trained now on ${request.datasetFileName}`
			);
			// A dataset holds contrast pairs or labelled examples without pairs, never both.
			const items = dataset.examples.length > 0 ? dataset.examples : dataset.pairs;
			const counted =
				dataset.examples.length > 0
					? `${dataset.examples.length} labelled examples`
					: `${dataset.pairs.length} pairs`;
			this.log.info(
				`training ${request.method} on ${request.datasetFileName} (${counted}, layers ${layers[0]}-${layers.at(-1)})`
			);
			const started = performance.now();
			const trained = await trainWithEngine(dataset, client, {
				chat: info.hasChatTemplate,
				method: request.method,
				positions: positionSpec(
					request.positions,
					items.every((item) => item.prompt !== undefined)
				),
				layers,
				...(topK === undefined ? {} : { topK }),
				// Below five pairs a held-out pair is missed by the fit and still too few to measure separation on.
				validationFraction: items.length >= 5 ? 0.2 : 0,
				signal: controller.signal,
				onProgress: ({ stage, done, total }) =>
					update({ running: true, dataset: request.datasetFileName, phase: stage, done, total }),
				// Calibration by measurement, on by default: the file's 1.0 becomes the strength measured to
				// move the concept clearly with the text still fluent.
				onCalibrating: (done, total) =>
					update({ running: true, dataset: request.datasetFileName, phase: "calibrating", done, total }),
				modelHint: info.architecture,
				nLayer: info.nLayer,
				nEmbd: info.nEmbd
			});
			update({ running: true, dataset: request.datasetFileName, phase: "save", done: 0, total: 1 });
			const vectorPath = path.join(folder, vectorFileName);
			await saveTrainedVector(vectorPath, trained);
			const suggested = steeredBand(trained);
			this.log.info(
				`trained ${vectorFileName} in ${((performance.now() - started) / 1000).toFixed(1)} s; steers layers ${trained.suggestedLayers.join(", ")}${trained.chatTemplate ? `; pairs trained as conversations in the ${trained.chatTemplate} chat template` : ""}`
			);
			if (trained.calibration) this.log.info(describeCalibration(trained.calibration));
			return { vectorFileName, vectorPath, suggested, layers: layerSummaries(trained.diagnostics) };
		} finally {
			this.current = undefined;
			this.changed.fire(undefined);
		}
	}

	dispose(): void {
		this.cancel();
		this.changed.dispose();
	}
}

function trainingLayers(spec: string, nLayer: number): { layers: number[]; topK?: number } {
	const top = /^\s*top:(.*)$/.exec(spec);
	if (top) {
		const k = /^\s*\d+\s*$/.test(top[1]!) ? Number(top[1]) : Number.NaN;
		if (!Number.isInteger(k) || k < 1)
			throw new UserFacingError(
				`layers "${spec}": top:K needs a whole number K ≥ 1 (the number of layers to steer)`
			);
		return { layers: Array.from({ length: nLayer - 1 }, (_, i) => i + 1), topK: k };
	}
	let layers: number[];
	try {
		layers = parseLayerSpec(spec.trim() === "" ? "all" : spec, nLayer).filter((layer) => layer >= 1);
	} catch (error) {
		throw new UserFacingError(error instanceof Error ? error.message : String(error));
	}
	if (layers.length === 0)
		throw new UserFacingError(`no steerable layer in "${spec}": layers start at 1 (block 0 cannot be steered)`);
	return { layers };
}

function positionSpec(choice: PositionChoice, everyOneHasPrompt: boolean): PositionSpec {
	switch (choice) {
		case "last":
			return { select: "last", count: 1 };
		case "mean":
			return { select: "all", mean: true };
		case "suffix":
			if (!everyOneHasPrompt)
				throw new UserFacingError(
					`"the completion's tokens only" needs a prompt on every pair (or example); choose "the last token of each text" or "every token, averaged"`
				);
			return { select: "suffix", mean: true };
	}
}
