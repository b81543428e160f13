/**
 * The one place the editor surfaces meet the training pipeline: dataset pairs → hidden states
 * captured by the engine → a trained, calibrated vector with diagnostics and suggested layers → a
 * control-vector file with Steer's metadata.
 *
 * It composes the steering library's pieces (capture, trainSteeringVector, calibration, suggestLayers)
 * in the shape the shared pipeline module will export; when that module lands, only this file changes.
 */
import type { ContrastPair } from "../../datasets";
import type { EngineClient } from "../../engine/client";
import type { PositionSpec } from "../../engine/protocol";
import { bakeCalibration, DEFAULT_PUSH_FRACTION, typicalNormsFromDiagnostics } from "../../steering/calibration";
import { saveControlVectorFile } from "../../steering/gguf/controlVectorFile";
import type { GgufMetadata } from "../../steering/gguf/metadataAccess";
import { metadataString } from "../../steering/gguf/metadataAccess";
import { packLayerActivations } from "../../steering/training/activations";
import type { LayerDiagnostics } from "../../steering/training/diagnostics";
import { suggestLayers, type LayerSuggestion } from "../../steering/training/layer-selection";
import type { TrainingMethod } from "../../steering/training/methods";
import { trainSteeringVector } from "../../steering/training/train";
import type { SteeringVector } from "../../steering/vector";

export interface TrainProgress {
	readonly phase: "capture" | "train";
	readonly done: number;
	readonly total: number;
}

export interface TrainOptions {
	readonly method: TrainingMethod;
	readonly positions: PositionSpec;
	/** Layers to train (≥ 1); every steerable layer when omitted. */
	readonly layers?: readonly number[];
	readonly validationFraction?: number;
	readonly seed?: number;
	readonly signal?: AbortSignal;
	readonly onProgress?: (progress: TrainProgress) => void;
	readonly modelHint: string;
	readonly nLayer: number;
	readonly nEmbd: number;
}

export interface TrainedVector {
	/** Calibrated: applied with strength 1, each layer adds the recommended push. */
	readonly vector: SteeringVector;
	readonly diagnostics: readonly LayerDiagnostics[];
	readonly suggestedLayers: LayerSuggestion;
	readonly metadata: { readonly method: TrainingMethod; readonly modelHint: string; readonly pairs: number };
}

/** Where training reads hidden states from; the engine in the editor. */
export interface HiddenStateSource {
	capture: EngineClient["capture"];
}

export function engineHiddenStateSource(client: EngineClient): HiddenStateSource {
	return { capture: (params, options) => client.capture(params, options) };
}

export async function trainFromPairs(pairs: readonly ContrastPair[], source: HiddenStateSource, options: TrainOptions): Promise<TrainedVector> {
	if (pairs.length < 2) throw new RangeError(`training needs at least 2 contrast pairs, the dataset has ${pairs.length}`);
	const layers = options.layers ?? Array.from({ length: options.nLayer - 1 }, (_, i) => i + 1);
	if (layers.length === 0 || layers.some((layer) => layer < 1 || layer >= options.nLayer)) {
		throw new RangeError(`layers must lie in 1..${options.nLayer - 1} (block 0 cannot be steered)`);
	}
	// Every text must give one row per layer, so several positions are averaged.
	const positions: PositionSpec = options.positions.select === "last" && (options.positions.count ?? 1) === 1 ? options.positions : { ...options.positions, mean: true };
	const items = pairs.flatMap((pair) => [
		{ text: (pair.prompt ?? "") + pair.positive, prompt: pair.prompt },
		{ text: (pair.prompt ?? "") + pair.negative, prompt: pair.prompt }
	]);
	const captured = await source.capture(
		{ items, layers, positions },
		{ signal: options.signal, onProgress: (progress) => options.onProgress?.({ phase: "capture", done: progress.done, total: progress.total }) }
	);
	const activations = layers.map((layer) => {
		const rows = captured.map((item) => {
			const record = item.layers.find((entry) => entry.layer === layer);
			if (!record) throw new Error(`the engine returned no hidden states for layer ${layer}`);
			return record.hidden.subarray(0, options.nEmbd);
		});
		return packLayerActivations(layer, rows.filter((_, i) => i % 2 === 0), rows.filter((_, i) => i % 2 === 1));
	});
	const trained = trainSteeringVector(activations, {
		method: options.method,
		validationFraction: options.validationFraction ?? (pairs.length >= 5 ? 0.2 : 0),
		seed: options.seed,
		signal: options.signal,
		onProgress: (done, total) => options.onProgress?.({ phase: "train", done, total })
	});
	const vector = bakeCalibration(trained.vector, typicalNormsFromDiagnostics(trained.diagnostics));
	return {
		vector,
		diagnostics: trained.diagnostics,
		suggestedLayers: suggestLayers(trained.diagnostics),
		metadata: { method: options.method, modelHint: options.modelHint, pairs: pairs.length }
	};
}

const KEYS = {
	method: "steer.method",
	calibration: "steer.calibration",
	suggestedLayers: "steer.suggested_layers",
	diagnostics: "steer.diagnostics"
} as const;

export async function saveTrainedVector(filePath: string, trained: TrainedVector): Promise<void> {
	const summary = trained.diagnostics.map((entry) => ({
		layer: entry.layer,
		explainedVariance: entry.explainedVarianceRatio,
		heldOutSeparation: entry.heldOutAccuracy,
		agreement: entry.agreement,
		hiddenNorm: entry.hiddenNormMean
	}));
	await saveControlVectorFile(filePath, trained.vector, {
		modelHint: trained.metadata.modelHint,
		extraMetadata: {
			[KEYS.method]: { type: "string", value: trained.metadata.method },
			[KEYS.calibration]: { type: "string", value: `baked push_fraction=${DEFAULT_PUSH_FRACTION}` },
			[KEYS.suggestedLayers]: { type: "string", value: `${trained.suggestedLayers.from}-${trained.suggestedLayers.to}` },
			[KEYS.diagnostics]: { type: "string", value: JSON.stringify(summary) }
		}
	});
}

/** What a vector file says about how it was made; all optional, since files come from anywhere. */
export interface VectorFileFacts {
	readonly method?: string;
	/** True when strength 1 is the calibrated push, so the panel can show calibrated units. */
	readonly calibrated: boolean;
	readonly suggested?: readonly [number, number];
}

export function vectorFileFacts(metadata: GgufMetadata): VectorFileFacts {
	const read = (key: string): string | undefined => {
		try {
			return metadataString(metadata, key);
		} catch {
			return undefined;
		}
	};
	const band = /^(\d+)-(\d+)$/.exec(read(KEYS.suggestedLayers) ?? "");
	return {
		method: read(KEYS.method),
		calibrated: (read(KEYS.calibration) ?? "").startsWith("baked"),
		suggested: band ? [Number(band[1]), Number(band[2])] : undefined
	};
}
