import assert from "node:assert/strict";
import {
	bakeCalibration,
	calibratedToRaw,
	DEFAULT_PUSH_FRACTION,
	rawToCalibrated,
	strengthTable,
	typicalNormsFromDiagnostics
} from "../../src/steering/calibration";
import type { SteeringVector } from "../../src/steering/vector";

describe("steering calibration", () => {
	const vector: SteeringVector = {
		nEmbd: 2,
		directions: new Map([
			[1, Float32Array.from([3, 4])],
			[5, Float32Array.from([0, -1])]
		])
	};
	const norms = new Map([
		[1, 20],
		[5, 80]
	]);

	it("converts calibrated strength to raw α and back", () => {
		// α = 1.5 × 0.1 × 20 / 5 = 0.6.
		assert.ok(Math.abs(calibratedToRaw(1.5, 20, 5) - 0.6) < 1e-12);
		assert.ok(Math.abs(calibratedToRaw(1, 20, 5, { pushFraction: 0.25 }) - 1) < 1e-12);
		for (const strength of [-3, -0.2, 0, 0.7, 4]) {
			assert.ok(Math.abs(rawToCalibrated(calibratedToRaw(strength, 37, 2.5), 37, 2.5) - strength) < 1e-12);
		}
		assert.equal(DEFAULT_PUSH_FRACTION, 0.1);
	});

	it("reports raw α and push size per layer", () => {
		const table = strengthTable(vector, norms, 2);
		assert.deepEqual(
			table.map((row) => row.layer),
			[1, 5]
		);
		assert.ok(Math.abs(table[0].raw - 0.8) < 1e-12);
		assert.ok(Math.abs(table[1].raw - 16) < 1e-12);
		for (const row of table) {
			assert.ok(Math.abs(row.pushRatio - 0.2) < 1e-12, "strength 2 pushes 2 × 10 % of the typical norm");
			assert.ok(Math.abs(row.pushNorm - 0.2 * row.typicalNorm) < 1e-9);
		}
	});

	it("bakes the recommended scale into the directions so that raw 1.0 equals calibrated 1.0", () => {
		const baked = bakeCalibration(vector, norms);
		assert.ok(Math.abs(Math.hypot(...(baked.directions.get(1) as Float32Array)) - 2) < 1e-6);
		assert.ok(Math.abs(Math.hypot(...(baked.directions.get(5) as Float32Array)) - 8) < 1e-6);
		assert.ok((baked.directions.get(5) as Float32Array)[1] < 0, "sign is kept");
		for (const row of strengthTable(baked, norms, 1.3)) assert.ok(Math.abs(row.raw - 1.3) < 1e-6);
	});

	it("takes typical norms from diagnostics and rejects what it cannot calibrate", () => {
		assert.deepEqual(
			[
				...typicalNormsFromDiagnostics([
					{ layer: 0, hiddenNormMean: 1 },
					{ layer: 2, hiddenNormMean: 9 }
				])
			],
			[[2, 9]]
		);
		assert.throws(() => strengthTable(vector, new Map([[1, 20]]), 1), /no typical hidden-state norm for layer 5/);
		assert.throws(
			() => bakeCalibration({ nEmbd: 2, directions: new Map([[1, new Float32Array(2)]]) }, norms),
			/all zeros/
		);
		assert.throws(() => calibratedToRaw(1, 0, 1), /typical hidden-state norm must be a positive number/);
		assert.throws(() => calibratedToRaw(1, 1, 1, { pushFraction: -1 }), /pushFraction/);
	});
});
