/**
 * A wait that ends early when its request is abandoned, so a debounced request that the next keystroke
 * supersedes never reaches the engine.
 */

/** Resolves true after `ms`, or false as soon as `signal` aborts (at once if it already has). */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<boolean> {
	if (signal.aborted) return Promise.resolve(false);
	if (ms <= 0) return Promise.resolve(true);
	return new Promise((resolve) => {
		const onAbort = () => {
			clearTimeout(timer);
			resolve(false);
		};
		const timer = setTimeout(() => {
			signal.removeEventListener("abort", onAbort);
			resolve(true);
		}, ms);
		signal.addEventListener("abort", onAbort, { once: true });
	});
}
