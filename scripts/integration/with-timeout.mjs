/** Rejects with `message` if `promise` has not settled after `ms`; nothing may hang in CI. */
export function withTimeout(promise, ms, message) {
	let timer;
	const timeout = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${message} (timed out after ${Math.round(ms / 1000)} s)`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Rejects with `message` if `promise` has not settled and `touch()` has not been called for `idleMs`.
 * A suite's total time grows with the machine's load (the same run took 4 minutes on a quiet machine
 * and more than 7 on a busy one), so a fixed limit on the total fails healthy runs; a limit on the
 * silence between reports only fails a run that has stopped reporting.
 * @template T
 * @param {Promise<T>} promise
 * @returns {{ settled: Promise<T>, touch: () => void }}
 */
export function withIdleTimeout(promise, idleMs, message) {
	let timer;
	let rejectIdle;
	const idle = new Promise((_, reject) => {
		rejectIdle = reject;
	});
	const touch = () => {
		clearTimeout(timer);
		timer = setTimeout(
			() => rejectIdle(new Error(`${message} (nothing reported for ${Math.round(idleMs / 1000)} s)`)),
			idleMs
		);
	};
	touch();
	return { settled: Promise.race([promise, idle]).finally(() => clearTimeout(timer)), touch };
}
