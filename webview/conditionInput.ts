/**
 * Reading the condition editor's free-text fields: the two prompt lists (one prompt a line) and the
 * threshold range and step. Mistakes are named here, before anything is sent to the host.
 */
import { MESSAGE_LIMITS } from "../src/shared/webviewProtocol/messages";
import type { Parsed } from "./sweepInput";

/** One prompt a line, trimmed, blank lines dropped; capped in count and length. */
export function parsePromptLines(text: string, what: string): Parsed<string[]> {
	const prompts = text
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter((line) => line.length > 0);
	if (prompts.length === 0) return { ok: false, error: `list at least one prompt ${what}, one a line` };
	if (prompts.length > MESSAGE_LIMITS.maxConditionPrompts)
		return { ok: false, error: `at most ${MESSAGE_LIMITS.maxConditionPrompts} prompts ${what}` };
	const long = prompts.find((prompt) => prompt.length > MESSAGE_LIMITS.maxConditionPromptLength);
	if (long)
		return {
			ok: false,
			error: `"${long.slice(0, 20)}…" is longer than ${MESSAGE_LIMITS.maxConditionPromptLength} characters`
		};
	return { ok: true, value: prompts };
}

export interface ThresholdGrid {
	readonly range: [number, number];
	readonly step: number;
}

/** Similarities are |cos| in [0, 1], so the thresholds searched lie there too. */
export function parseThresholdGrid(low: string, high: string, step: string): Parsed<ThresholdGrid> {
	const read = (entry: string) => (/^\s*(\d+\.?\d*|\.\d+)\s*$/.test(entry) ? Number(entry) : NaN);
	const [from, to, by] = [read(low), read(high), read(step)];
	if (!Number.isFinite(from) || !Number.isFinite(to) || from > 1 || to > 1)
		return { ok: false, error: "thresholds are similarities between 0 and 1" };
	if (to < from) return { ok: false, error: `the threshold range ${from}–${to} runs backwards` };
	if (!Number.isFinite(by) || by < MESSAGE_LIMITS.minConditionStep || by > 1)
		return { ok: false, error: `the step must be between ${MESSAGE_LIMITS.minConditionStep} and 1` };
	return { ok: true, value: { range: [from, to], step: by } };
}
