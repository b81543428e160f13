/**
 * Upper bounds on what a dataset file may hold. Datasets come from users and from disk, so a
 * mistakenly chosen multi-gigabyte log file must fail fast with a clear message rather than exhaust
 * the memory of the extension host or the engine.
 */
export interface DatasetLimits {
	/** Most lines a JSONL file may have (blank ones included), or most records a CSV file may have. */
	readonly maxLines: number;
	/** Most characters one JSONL line, or one CSV record, may have. */
	readonly maxLineLength: number;
	/** Most bytes a dataset file may have before it is even read. */
	readonly maxFileBytes: number;
}

export const DEFAULT_DATASET_LIMITS: DatasetLimits = {
	maxLines: 100_000,
	maxLineLength: 100_000,
	maxFileBytes: 64 * 1024 * 1024
};

export function resolveDatasetLimits(overrides: Partial<DatasetLimits> = {}): DatasetLimits {
	const limits = { ...DEFAULT_DATASET_LIMITS, ...overrides };
	for (const [name, value] of Object.entries(limits)) {
		if (!Number.isInteger(value) || value < 1) {
			throw new RangeError(`Dataset limit ${name} must be a positive integer, got ${String(value)}.`);
		}
	}
	return limits;
}
