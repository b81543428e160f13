/**
 * How far a vector's strength has been measured, and the warning for a strength beyond it. A strength
 * is only as trustworthy as the measurements behind it: past the strongest fluent strength of a sweep,
 * text tends to loop or fall apart ("ice ice ice…"), and a vector never swept has been seen only within
 * the range the editor offers.
 */

/** What a strength sweep showed, by the size of the strength (the sign only picks the direction). */
export interface MeasuredStrengths {
	/** The largest |strength| up to which every swept strength stayed fluent; null when none did. */
	readonly fluentUpTo: number | null;
	/** The smallest swept |strength| whose text degenerated; null when none did. */
	readonly degeneratesAt: number | null;
	/** The largest |strength| swept. */
	readonly measuredUpTo: number;
}

/** Summarises sweep rows (strength, fluent) into what was measured; undefined for an empty sweep. */
export function measuredStrengths(
	rows: readonly { readonly strength: number; readonly fluent: boolean }[]
): MeasuredStrengths | undefined {
	if (rows.length === 0) return undefined;
	const sizes = [...rows]
		.map((row) => ({ size: Math.abs(row.strength), fluent: row.fluent }))
		.sort((a, b) => a.size - b.size);
	const firstBroken = sizes.find((row) => !row.fluent);
	const fluentBelow = sizes.filter((row) => row.fluent && (firstBroken === undefined || row.size < firstBroken.size));
	return {
		fluentUpTo: fluentBelow.length > 0 ? fluentBelow.at(-1)!.size : null,
		degeneratesAt: firstBroken?.size ?? null,
		measuredUpTo: sizes.at(-1)!.size
	};
}

/**
 * Why `strength` deserves a warning for a vector named `name`, or undefined when it lies within what
 * was measured and found fluent. `unmeasuredLimit`: for a vector never swept, the range the editor
 * offers (its slider), which is all that has been looked at.
 */
export function strengthWarning(
	name: string,
	strength: number,
	measured: MeasuredStrengths | undefined,
	unmeasuredLimit: number
): string | undefined {
	const size = Math.abs(strength);
	if (measured === undefined) {
		if (size <= unmeasuredLimit) return undefined;
		return `strength ${strength} is outside the range ${name} has been tried at (±${unmeasuredLimit}); run a strength sweep in the Playground to see where its text degenerates`;
	}
	const seen = describeMeasured(measured);
	if (measured.degeneratesAt !== null && size >= measured.degeneratesAt) {
		return `at strength ${strength}, ${name}'s text is likely to degenerate into repetition or garbage (${seen})`;
	}
	if (size > measured.measuredUpTo) return `strength ${strength} is beyond what ${name} was measured at (${seen})`;
	if (measured.fluentUpTo === null || size > measured.fluentUpTo)
		return `strength ${strength} is past the strongest fluent strength of ${name}'s sweep (${seen})`;
	return undefined;
}

/** "fluent up to 2, degenerates from 4 in the last sweep (swept up to 8)". */
export function describeMeasured(measured: MeasuredStrengths): string {
	const parts = [
		measured.fluentUpTo === null ? "no swept strength was fluent" : `fluent up to ${measured.fluentUpTo}`,
		measured.degeneratesAt === null ? undefined : `degenerates from ${measured.degeneratesAt}`
	].filter((part) => part !== undefined);
	return `${parts.join(", ")} in the last sweep, which went up to ${measured.measuredUpTo}`;
}
