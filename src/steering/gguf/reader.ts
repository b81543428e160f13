import { ByteCursor } from "./byteCursor";
import { GgufDataTruncatedError, GgufFormatError } from "./errors";
import { checkNoOverlap, type GgufTensorInfo, type PendingTensor, placeTensor, readTensorInfo } from "./tensorInfo";
import { readValue } from "./valueReader";
import type { GgufValue } from "./values";

export type { GgufTensorInfo } from "./tensorInfo";

export interface GgufFile {
	readonly version: 2 | 3;
	/** Metadata in file order. */
	readonly metadata: ReadonlyMap<string, GgufValue>;
	/** Tensor descriptions in file order. */
	readonly tensors: readonly GgufTensorInfo[];
	readonly alignment: number;
	/** Where the data section starts: the header's end rounded up to `alignment`. */
	readonly dataOffset: number;
	/** Size of the whole file the header was read from. */
	readonly fileSize: number;
}

export interface ReadGgufOptions {
	/**
	 * Size of the whole file when `bytes` is only its beginning. Counts and tensor ranges are checked
	 * against this; reading past `bytes` then fails with GgufTruncatedError so the caller can read more.
	 */
	readonly fileSize?: number;
	/** Accept tensors of ggml types this reader cannot size (their `byteSize` is undefined, ranges unchecked). */
	readonly allowUnknownTensorTypes?: boolean;
}

const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"
const DEFAULT_ALIGNMENT = 32;
/** Smallest possible key/value pair: empty-length key (8) + type (4) + one-byte value. */
const MIN_KEY_VALUE_BYTES = 13;
/** Smallest possible tensor info: name length (8) + n_dims (4) + one dim (8) + type (4) + offset (8). */
const MIN_TENSOR_INFO_BYTES = 32;

/**
 * Parses a GGUF (version 2 or 3) header: metadata and tensor descriptions. Tensor data is not
 * touched, so `bytes` may be just the beginning of a large file (pass `fileSize`).
 * Throws GgufFormatError (or its subclass GgufTruncatedError) for anything malformed.
 */
export function readGguf(bytes: Uint8Array, options: ReadGgufOptions = {}): GgufFile {
	const fileSize = options.fileSize ?? bytes.length;
	if (!Number.isSafeInteger(fileSize) || fileSize < bytes.length) {
		throw new RangeError(`fileSize ${fileSize} must be an integer no smaller than the ${bytes.length} bytes given`);
	}
	const cursor = new ByteCursor(bytes, fileSize);

	checkMagic(bytes, fileSize);
	cursor.offset = 4;
	const version = readVersion(cursor);
	const countsAt = cursor.offset;
	const tensorCount = cursor.u64("tensor count");
	const keyValueCount = cursor.u64("metadata key/value count");
	cursor.requirePlausibleCount(keyValueCount, MIN_KEY_VALUE_BYTES, "metadata key/value count", countsAt + 8);
	cursor.requirePlausibleCount(tensorCount, MIN_TENSOR_INFO_BYTES, "tensor count", countsAt);
	if (
		keyValueCount * BigInt(MIN_KEY_VALUE_BYTES) + tensorCount * BigInt(MIN_TENSOR_INFO_BYTES) >
		BigInt(cursor.bytesLeftInFile)
	) {
		throw new GgufFormatError(
			`${keyValueCount} metadata entries and ${tensorCount} tensors cannot fit in the ${cursor.bytesLeftInFile} bytes left (corrupt or truncated file?)`,
			countsAt
		);
	}

	const metadata = new Map<string, GgufValue>();
	for (let i = 0; i < Number(keyValueCount); i++) {
		const keyAt = cursor.offset;
		const key = cursor.string(`metadata key #${i}`, true);
		if (key.length === 0) throw new GgufFormatError(`metadata key #${i} is empty`, keyAt);
		if (metadata.has(key)) throw new GgufFormatError(`duplicate metadata key "${key}"`, keyAt);
		metadata.set(key, readValue(cursor, `value of "${key}"`, 0));
	}

	const alignment = readAlignment(metadata);

	const pending: PendingTensor[] = [];
	const tensorNames = new Set<string>();
	for (let i = 0; i < Number(tensorCount); i++) {
		const tensor = readTensorInfo(cursor, i, options.allowUnknownTensorTypes === true);
		if (tensorNames.has(tensor.name))
			throw new GgufFormatError(`duplicate tensor name "${tensor.name}"`, tensor.at);
		tensorNames.add(tensor.name);
		pending.push(tensor);
	}

	const dataOffset = alignUp(cursor.offset, alignment);
	const placed = pending.map((tensor, index) => placeTensor(tensor, dataOffset, alignment, index));
	const dataEnd = placed.reduce(
		(end, tensor) => (tensor.byteSize === undefined ? end : Math.max(end, tensor.fileOffset + tensor.byteSize)),
		0
	);
	if (dataEnd > fileSize) throw new GgufDataTruncatedError(dataEnd, fileSize);
	checkNoOverlap(placed);
	return { version, metadata, tensors: placed, alignment, dataOffset, fileSize };
}

function checkMagic(bytes: Uint8Array, fileSize: number): void {
	if (fileSize < 4 || bytes.length < 4) {
		throw new GgufFormatError(`not a GGUF file: it has only ${fileSize} byte(s), fewer than the 4-byte magic`, 0);
	}
	for (let i = 0; i < 4; i++) {
		if (bytes[i] !== GGUF_MAGIC[i]) {
			const seen = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
			throw new GgufFormatError(
				`not a GGUF file: it starts with bytes ${seen}, expected "GGUF" (47 47 55 46)`,
				0
			);
		}
	}
}

function readVersion(cursor: ByteCursor): 2 | 3 {
	const at = cursor.offset;
	const version = cursor.u32("version");
	if (version === 2 || version === 3) return version;
	if (version === 1)
		throw new GgufFormatError(
			"GGUF version 1 (32-bit counts) is not supported; convert the file with a current llama.cpp",
			at
		);
	if ((version & 0xffff) === 0 && version >>> 24 >= 1 && version >>> 24 <= 3) {
		throw new GgufFormatError(
			`this looks like a big-endian GGUF file (version reads as ${version}); only little-endian files are supported`,
			at
		);
	}
	throw new GgufFormatError(`unsupported GGUF version ${version}; versions 2 and 3 are supported`, at);
}

function readAlignment(metadata: ReadonlyMap<string, GgufValue>): number {
	const value = metadata.get("general.alignment");
	if (value === undefined) return DEFAULT_ALIGNMENT;
	if (value.type !== "u32") throw new GgufFormatError(`general.alignment must be a u32, found ${value.type}`);
	const alignment = value.value;
	if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
		throw new GgufFormatError(`general.alignment must be a power of two, found ${alignment}`);
	}
	return alignment;
}

function alignUp(offset: number, alignment: number): number {
	return Math.ceil(offset / alignment) * alignment;
}
