import assert from "node:assert/strict";
import { measureReliability, randomDirectionsLike } from "../../src/steering/evaluation/reliability";

describe("steering reliability", () => {
	it("gives the vector's gain as a multiple of a random direction's, and counts samples moved the wrong way", () => {
		const unsteered = [0, 1, 0, 1];
		const steered = [2, 2, 1.5, 0.5]; // gain 1, the last sample below its unsteered reading
		const random = [0.5, 1.5, 0.5, 1.5]; // gain 0.5
		const reliability = measureReliability(unsteered, steered, random);
		assert.equal(reliability.samples, 4);
		assert.equal(reliability.gain, 1);
		assert.equal(reliability.randomGain, 0.5);
		// The random push moved every sample by exactly 0.5: no spread in the paired differences.
		assert.equal(reliability.gainStandardError, 0);
		assert.equal(reliability.overRandom, 2);
		assert.equal(reliability.floorIsNoise, false);
		assert.equal(reliability.antiSteerableShare, 1 / 4);
	});

	it("uses the noise as the floor when the random direction's effect is smaller than it", () => {
		// Paired differences 0.5, 0, −0.5, 0: mean 0, sample standard deviation √(1/6), standard error √(1/6)/2.
		const reliability = measureReliability([0, 1, 0, 1], [3, 4, 3, 4], [0.5, 1, -0.5, 1]);
		assert.equal(reliability.randomGain, 0);
		assert.ok(Math.abs(reliability.gainStandardError - Math.sqrt(1 / 6) / 2) < 1e-12);
		assert.equal(reliability.floorIsNoise, true);
		assert.ok(Math.abs(reliability.overRandom! - 3 / (Math.sqrt(1 / 6) / 2)) < 1e-12);
		assert.equal(reliability.antiSteerableShare, 0);
	});

	it("has no multiple when the random push changed no reading (nothing to divide by)", () => {
		const reliability = measureReliability([1, 1], [2, 2], [1, 1]);
		assert.equal(reliability.gain, 1);
		assert.equal(reliability.overRandom, null);
	});

	it("refuses samples that do not line up", () => {
		assert.throws(() => measureReliability([0], [1], [0]), /at least two samples/);
		assert.throws(() => measureReliability([0, 1], [1, 2, 3], [0, 1]), /same samples: got 2 unsteered, 3 steered/);
	});

	it("draws seeded random directions with the vector's layers and lengths, pointing anywhere", () => {
		const vector = {
			nEmbd: 64,
			directions: new Map([
				[3, Float32Array.from({ length: 64 }, (_, i) => (i === 0 ? 2 : 0))],
				[5, Float32Array.from({ length: 64 }, () => 0.5)]
			])
		};
		const random = randomDirectionsLike(vector, 7);
		assert.deepEqual([...random.directions.keys()], [3, 5]);
		assert.ok(Math.abs(Math.hypot(...random.directions.get(3)!) - 2) < 1e-5);
		assert.ok(Math.abs(Math.hypot(...random.directions.get(5)!) - 4) < 1e-5);
		assert.deepEqual(randomDirectionsLike(vector, 7), random, "the same seed draws the same directions");
		assert.notDeepEqual(randomDirectionsLike(vector, 8), random);
		// Uniform on the sphere: over many seeds the cosine with a fixed axis averages 0 with spread 1/√64.
		const cosines = Array.from(
			{ length: 400 },
			(_, seed) => randomDirectionsLike(vector, seed).directions.get(3)![0]! / 2
		);
		const mean = cosines.reduce((a, b) => a + b, 0) / cosines.length;
		const spread = Math.sqrt(cosines.reduce((a, b) => a + (b - mean) ** 2, 0) / cosines.length);
		assert.ok(Math.abs(mean) < 0.03, `mean cosine ${mean}`);
		assert.ok(Math.abs(spread - 1 / 8) < 0.02, `spread ${spread}`);
	});
});
