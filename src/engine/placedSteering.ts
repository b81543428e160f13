/**
 * Steering whose vectors act at some positions only (see src/steering/placement.ts), laid out as the
 * control vectors to apply from each position on. llama.cpp adds one control vector to every row of a
 * batch, so a placement is realised by evaluating the sequence in segments and switching the vector
 * between them; KV entries already computed keep the steering they were computed under.
 *
 * Every segment's buffer spans the same blocks (the union over all entries), the blocks without a
 * vector there holding zeros: switching then changes tensor data only, never which blocks llama.cpp
 * adds a vector in, so no compute graph built for one segment can be reused with another's layout.
 * Adding zeros leaves a hidden state bit for bit as it was.
 */
import { checkPlacement, type SteeringPlacement, steeredRange } from "../steering/placement";
import { buildControlVectorBuffer, type ControlVectorBuffer } from "./controlVectorBuffer";
import { EngineError } from "./errors";
import type { SteeringEntry } from "./protocol";

export interface SteeringSegment {
	/** First position this buffer applies to; it applies until the next segment's `from`. */
	readonly from: number;
	readonly buffer: ControlVectorBuffer;
}

/** True when every entry acts at every position: one control vector, applied once, as llama.cpp does. */
export function everyPosition(entries: readonly SteeringEntry[]): boolean {
	return entries.every((entry, index) => placementOf(entry, index).kind === "all");
}

/** An entry's placement, checked: it may come from a message. */
function placementOf(entry: SteeringEntry, index: number): SteeringPlacement {
	if (entry.placement === undefined) return { kind: "all" };
	try {
		return checkPlacement(entry.placement);
	} catch (error) {
		throw new EngineError("BAD_REQUEST", `steering vector ${index + 1}: ${(error as Error).message}`);
	}
}

/**
 * The buffers to apply, in position order, for a sequence whose prompt takes `promptLength` positions
 * (BOS included); the first segment starts at 0. Empty when nothing is steered anywhere. Checks every
 * entry as buildControlVectorBuffer does.
 */
export function steeringSegments(
	entries: readonly SteeringEntry[],
	nLayer: number,
	nEmbd: number,
	promptLength: number
): SteeringSegment[] {
	const union = buildControlVectorBuffer(entries, nLayer, nEmbd);
	if (union === null) return [];
	const ranges = entries.map((entry, index) => steeredRange(placementOf(entry, index), promptLength));
	const boundaries = [...new Set([0, ...ranges.flatMap((range) => [range.from, range.to])])]
		.filter((position) => Number.isFinite(position))
		.sort((a, b) => a - b);
	const segments: SteeringSegment[] = [];
	for (const from of boundaries) {
		const active = entries.filter((_, index) => ranges[index]!.from <= from && from < ranges[index]!.to);
		const data = buildControlVectorBuffer(active, nLayer, nEmbd)?.data ?? new Float32Array(union.data.length);
		const previous = segments.at(-1);
		if (previous && sameValues(previous.buffer.data, data)) continue;
		segments.push({
			from,
			buffer: { data, layerStart: union.layerStart, layerEnd: union.layerEnd, layers: union.layers }
		});
	}
	return segments;
}

/** The segment in force at `position`. */
export function segmentAt(segments: readonly SteeringSegment[], position: number): SteeringSegment {
	let found = segments[0];
	if (found === undefined) throw new EngineError("INTERNAL", "no steering segments to choose from");
	for (const segment of segments) if (segment.from <= position) found = segment;
	return found;
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}
