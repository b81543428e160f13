import type { EngineErrorCode, SerializedError } from "./protocol";

/** An error raised by the engine or about it; `code` lets callers react without parsing messages. */
export class EngineError extends Error {
	constructor(
		readonly code: EngineErrorCode,
		message: string
	) {
		super(message);
		this.name = "EngineError";
	}

	static from(serialized: SerializedError): EngineError {
		return new EngineError(serialized.code, serialized.message);
	}

	serialize(): SerializedError {
		return { code: this.code, message: this.message };
	}
}

export function isCancellation(error: unknown): boolean {
	return error instanceof EngineError && error.code === "CANCELLED";
}
