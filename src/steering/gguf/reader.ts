import { ByteCursor, hostIsLittleEndian } from "./byteCursor";
import { GgufDataTruncatedError, GgufFormatError } from "./errors";
import { ggmlBlockElements, ggmlTensorByteSize, ggmlTypeName, isKnownGgmlType } from "./ggmlTypes";
import { type GgufArrayValue, type GgufValue, type GgufValueTypeName, ggufTypeNameOfCode } from "./values";

export interface GgufTensorInfo {
	readonly name: string;
	/** ggml order: `dims[0]` is the row length (the fastest-varying index). */
	readonly dims: readonly number[];
	/** ggml type number (see GgmlType). */
	readonly type: number;
	/** ggml type name, e.g. "F32" or "Q4_K". */
	readonly typeName: string;
	/** Offset of the data relative to the start of the data section. */
	readonly offset: number;
	/** Offset of the data from the start of the file. */
	readonly fileOffset: number;
	readonly elementCount: number;
	/** Bytes of data, or undefined for a type this reader does not know (only with `allowUnknownTensorTypes`). */
	readonly byteSize: number | undefined;
}

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
/** ggml's GGML_MAX_DIMS. */
const MAX_TENSOR_DIMS = 4;
/** ggml's GGML_MAX_NAME counts the terminating NUL, so names may have at most 63 bytes. */
export const MAX_TENSOR_NAME_BYTES = 63;
/** Arrays of arrays are legal GGUF but never deep in practice; the limit keeps recursion bounded. */
const MAX_ARRAY_NESTING = 8;
/** Smallest possible key/value pair: empty-length key (8) + type (4) + one-byte value. */
const MIN_KEY_VALUE_BYTES = 13;
/** Smallest possible tensor info: name length (8) + n_dims (4) + one dim (8) + type (4) + offset (8). */
const MIN_TENSOR_INFO_BYTES = 32;

const fixedItemBytes: Partial<Record<GgufValueTypeName, number>> = {
	u8: 1,
	i8: 1,
	bool: 1,
	u16: 2,
	i16: 2,
	u32: 4,
	i32: 4,
	f32: 4,
	u64: 8,
	i64: 8,
	f64: 8
};
/** Least bytes one array item can take: a string is at least its length, an array its type and count. */
function minItemBytes(type: GgufValueTypeName): number {
	return fixedItemBytes[type] ?? (type === "string" ? 8 : 12);
}

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

function readValue(cursor: ByteCursor, what: string, depth: number): GgufValue {
	const at = cursor.offset;
	const code = cursor.u32(`type of ${what}`);
	const type = ggufTypeNameOfCode(code);
	if (type === undefined) throw new GgufFormatError(`unknown metadata value type ${code} for ${what}`, at);
	return readValueOfType(cursor, type, what, depth);
}

function readValueOfType(cursor: ByteCursor, type: GgufValueTypeName, what: string, depth: number): GgufValue {
	switch (type) {
		case "u8":
			return { type, value: cursor.u8(what) };
		case "i8":
			return { type, value: cursor.i8(what) };
		case "u16":
			return { type, value: cursor.u16(what) };
		case "i16":
			return { type, value: cursor.i16(what) };
		case "u32":
			return { type, value: cursor.u32(what) };
		case "i32":
			return { type, value: cursor.i32(what) };
		case "f32":
			return { type, value: cursor.f32(what) };
		case "f64":
			return { type, value: cursor.f64(what) };
		case "u64":
			return { type, value: cursor.u64(what) };
		case "i64":
			return { type, value: cursor.i64(what) };
		case "bool":
			return { type, value: readBool(cursor, what) };
		case "string":
			return { type, value: cursor.string(what, false) };
		case "array":
			return readArray(cursor, what, depth);
	}
}

function readBool(cursor: ByteCursor, what: string): boolean {
	const at = cursor.offset;
	const byte = cursor.u8(what);
	if (byte > 1) throw new GgufFormatError(`${what} is a bool stored as ${byte}; only 0 and 1 are valid`, at);
	return byte === 1;
}

function readArray(cursor: ByteCursor, what: string, depth: number): GgufArrayValue {
	const at = cursor.offset;
	if (depth >= MAX_ARRAY_NESTING)
		throw new GgufFormatError(`${what} nests arrays more than ${MAX_ARRAY_NESTING} deep`, at);
	const code = cursor.u32(`item type of ${what}`);
	const itemType = ggufTypeNameOfCode(code);
	if (itemType === undefined) throw new GgufFormatError(`unknown array item type ${code} in ${what}`, at);
	const countAt = cursor.offset;
	const count = cursor.requirePlausibleCount(
		cursor.u64(`item count of ${what}`),
		minItemBytes(itemType),
		`item count of ${what}`,
		countAt
	);

	switch (itemType) {
		case "u8":
			return { type: "array", itemType, items: cursor.copy(count, what) };
		case "i8":
			return { type: "array", itemType, items: new Int8Array(cursor.copy(count, what).buffer) };
		case "u16":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					2,
					what,
					(b) => new Uint16Array(b),
					(v, o) => v.getUint16(o, true)
				)
			};
		case "i16":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					2,
					what,
					(b) => new Int16Array(b),
					(v, o) => v.getInt16(o, true)
				)
			};
		case "u32":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					4,
					what,
					(b) => new Uint32Array(b),
					(v, o) => v.getUint32(o, true)
				)
			};
		case "i32":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					4,
					what,
					(b) => new Int32Array(b),
					(v, o) => v.getInt32(o, true)
				)
			};
		case "f32":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					4,
					what,
					(b) => new Float32Array(b),
					(v, o) => v.getFloat32(o, true)
				)
			};
		case "f64":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					8,
					what,
					(b) => new Float64Array(b),
					(v, o) => v.getFloat64(o, true)
				)
			};
		case "u64":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					8,
					what,
					(b) => new BigUint64Array(b),
					(v, o) => v.getBigUint64(o, true)
				)
			};
		case "i64":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					8,
					what,
					(b) => new BigInt64Array(b),
					(v, o) => v.getBigInt64(o, true)
				)
			};
		case "bool": {
			const items: boolean[] = [];
			for (let i = 0; i < count; i++) items.push(readBool(cursor, `${what}[${i}]`));
			return { type: "array", itemType, items };
		}
		case "string": {
			// Grown item by item, never preallocated from the count: each item is checked as it is read.
			const items: string[] = [];
			for (let i = 0; i < count; i++) items.push(cursor.string(`${what}[${i}]`, false));
			return { type: "array", itemType, items };
		}
		case "array": {
			// Items of an array of arrays carry their own item type and count but no value-type code.
			const items: GgufArrayValue[] = [];
			for (let i = 0; i < count; i++) items.push(readArray(cursor, `${what}[${i}]`, depth + 1));
			return { type: "array", itemType, items };
		}
	}
}

interface NumberArray<T> {
	[index: number]: T;
}

/** Copies `count` fixed-size numbers; on little-endian hosts a straight copy, else element by element. */
function readNumbers<A extends NumberArray<T>, T>(
	cursor: ByteCursor,
	count: number,
	itemBytes: number,
	what: string,
	fromBuffer: (buffer: ArrayBuffer) => A,
	readOne: (view: DataView, offset: number) => T
): A {
	const raw = cursor.copy(count * itemBytes, what);
	if (hostIsLittleEndian) return fromBuffer(raw.buffer as ArrayBuffer);
	const view = new DataView(raw.buffer);
	const out = fromBuffer(new ArrayBuffer(raw.length));
	for (let i = 0; i < count; i++) out[i] = readOne(view, i * itemBytes);
	return out;
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

interface PendingTensor {
	readonly name: string;
	readonly dims: readonly number[];
	readonly type: number;
	readonly typeName: string;
	readonly offset: number;
	readonly elementCount: number;
	readonly byteSize: number | undefined;
	/** Where the tensor's description starts, for error messages. */
	readonly at: number;
}

function readTensorInfo(cursor: ByteCursor, index: number, allowUnknownTypes: boolean): PendingTensor {
	const at = cursor.offset;
	const name = cursor.string(`name of tensor #${index}`, true);
	if (new TextEncoder().encode(name).length > MAX_TENSOR_NAME_BYTES) {
		throw new GgufFormatError(
			`tensor name "${name.slice(0, 80)}" is longer than ggml's ${MAX_TENSOR_NAME_BYTES} bytes`,
			at
		);
	}
	const label = `tensor "${name}"`;
	const dimCountAt = cursor.offset;
	const dimCount = cursor.u32(`dimension count of ${label}`);
	if (dimCount < 1 || dimCount > MAX_TENSOR_DIMS) {
		throw new GgufFormatError(
			`${label} has ${dimCount} dimensions; ggml supports 1 to ${MAX_TENSOR_DIMS}`,
			dimCountAt
		);
	}
	const dims: number[] = [];
	let elements = 1n;
	for (let d = 0; d < dimCount; d++) {
		const dimAt = cursor.offset;
		const size = cursor.i64(`dimension ${d} of ${label}`);
		if (size < 0n) throw new GgufFormatError(`${label} has negative dimension ${d} (${size})`, dimAt);
		elements *= size;
		// No tensor can have more elements than its file has bits; this also keeps every number exact.
		if (elements > BigInt(cursor.fileSize) * 8n) {
			throw new GgufFormatError(
				`${label} claims ${elements} elements, more than a ${cursor.fileSize}-byte file can hold (corrupt or truncated file?)`,
				dimAt
			);
		}
		dims.push(Number(size));
	}
	const typeAt = cursor.offset;
	const type = cursor.u32(`type of ${label}`);
	if (!isKnownGgmlType(type) && !allowUnknownTypes) {
		throw new GgufFormatError(`${label} has unknown ggml type ${type}`, typeAt);
	}
	const offsetAt = cursor.offset;
	const offset = cursor.u64AsNumber(`data offset of ${label}`);
	const elementCount = Number(elements);
	const rowLength = dims[0]!;
	const byteSize = rowLength === 0 ? 0 : ggmlTensorByteSize(type, rowLength, elementCount / rowLength);
	if (byteSize !== undefined && Number.isNaN(byteSize)) {
		throw new GgufFormatError(
			`${label} has rows of ${rowLength} elements, not a multiple of the ${ggmlBlockElements(type)}-element blocks of type ${ggmlTypeName(type)}`,
			offsetAt
		);
	}
	return { name, dims, type, typeName: ggmlTypeName(type), offset, elementCount, byteSize, at };
}

function placeTensor(tensor: PendingTensor, dataOffset: number, alignment: number, index: number): GgufTensorInfo {
	const label = `tensor "${tensor.name}" (#${index})`;
	if (tensor.offset % alignment !== 0) {
		throw new GgufFormatError(
			`${label} has data offset ${tensor.offset}, which is not a multiple of the alignment ${alignment}`,
			tensor.at
		);
	}
	const fileOffset = dataOffset + tensor.offset;
	const { name, dims, type, typeName, offset, elementCount, byteSize } = tensor;
	return { name, dims, type, typeName, offset, fileOffset, elementCount, byteSize };
}

/** Two tensors sharing bytes means the offsets are corrupt: one of them would read the other's data. */
function checkNoOverlap(tensors: readonly GgufTensorInfo[]): void {
	const sized = tensors.filter((t) => t.byteSize !== undefined && t.byteSize > 0).sort((a, b) => a.offset - b.offset);
	for (let i = 1; i < sized.length; i++) {
		const previous = sized[i - 1]!;
		const current = sized[i]!;
		if (previous.offset + previous.byteSize! > current.offset) {
			throw new GgufFormatError(
				`tensors "${previous.name}" and "${current.name}" overlap in the data section`,
				current.fileOffset
			);
		}
	}
}

function alignUp(offset: number, alignment: number): number {
	return Math.ceil(offset / alignment) * alignment;
}
