/**
 * Raised for any GGUF input that cannot be trusted: wrong magic, truncation, impossible counts,
 * unknown types, inconsistent tensors. Every reader in this folder throws only this class (or a
 * subclass) for bad input, so callers can tell "the file is bad" from "the program is wrong".
 */
export class GgufFormatError extends Error {
	override readonly name: string = "GgufFormatError";

	/**
	 * @param message what is wrong, in words a user can act on
	 * @param offset byte offset in the file where the problem was found, when it has one
	 */
	constructor(
		message: string,
		readonly offset?: number
	) {
		super(offset === undefined ? message : `${message} (at byte ${offset})`);
	}
}

/**
 * Raised by the reader when the bytes ended before the header did. Kept apart from other format
 * errors because a reader that was handed only a prefix of a file can answer it by reading more.
 */
export class GgufTruncatedError extends GgufFormatError {
	override readonly name: string = "GgufTruncatedError";

	/**
	 * @param what what was being read when the bytes ran out
	 * @param offset where that read started
	 * @param bytesNeeded how many bytes the read needed from `offset`
	 * @param bytesAvailable how many bytes the input had in all
	 */
	constructor(
		what: string,
		offset: number,
		readonly bytesNeeded: number,
		readonly bytesAvailable: number
	) {
		super(
			`file is truncated: ${what} needs ${bytesNeeded} byte(s) but only ${Math.max(0, bytesAvailable - offset)} remain of ${bytesAvailable}`,
			offset
		);
	}
}

/**
 * Raised when the header is whole but the tensor data it describes runs past the end of the file:
 * what a download or copy cut short looks like (a corrupt tensor offset looks the same).
 */
export class GgufDataTruncatedError extends GgufFormatError {
	override readonly name: string = "GgufDataTruncatedError";

	/**
	 * @param dataEnd the byte where the last tensor's data ends
	 * @param fileSize the file's size
	 */
	constructor(
		readonly dataEnd: number,
		readonly fileSize: number
	) {
		super(`tensor data ends at byte ${dataEnd} but the file has only ${fileSize} bytes (truncated file?)`);
	}
}

/** Raised by the writer when asked to write something GGUF (or llama.cpp) cannot represent. */
export class GgufWriteError extends Error {
	override readonly name: string = "GgufWriteError";
}
