/**
 * Which token positions of a text to read hidden states from: the spec, its short text form (parse and
 * describe, which read each other back) and the check of a spec from a file or a message. Shared by the
 * engine (which resolves it per text), the CLI and the training pipeline, so it lives with the pure
 * steering code.
 */

/**
 * `last` keeps the last `count` tokens (default 1); `suffix` keeps the tokens after the item's `prompt`;
 * `all` keeps every token; `mean` averages the selected rows into one, leaving out the text's first token
 * when it has others (an attention sink with a huge state in every text; see the engine's positions).
 */
export interface PositionSpec {
	readonly select: "all" | "last" | "suffix";
	readonly count?: number;
	readonly mean?: boolean;
}

/** Every text form, in the order error messages list them; `K` is a whole number ≥ 1. */
export const POSITION_SPEC_FORMS = [
	"all",
	"mean",
	"last",
	"last:K",
	"last-mean",
	"last:K-mean",
	"suffix",
	"suffix-mean"
] as const;

const lastPattern = /^last(?::(.*?))?(-mean)?$/;

/**
 * Reads the short form users write (see POSITION_SPEC_FORMS): `all`, `mean` (all, averaged), `last`,
 * `last:K`, `last-mean`, `last:K-mean`, `suffix` and `suffix-mean`. Surrounding spaces are ignored;
 * anything else is a one-line RangeError that lists the valid forms.
 */
export function parsePositionSpec(text: string): PositionSpec {
	const trimmed = text.trim();
	switch (trimmed) {
		case "all":
			return { select: "all" };
		case "mean":
			return { select: "all", mean: true };
		case "suffix":
			return { select: "suffix" };
		case "suffix-mean":
			return { select: "suffix", mean: true };
	}
	const last = lastPattern.exec(trimmed);
	if (last) {
		const countText = last[1];
		const count = countText === undefined ? 1 : /^\d+$/.test(countText) ? Number(countText) : Number.NaN;
		if (!Number.isSafeInteger(count) || count < 1) {
			throw new RangeError(`positions "${text}": last:K needs a whole number K ≥ 1, got "${countText ?? ""}"`);
		}
		return { select: "last", count, ...(last[2] === undefined ? {} : { mean: true }) };
	}
	throw new RangeError(
		`unknown positions "${text}"; use ${POSITION_SPEC_FORMS.slice(0, -1).join(", ")} or ${POSITION_SPEC_FORMS.at(-1)}`
	);
}

/** The short form of a spec, for display and metadata; parsePositionSpec reads it back to the same spec. */
export function describePositionSpec(spec: PositionSpec): string {
	const mean = spec.mean === true;
	switch (spec.select) {
		case "all":
			return mean ? "mean" : "all";
		case "suffix":
			return mean ? "suffix-mean" : "suffix";
		case "last": {
			const count = spec.count ?? 1;
			if (!Number.isSafeInteger(count) || count < 1)
				throw new RangeError(`positions.count must be a whole number ≥ 1, got ${count}`);
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
