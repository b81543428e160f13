import assert from "node:assert/strict";
import { describeMeasured, measuredStrengths, strengthWarning } from "../../src/steering/strengthRange";

describe("steering: strength range", () => {
	// A sweep like the one users saw: fluent at 0, ±1 and 2, looping at 4, garbage at 8.
	const rows = [
		{ strength: -1, fluent: true },
		{ strength: 0, fluent: true },
		{ strength: 1, fluent: true },
		{ strength: 2, fluent: true },
		{ strength: 4, fluent: false },
		{ strength: 8, fluent: false }
	];

	it("summarises a sweep by the size of the strengths", () => {
		assert.deepEqual(measuredStrengths(rows), { fluentUpTo: 2, degeneratesAt: 4, measuredUpTo: 8 });
		// A fluent strength past the first broken one does not extend the fluent range.
		assert.deepEqual(
			measuredStrengths([
				{ strength: 0, fluent: true },
				{ strength: 3, fluent: false },
				{ strength: 5, fluent: true }
			]),
			{ fluentUpTo: 0, degeneratesAt: 3, measuredUpTo: 5 }
		);
		assert.deepEqual(measuredStrengths([{ strength: 1, fluent: false }]), {
			fluentUpTo: null,
			degeneratesAt: 1,
			measuredUpTo: 1
		});
		assert.deepEqual(
			measuredStrengths([
				{ strength: -3, fluent: true },
				{ strength: 2, fluent: true }
			]),
			{ fluentUpTo: 3, degeneratesAt: null, measuredUpTo: 3 }
		);
		assert.equal(measuredStrengths([]), undefined);
	});

	it("warns at and past the strength where text degenerated, and says where that was", () => {
		const measured = measuredStrengths(rows)!;
		assert.equal(strengthWarning("joy", 1.5, measured, 4), undefined);
		assert.equal(strengthWarning("joy", -2, measured, 4), undefined);
		assert.equal(
			strengthWarning("joy", 1000, measured, 4),
			"at strength 1000, joy's text is likely to degenerate into repetition or garbage (fluent up to 2, degenerates from 4 in the last sweep, which went up to 8)"
		);
		assert.match(strengthWarning("joy", -4, measured, 4)!, /likely to degenerate/);
		assert.match(
			strengthWarning("joy", 3, measured, 4)!,
			/^strength 3 is past the strongest fluent strength of joy's sweep/
		);
	});

	it("warns beyond the swept range when nothing degenerated, and outside ±4 for a vector never swept", () => {
		const allFluent = measuredStrengths([
			{ strength: 0, fluent: true },
			{ strength: 2, fluent: true }
		])!;
		assert.equal(strengthWarning("joy", 2, allFluent, 4), undefined);
		assert.equal(
			strengthWarning("joy", 2.5, allFluent, 4),
			"strength 2.5 is beyond what joy was measured at (fluent up to 2 in the last sweep, which went up to 2)"
		);
		assert.equal(strengthWarning("joy", 4, undefined, 4), undefined);
		assert.equal(
			strengthWarning("joy", -4.5, undefined, 4),
			"strength -4.5 is outside the range joy has been tried at (±4); run a strength sweep in the Playground to see where its text degenerates"
		);
		assert.equal(
			describeMeasured({ fluentUpTo: null, degeneratesAt: 1, measuredUpTo: 1 }),
			"no swept strength was fluent, degenerates from 1 in the last sweep, which went up to 1"
		);
	});
});
