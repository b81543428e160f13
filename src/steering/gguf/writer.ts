import { ByteWriter } from "./byteWriter";
import { GgufWriteError } from "./errors";
import { GgmlType } from "./ggmlTypes";
import { float32ToF16Bits } from "./halfFloat";
import { QUANT_BLOCK, quantizedBlockBytes, quantizeInto, type QuantizedType } from "./quantize";
import { MAX_TENSOR_NAME_BYTES } from "./tensorInfo";
import {
	type GgufArrayValue,
	type GgufBigIntTypeName,
	type GgufNumberTypeName,
	type GgufValue,
	type GgufValueTypeName,
	checkBigIntFits,
	checkNumberFits,
	ggufTypeCodes
} from "./values";

/**
 * A tensor to write. `data` is always F32 in memory; "F16" converts it (round to nearest even) on write,
 * "Q8_0" and "Q4_0" quantize it as ggml's reference encoders do (rows a multiple of 32 long).
 */
export interface GgufTensorToWrite {
	readonly name: string;
	/** ggml order: `dims[0]` is the row length. */
	readonly dims: readonly number[];
	readonly type: "F32" | "F16" | QuantizedType;
	readonly data: Float32Array;
}

export type GgufMetadataInput =
	ReadonlyMap<string, GgufValue> | Iterable<readonly [string, GgufValue]> | Readonly<Record<string, GgufValue>>;

export interface GgufToWrite {
	/** Keys in the order they should appear in the file. */
	readonly metadata: GgufMetadataInput;
	readonly tensors?: readonly GgufTensorToWrite[];
}

const DEFAULT_ALIGNMENT = 32;
const MAX_TENSOR_DIMS = 4;
const ggmlTypeOf = { F32: GgmlType.F32, F16: GgmlType.F16, Q8_0: GgmlType.Q8_0, Q4_0: GgmlType.Q4_0 } as const;

function tensorBytes(tensor: GgufTensorToWrite): number {
	const count = tensor.data.length;
	if (tensor.type === "F32") return count * 4;
	if (tensor.type === "F16") return count * 2;
	return (count / QUANT_BLOCK) * quantizedBlockBytes[tensor.type];
}

/**
 * Serialises a GGUF version 3 file. Each tensor's data starts at a multiple of `alignment` (with
 * `general.alignment` written when it is not the default 32). Throws GgufWriteError for anything
 * that GGUF or llama.cpp could not read back: out-of-range values, bad names, dims not matching data.
 */
export function writeGguf(content: GgufToWrite, alignment: number = DEFAULT_ALIGNMENT): Uint8Array {
	if (
		!Number.isInteger(alignment) ||
		alignment < 1 ||
		alignment > 0x80000000 ||
		(alignment & (alignment - 1)) !== 0
	) {
		throw new GgufWriteError(`alignment must be a power of two, got ${alignment}`);
	}
	const metadata = metadataWithAlignment(toEntries(content.metadata), alignment);
	const tensors = content.tensors ?? [];
	checkTensors(tensors);

	const header = new ByteWriter();
	header.u32(0x46554747); // "GGUF" read as a little-endian u32
	header.u32(3);
	header.u64(BigInt(tensors.length));
	header.u64(BigInt(metadata.length));
	for (const [key, value] of metadata) {
		header.string(key);
		header.u32(ggufTypeCodes[value.type]);
		writeValue(header, value, `metadata "${key}"`);
	}

	let dataSize = 0;
	const offsets: number[] = [];
	for (const tensor of tensors) {
		offsets.push(dataSize);
		dataSize = alignUp(dataSize + tensorBytes(tensor), alignment);
		header.string(tensor.name);
		header.u32(tensor.dims.length);
		for (const size of tensor.dims) header.u64(BigInt(size));
		header.u32(ggmlTypeOf[tensor.type]);
		header.u64(BigInt(offsets[offsets.length - 1]!));
	}

	const dataOffset = alignUp(header.size, alignment);
	const file = new Uint8Array(dataOffset + dataSize);
	file.set(header.toBytes(), 0);
	const view = new DataView(file.buffer);
	tensors.forEach((tensor, index) => writeTensorData(view, dataOffset + offsets[index]!, tensor));
	return file;
}

function toEntries(metadata: GgufMetadataInput): [string, GgufValue][] {
	if (metadata instanceof Map || Symbol.iterator in metadata) return [...(metadata as Iterable<[string, GgufValue]>)];
	return Object.entries(metadata as Record<string, GgufValue>);
}

/** Adds `general.alignment` when needed and refuses a value that contradicts the alignment used. */
function metadataWithAlignment(entries: [string, GgufValue][], alignment: number): [string, GgufValue][] {
	const keys = new Set<string>();
	for (const [key] of entries) {
		if (typeof key !== "string" || key.length === 0)
			throw new GgufWriteError("metadata keys must be non-empty strings");
		if (keys.has(key)) throw new GgufWriteError(`duplicate metadata key "${key}"`);
		keys.add(key);
	}
	const declared = entries.find(([key]) => key === "general.alignment")?.[1];
	if (declared !== undefined) {
		if (declared.type !== "u32" || declared.value !== alignment) {
			throw new GgufWriteError(
				`metadata general.alignment (${declared.type} ${String((declared as { value?: unknown }).value)}) contradicts the alignment ${alignment} being written`
			);
		}
		return entries;
	}
	if (alignment === DEFAULT_ALIGNMENT) return entries;
	return [...entries, ["general.alignment", { type: "u32", value: alignment }]];
}

function writeValue(out: ByteWriter, value: GgufValue, where: string): void {
	switch (value.type) {
		case "array":
			writeArray(out, value, where);
			return;
		case "string":
			if (typeof value.value !== "string") throw new GgufWriteError(`${where}: expected a string`);
			out.string(value.value);
			return;
		case "bool":
			if (typeof value.value !== "boolean") throw new GgufWriteError(`${where}: expected a boolean`);
			out.u8(value.value ? 1 : 0);
			return;
		case "u64":
		case "i64":
			writeBigInt(out, value.type, value.value, where);
			return;
		default:
			writeNumber(out, value.type, value.value, where);
	}
}

function writeNumber(out: ByteWriter, type: GgufNumberTypeName, value: number, where: string): void {
	checkNumberFits(type, value, where);
	out[type](value);
}

function writeBigInt(out: ByteWriter, type: GgufBigIntTypeName, value: bigint, where: string): void {
	checkBigIntFits(type, value, where);
	out[type](value);
}

function writeArray(out: ByteWriter, array: GgufArrayValue, where: string): void {
	const itemType: GgufValueTypeName = array.itemType;
	if (!(itemType in ggufTypeCodes)) throw new GgufWriteError(`${where}: unknown array item type ${String(itemType)}`);
	out.u32(ggufTypeCodes[itemType]);
	out.u64(BigInt(array.items.length));
	for (let i = 0; i < array.items.length; i++) {
		const item = array.items[i]!;
		const itemWhere = `${where}[${i}]`;
		switch (itemType) {
			case "array":
				writeArray(out, item as GgufArrayValue, itemWhere);
				break;
			case "string":
				if (typeof item !== "string") throw new GgufWriteError(`${itemWhere}: expected a string`);
				out.string(item);
				break;
			case "bool":
				if (typeof item !== "boolean") throw new GgufWriteError(`${itemWhere}: expected a boolean`);
				out.u8(item ? 1 : 0);
				break;
			case "u64":
			case "i64":
				writeBigInt(out, itemType, item as bigint, itemWhere);
				break;
			default:
				writeNumber(out, itemType, item as number, itemWhere);
		}
	}
}

function checkTensors(tensors: readonly GgufTensorToWrite[]): void {
	const names = new Set<string>();
	const encoder = new TextEncoder();
	for (const tensor of tensors) {
		const label = `tensor "${tensor.name}"`;
		if (typeof tensor.name !== "string" || tensor.name.length === 0)
			throw new GgufWriteError("tensor names must be non-empty strings");
		if (encoder.encode(tensor.name).length > MAX_TENSOR_NAME_BYTES) {
			throw new GgufWriteError(`${label}: name is longer than ggml's ${MAX_TENSOR_NAME_BYTES} bytes`);
		}
		if (names.has(tensor.name)) throw new GgufWriteError(`duplicate tensor name "${tensor.name}"`);
		names.add(tensor.name);
		if (!Object.hasOwn(ggmlTypeOf, tensor.type))
			throw new GgufWriteError(
				`${label}: type must be "F32", "F16", "Q8_0" or "Q4_0", got ${String(tensor.type)}`
			);
		if (!(tensor.data instanceof Float32Array)) throw new GgufWriteError(`${label}: data must be a Float32Array`);
		if (tensor.dims.length < 1 || tensor.dims.length > MAX_TENSOR_DIMS) {
			throw new GgufWriteError(`${label}: needs 1 to ${MAX_TENSOR_DIMS} dimensions, got ${tensor.dims.length}`);
		}
		let elements = 1;
		for (const size of tensor.dims) {
			if (!Number.isSafeInteger(size) || size < 1)
				throw new GgufWriteError(`${label}: dimension ${size} is not a positive integer`);
			elements *= size;
		}
		if (elements !== tensor.data.length) {
			throw new GgufWriteError(
				`${label}: dims [${tensor.dims.join(", ")}] hold ${elements} elements but data has ${tensor.data.length}`
			);
		}
		if ((tensor.type === "Q8_0" || tensor.type === "Q4_0") && tensor.dims[0]! % QUANT_BLOCK !== 0)
			throw new GgufWriteError(
				`${label}: ${tensor.type} needs rows of a multiple of ${QUANT_BLOCK} values, got ${tensor.dims[0]}`
			);
	}
}

function writeTensorData(view: DataView, at: number, tensor: GgufTensorToWrite): void {
	const { data } = tensor;
	if (tensor.type === "F32") {
		for (let i = 0; i < data.length; i++) view.setFloat32(at + i * 4, data[i]!, true);
	} else if (tensor.type === "F16") {
		for (let i = 0; i < data.length; i++) view.setUint16(at + i * 2, float32ToF16Bits(data[i]!), true);
	} else {
		quantizeInto(tensor.type, data, view, at);
	}
}

function alignUp(offset: number, alignment: number): number {
	return Math.ceil(offset / alignment) * alignment;
}
