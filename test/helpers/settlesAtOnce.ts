/**
 * Whether `promise` settles before the event loop's next turn, that is on events and promise
 * callbacks alone, without waiting for a timer, a process or any I/O. A check of "at once" that does
 * not depend on how busy the machine is.
 */
export async function settlesAtOnce(promise: Promise<unknown>): Promise<boolean> {
	const nextTurn = new Promise<"pending">((resolve) => setImmediate(() => resolve("pending")));
	const settled = promise.then(
		() => "settled" as const,
		() => "settled" as const
	);
	return (await Promise.race([settled, nextTurn])) === "settled";
}
