/** Pure parts of the engine and CLI: control-vector layout, position ranges, option parsing. */
import assert from "node:assert/strict";
import { parseVectorOption } from "../../src/cli/vectorOption";
import { buildControlVectorBuffer } from "../../src/engine/controlVectorBuffer";
import { EngineError } from "../../src/engine/errors";
import { resolvePositions, suffixStart } from "../../src/engine/positions";
import { autoThreadCount, resolveThreads } from "../../src/engine/process/threads";
import { parseLayerSpec } from "../../src/steering/layerSpec";
import type { SteeringVector } from "../../src/steering/vector";

const vector = (nEmbd: number, entries: [number, number[]][]): SteeringVector => ({
	nEmbd,
	directions: new Map(entries.map(([layer, values]) => [layer, Float32Array.from(values)]))
});

describe("control-vector buffer", () => {
	it("lays out layer il at row il-1 and sums strength-weighted entries", () => {
		const a = vector(2, [
			[1, [1, 2]],
			[3, [3, 4]]
		]);
		const b = vector(2, [[3, [10, 20]]]);
		const buffer = buildControlVectorBuffer(
			[
				{ vector: a, strength: 2 },
				{ vector: b, strength: -0.5 }
			],
			4,
			2
		)!;
		assert.deepEqual([...buffer.data], [2, 4, 0, 0, 6 - 5, 8 - 10]);
		assert.deepEqual(buffer.layers, [1, 3]);
		assert.equal(buffer.layerStart, 1);
		assert.equal(buffer.layerEnd, 3);
	});

	it("skips directions outside an entry's layer range and returns null when nothing remains", () => {
		const a = vector(2, [
			[1, [1, 1]],
			[2, [5, 5]]
		]);
		const buffer = buildControlVectorBuffer([{ vector: a, strength: 1, layerRange: [2, 2] }], 3, 2)!;
		assert.deepEqual([...buffer.data], [0, 0, 5, 5]);
		assert.equal(buildControlVectorBuffer([{ vector: a, strength: 0 }], 3, 2), null);
		assert.equal(buildControlVectorBuffer([], 3, 2), null);
	});

	it("rejects layer 0, layers past the model, wrong widths and non-finite values by name", () => {
		const code = (fn: () => unknown) => {
			try {
				fn();
			} catch (error) {
				assert.ok(error instanceof EngineError);
				return `${error.code}: ${error.message}`;
			}
			assert.fail("expected an error");
		};
		assert.match(
			code(() => buildControlVectorBuffer([{ vector: vector(2, [[0, [1, 1]]]), strength: 1 }], 3, 2)),
			/^LAYER_OUT_OF_RANGE: .*layer 0, which llama\.cpp cannot steer/
		);
		assert.match(
			code(() => buildControlVectorBuffer([{ vector: vector(2, [[3, [1, 1]]]), strength: 1 }], 3, 2)),
			/^LAYER_OUT_OF_RANGE: .*layers 0\.\.2/
		);
		assert.match(
			code(() => buildControlVectorBuffer([{ vector: vector(3, [[1, [1, 1, 1]]]), strength: 1 }], 3, 2)),
			/^SHAPE_MISMATCH: .*3 wide.*2 wide/
		);
		assert.match(
			code(() => buildControlVectorBuffer([{ vector: vector(2, [[1, [1]]]), strength: 1 }], 3, 2)),
			/^SHAPE_MISMATCH: .*1 values, expected 2/
		);
		assert.match(
			code(() => buildControlVectorBuffer([{ vector: vector(2, [[1, [NaN, 1]]]), strength: 1 }], 3, 2)),
			/^BAD_REQUEST: .*non-finite/
		);
		assert.match(
			code(() => buildControlVectorBuffer([{ vector: vector(2, [[1, [1, 1]]]), strength: Infinity }], 3, 2)),
			/^BAD_REQUEST: .*strength/
		);
	});
});

describe("token positions", () => {
	it("resolves all, last, last:K (clamped), mean and suffix ranges", () => {
		assert.deepEqual(resolvePositions({ select: "all" }, 7), { start: 0, end: 7, mean: false });
		assert.deepEqual(resolvePositions({ select: "last" }, 7), { start: 6, end: 7, mean: false });
		assert.deepEqual(resolvePositions({ select: "last", count: 3 }, 7), { start: 4, end: 7, mean: false });
		assert.deepEqual(resolvePositions({ select: "last", count: 30 }, 7), { start: 0, end: 7, mean: false });
		// A mean leaves the first token (the attention sink) out, unless it is the only one.
		assert.deepEqual(resolvePositions({ select: "all", mean: true }, 7), { start: 1, end: 7, mean: true });
		assert.deepEqual(resolvePositions({ select: "all", mean: true }, 1), { start: 0, end: 1, mean: true });
		assert.deepEqual(resolvePositions({ select: "last", count: 30, mean: true }, 7), {
			start: 1,
			end: 7,
			mean: true
		});
		assert.deepEqual(resolvePositions({ select: "last", count: 3, mean: true }, 7), {
			start: 4,
			end: 7,
			mean: true
		});
		assert.deepEqual(resolvePositions({ select: "suffix", mean: true }, 7, 0), { start: 1, end: 7, mean: true });
		assert.deepEqual(resolvePositions({ select: "suffix" }, 7, 0), { start: 0, end: 7, mean: false });
		assert.deepEqual(resolvePositions({ select: "suffix", mean: true }, 7, 4), { start: 4, end: 7, mean: true });
	});

	it("refuses a suffix without prompt tokens or without completion tokens, and bad counts", () => {
		assert.throws(() => resolvePositions({ select: "suffix" }, 7), /need the item's prompt/);
		assert.throws(() => resolvePositions({ select: "suffix" }, 7, 7), /no tokens after its prompt/);
		assert.throws(() => resolvePositions({ select: "last", count: 0 }, 7), /positive whole K/);
	});

	it("finds where a completion starts even when the boundary token merges prompt and completion", () => {
		assert.equal(suffixStart([1, 5, 6, 7, 8], [1, 5, 6]), 3);
		assert.equal(suffixStart([1, 5, 9, 8], [1, 5, 6]), 2);
		assert.equal(suffixStart([1, 5], [1, 5, 6]), 2);
	});
});

describe("layer selections", () => {
	it("reads all, ranges, lists and mixes", () => {
		assert.deepEqual(parseLayerSpec("all", 4), [0, 1, 2, 3]);
		assert.deepEqual(parseLayerSpec("1-3", 5), [1, 2, 3]);
		assert.deepEqual(parseLayerSpec("3,1, 2-2", 5), [1, 2, 3]);
	});

	it("rejects out-of-range, backwards and unreadable selections", () => {
		assert.throws(() => parseLayerSpec("5", 5), /layer 5 is out of range: this model has layers 0\.\.4/);
		assert.throws(() => parseLayerSpec("3-1", 5), /runs backwards/);
		assert.throws(() => parseLayerSpec("one", 5), /use all, A-B or i,j/);
	});
});

describe("CLI vector option FILE[:S]", () => {
	it("takes a trailing number as the scale, like llama.cpp's --control-vector-scaled", () => {
		assert.deepEqual(parseVectorOption("happy.gguf"), { file: "happy.gguf", scale: 1 });
		assert.deepEqual(parseVectorOption("happy.gguf:1.5"), { file: "happy.gguf", scale: 1.5 });
		assert.deepEqual(parseVectorOption("happy.gguf:-2"), { file: "happy.gguf", scale: -2 });
		assert.deepEqual(parseVectorOption("C:/vectors/happy.gguf:0.5"), { file: "C:/vectors/happy.gguf", scale: 0.5 });
		assert.deepEqual(parseVectorOption("dir:with:colons/v.gguf"), { file: "dir:with:colons/v.gguf", scale: 1 });
	});
});

describe("thread count", () => {
	it("leaves one core free, never goes below one, and caps at eight", () => {
		assert.equal(autoThreadCount(1), 1);
		assert.equal(autoThreadCount(2), 1);
		assert.equal(autoThreadCount(4), 3);
		assert.equal(autoThreadCount(64), 8);
		assert.equal(resolveThreads(3), 3);
		assert.throws(() => resolveThreads(0), /whole number ≥ 1/);
	});
});
