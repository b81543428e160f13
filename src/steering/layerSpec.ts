/**
 * Parses a layer selection as users write it: `all`, a range `A-B` (inclusive), a list `i,j,k`, or a
 * mix `1,3-5`. Layers are llama.cpp block indices 0..nLayer-1.
 */
export function parseLayerSpec(text: string, nLayer: number): number[] {
	const trimmed = text.trim();
	if (trimmed === "all") return Array.from({ length: nLayer }, (_, i) => i);
	const layers = new Set<number>();
	for (const part of trimmed.split(",")) {
		const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
		if (!match) throw new RangeError(`cannot read layers "${text}": use all, A-B or i,j (e.g. 2-5 or 1,3)`);
		const first = Number(match[1]);
		const last = match[2] === undefined ? first : Number(match[2]);
		if (last < first) throw new RangeError(`layer range ${part.trim()} runs backwards`);
		if (last >= nLayer)
			throw new RangeError(`layer ${last} is out of range: this model has layers 0..${nLayer - 1}`);
		for (let layer = first; layer <= last; layer++) layers.add(layer);
	}
	return [...layers].sort((a, b) => a - b);
}
