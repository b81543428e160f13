import assert from "node:assert/strict";
import { findBestCondition } from "../../src/steering/conditions/gridSearch";
import { activeBehaviors, evaluateRule, parseRule, RuleParseError } from "../../src/steering/conditions/rules";
import { conditionHolds, conditionSimilarity, fromIbmComparator } from "../../src/steering/conditions/similarity";
import type { SteeringVector } from "../../src/steering/vector";
import { gaussian, randomUnit } from "./steeringSynthetic";

describe("steering conditions (CAST)", () => {
	it("similarity is |cos(h, c)| and ignores the sign of c", () => {
		const h = [3, 4];
		assert.ok(Math.abs(conditionSimilarity(h, [1, 0]) - 0.6) < 1e-12);
		assert.ok(Math.abs(conditionSimilarity(h, [-2, 0]) - 0.6) < 1e-12);
		assert.equal(conditionSimilarity([0, 0], [1, 0]), 0);
		// tanh variant: P·h = (3, 0), tanh → (tanh 3, 0), cosine with (3, 4) = 3/5 again.
		assert.ok(Math.abs(conditionSimilarity(h, [1, 0], "tanh") - 0.6) < 1e-12);
		// h = (10, 1) lies exactly along c = (1, 0.1), so |cos| = 1, but tanh saturates P·h = (10, 1)
		// unevenly to (tanh 10, tanh 1): IBM's variant depends on the scale of h.
		assert.ok(Math.abs(conditionSimilarity([10, 1], [1, 0.1]) - 1) < 1e-12);
		const expected =
			(10 * Math.tanh(10) + Math.tanh(1)) / (Math.sqrt(101) * Math.hypot(Math.tanh(10), Math.tanh(1)));
		assert.ok(Math.abs(conditionSimilarity([10, 1], [1, 0.1], "tanh") - expected) < 1e-12);
		assert.ok(expected < 0.9);
		assert.throws(() => conditionSimilarity([1, 2, 3], [1, 2]), /length 3 but the condition direction has 2/);
		assert.throws(() => conditionSimilarity([1, 2], [0, 0]), /all zeros/);
	});

	it("checks a condition at any of several layers with explicit direction semantics", () => {
		const condition: SteeringVector = {
			nEmbd: 2,
			directions: new Map([
				[1, Float32Array.from([1, 0])],
				[2, Float32Array.from([0, 1])]
			])
		};
		const hidden = new Map([
			[1, Float32Array.from([1, 0])],
			[2, Float32Array.from([1, 0])]
		]);
		assert.equal(conditionHolds(hidden, condition, { layers: [1], threshold: 0.5, direction: "larger" }), true);
		assert.equal(conditionHolds(hidden, condition, { layers: [2], threshold: 0.5, direction: "larger" }), false);
		assert.equal(conditionHolds(hidden, condition, { layers: [2], threshold: 0.5, direction: "smaller" }), true);
		assert.equal(conditionHolds(hidden, condition, { layers: [1, 2], threshold: 0.5, direction: "larger" }), true);
		assert.throws(
			() => conditionHolds(hidden, condition, { layers: [3], threshold: 0.5, direction: "larger" }),
			/no hidden state captured for condition layer 3/
		);
		assert.equal(fromIbmComparator("larger"), "smaller");
		assert.equal(fromIbmComparator("smaller"), "larger");
	});

	it("grid search finds the planted layer and direction with F1 = 1", () => {
		const nEmbd = 32;
		const normal = gaussian(21);
		const directions = new Map<number, Float32Array>();
		for (let layer = 1; layer <= 4; layer++)
			directions.set(layer, Float32Array.from(randomUnit(nEmbd, 300 + layer)));
		const condition: SteeringVector = { nEmbd, directions };
		// At layer 3 positives lie along the condition (|cos| ≈ 0.9), negatives are orthogonal-ish noise.
		const prompt = (aligned: boolean) => {
			const states = new Map<number, Float32Array>();
			for (let layer = 1; layer <= 4; layer++) {
				const c = directions.get(layer) as Float32Array;
				const h = Float32Array.from({ length: nEmbd }, () => 0.3 * normal());
				if (aligned && layer === 3) for (let k = 0; k < nEmbd; k++) h[k] += 4 * c[k];
				states.set(layer, h);
			}
			return states;
		};
		const positives = Array.from({ length: 12 }, () => prompt(true));
		const negatives = Array.from({ length: 12 }, () => prompt(false));
		const result = findBestCondition(positives, negatives, condition, [1, 4], [0, 1], 0.01);
		assert.equal(result.best.layer, 3);
		assert.equal(result.best.direction, "larger");
		assert.equal(result.best.f1, 1);
		const layer3 = result.similarities.get(3) as { positive: number[]; negative: number[] };
		assert.ok(
			Math.min(...layer3.positive) > result.best.threshold && Math.max(...layer3.negative) < result.best.threshold
		);
		assert.equal(result.table.length, 4 * 101 * 2);
		// The inverse question ("condition absent") is answered by "smaller" at the same layer.
		const inverse = findBestCondition(negatives, positives, condition, [3, 3], [0, 1], 0.01);
		assert.equal(inverse.best.direction, "smaller");
		assert.equal(inverse.best.f1, 1);
	});

	it("computes F1 exactly and rejects bad grids", () => {
		const condition: SteeringVector = { nEmbd: 2, directions: new Map([[1, Float32Array.from([1, 0])]]) };
		const state = (x: number, y: number) => new Map([[1, Float32Array.from([x, y])]]);
		// Similarities: positives 1, 0.6; negatives 0.8, 0. Threshold 0.7 larger: TP 1, FP 1, FN 1 → F1 1/2.
		const result = findBestCondition(
			[state(1, 0), state(3, 4)],
			[state(4, 3), state(0, 1)],
			condition,
			[1, 1],
			[0.7, 0.7],
			0.1
		);
		const point = result.table.find((entry) => entry.direction === "larger") as {
			f1: number;
			precision: number;
			recall: number;
		};
		assert.deepEqual([point.precision, point.recall, point.f1], [0.5, 0.5, 0.5]);
		assert.throws(() => findBestCondition([state(1, 0)], [], condition, [1, 1], [0, 1], 0.1), /0 negatives/);
		assert.throws(
			() => findBestCondition([state(1, 0)], [state(0, 1)], condition, [1, 1], [0, 1], 0),
			/step must be a positive number/
		);
		assert.throws(
			() => findBestCondition([state(1, 0)], [state(0, 1)], condition, [0, 1], [0, 1], 0.1),
			/1 ≤ from ≤ to/
		);
		assert.throws(
			() => findBestCondition([state(1, 0)], [state(0, 1)], condition, [1, 2], [0, 1], 0.1),
			/no direction for layer 2/
		);
		assert.throws(
			() => findBestCondition([state(1, 0)], [state(0, 1)], condition, [1, 1], [0, 1], 1e-9),
			/grid points/
		);
	});
});

describe("steering rules", () => {
	it("parses and evaluates or, and, not with the usual precedence", () => {
		const either = parseRule("if C1 or C2 then B1");
		assert.equal(either.behavior, 1);
		assert.deepEqual(
			[
				[false, false],
				[true, false],
				[false, true],
				[true, true]
			].map((results) => evaluateRule(either, results)),
			[false, true, true, true]
		);
		const butNot = parseRule("IF c1 AND NOT c2 THEN b2");
		assert.equal(butNot.behavior, 2);
		assert.deepEqual(
			[
				[false, false],
				[true, false],
				[false, true],
				[true, true]
			].map((results) => evaluateRule(butNot, results)),
			[false, true, false, false]
		);
		// and binds tighter than or: C1 or (C2 and C3).
		const mixed = parseRule("if C1 or C2 and C3 then B1");
		assert.equal(evaluateRule(mixed, [false, true, false]), false);
		assert.equal(evaluateRule(mixed, [true, false, false]), true);
		assert.equal(evaluateRule(parseRule("if (C1 or C2) and C3 then B1"), [true, false, false]), false);
		assert.equal(evaluateRule(parseRule("if not not C1 then B1"), [true]), true);
	});

	it("reports parse errors with their column", () => {
		const cases: [string, number, RegExp][] = [
			["when C1 then B1", 1, /expected "if"/],
			["if C1 or then B1", 10, /expected a condition/],
			["if C1 B1", 7, /expected "then"/],
			["if C1 then", 11, /expected a behaviour such as B1 after "then" but found end of rule/],
			["if C1 then B1 extra", 15, /unexpected "extra"/],
			["if (C1 or C2 then B1", 14, /expected "\)" to close the "\(" at column 4/],
			["if C1 & C2 then B1", 7, /unexpected character "&"/],
			["if C0 then B1", 4, /numbering starts at 1/],
			["if C1 then C2", 12, /expected a behaviour/]
		];
		for (const [source, column, message] of cases) {
			assert.throws(
				() => parseRule(source),
				(error: unknown) =>
					error instanceof RuleParseError && error.column === column && message.test(error.message),
				`${source} → column ${column}`
			);
		}
	});

	it("lists the behaviours whose rules fire and checks indices", () => {
		const rules = ["if C1 or C2 then B1", "if C1 and not C2 then B2", "if C2 then B1"].map(parseRule);
		assert.deepEqual(activeBehaviors(rules, [true, false]), [1, 2]);
		assert.deepEqual(activeBehaviors(rules, [false, true]), [1]);
		assert.deepEqual(activeBehaviors(rules, [false, false]), []);
		assert.throws(
			() => activeBehaviors([parseRule("if C3 then B1")], [true, true]),
			/uses C3 but only 2 condition/
		);
		assert.throws(
			() => activeBehaviors([parseRule("if C1 then B4")], [true], 2),
			/applies B4 but only 2 behaviour/
		);
	});
});
