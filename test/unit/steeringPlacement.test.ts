import assert from "node:assert/strict";
import { segmentAt, steeringSegments, everyPosition } from "../../src/engine/placedSteering";
import type { SteeringEntry } from "../../src/engine/protocol";
import {
	checkPlacement,
	describePlacement,
	parsePlacement,
	PLACEMENT_FORMS,
	type SteeringPlacement,
	steeredRange
} from "../../src/steering/placement";

describe("steering placement", () => {
	it("reads every form and writes it back", () => {
		for (const text of ["all", "generated", "prompt", "first:1", "first:12"])
			assert.equal(describePlacement(parsePlacement(text)), text);
		assert.deepEqual(parsePlacement(" first:4 "), { kind: "first", positions: 4 });
		assert.equal(PLACEMENT_FORMS.length, 4);
	});

	it("refuses unknown forms and a first:K without a whole K ≥ 1, listing the forms", () => {
		assert.throws(
			() => parsePlacement("everywhere"),
			/unknown placement "everywhere"; use all, generated, prompt, first:K/
		);
		for (const bad of ["first:", "first:0", "first:-2", "first:1.5", "first:x"])
			assert.throws(() => parsePlacement(bad), /first:K needs a whole number K ≥ 1/, bad);
	});

	it("checks placements that arrive as data", () => {
		assert.deepEqual(checkPlacement({ kind: "generated" }), { kind: "generated" });
		assert.deepEqual(checkPlacement({ kind: "first", positions: 2, extra: 1 }), { kind: "first", positions: 2 });
		assert.throws(() => checkPlacement("all"), /must be an object/);
		assert.throws(() => checkPlacement({ kind: "first" }), /needs positions/);
		assert.throws(() => checkPlacement({ kind: "later" }), /unknown placement kind "later"/);
	});

	it("names the steered positions of a 6-position prompt", () => {
		const range = (placement: SteeringPlacement) => steeredRange(placement, 6);
		assert.deepEqual(range({ kind: "all" }), { from: 0, to: Infinity });
		assert.deepEqual(range({ kind: "generated" }), { from: 6, to: Infinity });
		assert.deepEqual(range({ kind: "prompt" }), { from: 0, to: 6 });
		assert.deepEqual(range({ kind: "first", positions: 2 }), { from: 0, to: 2 });
		assert.deepEqual(range({ kind: "first", positions: 9 }), { from: 0, to: 6 });
		assert.throws(() => steeredRange({ kind: "all" }, -1), /promptLength/);
	});
});

describe("placed steering segments", () => {
	const nLayer = 4;
	const nEmbd = 2;
	const entry = (
		layer: number,
		values: [number, number],
		strength: number,
		placement?: SteeringPlacement
	): SteeringEntry => ({
		vector: { nEmbd, directions: new Map([[layer, Float32Array.from(values)]]) },
		strength,
		placement
	});
	// Rows of the (nLayer - 1) × nEmbd buffer: row 0 is block 1.
	const rows = (data: Float32Array) =>
		[0, 1, 2].map((row) => Array.from(data.subarray(row * nEmbd, (row + 1) * nEmbd)));
	/** Each segment's start, rows and block range, for comparing whole layouts at once. */
	const layout = (segments: ReturnType<typeof steeringSegments>) =>
		segments.map(({ from, buffer }) => ({
			from,
			rows: rows(buffer.data),
			start: buffer.layerStart,
			end: buffer.layerEnd
		}));

	it("knows when every entry steers every position", () => {
		assert.equal(everyPosition([entry(1, [1, 0], 1), entry(2, [0, 1], 1, { kind: "all" })]), true);
		assert.equal(everyPosition([entry(1, [1, 0], 1, { kind: "prompt" })]), false);
		assert.equal(everyPosition([]), true);
	});

	it("switches from zeros to the vector where generation starts, spanning the same blocks", () => {
		const segments = steeringSegments([entry(2, [3, 4], 0.5, { kind: "generated" })], nLayer, nEmbd, 5);
		assert.deepEqual(layout(segments), [
			{
				from: 0,
				rows: [
					[0, 0],
					[0, 0],
					[0, 0]
				],
				start: 2,
				end: 2
			},
			{
				from: 5,
				rows: [
					[0, 0],
					[1.5, 2],
					[0, 0]
				],
				start: 2,
				end: 2
			}
		]);
	});

	it("sums the entries active in each stretch and merges stretches that end up equal", () => {
		const segments = steeringSegments(
			[
				entry(1, [1, 0], 1, { kind: "first", positions: 2 }),
				entry(3, [0, 2], 1, { kind: "prompt" }),
				entry(3, [0, 2], 1, { kind: "generated" })
			],
			nLayer,
			nEmbd,
			4
		);
		assert.deepEqual(layout(segments), [
			{
				from: 0,
				rows: [
					[1, 0],
					[0, 0],
					[0, 2]
				],
				start: 1,
				end: 3
			},
			// From position 2 block 3's vector acts alone, in the prompt and in the answer alike: one segment.
			{
				from: 2,
				rows: [
					[0, 0],
					[0, 0],
					[0, 2]
				],
				start: 1,
				end: 3
			}
		]);
		assert.equal(segmentAt(segments, 0).from, 0);
		assert.equal(segmentAt(segments, 1).from, 0);
		assert.equal(segmentAt(segments, 7).from, 2);
	});

	it("has no segments when nothing is steered, and names a bad entry", () => {
		assert.deepEqual(steeringSegments([entry(1, [1, 0], 0, { kind: "prompt" })], nLayer, nEmbd, 3), []);
		assert.throws(
			() =>
				steeringSegments(
					[entry(1, [1, 0], 1), entry(1, [1, 0], 1, { kind: "first", positions: 0 })],
					nLayer,
					nEmbd,
					3
				),
			/steering vector 2: placement "first" needs positions/
		);
	});
});
