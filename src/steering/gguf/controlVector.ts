import type { SteeringVector } from "../vector";
import { GgufFormatError, GgufWriteError } from "./errors";
import { type GgufMetadata, metadataInteger, metadataString } from "./metadataAccess";
import { type GgufTensorInfo, readGguf } from "./reader";
import { readTensorAsFloat32 } from "./tensorData";
import { type GgufValue } from "./values";
import { type GgufMetadataInput, type GgufTensorToWrite, writeGguf } from "./writer";

/**
 * llama.cpp's control-vector files, as read by `--control-vector[-scaled]` and written by
 * `cvector-generator` and repeng: `general.architecture = "controlvector"`,
 * `controlvector.model_hint` (the target model's architecture), `controlvector.layer_count`, and one
 * F32 1-D tensor `direction.N` of length n_embd per steered layer N ≥ 1. `direction.N` is added to
 * the output of block N, the same numbering as SteeringVector.
 *
 * llama.cpp reads only the tensors and refuses the whole file if any tensor is not such a
 * direction, so Steer's own information travels as metadata keys under `steer.`.
 */

export const CONTROL_VECTOR_ARCHITECTURE = "controlvector";
export const MODEL_HINT_KEY = "controlvector.model_hint";
export const LAYER_COUNT_KEY = "controlvector.layer_count";
/** Prefix of the metadata keys Steer adds; other readers ignore unknown keys. */
export const STEER_METADATA_PREFIX = "steer.";

/** A control-vector file that GGUF can parse but llama.cpp would reject or misread. */
export class ControlVectorFormatError extends GgufFormatError {
	override readonly name: string = "ControlVectorFormatError";
}

export interface WriteControlVectorOptions {
	/** The architecture of the model the vector was made for (its `general.architecture`, e.g. "llama"). */
	readonly modelHint: string;
	/** Steer's own keys, each starting with `steer.` (method, diagnostics, recommended strength, …). */
	readonly extraMetadata?: GgufMetadataInput;
}

export interface ReadControlVectorOptions {
	/** Multiplies every direction, like llama.cpp's `--control-vector-scaled FILE:SCALE`. Default 1. */
	readonly scale?: number;
}

export interface ControlVectorFile {
	readonly vector: SteeringVector;
	readonly modelHint: string | undefined;
	/** `controlvector.layer_count` as stored; informational only, llama.cpp does not read it. */
	readonly layerCount: number | undefined;
	/** Every metadata key of the file, `steer.` keys included. */
	readonly metadata: GgufMetadata;
}

const DIRECTION_NAME = /^direction\.(\d+)$/;
/** llama.cpp parses the layer with std::stoi, so anything beyond a 32-bit int fails there. */
const MAX_LAYER = 0x7fffffff;

/** Serialises a steering vector as a llama.cpp control-vector GGUF file. */
export function writeControlVector(vector: SteeringVector, options: WriteControlVectorOptions): Uint8Array {
	const { nEmbd } = vector;
	if (!Number.isSafeInteger(nEmbd) || nEmbd < 1)
		throw new GgufWriteError(`nEmbd must be a positive integer, got ${nEmbd}`);
	if (typeof options.modelHint !== "string")
		throw new GgufWriteError("modelHint must be a string (the target model's architecture)");
	if (vector.directions.size === 0) throw new GgufWriteError("a control vector needs at least one direction");

	const layers = [...vector.directions.keys()].sort((a, b) => a - b);
	const tensors: GgufTensorToWrite[] = layers.map((layer) => {
		const direction = vector.directions.get(layer)!;
		checkDirectionToWrite(layer, direction, nEmbd);
		return { name: `direction.${layer}`, dims: [nEmbd], type: "F32", data: direction };
	});

	// llama.cpp's cvector-generator stores the count as i32; repeng stores the number of directions.
	const metadata: [string, GgufValue][] = [
		["general.architecture", { type: "string", value: CONTROL_VECTOR_ARCHITECTURE }],
		[MODEL_HINT_KEY, { type: "string", value: options.modelHint }],
		[LAYER_COUNT_KEY, { type: "i32", value: layers.length }]
	];
	for (const [key, value] of extraEntries(options.extraMetadata)) {
		if (!key.startsWith(STEER_METADATA_PREFIX) || key.length === STEER_METADATA_PREFIX.length) {
			throw new GgufWriteError(
				`extra metadata key "${key}" must start with "${STEER_METADATA_PREFIX}" so that it cannot clash with keys llama.cpp defines`
			);
		}
		metadata.push([key, value]);
	}
	return writeGguf({ metadata, tensors });
}

function checkDirectionToWrite(layer: number, direction: Float32Array, nEmbd: number): void {
	if (!Number.isInteger(layer) || layer < 0 || layer > MAX_LAYER)
		throw new GgufWriteError(`layer ${layer} is not a valid block index`);
	if (layer === 0) {
		throw new GgufWriteError(
			"layer 0 cannot be steered: llama.cpp adds direction.N to the output of block N for N ≥ 1 and rejects direction.0"
		);
	}
	if (!(direction instanceof Float32Array))
		throw new GgufWriteError(`direction for layer ${layer} must be a Float32Array`);
	if (direction.length !== nEmbd)
		throw new GgufWriteError(
			`direction for layer ${layer} has ${direction.length} values, expected nEmbd = ${nEmbd}`
		);
	const bad = direction.findIndex((x) => !Number.isFinite(x));
	if (bad >= 0)
		throw new GgufWriteError(
			`direction for layer ${layer} has a non-finite value (${direction[bad]}) at index ${bad}`
		);
}

function extraEntries(extra: GgufMetadataInput | undefined): [string, GgufValue][] {
	if (extra === undefined) return [];
	if (extra instanceof Map || Symbol.iterator in extra) return [...(extra as Iterable<[string, GgufValue]>)];
	return Object.entries(extra as Record<string, GgufValue>);
}

/**
 * Parses a control-vector file, applying `scale`. Refuses, with ControlVectorFormatError, what
 * llama.cpp refuses (direction.0, non-F32 or non-1-D directions, widths that differ, other tensors)
 * and what it would silently misuse (another architecture's file, non-finite values).
 */
export function readControlVector(bytes: Uint8Array, options: ReadControlVectorOptions = {}): ControlVectorFile {
	const scale = options.scale ?? 1;
	if (typeof scale !== "number" || !Number.isFinite(scale))
		throw new RangeError(`scale must be a finite number, got ${String(scale)}`);

	const file = readGguf(bytes);
	const architecture = metadataString(file.metadata, "general.architecture");
	if (architecture !== undefined && architecture !== CONTROL_VECTOR_ARCHITECTURE) {
		throw new ControlVectorFormatError(
			`this GGUF file's general.architecture is "${architecture}", not "${CONTROL_VECTOR_ARCHITECTURE}": it is not a control vector${architecture === "llama" || file.tensors.length > 50 ? " (is it a model?)" : ""}`
		);
	}
	const modelHint = metadataString(file.metadata, MODEL_HINT_KEY);
	const layerCount = metadataInteger(file.metadata, LAYER_COUNT_KEY);
	if (file.tensors.length === 0)
		throw new ControlVectorFormatError("the file has no direction.N tensors: it would steer nothing");

	let nEmbd: number | undefined;
	let widthSetBy = "";
	const directions = new Map<number, Float32Array>();
	for (const tensor of file.tensors) {
		const layer = directionLayer(tensor);
		if (directions.has(layer))
			throw new ControlVectorFormatError(
				`two tensors give the direction for layer ${layer} (the second is "${tensor.name}")`
			);
		const width = tensor.dims[0]!;
		if (nEmbd === undefined) {
			if (width === 0) throw new ControlVectorFormatError(`${tensor.name} is empty`);
			nEmbd = width;
			widthSetBy = tensor.name;
		} else if (width !== nEmbd) {
			throw new ControlVectorFormatError(
				`${tensor.name} has ${width} values but ${widthSetBy} has ${nEmbd}: all directions must have the model's width`
			);
		}
		directions.set(layer, scaledDirection(readTensorAsFloat32(file, bytes, tensor), tensor.name, scale));
	}
	return { vector: { nEmbd: nEmbd!, directions }, modelHint, layerCount, metadata: file.metadata };
}

/** The layer a tensor steers, or the reason llama.cpp would refuse it. */
function directionLayer(tensor: GgufTensorInfo): number {
	const match = DIRECTION_NAME.exec(tensor.name);
	if (match === null) {
		throw new ControlVectorFormatError(
			`unexpected tensor "${tensor.name}": a control-vector file holds only direction.N tensors, and llama.cpp rejects files with any other`
		);
	}
	const layer = Number(match[1]);
	if (layer > MAX_LAYER) throw new ControlVectorFormatError(`${tensor.name}: layer index is too large`);
	if (layer === 0) {
		throw new ControlVectorFormatError(
			`${tensor.name} would steer block 0, which cannot be steered: llama.cpp rejects direction.0 (directions start at layer 1)`
		);
	}
	if (tensor.typeName !== "F32")
		throw new ControlVectorFormatError(`${tensor.name} is ${tensor.typeName}; llama.cpp reads only F32 directions`);
	// ggml counts trailing dimensions of size 1 as absent, so [n, 1] is as 1-D as [n].
	if (tensor.dims.slice(1).some((size) => size !== 1)) {
		throw new ControlVectorFormatError(
			`${tensor.name} has shape [${tensor.dims.join(", ")}]; a direction must be 1-D`
		);
	}
	return layer;
}

function scaledDirection(values: Float32Array, name: string, scale: number): Float32Array {
	for (let i = 0; i < values.length; i++) {
		if (!Number.isFinite(values[i]!))
			throw new ControlVectorFormatError(`${name} has a non-finite value (${values[i]}) at index ${i}`);
		if (scale !== 1) {
			values[i]! *= scale;
			if (!Number.isFinite(values[i]!))
				throw new ControlVectorFormatError(`scaling ${name} by ${scale} overflows F32 at index ${i}`);
		}
	}
	return values;
}
