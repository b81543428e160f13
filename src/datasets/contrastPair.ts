/**
 * One contrast pair: two texts that differ only in the concept a steering vector should capture.
 *
 * With `prompt`, the pair is a shared prefix and its two completions; the full texts are
 * `prompt + positive` and `prompt + negative`, joined verbatim (no separator is inserted, so put the
 * space at the start of the completion: `"Lily was very"` + `" happy."`). Keeping the prefix apart lets
 * extraction read activations at the completion tokens only.
 *
 * For an instruct model a pair is a conversation: `system` (optional), the user's `prompt`, and the
 * assistant's reply that shows the behaviour (`positive`) or not (`negative`). Training renders it in
 * the model's own chat template (see planChatTemplate); as raw text a system prompt has no place, so
 * training without a template refuses pairs that have one rather than drop it.
 */
export interface ContrastPair {
	readonly positive: string;
	readonly negative: string;
	readonly prompt?: string;
	/** The system message of a conversation pair; needs a chat template. */
	readonly system?: string;
	/** Free-form tag, e.g. the persona or topic the pair was made from. */
	readonly label?: string;
	/** Unique within its dataset when present. */
	readonly id?: string;
}

/** A named list of contrast pairs, as stored in one `.jsonl` or `.csv` file. */
export interface Dataset {
	readonly name: string;
	readonly pairs: readonly ContrastPair[];
}

/** Every field a pair may have, in the order files write them. */
export const CONTRAST_PAIR_FIELDS = ["positive", "negative", "prompt", "system", "label", "id"] as const;

export type ContrastPairField = (typeof CONTRAST_PAIR_FIELDS)[number];

export const REQUIRED_CONTRAST_PAIR_FIELDS: readonly ContrastPairField[] = ["positive", "negative"];

/** The two complete texts a pair stands for, prompt included. */
export function pairTexts(pair: ContrastPair): { positive: string; negative: string } {
	const prefix = pair.prompt ?? "";
	return { positive: prefix + pair.positive, negative: prefix + pair.negative };
}

/**
 * The system message every pair (or example) shares, when they all have the same non-empty one: the
 * context the behaviour was written under, which calibration's neutral requests are then asked in too.
 * Undefined when any lacks it or they differ (then no one system message stands for the dataset).
 */
export function sharedSystemMessage(entries: readonly { readonly system?: string }[]): string | undefined {
	const first = entries[0]?.system;
	if (first === undefined || first.trim() === "") return undefined;
	return entries.every((entry) => entry.system === first) ? first : undefined;
}
