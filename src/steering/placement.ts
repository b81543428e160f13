/**
 * Where in the token sequence a steering vector acts. llama.cpp adds a control vector at every
 * position; CAA steers only the generated tokens, and ActAdd injects at the first few positions of
 * the prompt, and which one is chosen matters for fluency. The spec, its short text form (parse and
 * describe read each other back), the check of a spec from a file or a message, and the positions it
 * steers. Shared by the engine, the CLI, the editor and the vector file's metadata.
 */

/**
 * `all`: every position (llama.cpp's behaviour; the default). `generated`: only the positions of
 * generated tokens, the prompt evaluated unsteered (so the first generated token is still predicted
 * from the unsteered prompt, as in CAA). `prompt`: only the prompt's positions, the generated tokens
 * evaluated unsteered. `first`: the first `positions` positions of the sequence (ActAdd), counting the
 * begin-of-text token as the first where the model uses one.
 */
export type SteeringPlacement =
	| { readonly kind: "all" }
	| { readonly kind: "generated" }
	| { readonly kind: "prompt" }
	| { readonly kind: "first"; readonly positions: number };

/**
 * The vector file key (a string in the short form) that says where its vector is meant to act, as
 * chosen when it was trained; readers steer every position when it is absent. llama.cpp ignores it.
 */
export const PLACEMENT_METADATA_KEY = "steer.placement";

/** Every text form, in the order error messages list them; `K` is a whole number ≥ 1. */
export const PLACEMENT_FORMS = ["all", "generated", "prompt", "first:K"] as const;

/** A few words per form, for the editor's choices. */
export const PLACEMENT_LABELS: Readonly<Record<SteeringPlacement["kind"], string>> = {
	all: "every token",
	generated: "generated tokens",
	prompt: "prompt tokens",
	first: "first K tokens"
};

/** One line per form, for help texts and the editor's choices. */
export const PLACEMENT_DESCRIPTIONS: Readonly<Record<SteeringPlacement["kind"], string>> = {
	all: "every token, prompt and answer (llama.cpp's behaviour)",
	generated: "only the generated tokens; the prompt is read unsteered",
	prompt: "only the prompt's tokens; the answer is generated unsteered",
	first: "only the first K tokens of the prompt (ActAdd)"
};

/** PLACEMENT_DESCRIPTIONS' line for this placement, with K filled in. */
export function explainPlacement(placement: SteeringPlacement): string {
	const line = PLACEMENT_DESCRIPTIONS[placement.kind];
	return placement.kind === "first" ? line.replace("K", String(placement.positions)) : line;
}

/** Reads `all`, `generated`, `prompt` or `first:K`; anything else is a one-line RangeError listing the forms. */
export function parsePlacement(text: string): SteeringPlacement {
	const trimmed = text.trim();
	if (trimmed === "all" || trimmed === "generated" || trimmed === "prompt") return { kind: trimmed };
	const first = /^first:(.*)$/.exec(trimmed);
	if (first) {
		const count = /^\d+$/.test(first[1]!) ? Number(first[1]) : Number.NaN;
		if (!Number.isSafeInteger(count) || count < 1)
			throw new RangeError(`placement "${text}": first:K needs a whole number K ≥ 1, got "${first[1]}"`);
		return { kind: "first", positions: count };
	}
	throw new RangeError(`unknown placement "${text}"; use ${PLACEMENT_FORMS.join(", ")}`);
}

/** The short form `parsePlacement` reads back. */
export function describePlacement(placement: SteeringPlacement): string {
	return placement.kind === "first" ? `first:${placement.positions}` : placement.kind;
}

/** Checks a placement that arrived as data (a message, a file); throws a RangeError naming what is wrong. */
export function checkPlacement(value: unknown): SteeringPlacement {
	if (typeof value !== "object" || value === null) throw new RangeError("placement must be an object with a kind");
	const { kind, positions } = value as { kind?: unknown; positions?: unknown };
	if (kind === "all" || kind === "generated" || kind === "prompt") return { kind };
	if (kind === "first") {
		if (typeof positions !== "number" || !Number.isSafeInteger(positions) || positions < 1)
			throw new RangeError(`placement "first" needs positions, a whole number ≥ 1, got ${String(positions)}`);
		return { kind, positions };
	}
	throw new RangeError(`unknown placement kind ${JSON.stringify(kind)}; use ${PLACEMENT_FORMS.join(", ")}`);
}

/**
 * The positions a placement steers, as one range [from, to) (`to` may be Infinity), for a sequence
 * whose prompt takes `promptLength` positions (the begin-of-text token included). Positions from
 * `promptLength` on are generated tokens.
 */
export function steeredRange(
	placement: SteeringPlacement,
	promptLength: number
): { readonly from: number; readonly to: number } {
	if (!Number.isInteger(promptLength) || promptLength < 0)
		throw new RangeError(`promptLength must be a whole number ≥ 0, got ${promptLength}`);
	switch (placement.kind) {
		case "all":
			return { from: 0, to: Number.POSITIVE_INFINITY };
		case "generated":
			return { from: promptLength, to: Number.POSITIVE_INFINITY };
		case "prompt":
			return { from: 0, to: promptLength };
		case "first":
			return { from: 0, to: Math.min(placement.positions, promptLength) };
	}
}
