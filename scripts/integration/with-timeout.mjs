/** Rejects with `message` if `promise` has not settled after `ms`; nothing may hang in CI. */
export function withTimeout(promise, ms, message) {
	let timer;
	const timeout = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(`${message} (timed out after ${Math.round(ms / 1000)} s)`)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
