/**
 * Checks a model file before node-llama-cpp sees it, so that a missing, foreign or truncated file is
 * reported in words instead of llama.cpp's bare "Failed to load model". Reads only the GGUF header
 * (metadata and tensor descriptions) with Steer's own reader, never the tensor data.
 */
import { open, readFile, stat } from "node:fs/promises";
import { GgufDataTruncatedError, GgufFormatError, GgufTruncatedError } from "../steering/gguf/errors";
import { readGgufFile } from "../steering/gguf/fileReader";
import { readGguf } from "../steering/gguf/reader";
import { EngineError } from "./errors";

const ggufMagic = 0x46554747; // "GGUF" read as a little-endian u32
/**
 * Headers of real models are 1–10 MB, so a file whose header does not parse and is smaller than this
 * may be all header; larger ones are never read whole.
 */
const maxHeaderBytes = 64 * 1024 * 1024;

/**
 * Throws MODEL_LOAD_FAILED for a file llama.cpp cannot load: missing, not a file, not GGUF, or cut
 * short (its header, or the tensor data the header describes, runs past the end of the file).
 *
 * Returns what else Steer's reader found wrong with the header, if anything. That is not fatal on its
 * own, since llama.cpp may accept what this stricter reader does not; it explains a failed load.
 */
export async function checkModelFile(modelPath: string): Promise<string | undefined> {
	let size: number;
	try {
		const info = await stat(modelPath);
		if (!info.isFile()) throw new EngineError("MODEL_LOAD_FAILED", `${modelPath} is not a file`);
		size = info.size;
	} catch (error) {
		if (error instanceof EngineError) throw error;
		throw new EngineError("MODEL_LOAD_FAILED", `model file not found: ${modelPath}`);
	}
	const header = Buffer.alloc(4);
	const handle = await open(modelPath, "r");
	try {
		await handle.read(header, 0, 4, 0);
	} finally {
		await handle.close();
	}
	if (size < 4 || header.readUInt32LE(0) !== ggufMagic)
		throw new EngineError("MODEL_LOAD_FAILED", `${modelPath} is not a GGUF file`);
	try {
		await readGgufFile(modelPath, { allowUnknownTensorTypes: true });
		return undefined;
	} catch (error) {
		if (error instanceof GgufDataTruncatedError) {
			throw new EngineError(
				"MODEL_LOAD_FAILED",
				`${modelPath} is truncated: its tensor data ends at byte ${error.dataEnd} but the file has only ${error.fileSize} bytes; download or copy it again`
			);
		}
		if (!(error instanceof GgufFormatError)) throw error;
		if (
			error instanceof GgufTruncatedError ||
			(size <= maxHeaderBytes && headerGoesOnPastEnd(await readFile(modelPath)))
		) {
			throw new EngineError(
				"MODEL_LOAD_FAILED",
				`${modelPath} is truncated: its ${size} bytes end inside the GGUF header; download or copy it again`
			);
		}
		return error.message.startsWith(modelPath)
			? error.message.slice(modelPath.length).replace(/^:\s*/, "")
			: error.message;
	}
}

/**
 * Whether the header would parse if the file went on: read as the start of a longer file, it runs
 * out of bytes instead of being wrong. (Counts too large for the rest of a file are the reader's
 * other sign of truncation, and it cannot tell them from corruption by itself.)
 */
function headerGoesOnPastEnd(bytes: Uint8Array): boolean {
	try {
		readGguf(bytes, { fileSize: bytes.length + maxHeaderBytes, allowUnknownTensorTypes: true });
		return false;
	} catch (error) {
		return error instanceof GgufTruncatedError && error.bytesAvailable === bytes.length;
	}
}
