import assert from "node:assert/strict";
import { f16BitsToFloat32, float32ToF16Bits } from "../../src/steering/gguf/halfFloat";
import { dequantize, quantizedBlockBytes, quantizeInto } from "../../src/steering/gguf/quantize";
import { GgmlType } from "../../src/steering/gguf/ggmlTypes";
import { readGguf } from "../../src/steering/gguf/reader";
import { writeGguf } from "../../src/steering/gguf/writer";
import { mulberry32 } from "../../src/steering/random";

const f16 = (value: number) => f16BitsToFloat32(float32ToF16Bits(value));

function encode(type: "Q8_0" | "Q4_0", data: Float32Array): Uint8Array {
	const bytes = new Uint8Array((data.length / 32) * quantizedBlockBytes[type]);
	quantizeInto(type, data, new DataView(bytes.buffer), 0);
	return bytes;
}

describe("ggml block quantization (Q8_0, Q4_0)", () => {
	it("Q8_0: scale max|x|/127 in f16, codes rounded half away from zero", () => {
		const data = Float32Array.from({ length: 32 }, (_, i) =>
			i === 5 ? -12.7 : i === 6 ? 0.25 : i === 7 ? -0.25 : 0
		);
		const bytes = encode("Q8_0", data);
		const view = new DataView(bytes.buffer);
		const d = f16BitsToFloat32(view.getUint16(0, true));
		assert.equal(d, f16(12.7 / 127));
		assert.equal(view.getInt8(2 + 5), -127);
		// 0.25 / 0.1 = 2.5 → 3 and −3 (C's roundf), not 3 and −2.
		assert.equal(view.getInt8(2 + 6), 3);
		assert.equal(view.getInt8(2 + 7), -3);
		assert.deepEqual(Array.from(dequantize("Q8_0", bytes, 32)).slice(5, 8), [-127 * d, 3 * d, -3 * d]);
	});

	it("Q4_0: scale = the largest-magnitude value / −8, codes in nibbles, value j and j + 16 in byte j", () => {
		const data = new Float32Array(32);
		data[0] = 8; // the largest magnitude: d = −1, code 0 (8 / −1 + 8.5 = 0.5)
		data[16] = -7; // code trunc(7 + 8.5) = 15
		data[1] = 0.4; // code trunc(−0.4 + 8.5) = 8 → 0
		const bytes = encode("Q4_0", data);
		const view = new DataView(bytes.buffer);
		assert.equal(f16BitsToFloat32(view.getUint16(0, true)), -1);
		assert.equal(view.getUint8(2), 0 | (15 << 4));
		assert.equal(view.getUint8(3) & 0x0f, 8);
		const back = dequantize("Q4_0", bytes, 32);
		assert.deepEqual([back[0], back[16], back[1]! + 0], [8, -7, 0]);
	});

	it("round-trips random rows within half a step per block", () => {
		const random = mulberry32(3);
		const data = Float32Array.from({ length: 32 * 64 }, () => (random() * 2 - 1) * 3);
		for (const [type, steps] of [
			["Q8_0", 127],
			["Q4_0", 8]
		] as const) {
			const back = dequantize(type, encode(type, data), data.length);
			for (let block = 0; block < 64; block++) {
				const values = data.subarray(block * 32, block * 32 + 32);
				const step = Math.max(...values.map(Math.abs)) / steps;
				for (let j = 0; j < 32; j++) {
					const error = Math.abs(back[block * 32 + j]! - values[j]!);
					// Half a step, plus the scale's f16 rounding (up to 2⁻¹¹ of it per code step, 127 steps for Q8_0),
					// and for Q4_0 the one-sided clamp at code 15, which can cost a whole step.
					const allowed = step * (type === "Q4_0" ? 1 + 8 / 2048 : 0.5 + 127 / 2048) + 1e-6;
					assert.ok(error <= allowed, `${type} block ${block}: ${error} > ${allowed}`);
				}
			}
		}
	});

	it("writes quantized tensors with their ggml type and block size, and refuses rows that are not whole blocks", () => {
		const data = Float32Array.from({ length: 64 * 2 }, (_, i) => Math.sin(i));
		const bytes = writeGguf({
			metadata: { "general.architecture": { type: "string", value: "llama" } },
			tensors: [
				{ name: "a.weight", dims: [64, 2], type: "Q8_0", data },
				{ name: "b.weight", dims: [64, 2], type: "Q4_0", data },
				{ name: "c.weight", dims: [64, 2], type: "F32", data }
			]
		});
		const file = readGguf(bytes);
		assert.deepEqual(
			file.tensors.map((tensor) => [tensor.name, tensor.type, tensor.byteSize]),
			[
				["a.weight", GgmlType.Q8_0, 4 * 34],
				["b.weight", GgmlType.Q4_0, 4 * 18],
				["c.weight", GgmlType.F32, 128 * 4]
			]
		);
		const a = file.tensors[0]!;
		assert.deepEqual(
			dequantize("Q8_0", bytes.subarray(a.fileOffset, a.fileOffset + 4 * 34), 128),
			dequantize("Q8_0", encode("Q8_0", data), 128)
		);
		assert.throws(
			() =>
				writeGguf({
					metadata: {},
					tensors: [{ name: "odd", dims: [48, 2], type: "Q8_0", data: new Float32Array(96) }]
				}),
			/Q8_0 needs rows of a multiple of 32 values, got 48/
		);
	});
});
