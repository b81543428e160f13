import assert from "node:assert/strict";
import { steeringIgnoredMessage } from "../../src/engine/steeringProbe";

describe("engine: the probe that refuses steering a model ignores", () => {
	it("passes a layer that moved by the push, to float rounding", () => {
		assert.equal(steeringIgnoredMessage({ layer: 3, expectedNorm: 2.5, movedNorm: 2.4999 }, "llama"), undefined);
	});

	it("names the architecture when the state did not move", () => {
		assert.equal(
			steeringIgnoredMessage({ layer: 3, expectedNorm: 2.5, movedNorm: 0 }, "qwen2"),
			"this model's architecture (qwen2) ignores control vectors in this llama.cpp version: a push of norm 2.50 at layer 3 moved its output by 0.00, so steering would generate unsteered text"
		);
		assert.match(steeringIgnoredMessage({ layer: 1, expectedNorm: 1, movedNorm: 0.009 }, "x") ?? "", /ignores/);
		assert.equal(steeringIgnoredMessage({ layer: 1, expectedNorm: 1, movedNorm: 0.01 }, "x"), undefined);
	});

	it("has nothing to say about an empty push", () => {
		assert.equal(steeringIgnoredMessage({ layer: 1, expectedNorm: 0, movedNorm: 0 }, "x"), undefined);
	});
});
