import assert from "node:assert/strict";
import { rocAuc } from "../../src/steering/evaluation/rocAuc";

describe("ROC AUC", () => {
	it("is 1 for a perfect ranking, 0 for an inverted one and 0.5 when every score ties", () => {
		assert.equal(rocAuc([0.9, 0.8], [0.1, 0.2, 0.3]), 1);
		assert.equal(rocAuc([0.1], [0.5, 0.6]), 0);
		assert.equal(rocAuc([0.5, 0.5], [0.5]), 0.5);
	});

	it("counts the correctly ordered pairs, ties as half", () => {
		// Pairs (p, n): (3,1) (3,2) (3,4) (2,1) (2,2) (2,4) → 1 + 1 + 0 + 1 + 0.5 + 0 = 3.5 of 6.
		assert.equal(rocAuc([3, 2], [1, 2, 4]), 3.5 / 6);
		const brute = (p: number[], n: number[]) =>
			p.flatMap((a) => n.map((b): number => (a > b ? 1 : a === b ? 0.5 : 0))).reduce((s, v) => s + v, 0) /
			(p.length * n.length);
		const positives = [0.3, 0.7, 0.7, 0.2, 0.9, 0.5];
		const negatives = [0.1, 0.7, 0.4, 0.5, 0.5, 0.05, 0.95];
		assert.ok(Math.abs(rocAuc(positives, negatives) - brute(positives, negatives)) < 1e-12);
	});

	it("refuses empty classes and NaN scores", () => {
		assert.throws(() => rocAuc([], [1]), /at least one positive and one negative/);
		assert.throws(() => rocAuc([1], [Number.NaN]), /NaN/);
	});
});
