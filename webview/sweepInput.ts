/**
 * Reading the sweep form's free-text fields. Mistakes are caught here, with the entry that is wrong,
 * rather than sent to the host and refused there with a reason about message fields.
 */
import { MESSAGE_LIMITS } from "../src/shared/webviewProtocol/messages";

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** "-4, -2, 0, 2, 4" (commas or spaces) → ascending distinct strengths. */
export function parseStrengthList(text: string): Parsed<number[]> {
	const entries = text.split(/[\s,;]+/).filter((entry) => entry.length > 0);
	if (entries.length === 0) return { ok: false, error: "list at least one strength, e.g. 0, 2, 4, 8" };
	const strengths: number[] = [];
	for (const entry of entries) {
		// Number("") and Number("0x10") are numbers too; only plain decimals are strengths here.
		const value = /^[-+−]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(entry) ? Number(entry.replace("−", "-")) : NaN;
		if (!Number.isFinite(value)) return { ok: false, error: `"${entry}" is not a number` };
		if (Math.abs(value) > MESSAGE_LIMITS.maxStrength)
			return { ok: false, error: `${entry} is beyond ±${MESSAGE_LIMITS.maxStrength}` };
		strengths.push(value);
	}
	const distinct = [...new Set(strengths)].sort((a, b) => a - b);
	if (distinct.length > MESSAGE_LIMITS.maxSweepStrengths)
		return { ok: false, error: `at most ${MESSAGE_LIMITS.maxSweepStrengths} strengths per sweep` };
	return { ok: true, value: distinct };
}

/** "happy, joy, smile" → the words, trimmed, without empty ones. */
export function parseKeywords(text: string): Parsed<string[]> {
	const words = text
		.split(",")
		.map((word) => word.trim())
		.filter((word) => word.length > 0);
	if (words.length > MESSAGE_LIMITS.maxKeywords)
		return { ok: false, error: `at most ${MESSAGE_LIMITS.maxKeywords} concept words` };
	const long = words.find((word) => word.length > MESSAGE_LIMITS.maxKeywordLength);
	if (long)
		return {
			ok: false,
			error: `"${long.slice(0, 20)}…" is longer than ${MESSAGE_LIMITS.maxKeywordLength} characters`
		};
	return { ok: true, value: words };
}
