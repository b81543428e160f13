/**
 * IEEE 754 half precision (F16) and bfloat16 (BF16) conversions. Node 20 has no Float16Array, and
 * ggml stores most model weights in these formats.
 */

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** F16 bit pattern nearest to `value` (round half to even, overflow to ±infinity, NaN kept NaN). */
export function float32ToF16Bits(value: number): number {
	scratchFloat[0] = value;
	const bits = scratchBits[0]!;
	const sign = (bits >>> 16) & 0x8000;
	const exponent = (bits >>> 23) & 0xff;
	let mantissa = bits & 0x7fffff;
	if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 | (mantissa >>> 13) : 0);
	const halfExponent = exponent - 127 + 15;
	if (halfExponent >= 0x1f) return sign | 0x7c00;
	if (halfExponent <= 0) {
		// Subnormal in F16 (or zero): shift the full significand into the 10-bit field.
		if (halfExponent < -10) return sign;
		mantissa |= 0x800000;
		const shift = 14 - halfExponent;
		return sign | roundShifted(mantissa, shift);
	}
	// A rounding carry may ripple into the exponent; that is the correct result (up to infinity).
	return sign | (((halfExponent << 10) | (mantissa >>> 13)) + roundingIncrement(mantissa, 13, mantissa >>> 13));
}

function roundShifted(value: number, shift: number): number {
	const kept = value >>> shift;
	return kept + roundingIncrement(value, shift, kept);
}

/** 1 when dropping the low `shift` bits of `value` should round `kept` up (nearest, ties to even). */
function roundingIncrement(value: number, shift: number, kept: number): number {
	const remainder = value & ((1 << shift) - 1);
	const halfway = 1 << (shift - 1);
	return remainder > halfway || (remainder === halfway && (kept & 1) === 1) ? 1 : 0;
}

export function f16BitsToFloat32(bits: number): number {
	const sign = bits & 0x8000 ? -1 : 1;
	const exponent = (bits >>> 10) & 0x1f;
	const mantissa = bits & 0x3ff;
	if (exponent === 0) return sign * mantissa * 2 ** -24;
	if (exponent === 0x1f) return mantissa !== 0 ? Number.NaN : sign * Number.POSITIVE_INFINITY;
	return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

let f16Table: Float32Array | undefined;

/** All 65536 F16 values as F32, built on first use (256 KiB) because large tensors decode much faster by lookup. */
function f16LookupTable(): Float32Array {
	if (f16Table === undefined) {
		f16Table = new Float32Array(65536);
		for (let bits = 0; bits < 65536; bits++) f16Table[bits] = f16BitsToFloat32(bits);
	}
	return f16Table;
}

/** Decodes little-endian F16 values. */
export function decodeF16(bytes: Uint8Array): Float32Array {
	const table = f16LookupTable();
	const out = new Float32Array(bytes.length >>> 1);
	for (let i = 0, j = 0; i < out.length; i++, j += 2) out[i] = table[bytes[j]! | (bytes[j + 1]! << 8)]!;
	return out;
}

/** Decodes little-endian BF16 values: the upper half of an F32. */
export function decodeBf16(bytes: Uint8Array): Float32Array {
	const out = new Float32Array(bytes.length >>> 1);
	// Writing the bits through an integer view of the same buffer keeps host byte order on both sides.
	const outBits = new Uint32Array(out.buffer);
	for (let i = 0, j = 0; i < out.length; i++, j += 2) outBits[i] = ((bytes[j]! | (bytes[j + 1]! << 8)) << 16) >>> 0;
	return out;
}
