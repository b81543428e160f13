/**
 * Tensor descriptions in a GGUF header: reading each one, placing it in the data section, and checking
 * that no two tensors share bytes.
 */
import type { ByteCursor } from "./byteCursor";
import { GgufFormatError } from "./errors";
import { ggmlBlockElements, ggmlTensorByteSize, ggmlTypeName, isKnownGgmlType } from "./ggmlTypes";

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

/** ggml's GGML_MAX_DIMS. */
const MAX_TENSOR_DIMS = 4;
/** ggml's GGML_MAX_NAME counts the terminating NUL, so names may have at most 63 bytes. */
export const MAX_TENSOR_NAME_BYTES = 63;

/** A tensor description as read, before its data offset is checked against the alignment. */
export interface PendingTensor {
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

export function readTensorInfo(cursor: ByteCursor, index: number, allowUnknownTypes: boolean): PendingTensor {
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

/** The description with its offset from the start of the file; the offset must be aligned. */
export function placeTensor(
	tensor: PendingTensor,
	dataOffset: number,
	alignment: number,
	index: number
): GgufTensorInfo {
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
export function checkNoOverlap(tensors: readonly GgufTensorInfo[]): void {
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
