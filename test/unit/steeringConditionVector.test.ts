import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CONDITION_POSITIONS, trainConditionVector } from "../../src/steering/conditions/conditionVector";
import {
	isConditionVectorMetadata,
	loadConditionVector,
	saveConditionVector,
	readConditionVector
} from "../../src/steering/conditions/conditionVectorFile";
import { evaluateCondition, splitHeldOut } from "../../src/steering/conditions/heldOut";
import { loadControlVectorFile } from "../../src/steering/gguf/controlVectorFile";
import { GgufValue } from "../../src/steering/gguf/values";
import { loadTrainedVector } from "../../src/steering/pipeline/trainedVectorFile";
import type { HiddenStateSource } from "../../src/steering/pipeline/hiddenStateSource";
import type { SteeringVector } from "../../src/steering/vector";

/** A source whose mean state of "kind k" prompts is e_k + layer·0.1·e_2 at every layer (3 wide). */
function fakeSource(asked: { positions: unknown[]; layers: number[][] }): HiddenStateSource {
	return {
		async capture(items, options) {
			asked.positions.push(options.positions);
			asked.layers.push([...options.layers]);
			return items.map(({ text }) => {
				const [kind, extra] = text.split(":");
				return options.layers.map((layer) => {
					const hidden = new Float32Array(3);
					hidden[Number(kind)] = 1 + Number(extra ?? 0);
					hidden[2] += layer * 0.1;
					return { layer, hidden };
				});
			});
		}
	};
}

describe("condition vectors (CAST)", () => {
	it("trains a unit direction at every steerable layer from mean-pooled prompts, unequal counts included", async () => {
		const asked = { positions: [] as unknown[], layers: [] as number[][] };
		const positives = ["0:0", "0:1", "0:2"];
		const negatives = ["1:0", "1:0", "1:0", "1:0", "1:0", "1:0"];
		const trained = await trainConditionVector(positives, negatives, fakeSource(asked), {
			nLayer: 5,
			nEmbd: 3,
			modelHint: "llama",
			validationFraction: 0
		});
		assert.deepEqual(asked.positions, [CONDITION_POSITIONS, CONDITION_POSITIONS]);
		assert.deepEqual(asked.layers, [
			[1, 2, 3, 4],
			[1, 2, 3, 4]
		]);
		assert.deepEqual([...trained.vector.directions.keys()], [1, 2, 3, 4]);
		// Six pairs, the positives repeated twice: mean(positive) − mean(negative) = (2, −1, 0), normalised.
		for (const direction of trained.vector.directions.values()) {
			const expected = [2 / Math.sqrt(5), -1 / Math.sqrt(5), 0];
			direction.forEach((value, k) => assert.ok(Math.abs(value - expected[k]!) < 1e-6, `${direction}`));
		}
		assert.equal(trained.positiveCount, 3);
		assert.equal(trained.negativeCount, 6);
		assert.equal(trained.method, "mean-diff");
		await assert.rejects(
			trainConditionVector(["0:0"], negatives, fakeSource(asked), { nLayer: 5, nEmbd: 3, modelHint: "llama" }),
			/at least 2 prompts of each kind; got 1 positives/
		);
		await assert.rejects(
			trainConditionVector(positives, negatives, fakeSource(asked), {
				nLayer: 5,
				nEmbd: 3,
				modelHint: "llama",
				layers: [0, 1]
			}),
			/layer 0 is out of range: a condition reads layers 1..4/
		);
	});

	it("saves a file with every layer, marked as a condition vector, and reads it back", async () => {
		const folder = mkdtempSync(path.join(tmpdir(), "steer-condition-unit-"));
		try {
			const trained = await trainConditionVector(
				["0:0", "0:1"],
				["1:0", "1:1"],
				fakeSource({ positions: [], layers: [] }),
				{
					nLayer: 4,
					nEmbd: 3,
					modelHint: "qwen2"
				}
			);
			const file = path.join(folder, "c.gguf");
			await saveConditionVector(file, trained);
			const plain = await loadControlVectorFile(file);
			assert.equal(isConditionVectorMetadata(plain.metadata), true);
			assert.equal(plain.modelHint, "qwen2");
			assert.deepEqual([...plain.vector.directions.keys()].sort(), [1, 2, 3]);
			const loaded = await loadConditionVector(file);
			assert.deepEqual(loaded.positions, CONDITION_POSITIONS);
			assert.deepEqual(loaded.diagnostics, JSON.parse(JSON.stringify(trained.diagnostics)));
			for (const [layer, direction] of trained.vector.directions)
				assert.deepEqual(loaded.vector.directions.get(layer), direction);
			await assert.rejects(loadTrainedVector(file), /not a vector trained by Steer/);
			// A file of the first format was trained on means that included the first token: refused.
			const metadata = new Map(plain.metadata);
			metadata.set("steer.condition.version", GgufValue.u32(1));
			assert.throws(
				() => readConditionVector(plain.vector, plain.modelHint, metadata),
				/older Steer whose means over a prompt included its first token.*steer condition train/
			);
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	});

	it("holds out a seeded share of the prompts, the same one every time", () => {
		const items = Array.from({ length: 20 }, (_, i) => `p${i}`);
		const split = splitHeldOut(items, 0.25, 7);
		assert.equal(split.heldOut.length, 5);
		assert.equal(split.kept.length, 15);
		assert.deepEqual([...split.kept, ...split.heldOut].sort(), [...items].sort());
		assert.deepEqual(splitHeldOut(items, 0.25, 7), split);
		assert.notDeepEqual(splitHeldOut(items, 0.25, 8).heldOut, split.heldOut);
		assert.deepEqual(splitHeldOut(items, 0, 7), { kept: items, heldOut: [] });
		assert.equal(splitHeldOut(["a", "b"], 0.9, 0).heldOut.length, 1, "at least one stays");
		assert.throws(() => splitHeldOut(items, 1, 0), /in \[0, 1\)/);
	});

	it("evaluates a check: firing rates on each kind, precision, recall and F1", () => {
		const condition: SteeringVector = { nEmbd: 2, directions: new Map([[3, Float32Array.of(1, 0)]]) };
		const state = (x: number, y: number) => new Map([[3, Float32Array.of(x, y)]]);
		// |cos| with (1, 0): 1, 0.8 and 0 for the positives; 0.8, 0, 0 and 0 for the negatives.
		const positives = [state(1, 0), state(4, 3), state(0, 1)];
		const negatives = [state(4, 3), state(0, 1), state(0, 2), state(0, 3)];
		const judged = evaluateCondition(positives, negatives, condition, {
			layers: [3],
			threshold: 0.5,
			direction: "larger"
		});
		assert.deepEqual(
			{ ...judged },
			{
				positives: 3,
				negatives: 4,
				truePositives: 2,
				falsePositives: 1,
				firesOnPositives: 2 / 3,
				firesOnNegatives: 0.25,
				precision: 2 / 3,
				recall: 2 / 3,
				f1: 2 / 3
			}
		);
		assert.throws(
			() => evaluateCondition([], negatives, condition, { layers: [3], threshold: 0.5, direction: "larger" }),
			/both kinds/
		);
	});
});
