import assert from "node:assert/strict";
import { exportForLlamaCpp, llamaCppCommandLines, shellQuote } from "../../src/steering/llamaCppExport";
import type { SteeringVector } from "../../src/steering/vector";

const vector = (entries: [number, number[]][]): SteeringVector => ({
	nEmbd: 2,
	directions: new Map(entries.map(([layer, values]) => [layer, Float32Array.from(values)]))
});

describe("export for llama.cpp", () => {
	it("sums the active vectors at their strengths within their layer ranges into one file", () => {
		const exported = exportForLlamaCpp([
			{
				name: "happy",
				vector: vector([
					[1, [1, 2]],
					[2, [3, 4]]
				]),
				strength: 0.5,
				layerRange: [2, 2]
			},
			{
				name: "formal",
				vector: vector([
					[2, [1, 0]],
					[3, [0, 1]]
				]),
				strength: -2
			}
		]);
		assert.deepEqual(
			[...exported.vector.directions].map(([layer, values]) => [layer, Array.from(values)]),
			[
				[2, [1.5 - 2, 2]],
				[3, [0, -2]]
			]
		);
		assert.deepEqual(exported.differences, []);
	});

	it("names every vector whose placement llama.cpp cannot honour", () => {
		const exported = exportForLlamaCpp([
			{ name: "happy", vector: vector([[1, [1, 0]]]), strength: 1, placement: { kind: "generated" } },
			{ name: "calm", vector: vector([[1, [0, 1]]]), strength: 1, placement: { kind: "all" } }
		]);
		assert.deepEqual(exported.differences, [
			"happy acts on generated in Steer, but llama.cpp steers every position"
		]);
	});

	it("refuses nothing to export", () => {
		assert.throws(() => exportForLlamaCpp([]), /no active vectors/);
		assert.throws(
			() => exportForLlamaCpp([{ name: "a", vector: vector([[1, [1, 1]]]), strength: 0 }]),
			/add nothing/
		);
	});

	it("writes quoted command lines for llama-server and llama-cli, refusing a comma in the vector's path", () => {
		assert.deepEqual(llamaCppCommandLines("/models/smol.gguf", "/home/me/my steer/v.gguf"), {
			server: "llama-server -m /models/smol.gguf --control-vector '/home/me/my steer/v.gguf'",
			cli: "llama-cli -m /models/smol.gguf --control-vector '/home/me/my steer/v.gguf'"
		});
		assert.throws(() => llamaCppCommandLines("/m.gguf", "/tmp/a,b.gguf"), /commas/);
		assert.equal(shellQuote("it's"), `'it'"'"'s'`);
	});
});
