import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
	GgufDataTruncatedError,
	GgufFormatError,
	GgufTruncatedError,
	GgufWriteError
} from "../../src/steering/gguf/errors";
import { readGgufFile } from "../../src/steering/gguf/fileReader";
import { GgmlType } from "../../src/steering/gguf/ggmlTypes";
import { f16BitsToFloat32, float32ToF16Bits } from "../../src/steering/gguf/halfFloat";
import { metadataInteger, metadataString } from "../../src/steering/gguf/metadataAccess";
import { readModelHyperParameters } from "../fixtures/gguf/modelInfo";
import { readGgufTensorFromFile } from "../fixtures/gguf/tensorFile";
import { readGguf } from "../../src/steering/gguf/reader";
import { findTensor, readTensorAsFloat32 } from "../../src/steering/gguf/tensorData";
import { GgufValue } from "../../src/steering/gguf/values";
import { type GgufTensorToWrite, writeGguf } from "../../src/steering/gguf/writer";
import { RawGguf, testModelsDirectory } from "./fixtures/rawGguf";

/** One value of every metadata type, at the edges of each range. */
const everyType: [string, GgufValue][] = [
	["t.u8", GgufValue.u8(255)],
	["t.i8", GgufValue.i8(-128)],
	["t.u16", GgufValue.u16(65535)],
	["t.i16", GgufValue.i16(-32768)],
	["t.u32", GgufValue.u32(0xffffffff)],
	["t.i32", GgufValue.i32(-0x80000000)],
	["t.f32", GgufValue.f32(Math.fround(0.1))],
	["t.f64", GgufValue.f64(0.1)],
	["t.u64", GgufValue.u64(0xffffffffffffffffn)],
	["t.i64", GgufValue.i64(-0x8000000000000000n)],
	["t.bool.true", GgufValue.bool(true)],
	["t.bool.false", GgufValue.bool(false)],
	["t.string", GgufValue.string("héllo \u2581wörld 🎉")],
	["t.string.empty", GgufValue.string("")],
	["t.array.u8", GgufValue.numbers("u8", [0, 1, 255])],
	["t.array.i8", GgufValue.numbers("i8", [-128, 0, 127])],
	["t.array.u16", GgufValue.numbers("u16", [0, 65535])],
	["t.array.i16", GgufValue.numbers("i16", [-32768, 32767])],
	["t.array.u32", GgufValue.numbers("u32", [0, 0xffffffff])],
	["t.array.i32", GgufValue.numbers("i32", [-0x80000000, 0x7fffffff])],
	["t.array.f32", GgufValue.numbers("f32", [1.5, -0, Number.POSITIVE_INFINITY])],
	["t.array.f64", GgufValue.numbers("f64", [Math.PI, -1e300])],
	["t.array.u64", GgufValue.array("u64", BigUint64Array.of(0n, 0xffffffffffffffffn))],
	["t.array.i64", GgufValue.array("i64", BigInt64Array.of(-0x8000000000000000n, 42n))],
	["t.array.bool", GgufValue.bools([true, false, true])],
	["t.array.string", GgufValue.strings(["a", "", "ünï"])],
	["t.array.empty", GgufValue.strings([])],
	[
		"t.array.nested",
		GgufValue.arrays([
			GgufValue.array("string", ["x", "y"]),
			GgufValue.array("u8", Uint8Array.of(7)),
			GgufValue.array("array", [])
		])
	]
];

function floatTensor(
	name: string,
	dims: number[],
	type: "F32" | "F16",
	fill: (i: number) => number
): GgufTensorToWrite {
	const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
	for (let i = 0; i < data.length; i++) data[i] = fill(i);
	return { name, dims, type, data };
}

describe("GGUF writer and reader", () => {
	it("round-trips metadata of every type, in order, exactly", () => {
		const file = readGguf(writeGguf({ metadata: everyType }));
		assert.equal(file.version, 3);
		assert.deepEqual(
			[...file.metadata.keys()],
			everyType.map(([key]) => key)
		);
		for (const [key, value] of everyType) assert.deepEqual(file.metadata.get(key), value, key);
		assert.equal(file.tensors.length, 0);
	});

	it("round-trips F32 tensors bit for bit and F16 tensors to the nearest half", () => {
		const tensors = [
			floatTensor("a", [3, 2], "F32", (i) => (i - 2.5) / 7),
			floatTensor("b.weight", [5], "F16", (i) => [1, -2, 0.1, 65504, 1e-7][i]!),
			floatTensor("c", [2, 2, 2, 2], "F32", (i) => Math.fround(Math.sin(i) * 1e30))
		];
		const bytes = writeGguf({ metadata: { "general.architecture": GgufValue.string("test") }, tensors });
		const file = readGguf(bytes);
		assert.deepEqual(
			file.tensors.map((t) => [t.name, t.dims, t.type, t.elementCount]),
			[
				["a", [3, 2], GgmlType.F32, 6],
				["b.weight", [5], GgmlType.F16, 5],
				["c", [2, 2, 2, 2], GgmlType.F32, 16]
			]
		);
		assert.equal(file.dataOffset % 32, 0);
		for (const tensor of file.tensors) assert.equal(tensor.fileOffset % 32, 0, tensor.name);
		assert.deepEqual(readTensorAsFloat32(file, bytes, "a"), tensors[0]!.data);
		assert.deepEqual(readTensorAsFloat32(file, bytes, "c"), tensors[2]!.data);
		const half = readTensorAsFloat32(file, bytes, "b.weight");
		assert.deepEqual([...half], [1, -2, 0.0999755859375, 65504, 1.1920928955078125e-7]);
	});

	it("honours a non-default alignment and records it as general.alignment", () => {
		const bytes = writeGguf(
			{ metadata: [], tensors: [floatTensor("x", [3], "F32", (i) => i), floatTensor("y", [1], "F32", () => 9)] },
			64
		);
		const file = readGguf(bytes);
		assert.deepEqual(file.metadata.get("general.alignment"), { type: "u32", value: 64 });
		assert.equal(file.alignment, 64);
		assert.deepEqual(
			file.tensors.map((t) => t.offset),
			[0, 64]
		);
		assert.equal(file.dataOffset % 64, 0);
		assert.throws(() => writeGguf({ metadata: { "general.alignment": GgufValue.u32(16) } }, 64), GgufWriteError);
		assert.throws(() => writeGguf({ metadata: [] }, 48), /power of two/);
	});

	it("refuses values that do not fit their declared type instead of wrapping them", () => {
		assert.throws(() => GgufValue.u8(256), /not a valid u8/);
		assert.throws(() => GgufValue.u32(-1), /not a valid u32/);
		assert.throws(() => GgufValue.i32(2 ** 31), /not a valid i32/);
		assert.throws(() => GgufValue.u16(1.5), /not a valid u16/);
		assert.throws(() => GgufValue.u64(-1n), GgufWriteError);
		assert.throws(() => GgufValue.i64(2 ** 60), /not a safe integer/);
		assert.throws(() => GgufValue.numbers("i8", [1, 200]), /\[1\].*not a valid i8/);
		const forged = { type: "u8", value: 300 } as GgufValue;
		assert.throws(() => writeGguf({ metadata: { k: forged } }), /metadata "k".*not a valid u8/);
	});

	it("refuses tensors and keys that llama.cpp could not read back", () => {
		const ok = floatTensor("t", [2], "F32", () => 1);
		assert.throws(() => writeGguf({ metadata: [], tensors: [ok, ok] }), /duplicate tensor name "t"/);
		assert.throws(
			() => writeGguf({ metadata: [], tensors: [{ ...ok, name: "n".repeat(64) }] }),
			/longer than ggml's 63 bytes/
		);
		assert.throws(
			() => writeGguf({ metadata: [], tensors: [{ ...ok, dims: [3] }] }),
			/hold 3 elements but data has 2/
		);
		assert.throws(
			() => writeGguf({ metadata: [], tensors: [{ ...ok, dims: [1, 1, 1, 1, 2] }] }),
			/1 to 4 dimensions/
		);
		assert.throws(
			() =>
				writeGguf({
					metadata: [
						["k", GgufValue.u8(1)],
						["k", GgufValue.u8(2)]
					]
				}),
			/duplicate metadata key "k"/
		);
		assert.throws(() => writeGguf({ metadata: [["", GgufValue.u8(1)]] }), /non-empty/);
	});
});

describe("F16 conversion", () => {
	it("maps every non-NaN half back to itself", () => {
		for (let bits = 0; bits < 0x10000; bits++) {
			const value = f16BitsToFloat32(bits);
			if (Number.isNaN(value)) continue;
			assert.equal(float32ToF16Bits(value), bits, `bits 0x${bits.toString(16)}`);
		}
	});

	it("rounds to nearest, ties to even, overflowing to infinity", () => {
		assert.equal(float32ToF16Bits(1 + 2 ** -11), 0x3c00); // tie, 0x3c00 is even
		assert.equal(float32ToF16Bits(1 + 3 * 2 ** -11), 0x3c02); // tie, rounds up to even
		assert.equal(float32ToF16Bits(1 + 2 ** -11 + 2 ** -20), 0x3c01); // above the tie
		assert.equal(float32ToF16Bits(2 ** -25), 0x0000); // half the smallest subnormal: tie to even zero
		assert.equal(float32ToF16Bits(3 * 2 ** -26), 0x0001);
		assert.equal(float32ToF16Bits(65519), 0x7bff);
		assert.equal(float32ToF16Bits(65520), 0x7c00);
		assert.equal(float32ToF16Bits(-1e10), 0xfc00);
		assert.equal(float32ToF16Bits(-0), 0x8000);
		assert.ok(Number.isNaN(f16BitsToFloat32(float32ToF16Bits(Number.NaN))));
	});
});

describe("GGUF reader rejects corrupt input", () => {
	/** A valid file with metadata and two tensors, as a base to corrupt. */
	const validFile = (): Uint8Array =>
		writeGguf({
			metadata: [
				["general.architecture", GgufValue.string("x")],
				["k.arr", GgufValue.numbers("u32", [1, 2, 3])]
			],
			tensors: [floatTensor("first", [4], "F32", (i) => i), floatTensor("second", [2, 3], "F16", (i) => i)]
		});

	function rejects(bytes: Uint8Array, pattern: RegExp): GgufFormatError {
		let caught: unknown;
		try {
			readGguf(bytes);
		} catch (error) {
			caught = error;
		}
		assert.ok(caught instanceof GgufFormatError, `expected GgufFormatError, got ${String(caught)}`);
		assert.match(caught.message, pattern);
		return caught;
	}

	it("says 'not a GGUF file' for a wrong magic or a tiny input", () => {
		rejects(new TextEncoder().encode("PK\x03\x04 some zip"), /not a GGUF file.*50 4b 03 04/);
		rejects(new Uint8Array(0), /not a GGUF file/);
		rejects(new TextEncoder().encode("GGU"), /not a GGUF file/);
	});

	it("names unsupported versions, including version 1 and big-endian files", () => {
		rejects(new RawGguf().header(0, 0, 1).build(), /version 1/);
		rejects(new RawGguf().header(0, 0, 4).build(), /unsupported GGUF version 4/);
		rejects(new RawGguf().header(0, 0, 0x03000000).build(), /big-endian/);
		assert.equal(readGguf(new RawGguf().header(0, 0, 2).build()).version, 2);
	});

	it("rejects every truncation before the end of the last tensor's data, with the offset", () => {
		const bytes = validFile();
		const file = readGguf(bytes);
		const dataEnd = Math.max(...file.tensors.map((t) => t.fileOffset + t.byteSize!));
		for (let length = 0; length < dataEnd; length++) {
			const error = rejects(bytes.subarray(0, length), /truncated|not a GGUF file|only \d+ bytes/);
			if (length >= 4)
				assert.ok(error.offset !== undefined || error instanceof GgufDataTruncatedError, error.message);
		}
		// The trailing padding after the last tensor is not needed to read it.
		assert.equal(readGguf(bytes.subarray(0, dataEnd)).tensors.length, 2);
	});

	it("says where the tensor data ends when the header is whole but the data is cut short", () => {
		const bytes = validFile();
		const file = readGguf(bytes);
		const dataEnd = Math.max(...file.tensors.map((t) => t.fileOffset + t.byteSize!));
		const cut = file.tensors[0]!.fileOffset + 1;
		assert.throws(
			() => readGguf(bytes.subarray(0, cut)),
			(error: unknown) =>
				error instanceof GgufDataTruncatedError &&
				error.dataEnd === dataEnd &&
				error.fileSize === cut &&
				error.message ===
					`tensor data ends at byte ${dataEnd} but the file has only ${cut} bytes (truncated file?)`
		);
	});

	it("fails instantly, without allocating, on absurd counts and lengths", () => {
		const huge = 2n ** 60n;
		const cases: [Uint8Array, RegExp][] = [
			[
				new RawGguf().header(0, 1).u64(huge).bytes(new Uint8Array(16)).build(),
				/length of metadata key #0 of 1152921504606846976 is impossible/
			],
			[new RawGguf().header(0, 1).string("k").u32(8).u64(huge).build(), /length of value of "k"/],
			[
				new RawGguf().header(0, 1).string("k").u32(9).u32(0).u64(huge).build(),
				/item count of value of "k" of \d+ is impossible/
			],
			[
				new RawGguf()
					.header(0, 1)
					.string("k")
					.u32(9)
					.u32(8)
					.u64(2n ** 64n - 1n)
					.build(),
				/impossible/
			],
			[new RawGguf().header(huge, 0).build(), /impossible/],
			[new RawGguf().header(0, huge).build(), /impossible/],
			[
				new RawGguf()
					.header(1, 0)
					.tensorInfo("t", [2n ** 40n, 2n ** 40n], 0, 0)
					.build(),
				/claims \d+ elements/
			]
		];
		for (const [bytes, pattern] of cases) {
			// The claimed sizes are refused before anything is allocated or read: the refusal names them
			// impossible, and no buffer grows (a loop over the claimed count would never end).
			const buffersBefore = process.memoryUsage().arrayBuffers;
			rejects(bytes, pattern);
			const grown = process.memoryUsage().arrayBuffers - buffersBefore;
			assert.ok(grown < 1 << 20, `parsing ${bytes.length} bytes allocated ${grown} bytes of buffers`);
		}
	});

	it("rejects unknown value, item and tensor types", () => {
		rejects(
			new RawGguf().header(0, 1).string("k").u32(13).u8(0).build(),
			/unknown metadata value type 13 for value of "k"/
		);
		rejects(new RawGguf().header(0, 1).string("k").u32(9).u32(99).u64(0).build(), /unknown array item type 99/);
		const retired = new RawGguf().header(1, 0).tensorInfo("t", [32], 4, 0).pad().bytes(new Uint8Array(32)).build();
		rejects(retired, /tensor "t" has unknown ggml type 4/);
		const future = new RawGguf().header(1, 0).tensorInfo("t", [32], 99, 0).pad().build();
		assert.equal(readGguf(future, { allowUnknownTensorTypes: true }).tensors[0]!.byteSize, undefined);
	});

	it("rejects duplicate keys and duplicate tensor names", () => {
		rejects(
			new RawGguf().header(0, 2).stringKey("a", "1").stringKey("a", "2").build(),
			/duplicate metadata key "a"/
		);
		const twice = new RawGguf()
			.header(2, 0)
			.tensorInfo("t", [1], 0, 0)
			.tensorInfo("t", [1], 0, 32)
			.pad()
			.bytes(new Uint8Array(64))
			.build();
		rejects(twice, /duplicate tensor name "t"/);
	});

	it("checks tensor placement: alignment, bounds, overlap, shape", () => {
		const data = new Uint8Array(256);
		rejects(
			new RawGguf().header(1, 0).tensorInfo("t", [4], 0, 8).pad().bytes(data).build(),
			/offset 8, which is not a multiple of the alignment 32/
		);
		rejects(
			new RawGguf().header(1, 0).tensorInfo("t", [100], 0, 0).pad().bytes(data).build(),
			/tensor data ends at byte \d+ but the file has only \d+ bytes/
		);
		rejects(
			new RawGguf()
				.header(2, 0)
				.tensorInfo("a", [16], 0, 0)
				.tensorInfo("b", [4], 0, 32)
				.pad()
				.bytes(data)
				.build(),
			/"a" and "b" overlap/
		);
		rejects(new RawGguf().header(1, 0).tensorInfo("t", [], 0, 0).pad().bytes(data).build(), /0 dimensions/);
		rejects(
			new RawGguf().header(1, 0).tensorInfo("t", [1, 1, 1, 1, 1], 0, 0).pad().bytes(data).build(),
			/5 dimensions/
		);
		rejects(new RawGguf().header(1, 0).tensorInfo("t", [-4], 0, 0).pad().bytes(data).build(), /negative dimension/);
		rejects(
			new RawGguf().header(1, 0).tensorInfo("t", [33], GgmlType.Q4_0, 0).pad().bytes(data).build(),
			/not a multiple of the 32-element blocks of type Q4_0/
		);
		rejects(
			new RawGguf().header(1, 0).tensorInfo("n".repeat(64), [1], 0, 0).pad().bytes(data).build(),
			/longer than ggml's 63 bytes/
		);
	});

	it("rejects malformed values: bools, alignment, deep nesting, invalid UTF-8 keys", () => {
		rejects(new RawGguf().header(0, 1).string("b").u32(7).u8(2).build(), /bool stored as 2/);
		rejects(
			new RawGguf().header(0, 1).string("general.alignment").u32(4).u32(24).build(),
			/power of two, found 24/
		);
		rejects(
			new RawGguf().header(0, 1).string("general.alignment").u32(5).i32(32).build(),
			/must be a u32, found i32/
		);
		const deep = new RawGguf().header(0, 1).string("d").u32(9);
		for (let i = 0; i < 20; i++) deep.u32(9).u64(1);
		rejects(deep.build(), /nests arrays more than 8 deep/);
		rejects(
			new RawGguf().header(0, 1).u64(2).bytes([0xc3, 0x28]).u32(0).u8(0).build(),
			/metadata key #0 is not valid UTF-8/
		);
	});

	it("reports a header ending inside a given prefix as GgufTruncatedError with the prefix size", () => {
		const bytes = validFile();
		assert.throws(
			() => readGguf(bytes.subarray(0, 40), { fileSize: bytes.length }),
			(error: unknown) => error instanceof GgufTruncatedError && error.bytesAvailable === 40
		);
	});
});

/** Runs `read` while counting the bytes every file handle reads. */
async function countingReads<T>(read: () => Promise<T>): Promise<{ file: T; bytesRead: number }> {
	const probe = await fs.promises.open(__filename, "r");
	const prototype = Object.getPrototypeOf(probe) as { read: (...args: unknown[]) => Promise<{ bytesRead: number }> };
	await probe.close();
	const original = prototype.read;
	let bytesRead = 0;
	prototype.read = async function (this: unknown, ...args: unknown[]) {
		const result = await original.apply(this, args);
		bytesRead += result.bytesRead;
		return result;
	};
	try {
		return { file: await read(), bytesRead };
	} finally {
		prototype.read = original;
	}
}

describe("GGUF files on disk", () => {
	let directory: string;
	before(() => {
		directory = fs.mkdtempSync(path.join(os.tmpdir(), "steer-gguf-"));
	});
	after(() => {
		fs.rmSync(directory, { recursive: true, force: true });
	});

	it("reads only the header of a large file: of a 4 GiB file, only the first bytes are read", async () => {
		const rowCount = 2 ** 20;
		const header = new RawGguf()
			.header(1, 1)
			.stringKey("general.architecture", "big")
			.tensorInfo("huge.weight", [1024, rowCount], GgmlType.F32, 0)
			.pad()
			.build();
		const filePath = path.join(directory, "big.gguf");
		fs.writeFileSync(filePath, header);
		fs.truncateSync(filePath, header.length + 4 * 1024 * rowCount); // sparse: no disk blocks
		const { file, bytesRead } = await countingReads(() => readGgufFile(filePath, { initialChunkBytes: 64 }));
		// Reads double from 64 bytes until the header fits, so they add up to less than four headers.
		assert.ok(bytesRead < 4 * header.length, `read ${bytesRead} bytes for a ${header.length}-byte header`);
		assert.equal(file.fileSize, header.length + 2 ** 32);
		assert.equal(file.tensors[0]!.byteSize, 2 ** 32);

		fs.truncateSync(filePath, header.length + 1000);
		await assert.rejects(
			readGgufFile(filePath),
			(error: unknown) =>
				error instanceof GgufFormatError &&
				error.message.startsWith(filePath) &&
				/truncated/.test(error.message)
		);
	});

	it("grows its read until the header fits, and reads single tensors from the file", async () => {
		const tensors = [floatTensor("w", [64, 3], "F16", (i) => i / 8), floatTensor("v", [5], "F32", (i) => -i)];
		const bytes = writeGguf({
			metadata: [["tokens", GgufValue.strings(Array.from({ length: 300 }, (_, i) => `token-${i}`))]],
			tensors
		});
		const filePath = path.join(directory, "grow.gguf");
		fs.writeFileSync(filePath, bytes);
		const file = await readGgufFile(filePath, { initialChunkBytes: 64 });
		assert.deepEqual(file, readGguf(bytes));
		assert.deepEqual(await readGgufTensorFromFile(filePath, file, "w"), tensors[0]!.data);
		assert.deepEqual(await readGgufTensorFromFile(filePath, file, "v"), tensors[1]!.data);
		await assert.rejects(readGgufTensorFromFile(filePath, file, "nope"), /no tensor named "nope".*it has 2: w, v/);
		await assert.rejects(readGgufFile(path.join(directory, "missing.gguf")), { code: "ENOENT" });
	});
});

describe("real models", function () {
	const directory = testModelsDirectory();
	const known = [
		{
			file: "TinyStories-656K.f16.gguf",
			nLayer: 2,
			nEmbd: 128,
			nFf: 384,
			nHead: 8,
			nHeadKv: 4,
			nVocab: 2048,
			tensors: 20,
			keys: 32
		},
		{
			file: "stories260K.gguf",
			nLayer: 5,
			nEmbd: 64,
			nFf: 172,
			nHead: 8,
			nHeadKv: 4,
			nVocab: 512,
			tensors: 48,
			keys: 19
		}
	];

	for (const expected of known) {
		it(`reads ${expected.file} and agrees with node-llama-cpp's own parser`, async function () {
			const modelPath = path.join(directory, expected.file);
			if (!fs.existsSync(modelPath)) {
				console.log(
					`      skipped: ${modelPath} not found (set STEER_TEST_MODELS to the folder with the test models)`
				);
				this.skip();
			}
			const file = await readGgufFile(modelPath);
			const hp = readModelHyperParameters(file);
			assert.deepEqual(
				{
					architecture: hp.architecture,
					nLayer: hp.nLayer,
					nEmbd: hp.nEmbd,
					nFf: hp.nFf,
					nHead: hp.nHead,
					nHeadKv: hp.nHeadKv,
					nVocab: hp.nVocab
				},
				{
					architecture: "llama",
					nLayer: expected.nLayer,
					nEmbd: expected.nEmbd,
					nFf: expected.nFf,
					nHead: expected.nHead,
					nHeadKv: expected.nHeadKv,
					nVocab: expected.nVocab
				}
			);
			assert.equal(file.tensors.length, expected.tensors);
			assert.equal(file.metadata.size, expected.keys);
			assert.equal(metadataString(file.metadata, "tokenizer.ggml.model"), "llama");
			assert.equal(metadataInteger(file.metadata, "tokenizer.ggml.bos_token_id"), 1);

			const { readGgufFileInfo } = await import("node-llama-cpp");
			const reference = await readGgufFileInfo(modelPath, { readTensorInfo: true });
			assert.deepEqual(
				file.tensors.map((t) => [t.name, t.dims, t.type, t.fileOffset]),
				reference.fullTensorInfo!.map((t) => [
					t.name,
					t.dimensions.map(Number),
					t.ggmlType,
					Number(t.fileOffset)
				])
			);

			const norm = await readGgufTensorFromFile(modelPath, file, "blk.0.attn_norm.weight");
			const embedding = await readGgufTensorFromFile(modelPath, file, "token_embd.weight");
			assert.equal(norm.length, expected.nEmbd);
			assert.equal(embedding.length, expected.nEmbd * expected.nVocab);
			assert.ok(embedding.every(Number.isFinite) && embedding.some((x) => x !== 0));
			assert.equal(findTensor(file, "token_embd.weight").typeName, expected.file.includes("f16") ? "F16" : "F32");
			const whole = fs.readFileSync(modelPath);
			assert.deepEqual(readTensorAsFloat32(readGguf(whole), whole, "token_embd.weight"), embedding);
		});
	}
});
