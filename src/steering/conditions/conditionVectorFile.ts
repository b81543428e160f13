/**
 * A condition vector on disk: a llama.cpp control-vector GGUF whose tensors are the unit directions at
 * every trained layer, marked `steer.vector_kind = "condition"` with what trained it under
 * `steer.condition.*`. It is meant to be compared with prompts (`steer condition`), not added to the
 * model: applied as a control vector it would push each layer by a norm of 1, far below a trained
 * behaviour vector's calibrated push.
 */
import { loadControlVectorFile, saveControlVectorFile } from "../gguf/controlVectorFile";
import { GgufFormatError } from "../gguf/errors";
import { type GgufMetadata, metadataInteger, metadataString } from "../gguf/metadataAccess";
import { GgufValue } from "../gguf/values";
import { checkPositionSpec } from "../positions";
import type { LayerDiagnostics } from "../training/diagnostics";
import { TRAINING_METHODS, type TrainingMethod } from "../training/methods";
import type { SteeringVector } from "../vector";
import type { ConditionVector } from "./conditionVector";

export const CONDITION_VECTOR_KEYS = {
	kind: "steer.vector_kind",
	version: "steer.condition.version",
	method: "steer.condition.method",
	positions: "steer.condition.positions",
	diagnostics: "steer.condition.diagnostics",
	positiveCount: "steer.condition.positive_count",
	negativeCount: "steer.condition.negative_count"
} as const;

export const CONDITION_VECTOR_KIND = "condition";

/**
 * 2: means over positions leave out the first token (the engine's positions.ts). A version-1 file's
 * directions were trained on means that included it, so its thresholds do not fit prompts read now.
 */
const FORMAT_VERSION = 2;

export async function saveConditionVector(filePath: string, condition: ConditionVector): Promise<void> {
	const K = CONDITION_VECTOR_KEYS;
	await saveControlVectorFile(filePath, condition.vector, {
		modelHint: condition.modelHint,
		extraMetadata: {
			[K.kind]: GgufValue.string(CONDITION_VECTOR_KIND),
			[K.version]: GgufValue.u32(FORMAT_VERSION),
			[K.method]: GgufValue.string(condition.method),
			[K.positions]: GgufValue.string(JSON.stringify(condition.positions)),
			[K.diagnostics]: GgufValue.string(JSON.stringify(condition.diagnostics)),
			[K.positiveCount]: GgufValue.u32(condition.positiveCount),
			[K.negativeCount]: GgufValue.u32(condition.negativeCount)
		}
	});
}

/** Whether a control vector's metadata marks it as a condition vector. */
export function isConditionVectorMetadata(metadata: GgufMetadata): boolean {
	return metadataString(metadata, CONDITION_VECTOR_KEYS.kind) === CONDITION_VECTOR_KIND;
}

export async function loadConditionVector(filePath: string): Promise<ConditionVector> {
	const file = await loadControlVectorFile(filePath);
	try {
		return readConditionVector(file.vector, file.modelHint, file.metadata);
	} catch (error) {
		if (error instanceof Error) error.message = `${filePath}: ${error.message}`;
		throw error;
	}
}

export function readConditionVector(
	vector: SteeringVector,
	modelHint: string | undefined,
	metadata: GgufMetadata
): ConditionVector {
	const K = CONDITION_VECTOR_KEYS;
	if (!isConditionVectorMetadata(metadata))
		throw new GgufFormatError(`not a condition vector (${K.kind} is not "${CONDITION_VECTOR_KIND}")`);
	const version = metadataInteger(metadata, K.version);
	if (version === undefined) throw new GgufFormatError(`metadata "${K.version}" is missing`);
	if (version > FORMAT_VERSION)
		throw new GgufFormatError(
			`written by a newer Steer (condition-vector format ${version}; this one reads up to ${FORMAT_VERSION})`
		);
	const method = required(metadata, K.method) as TrainingMethod;
	if (!TRAINING_METHODS.includes(method))
		throw new GgufFormatError(`${K.method} is "${method}", not one of ${TRAINING_METHODS.join(", ")}`);
	let positions;
	let diagnostics: LayerDiagnostics[];
	try {
		positions = checkPositionSpec(JSON.parse(required(metadata, K.positions)));
		diagnostics = JSON.parse(required(metadata, K.diagnostics)) as LayerDiagnostics[];
		if (!Array.isArray(diagnostics)) throw new RangeError("expected an array of per-layer diagnostics");
	} catch (error) {
		throw new GgufFormatError(`unreadable condition metadata: ${(error as Error).message}`);
	}
	if (version < 2 && positions.mean === true && positions.select !== "last") {
		throw new GgufFormatError(
			"trained by an older Steer whose means over a prompt included its first token; prompts are read without it now, so its thresholds would not fit: train it again with `steer condition train`"
		);
	}
	return {
		vector,
		diagnostics,
		method,
		positions,
		modelHint: modelHint ?? "",
		positiveCount: metadataInteger(metadata, K.positiveCount) ?? 0,
		negativeCount: metadataInteger(metadata, K.negativeCount) ?? 0
	};
}

function required(metadata: GgufMetadata, key: string): string {
	const value = metadataString(metadata, key);
	if (value === undefined) throw new GgufFormatError(`metadata "${key}" is missing`);
	return value;
}
