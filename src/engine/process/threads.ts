import os from "node:os";

/**
 * Threads for llama.cpp when the user asks for "auto".
 *
 * llama.cpp's workers spin-wait at every graph barrier. When the thread count reaches the number of
 * cores the process can really use, any other busy thread (Node's own, the editor, a second model)
 * deschedules one worker and all the others spin until it returns: measured on a 2-core machine,
 * 2 threads generated 35–70× slower than 1 and 4 threads ~1000× slower. So "auto" leaves one core
 * free and caps the count where extra threads stop paying off for token-by-token generation.
 * scripts/bench-engine.ts checks the choice against every fixed count on the machine at hand.
 */
export function autoThreadCount(availableCores: number = os.availableParallelism()): number {
	const usable = Math.max(1, Math.floor(availableCores) - 1);
	return Math.min(usable, 8);
}

export function resolveThreads(requested: "auto" | number | undefined): number {
	if (requested === undefined || requested === "auto") return autoThreadCount();
	if (!Number.isInteger(requested) || requested < 1)
		throw new RangeError(`threads must be "auto" or a whole number ≥ 1, got ${requested}`);
	return requested;
}
