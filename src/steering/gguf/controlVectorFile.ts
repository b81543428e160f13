import fs from "node:fs/promises";
import { writeFileAtomic } from "../../files/atomicWrite";
import type { SteeringVector } from "../vector";
import { GgufFormatError } from "./errors";
import {
	type ControlVectorFile,
	type ReadControlVectorOptions,
	type WriteControlVectorOptions,
	readControlVector,
	writeControlVector
} from "./controlVector";

/**
 * Control vectors are small (layers × width × 4 bytes: 64 layers of 8192 are 2 MiB). Anything far
 * larger is not a control vector, and is refused before it is read into memory.
 */
export const MAX_CONTROL_VECTOR_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Writes a control vector atomically (readers, and the file after a crash, see the old content or the
 * new, never a mix). Whether an existing file may be replaced is the caller's decision.
 */
export async function saveControlVectorFile(
	filePath: string,
	vector: SteeringVector,
	options: WriteControlVectorOptions
): Promise<void> {
	await writeFileAtomic(filePath, writeControlVector(vector, options));
}

/** Reads and validates a control-vector file (see readControlVector). */
export async function loadControlVectorFile(
	filePath: string,
	options: ReadControlVectorOptions = {}
): Promise<ControlVectorFile> {
	const { size } = await fs.stat(filePath);
	if (size > MAX_CONTROL_VECTOR_FILE_BYTES) {
		throw new GgufFormatError(
			`${filePath} is ${size} bytes, far more than any control vector (limit ${MAX_CONTROL_VECTOR_FILE_BYTES}); is it a model file?`
		);
	}
	const bytes = await fs.readFile(filePath);
	try {
		return readControlVector(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
	} catch (error) {
		if (error instanceof GgufFormatError) error.message = `${filePath}: ${error.message}`;
		throw error;
	}
}
