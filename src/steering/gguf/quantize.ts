/**
 * ggml's two simplest block quantizations, as its reference encoders (quantize_row_q8_0_ref and
 * quantize_row_q4_0_ref) write them: rows are cut into blocks of 32 values, each block stored as an f16
 * scale followed by the values' codes. Used to write quantized copies of models, so steering can be
 * checked on the kind of files people run; llama.cpp decodes them with its own kernels.
 */
import { float32ToF16Bits, f16BitsToFloat32 } from "./halfFloat";

export const QUANT_BLOCK = 32;
export type QuantizedType = "Q8_0" | "Q4_0";
/** Bytes per block of 32 values: the f16 scale plus 32 int8 codes, or 32 4-bit codes. */
export const quantizedBlockBytes: Record<QuantizedType, number> = { Q8_0: 2 + 32, Q4_0: 2 + 16 };

/** Encodes `data` (a whole number of blocks) into `view` at `at`, block after block. */
export function quantizeInto(type: QuantizedType, data: Float32Array, view: DataView, at: number): void {
	if (data.length % QUANT_BLOCK !== 0)
		throw new RangeError(`${type} needs a multiple of ${QUANT_BLOCK} values, got ${data.length}`);
	const blockBytes = quantizedBlockBytes[type];
	for (let block = 0; block * QUANT_BLOCK < data.length; block++) {
		const from = block * QUANT_BLOCK;
		const offset = at + block * blockBytes;
		if (type === "Q8_0") encodeQ8_0(data, from, view, offset);
		else encodeQ4_0(data, from, view, offset);
	}
}

/** d = max|x| / 127, codes round(x / d) as int8 (halves away from zero, as C's roundf). */
function encodeQ8_0(data: Float32Array, from: number, view: DataView, offset: number): void {
	let amax = 0;
	for (let j = 0; j < QUANT_BLOCK; j++) amax = Math.max(amax, Math.abs(data[from + j]!));
	// Single precision throughout, as ggml computes it.
	const d = Math.fround(amax / 127);
	const id = d ? Math.fround(1 / d) : 0;
	view.setUint16(offset, float32ToF16Bits(d), true);
	for (let j = 0; j < QUANT_BLOCK; j++) {
		const scaled = Math.fround(data[from + j]! * id);
		view.setInt8(offset + 2 + j, Math.sign(scaled) * Math.round(Math.abs(scaled)));
	}
}

/**
 * d = (the value of largest magnitude, with its sign) / −8; codes min(15, trunc(x / d + 8.5)), two per
 * byte: value j in the low nibble of byte j, value j + 16 in its high nibble.
 */
function encodeQ4_0(data: Float32Array, from: number, view: DataView, offset: number): void {
	let amax = 0;
	let max = 0;
	for (let j = 0; j < QUANT_BLOCK; j++) {
		const value = data[from + j]!;
		if (Math.abs(value) > amax) {
			amax = Math.abs(value);
			max = value;
		}
	}
	const d = Math.fround(max / -8);
	const id = d ? Math.fround(1 / d) : 0;
	view.setUint16(offset, float32ToF16Bits(d), true);
	const code = (value: number) => Math.min(15, Math.trunc(Math.fround(Math.fround(value * id) + 8.5)));
	for (let j = 0; j < QUANT_BLOCK / 2; j++) {
		view.setUint8(offset + 2 + j, code(data[from + j]!) | (code(data[from + j + 16]!) << 4));
	}
}

/** The values a block encoding stands for (the inverse llama.cpp applies), for tests and checks. */
export function dequantize(type: QuantizedType, bytes: Uint8Array, count: number): Float32Array {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const out = new Float32Array(count);
	const blockBytes = quantizedBlockBytes[type];
	for (let block = 0; block * QUANT_BLOCK < count; block++) {
		const offset = block * blockBytes;
		const d = f16BitsToFloat32(view.getUint16(offset, true));
		for (let j = 0; j < QUANT_BLOCK; j++) {
			const index = block * QUANT_BLOCK + j;
			if (type === "Q8_0") out[index] = d * view.getInt8(offset + 2 + j);
			else {
				const byte = view.getUint8(offset + 2 + (j % 16));
				out[index] = d * ((j < 16 ? byte & 0x0f : byte >> 4) - 8);
			}
		}
	}
	return out;
}
