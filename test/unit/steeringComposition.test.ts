import assert from "node:assert/strict";
import { add, composeWeighted, scale, subtract } from "../../src/steering/composition";
import type { SteeringVector } from "../../src/steering/vector";

const vector = (nEmbd: number, entries: [number, number[]][]): SteeringVector => ({
	nEmbd,
	directions: new Map(entries.map(([layer, values]) => [layer, Float32Array.from(values)]))
});

describe("steering composition", () => {
	const a = vector(2, [
		[1, [1, 2]],
		[2, [3, 4]],
		[3, [5, 6]]
	]);
	const b = vector(2, [
		[2, [10, 20]],
		[4, [1, 1]]
	]);

	it("sums weighted vectors per layer, honouring each layer range", () => {
		const sum = composeWeighted([
			{ vector: a, strength: 2 },
			{ vector: b, strength: -0.5, layerRange: [1, 3] }
		]);
		assert.deepEqual([...sum.keys()], [1, 2, 3]);
		assert.deepEqual([...(sum.get(1) as Float32Array)], [2, 4]);
		assert.deepEqual([...(sum.get(2) as Float32Array)], [6 - 5, 8 - 10]);
		assert.deepEqual([...(sum.get(3) as Float32Array)], [10, 12]);
		const restricted = composeWeighted([{ vector: a, strength: 1, layerRange: [2, 2] }]);
		assert.deepEqual([...restricted.keys()], [2]);
	});

	it("adds, subtracts and scales layer by layer", () => {
		const total = add(a, b);
		assert.deepEqual([...total.directions.keys()], [1, 2, 3, 4]);
		assert.deepEqual([...(total.directions.get(2) as Float32Array)], [13, 24]);
		assert.deepEqual([...(total.directions.get(4) as Float32Array)], [1, 1]);
		const difference = subtract(a, b);
		assert.deepEqual([...(difference.directions.get(2) as Float32Array)], [-7, -16]);
		assert.deepEqual([...(difference.directions.get(4) as Float32Array)], [-1, -1]);
		assert.deepEqual([...(scale(a, -2).directions.get(3) as Float32Array)], [-10, -12]);
		assert.deepEqual([...(a.directions.get(3) as Float32Array)], [5, 6], "operands are not modified");
	});

	it("rejects width mismatches, layer 0 and bad ranges with clear messages", () => {
		const wide = vector(3, [[1, [1, 2, 3]]]);
		assert.throws(() => add(a, wide), /vector 1 has width 3 but vector 0 has 2/);
		assert.throws(
			() =>
				composeWeighted([
					{ vector: a, strength: 1 },
					{ vector: wide, strength: 1 }
				]),
			/width 3 but vector 0 has 2/
		);
		assert.throws(
			() => composeWeighted([{ vector: vector(2, [[1, [1, 2, 3]]]), strength: 1 }]),
			/layer 1: direction has length 3 but the vector's nEmbd is 2/
		);
		assert.throws(
			() => composeWeighted([{ vector: vector(2, [[0, [1, 2]]]), strength: 1 }]),
			/block 0 cannot be steered/
		);
		assert.throws(() => composeWeighted([{ vector: a, strength: 1, layerRange: [3, 1] }]), /from ≤ to/);
		assert.throws(() => composeWeighted([{ vector: a, strength: Number.NaN }]), /finite/);
		assert.throws(() => composeWeighted([]), /no vectors/);
	});
});
