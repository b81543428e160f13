/**
 * Which token positions of a text to read hidden states from. Shared by the engine (which resolves it
 * per text) and the training pipeline (which asks for it), so it lives with the pure steering code.
 */

/**
 * `last` keeps the last `count` tokens (default 1); `suffix` keeps the tokens after the item's `prompt`;
 * `all` keeps every token; `mean` averages the selected rows into one.
 */
export interface PositionSpec {
	readonly select: "all" | "last" | "suffix";
	readonly count?: number;
	readonly mean?: boolean;
}

/** The short form users write (all, last, last:K, mean, suffix, suffix-mean, last:K-mean), for display and metadata. */
export function describePositionSpec(spec: PositionSpec): string {
	const mean = spec.mean === true;
	switch (spec.select) {
		case "all":
			return mean ? "mean" : "all";
		case "suffix":
			return mean ? "suffix-mean" : "suffix";
		case "last": {
			const count = spec.count ?? 1;
			const base = count === 1 ? "last" : `last:${count}`;
			return mean ? `${base}-mean` : base;
		}
		default:
			throw new RangeError(`unknown position selection ${JSON.stringify((spec as { select: unknown }).select)}`);
	}
}

/** Checks a spec that came from outside (a file, a message); returns it typed or throws a one-line RangeError. */
export function checkPositionSpec(value: unknown): PositionSpec {
	if (typeof value !== "object" || value === null)
		throw new RangeError('positions must be an object such as {"select":"last"}');
	const { select, count, mean } = value as Record<string, unknown>;
	if (select !== "all" && select !== "last" && select !== "suffix") {
		throw new RangeError(`positions.select must be "all", "last" or "suffix", got ${JSON.stringify(select)}`);
	}
	if (count !== undefined && !(typeof count === "number" && Number.isInteger(count) && count >= 1)) {
		throw new RangeError(`positions.count must be a whole number ≥ 1, got ${JSON.stringify(count)}`);
	}
	if (mean !== undefined && typeof mean !== "boolean")
		throw new RangeError(`positions.mean must be true or false, got ${JSON.stringify(mean)}`);
	return {
		select,
		...(count === undefined ? {} : { count: count as number }),
		...(mean === undefined ? {} : { mean: mean as boolean })
	};
}
