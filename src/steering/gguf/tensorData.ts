import { hostIsLittleEndian } from "./byteCursor";
import { GgufFormatError } from "./errors";
import { GgmlType } from "./ggmlTypes";
import { decodeBf16, decodeF16 } from "./halfFloat";
import type { GgufFile, GgufTensorInfo } from "./reader";

/** The tensor called `name`, or a GgufFormatError naming what the file does have. */
export function findTensor(file: GgufFile, name: string): GgufTensorInfo {
	const tensor = file.tensors.find((t) => t.name === name);
	if (tensor === undefined) {
		const some = file.tensors
			.slice(0, 8)
			.map((t) => t.name)
			.join(", ");
		throw new GgufFormatError(
			`no tensor named "${name}" in this file (it has ${file.tensors.length}${some ? `: ${some}${file.tensors.length > 8 ? ", …" : ""}` : ""})`
		);
	}
	return tensor;
}

/** True for the tensor types that can be returned as F32 values. */
export function isFloatTensor(tensor: GgufTensorInfo): boolean {
	return tensor.type === GgmlType.F32 || tensor.type === GgmlType.F16 || tensor.type === GgmlType.BF16;
}

/**
 * A tensor's values as F32, converting F16 and BF16. `fileBytes` must hold the file at least up to
 * the end of this tensor's data (the whole file, as given to readGguf).
 */
export function readTensorAsFloat32(
	file: GgufFile,
	fileBytes: Uint8Array,
	tensorOrName: GgufTensorInfo | string
): Float32Array {
	const tensor = typeof tensorOrName === "string" ? findTensor(file, tensorOrName) : tensorOrName;
	const end = tensor.fileOffset + (tensor.byteSize ?? 0);
	if (fileBytes.length < end) {
		throw new GgufFormatError(
			`tensor "${tensor.name}" data ends at byte ${end} but only ${fileBytes.length} bytes were given; pass the whole file`
		);
	}
	return decodeTensorData(tensor, fileBytes.subarray(tensor.fileOffset, end));
}

/** Decodes exactly one tensor's raw data bytes to F32. */
export function decodeTensorData(tensor: GgufTensorInfo, raw: Uint8Array): Float32Array {
	if (!isFloatTensor(tensor)) {
		throw new GgufFormatError(
			`tensor "${tensor.name}" is ${tensor.typeName}; only F32, F16 and BF16 tensors can be read as floats`
		);
	}
	if (raw.length !== tensor.byteSize) {
		throw new GgufFormatError(`tensor "${tensor.name}" needs ${tensor.byteSize} bytes of data, got ${raw.length}`);
	}
	if (tensor.type === GgmlType.F16) return decodeF16(raw);
	if (tensor.type === GgmlType.BF16) return decodeBf16(raw);
	return decodeF32(raw);
}

function decodeF32(raw: Uint8Array): Float32Array {
	// A fresh copy is 4-byte aligned (tensor data inside a file buffer may not be) and owns its whole
	// buffer; raw.slice() would not do, as on a Node Buffer it returns a view of the same memory.
	const copy = new Uint8Array(raw);
	if (hostIsLittleEndian) return new Float32Array(copy.buffer, 0, copy.length >>> 2);
	const view = new DataView(copy.buffer);
	const out = new Float32Array(copy.length >>> 2);
	for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
	return out;
}
