import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
	ControlVectorFormatError,
	readControlVector,
	STEER_METADATA_PREFIX,
	writeControlVector
} from "../../src/steering/gguf/controlVector";
import {
	loadControlVectorFile,
	MAX_CONTROL_VECTOR_FILE_BYTES,
	saveControlVectorFile
} from "../../src/steering/gguf/controlVectorFile";
import { GgufFormatError, GgufWriteError } from "../../src/steering/gguf/errors";
import { GgmlType } from "../../src/steering/gguf/ggmlTypes";
import { readGguf } from "../../src/steering/gguf/reader";
import { makeTinyLlamaModel } from "../fixtures/gguf/tinyModel";
import { GgufValue } from "../../src/steering/gguf/values";
import { type GgufTensorToWrite, writeGguf } from "../../src/steering/gguf/writer";
import type { SteeringVector } from "../../src/steering/vector";
import { RawGguf, seededRandom } from "./fixtures/rawGguf";

function randomVector(layers: readonly number[], nEmbd: number, seed = 1): SteeringVector {
	const random = seededRandom(seed);
	const directions = new Map<number, Float32Array>();
	for (const layer of layers)
		directions.set(
			layer,
			Float32Array.from({ length: nEmbd }, () => random() * 2 - 1)
		);
	return { nEmbd, directions };
}

function direction(
	layer: number | string,
	values: number[],
	type: "F32" | "F16" = "F32",
	dims = [values.length]
): GgufTensorToWrite {
	return {
		name: typeof layer === "number" ? `direction.${layer}` : layer,
		dims,
		type,
		data: Float32Array.from(values)
	};
}

/** A control-vector-shaped file written with the generic writer, to hold what writeControlVector refuses to write. */
function rawControlVector(tensors: GgufTensorToWrite[], architecture = "controlvector"): Uint8Array {
	return writeGguf({ metadata: [["general.architecture", GgufValue.string(architecture)]], tensors });
}

function rejects(bytes: Uint8Array, pattern: RegExp): void {
	assert.throws(
		() => readControlVector(bytes),
		(error: unknown) => {
			assert.ok(error instanceof GgufFormatError, `expected GgufFormatError, got ${String(error)}`);
			assert.match(error.message, pattern);
			return true;
		}
	);
}

describe("control-vector files", () => {
	it("round-trips directions exactly, with model hint and llama.cpp's keys", () => {
		const vector = randomVector([5, 1, 3], 16);
		const bytes = writeControlVector(vector, { modelHint: "llama" });
		const read = readControlVector(bytes);
		assert.equal(read.vector.nEmbd, 16);
		assert.deepEqual([...read.vector.directions.keys()], [1, 3, 5]);
		for (const [layer, values] of vector.directions) assert.deepEqual(read.vector.directions.get(layer), values);
		assert.equal(read.modelHint, "llama");
		assert.equal(read.layerCount, 3);

		// What llama.cpp reads: the architecture, an i32 layer count, F32 1-D tensors in layer order.
		const file = readGguf(bytes);
		assert.deepEqual(file.metadata.get("general.architecture"), { type: "string", value: "controlvector" });
		assert.deepEqual(file.metadata.get("controlvector.layer_count"), { type: "i32", value: 3 });
		assert.deepEqual(
			file.tensors.map((t) => [t.name, t.dims, t.type]),
			[
				["direction.1", [16], GgmlType.F32],
				["direction.3", [16], GgmlType.F32],
				["direction.5", [16], GgmlType.F32]
			]
		);
	});

	it("carries Steer's own steer.* metadata through unchanged", () => {
		const extra: [string, GgufValue][] = [
			["steer.method", GgufValue.string("pca_diff")],
			["steer.recommended_strength", GgufValue.f32(Math.fround(1.25))],
			["steer.layers", GgufValue.numbers("u32", [1, 3])],
			["steer.diagnostics", GgufValue.string(JSON.stringify({ explainedVariance: [0.5, 0.25] }))]
		];
		const read = readControlVector(
			writeControlVector(randomVector([1, 3], 4), { modelHint: "qwen2", extraMetadata: extra })
		);
		for (const [key, value] of extra) assert.deepEqual(read.metadata.get(key), value, key);
		assert.throws(
			() =>
				writeControlVector(randomVector([1], 4), {
					modelHint: "x",
					extraMetadata: { "controlvector.layer_count": GgufValue.u32(9) }
				}),
			/must start with "steer\."/
		);
		assert.throws(
			() =>
				writeControlVector(randomVector([1], 4), {
					modelHint: "x",
					extraMetadata: { [STEER_METADATA_PREFIX]: GgufValue.u8(1) }
				}),
			GgufWriteError
		);
	});

	it("scales every direction like --control-vector-scaled", () => {
		const vector = randomVector([2, 4], 8, 9);
		const bytes = writeControlVector(vector, { modelHint: "llama" });
		for (const scale of [-2, 0.3, 0]) {
			const read = readControlVector(bytes, { scale });
			for (const [layer, values] of vector.directions) {
				assert.deepEqual(
					read.vector.directions.get(layer),
					values.map((x) => Math.fround(x * scale)),
					`layer ${layer} × ${scale}`
				);
			}
		}
		assert.throws(() => readControlVector(bytes, { scale: Number.NaN }), RangeError);
		const large = writeControlVector(
			{ nEmbd: 2, directions: new Map([[1, Float32Array.of(1, 3e38)]]) },
			{ modelHint: "llama" }
		);
		assert.equal(readControlVector(large).vector.directions.get(1)![1], Math.fround(3e38));
		assert.throws(
			() => readControlVector(large, { scale: 1e30 }),
			(error: unknown) =>
				error instanceof ControlVectorFormatError &&
				/scaling direction\.1 by 1e\+30 overflows F32 at index 1/.test(error.message)
		);
	});

	it("reads files as llama.cpp's generator and repeng write them (i32 or u32 layer count, no steer keys)", () => {
		for (const countType of ["i32", "u32"] as const) {
			const raw = new RawGguf()
				.header(2, 3)
				.stringKey("general.architecture", "controlvector")
				.stringKey("controlvector.model_hint", "llama")
				.string("controlvector.layer_count")
				.u32(countType === "i32" ? 5 : 4)
				.u32(2)
				.tensorInfo("direction.1", [3], GgmlType.F32, 0)
				.tensorInfo("direction.2", [3], GgmlType.F32, 32)
				.pad();
			raw.f32(1).f32(2).f32(3).pad().f32(4).f32(5).f32(6).pad();
			const read = readControlVector(raw.build());
			assert.equal(read.layerCount, 2);
			assert.deepEqual(read.vector.directions.get(1), Float32Array.of(1, 2, 3));
			assert.deepEqual(read.vector.directions.get(2), Float32Array.of(4, 5, 6));
		}
	});

	it("reads the bytes repeng's export_gguf writes (gguf-py: last layer first, u32 count, unit directions)", async () => {
		const fixtures = path.join(__dirname, "..", "fixtures", "repeng");
		const expected = [
			{ file: "stories260K-happy.gguf", layers: [4, 3, 2, 1], nEmbd: 64 },
			{ file: "TinyStories-656K-happy.gguf", layers: [1], nEmbd: 128 }
		];
		for (const { file, layers, nEmbd } of expected) {
			const bytes = fs.readFileSync(path.join(fixtures, file));
			const raw = readGguf(bytes);
			assert.deepEqual(
				raw.tensors.map((tensor) => tensor.name),
				layers.map((layer) => `direction.${layer}`),
				`${file}: gguf-py keeps repeng's order, last layer first`
			);
			assert.deepEqual(raw.metadata.get("controlvector.layer_count"), { type: "u32", value: layers.length });
			const read = await loadControlVectorFile(path.join(fixtures, file));
			assert.equal(read.modelHint, "llama");
			assert.equal(read.layerCount, layers.length);
			assert.equal(read.vector.nEmbd, nEmbd);
			assert.deepEqual([...read.vector.directions.keys()].sort(), [...layers].sort());
			for (const [layer, values] of read.vector.directions) {
				assert.ok(Math.abs(Math.hypot(...values) - 1) < 1e-6, `${file}: direction.${layer} has unit length`);
			}
			assert.deepEqual(
				[...read.metadata.keys()].filter((key) => key.startsWith(STEER_METADATA_PREFIX)),
				[]
			);
		}
	});
	it("accepts a [n, 1] direction, which ggml counts as 1-D", () => {
		const read = readControlVector(rawControlVector([direction(1, [1, 2], "F32", [2, 1])]));
		assert.deepEqual(read.vector.directions.get(1), Float32Array.of(1, 2));
	});

	it("rejects what llama.cpp would refuse", () => {
		rejects(rawControlVector([direction(0, [1, 2])]), /direction\.0 would steer block 0, which cannot be steered/);
		rejects(
			rawControlVector([direction(1, [1, 2]), direction(2, [1, 2, 3])]),
			/direction\.2 has 3 values but direction\.1 has 2/
		);
		rejects(rawControlVector([direction(1, [1, 2], "F16")]), /direction\.1 is F16; llama.cpp reads only F32/);
		rejects(
			rawControlVector([direction(1, [1, 2, 3, 4], "F32", [2, 2])]),
			/shape \[2, 2\]; a direction must be 1-D/
		);
		rejects(rawControlVector([direction("token_embd.weight", [1, 2])]), /unexpected tensor "token_embd.weight"/);
		rejects(rawControlVector([direction("direction.x", [1])]), /unexpected tensor "direction.x"/);
		rejects(rawControlVector([direction("direction.-1", [1])]), /unexpected tensor/);
	});

	it("rejects what llama.cpp would silently misuse", () => {
		rejects(
			makeTinyLlamaModel({ nLayer: 1, nEmbd: 8, nHead: 2, nFf: 8 }),
			/general.architecture is "llama", not "controlvector".*model/
		);
		rejects(
			rawControlVector([direction(1, [1, Number.NaN])]),
			/direction\.1 has a non-finite value \(NaN\) at index 1/
		);
		rejects(rawControlVector([direction(1, [Number.POSITIVE_INFINITY])]), /non-finite/);
		rejects(rawControlVector([]), /no direction\.N tensors/);
		rejects(
			rawControlVector([direction(1, [1]), direction("direction.01", [2])]),
			/two tensors give the direction for layer 1/
		);
		rejects(new TextEncoder().encode("not gguf at all"), /not a GGUF file/);
	});

	it("refuses to write vectors llama.cpp could not use", () => {
		const write = (vector: SteeringVector) => () => writeControlVector(vector, { modelHint: "llama" });
		assert.throws(write(randomVector([0, 1], 4)), /layer 0 cannot be steered/);
		assert.throws(
			write({ nEmbd: 4, directions: new Map([[1, new Float32Array(3)]]) }),
			/layer 1 has 3 values, expected nEmbd = 4/
		);
		assert.throws(
			write({ nEmbd: 2, directions: new Map([[2, Float32Array.of(0, Number.NaN)]]) }),
			/layer 2 has a non-finite value \(NaN\) at index 1/
		);
		assert.throws(write({ nEmbd: 2, directions: new Map() }), /at least one direction/);
		assert.throws(write({ nEmbd: 0, directions: new Map() }), /nEmbd must be a positive integer/);
		assert.throws(
			write({ nEmbd: 1, directions: new Map([[1.5, Float32Array.of(1)]]) }),
			/layer 1.5 is not a valid block index/
		);
	});

	describe("on disk", () => {
		let directory: string;
		beforeEach(() => {
			directory = fs.mkdtempSync(path.join(os.tmpdir(), "steer-cvec-"));
		});
		afterEach(() => {
			fs.rmSync(directory, { recursive: true, force: true });
		});

		it("saves atomically (no temporary left behind), overwrites, and loads back", async () => {
			const filePath = path.join(directory, "happy.gguf");
			const first = randomVector([1, 2], 8, 1);
			const second = randomVector([3], 8, 2);
			await saveControlVectorFile(filePath, first, { modelHint: "llama" });
			await saveControlVectorFile(filePath, second, { modelHint: "llama" });
			assert.deepEqual(fs.readdirSync(directory), ["happy.gguf"]);
			const loaded = await loadControlVectorFile(filePath, { scale: 2 });
			assert.deepEqual([...loaded.vector.directions.keys()], [3]);
			assert.deepEqual(
				loaded.vector.directions.get(3),
				second.directions.get(3)!.map((x) => x * 2)
			);
		});

		it("leaves no temporary file when writing fails, and names the file in read errors", async () => {
			await assert.rejects(
				saveControlVectorFile(path.join(directory, "missing-folder", "v.gguf"), randomVector([1], 2), {
					modelHint: "x"
				}),
				{ code: "ENOENT" }
			);
			await assert.rejects(
				saveControlVectorFile(path.join(directory, "v.gguf"), randomVector([0], 2), { modelHint: "x" }),
				GgufWriteError
			);
			assert.deepEqual(fs.readdirSync(directory), []);
			const badPath = path.join(directory, "bad.gguf");
			fs.writeFileSync(badPath, "GGUF but not really");
			await assert.rejects(
				loadControlVectorFile(badPath),
				(error: unknown) => error instanceof GgufFormatError && error.message.startsWith(badPath)
			);
		});

		it("refuses a file far too large to be a control vector without reading it", async () => {
			const hugePath = path.join(directory, "model.gguf");
			fs.writeFileSync(hugePath, "");
			fs.truncateSync(hugePath, MAX_CONTROL_VECTOR_FILE_BYTES + 1); // sparse
			await assert.rejects(loadControlVectorFile(hugePath), /far more than any control vector/);
		});
	});
});
