import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { SteeringVector } from "../vector";
import { GgufFormatError } from "./errors";
import { type ControlVectorFile, type ReadControlVectorOptions, type WriteControlVectorOptions, readControlVector, writeControlVector } from "./controlVector";

/**
 * Control vectors are small (layers × width × 4 bytes: 64 layers of 8192 are 2 MiB). Anything far
 * larger is not a control vector, and is refused before it is read into memory.
 */
export const MAX_CONTROL_VECTOR_FILE_BYTES = 256 * 1024 * 1024;

/**
 * Writes a control vector so that readers never see a half-written file: the bytes go to a temporary
 * file in the same folder, which then replaces `filePath` in one rename.
 */
export async function saveControlVectorFile(filePath: string, vector: SteeringVector, options: WriteControlVectorOptions): Promise<void> {
	const bytes = writeControlVector(vector, options);
	const temporary = path.join(path.dirname(filePath), `.${path.basename(filePath)}.${randomBytes(6).toString("hex")}.tmp`);
	try {
		await fs.writeFile(temporary, bytes, { flag: "wx" });
		await fs.rename(temporary, filePath);
	} catch (error) {
		await fs.rm(temporary, { force: true });
		throw error;
	}
}

/** Reads and validates a control-vector file (see readControlVector). */
export async function loadControlVectorFile(filePath: string, options: ReadControlVectorOptions = {}): Promise<ControlVectorFile> {
	const { size } = await fs.stat(filePath);
	if (size > MAX_CONTROL_VECTOR_FILE_BYTES) {
		throw new GgufFormatError(`${filePath} is ${size} bytes, far more than any control vector (limit ${MAX_CONTROL_VECTOR_FILE_BYTES}); is it a model file?`);
	}
	const bytes = await fs.readFile(filePath);
	try {
		return readControlVector(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
	} catch (error) {
		if (error instanceof GgufFormatError) error.message = `${filePath}: ${error.message}`;
		throw error;
	}
}
