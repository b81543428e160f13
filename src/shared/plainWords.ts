/** Wording shared by the host's views and the webviews, so a count reads the same everywhere. */

/** "1 pair", "3 pairs": a count with its noun, singular when it is one. */
export function countOf(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
