/**
 * Saving a trained vector as a llama.cpp control-vector file that also carries everything Steer knows
 * about it, under `steer.*` metadata keys (llama.cpp reads only the tensors and ignores them).
 *
 * The tensors are the calibrated directions at the steered layers, so llama.cpp, Steer and any other
 * reader apply the same thing at scale 1. The metadata keeps what a later session needs to show or
 * change the choice: per-layer diagnostics (JSON), the method and positions used, the steered layers,
 * the α per layer, and the unit directions of every trained layer (to steer another band without
 * capturing again). Numbers that must round-trip exactly are stored as f64.
 */
import { loadControlVectorFile, saveControlVectorFile } from "../gguf/controlVectorFile";
import { GgufFormatError } from "../gguf/errors";
import { type GgufMetadata, metadataInteger, metadataNumber, metadataString } from "../gguf/metadataAccess";
import { GgufValue } from "../gguf/values";
import { describePlacement, parsePlacement, PLACEMENT_METADATA_KEY, type SteeringPlacement } from "../placement";
import { checkPositionSpec } from "../positions";
import type { LayerDiagnostics } from "../training/diagnostics";
import { TRAINING_METHODS, type TrainingMethod } from "../training/methods";
import type { SteeringVector } from "../vector";
import type { CalibrationCurve, SteeringProfile } from "./calibrationCurve";
import { STEERING_PROFILES } from "./steeringProfiles";
import type { TrainedVector } from "./trainFromPairs";

export const TRAINED_VECTOR_KEYS = {
	version: "steer.trained_vector.version",
	method: "steer.method",
	positions: "steer.positions",
	diagnostics: "steer.diagnostics",
	suggestedLayers: "steer.suggested_layers",
	recommendedStrength: "steer.recommended_strength",
	rawAlpha: "steer.raw_alpha",
	pushFraction: "steer.push_fraction",
	pairCount: "steer.pair_count",
	/** For a vector trained from unpaired examples: how many were labelled 1 and 0 (pair_count is then 0). */
	positiveCount: "steer.positive_count",
	negativeCount: "steer.negative_count",
	unitLayers: "steer.unit_layers",
	unitDirections: "steer.unit_directions",
	/** JSON of the CalibrationCurve, when calibration by measurement chose the file's 1.0. */
	calibration: "steer.calibration"
} as const;

const FORMAT_VERSION = 1;

export async function saveTrainedVector(filePath: string, trained: TrainedVector): Promise<void> {
	const layers = [...trained.suggestedLayers];
	const unitLayers = [...trained.unitVector.directions.keys()].sort((a, b) => a - b);
	const unitDirections = new Float32Array(unitLayers.length * trained.unitVector.nEmbd);
	unitLayers.forEach((layer, slot) =>
		unitDirections.set(trained.unitVector.directions.get(layer) as Float32Array, slot * trained.unitVector.nEmbd)
	);
	const K = TRAINED_VECTOR_KEYS;
	await saveControlVectorFile(filePath, trained.vector, {
		modelHint: trained.modelHint,
		extraMetadata: {
			[K.version]: GgufValue.u32(FORMAT_VERSION),
			[K.method]: GgufValue.string(trained.method),
			[K.positions]: GgufValue.string(JSON.stringify(trained.positions)),
			[K.diagnostics]: GgufValue.string(JSON.stringify(trained.diagnostics)),
			[K.suggestedLayers]: GgufValue.numbers("i32", layers),
			[K.recommendedStrength]: GgufValue.f64(trained.recommendedStrength),
			[K.rawAlpha]: GgufValue.numbers(
				"f64",
				layers.map((layer) => trained.rawAlphaPerLayer.get(layer) ?? 0)
			),
			[K.pushFraction]: GgufValue.f64(trained.pushFraction),
			[K.pairCount]: GgufValue.u32(trained.pairCount),
			...(trained.exampleCounts
				? {
						[K.positiveCount]: GgufValue.u32(trained.exampleCounts.positive),
						[K.negativeCount]: GgufValue.u32(trained.exampleCounts.negative)
					}
				: {}),
			[K.unitLayers]: GgufValue.numbers("i32", unitLayers),
			[K.unitDirections]: GgufValue.array("f32", unitDirections),
			...(trained.calibration ? { [K.calibration]: GgufValue.string(JSON.stringify(trained.calibration)) } : {}),
			...(trained.placement && trained.placement.kind !== "all"
				? { [PLACEMENT_METADATA_KEY]: GgufValue.string(describePlacement(trained.placement)) }
				: {})
		}
	});
}

/** Loads a file written by saveTrainedVector; a plain control vector (no `steer.*` keys) is refused with a clear error. */
export async function loadTrainedVector(filePath: string): Promise<TrainedVector> {
	const file = await loadControlVectorFile(filePath);
	try {
		return readTrainedVector(file.vector, file.modelHint, file.metadata);
	} catch (error) {
		if (error instanceof Error) error.message = `${filePath}: ${error.message}`;
		throw error;
	}
}

/** Whether a control vector's metadata says it was trained by Steer (so loadTrainedVector will read it). */
export function isTrainedVectorMetadata(metadata: GgufMetadata): boolean {
	return metadata.has(TRAINED_VECTOR_KEYS.version);
}

export function readTrainedVector(
	vector: SteeringVector,
	modelHint: string | undefined,
	metadata: GgufMetadata
): TrainedVector {
	const K = TRAINED_VECTOR_KEYS;
	const version = metadataInteger(metadata, K.version);
	if (version === undefined)
		throw new GgufFormatError(
			"not a vector trained by Steer (no steer.* metadata); load it as a plain control vector"
		);
	if (version > FORMAT_VERSION)
		throw new GgufFormatError(
			`written by a newer Steer (trained-vector format ${version}; this one reads up to ${FORMAT_VERSION})`
		);
	const method = requiredString(metadata, K.method) as TrainingMethod;
	if (!TRAINING_METHODS.includes(method))
		throw new GgufFormatError(`${K.method} is "${method}", not one of ${TRAINING_METHODS.join(", ")}`);
	const positions = parseJson(requiredString(metadata, K.positions), K.positions, checkPositionSpec);
	const diagnostics = parseJson(requiredString(metadata, K.diagnostics), K.diagnostics, checkDiagnostics);
	const suggestedLayers = numberArray(metadata, K.suggestedLayers);
	const rawAlpha = numberArray(metadata, K.rawAlpha);
	if (rawAlpha.length !== suggestedLayers.length)
		throw new GgufFormatError(`${K.rawAlpha} has ${rawAlpha.length} values for ${suggestedLayers.length} layers`);
	const unitLayers = numberArray(metadata, K.unitLayers);
	const unitDirections = metadata.get(K.unitDirections);
	if (
		unitDirections?.type !== "array" ||
		unitDirections.itemType !== "f32" ||
		unitDirections.items.length !== unitLayers.length * vector.nEmbd
	) {
		throw new GgufFormatError(`${K.unitDirections} must be ${unitLayers.length} × ${vector.nEmbd} f32 values`);
	}
	const unitData = unitDirections.items as Float32Array;
	const positiveCount = metadataInteger(metadata, K.positiveCount);
	const negativeCount = metadataInteger(metadata, K.negativeCount);
	return {
		vector,
		unitVector: {
			nEmbd: vector.nEmbd,
			directions: new Map(
				unitLayers.map((layer, slot) => [layer, unitData.slice(slot * vector.nEmbd, (slot + 1) * vector.nEmbd)])
			)
		},
		diagnostics,
		suggestedLayers,
		recommendedStrength: requiredNumber(metadata, K.recommendedStrength),
		rawAlphaPerLayer: new Map(suggestedLayers.map((layer, slot) => [layer, rawAlpha[slot]])),
		pushFraction: requiredNumber(metadata, K.pushFraction),
		method,
		positions,
		modelHint: modelHint ?? "",
		pairCount: metadataInteger(metadata, K.pairCount) ?? 0,
		...(positiveCount !== undefined && negativeCount !== undefined
			? { exampleCounts: { positive: positiveCount, negative: negativeCount } }
			: {}),
		...(metadata.has(K.calibration)
			? { calibration: parseJson(requiredString(metadata, K.calibration), K.calibration, checkCalibration) }
			: {}),
		...placementOf(metadata)
	};
}

function placementOf(metadata: GgufMetadata): Pick<TrainedVector, "placement"> {
	const placement = placementInMetadata(metadata);
	return placement === undefined ? {} : { placement };
}

/**
 * Where a control-vector file says its vector acts (`steer.placement`, any file, trained by Steer or
 * not); undefined when it does not say. A value that is not a placement is a GgufFormatError naming the key.
 */
export function placementInMetadata(metadata: GgufMetadata): SteeringPlacement | undefined {
	try {
		const text = metadataString(metadata, PLACEMENT_METADATA_KEY);
		return text === undefined ? undefined : parsePlacement(text);
	} catch (error) {
		throw new GgufFormatError(`${PLACEMENT_METADATA_KEY}: ${(error as Error).message}`);
	}
}

function requiredString(metadata: GgufMetadata, key: string): string {
	const value = metadataString(metadata, key);
	if (value === undefined) throw new GgufFormatError(`metadata "${key}" is missing`);
	return value;
}

function requiredNumber(metadata: GgufMetadata, key: string): number {
	const value = metadataNumber(metadata, key);
	if (value === undefined) throw new GgufFormatError(`metadata "${key}" is missing`);
	return value;
}

function numberArray(metadata: GgufMetadata, key: string): number[] {
	const value = metadata.get(key);
	if (
		value?.type !== "array" ||
		!ArrayBuffer.isView(value.items) ||
		value.items instanceof BigInt64Array ||
		value.items instanceof BigUint64Array
	) {
		throw new GgufFormatError(`metadata "${key}" must be an array of numbers`);
	}
	return Array.from(value.items as ArrayLike<number>);
}

function parseJson<T>(text: string, key: string, check: (value: unknown) => T): T {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw new GgufFormatError(`metadata "${key}" is not valid JSON`);
	}
	try {
		return check(value);
	} catch (error) {
		throw new GgufFormatError(`metadata "${key}": ${(error as Error).message}`);
	}
}

/** Enough checking that code reading the diagnostics finds layers and numbers where it expects them. */
function checkDiagnostics(value: unknown): LayerDiagnostics[] {
	if (!Array.isArray(value)) throw new RangeError("expected an array of per-layer diagnostics");
	value.forEach((entry, index) => {
		const record = entry as Record<string, unknown> | null;
		for (const key of ["layer", "agreement", "meanProjectionGap", "hiddenNormMean"]) {
			if (typeof record?.[key] !== "number") throw new RangeError(`entry ${index} has no numeric ${key}`);
		}
	});
	return value as LayerDiagnostics[];
}

/** Enough checking that code reading the curve finds its points and the chosen strength. */
function checkCalibration(value: unknown): CalibrationCurve {
	const record = value as Record<string, unknown> | null;
	if (typeof record?.chosen !== "number" || !Array.isArray(record.points))
		throw new RangeError("expected a calibration curve with points and the chosen strength");
	record.points.forEach((point: Record<string, unknown> | null, index: number) => {
		for (const key of ["strength", "readout"]) {
			if (typeof point?.[key] !== "number") throw new RangeError(`point ${index} has no numeric ${key}`);
		}
		for (const key of ["klPerToken", "perplexity"])
			if (point![key] !== undefined && typeof point![key] !== "number")
				throw new RangeError(`point ${index} has a ${key} that is not a number`);
	});
	if (record.reliability !== undefined) {
		const reliability = record.reliability as Record<string, unknown> | null;
		for (const key of ["samples", "gain", "randomGain", "gainStandardError", "antiSteerableShare"]) {
			if (typeof reliability?.[key] !== "number") throw new RangeError(`reliability has no numeric ${key}`);
		}
		if (reliability!.overRandom !== null && typeof reliability!.overRandom !== "number")
			throw new RangeError("reliability.overRandom must be a number or null");
	}
	if (record.chat !== undefined) {
		const chat = record.chat as Record<string, unknown> | null;
		if (typeof chat !== "object" || chat === null || (chat.system !== undefined && typeof chat.system !== "string"))
			throw new RangeError("chat must be an object whose system, when given, is a string");
	}
	if (record.profile !== undefined) checkProfileChoice(record.profile);
	return value as CalibrationCurve;
}

/** The profile search's record (calibrateVector): the chosen profile among candidates of known profiles. */
function checkProfileChoice(value: unknown): void {
	const choice = value as Record<string, unknown> | null;
	const known = (profile: unknown) => STEERING_PROFILES.includes(profile as SteeringProfile);
	if (!known(choice?.chosen) || !Array.isArray(choice!.candidates))
		throw new RangeError(
			`profile must name the chosen profile (${STEERING_PROFILES.join(" or ")}) and its candidates`
		);
	choice!.candidates.forEach((candidate: Record<string, unknown> | null, index: number) => {
		if (!known(candidate?.profile) || !Array.isArray(candidate!.layers) || typeof candidate!.chosen !== "number")
			throw new RangeError(
				`profile candidate ${index} needs a known profile, its layers and its chosen strength`
			);
		if (candidate!.pairGain !== undefined && typeof candidate!.pairGain !== "number")
			throw new RangeError(`profile candidate ${index} has a pairGain that is not a number`);
	});
	if (!choice!.candidates.some((candidate: Record<string, unknown>) => candidate.profile === choice!.chosen))
		throw new RangeError("profile's chosen profile is not among its candidates");
	if (choice!.skipped !== undefined && !(Array.isArray(choice!.skipped) && choice!.skipped.every(known)))
		throw new RangeError("profile.skipped must list known profiles");
}

/**
 * Whether the file's 1.0 was calibrated in chat, and under which system message, so that it can be
 * evaluated the same way: undefined when it was calibrated on plain text, not calibrated, or calibrated
 * before this was recorded. Throws a GgufFormatError for a malformed curve.
 */
export function calibrationChatInMetadata(metadata: GgufMetadata): { readonly system?: string } | undefined {
	const text = metadataString(metadata, TRAINED_VECTOR_KEYS.calibration);
	if (text === undefined) return undefined;
	return parseJson(text, TRAINED_VECTOR_KEYS.calibration, checkCalibration).chat;
}
