// The text form of position specs: every form reads back to the spec that writes it, the engine
// resolves what the CLI parses, and mistakes are refused with the valid forms named.
import assert from "node:assert/strict";
import { resolvePositions } from "../../src/engine/positions";
import {
	checkPositionSpec,
	describePositionSpec,
	parsePositionSpec,
	POSITION_SPEC_FORMS,
	type PositionSpec
} from "../../src/steering/positions";

/** One text of every form, with the spec it stands for. */
const forms: readonly [string, PositionSpec][] = [
	["all", { select: "all" }],
	["mean", { select: "all", mean: true }],
	["last", { select: "last", count: 1 }],
	["last:4", { select: "last", count: 4 }],
	["last-mean", { select: "last", count: 1, mean: true }],
	["last:4-mean", { select: "last", count: 4, mean: true }],
	["suffix", { select: "suffix" }],
	["suffix-mean", { select: "suffix", mean: true }]
];

describe("position specs", () => {
	it("covers every documented form", () => {
		const shapes = forms.map(([text]) => text.replace(/\d+/, "K"));
		assert.deepEqual(shapes, [...POSITION_SPEC_FORMS]);
	});

	for (const [text, spec] of forms) {
		it(`reads "${text}" and writes it back`, () => {
			assert.deepEqual(parsePositionSpec(text), spec);
			assert.equal(describePositionSpec(spec), text);
			assert.deepEqual(parsePositionSpec(describePositionSpec(spec)), spec);
			// What the parser gives is a spec the engine resolves and a file's check accepts.
			assert.deepEqual(checkPositionSpec(JSON.parse(JSON.stringify(spec))), spec);
			assert.doesNotThrow(() => resolvePositions(spec, 9, 3));
		});
	}

	it("writes a spec without count or mean as the shortest form, which reads back to the same selection", () => {
		const cases: [PositionSpec, string][] = [
			[{ select: "last" }, "last"],
			[{ select: "last", mean: true }, "last-mean"],
			[{ select: "last", count: 1, mean: false }, "last"],
			[{ select: "all", mean: false }, "all"],
			[{ select: "last", count: 12, mean: true }, "last:12-mean"]
		];
		for (const [spec, text] of cases) {
			assert.equal(describePositionSpec(spec), text);
			const back = parsePositionSpec(text);
			assert.deepEqual(resolvePositions(back, 20, 5), resolvePositions(spec, 20, 5), text);
		}
	});

	it("ignores surrounding spaces and reads K as a whole number", () => {
		assert.deepEqual(parsePositionSpec("  last:3-mean\n"), { select: "last", count: 3, mean: true });
		assert.deepEqual(parsePositionSpec("last:007"), { select: "last", count: 7 });
	});

	it("refuses unknown forms, naming every valid one", () => {
		for (const text of ["first", "", "Last", "all-mean", "mean-last", "lastly", "suffix:2"]) {
			assert.throws(
				() => parsePositionSpec(text),
				(error: unknown) =>
					error instanceof RangeError &&
					error.message ===
						`unknown positions "${text}"; use all, mean, last, last:K, last-mean, last:K-mean, suffix or suffix-mean`,
				text
			);
		}
	});

	it("refuses a K that is not a whole number ≥ 1, saying what K must be", () => {
		for (const [text, got] of [
			["last:0", "0"],
			["last:-1", "-1"],
			["last:2.5", "2.5"],
			["last:", ""],
			["last:-mean", ""],
			["last:x-mean", "x"],
			["last:3:4", "3:4"],
			["last:99999999999999999999", "99999999999999999999"]
		]) {
			assert.throws(
				() => parsePositionSpec(text!),
				new RangeError(`positions "${text}": last:K needs a whole number K ≥ 1, got "${got}"`),
				text
			);
		}
	});

	it("refuses to write a spec it could not read back", () => {
		assert.throws(() => describePositionSpec({ select: "last", count: 0 }), /whole number ≥ 1, got 0/);
		assert.throws(() => describePositionSpec({ select: "last", count: 1.5 }), /whole number ≥ 1, got 1.5/);
		assert.throws(
			() => describePositionSpec({ select: "first" } as unknown as PositionSpec),
			/unknown position selection "first"/
		);
	});
});
