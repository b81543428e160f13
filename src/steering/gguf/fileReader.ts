import fs from "node:fs/promises";
import { GgufFormatError, GgufTruncatedError } from "./errors";
import { type GgufFile, type ReadGgufOptions, readGguf } from "./reader";

export interface ReadGgufFileOptions extends Omit<ReadGgufOptions, "fileSize"> {
	/** Bytes read first; the read doubles until the header fits. Headers of real models are 1–10 MB. */
	readonly initialChunkBytes?: number;
}

const DEFAULT_INITIAL_CHUNK = 1 << 20;

/**
 * Reads a GGUF file's header (metadata and tensor descriptions) without reading its tensor data:
 * a multi-gigabyte model costs only as many bytes as its header. Tensor ranges are still checked
 * against the real file size. I/O errors (missing file, permissions) are passed on as they are.
 */
export async function readGgufFile(path: string, options: ReadGgufFileOptions = {}): Promise<GgufFile> {
	const handle = await fs.open(path, "r");
	try {
		const { size } = await handle.stat();
		let chunk = Math.min(size, Math.max(64, options.initialChunkBytes ?? DEFAULT_INITIAL_CHUNK));
		for (;;) {
			const prefix = await readRange(handle, 0, chunk);
			try {
				return readGguf(prefix, { ...options, fileSize: size });
			} catch (error) {
				// The header goes on past what we read (but within the file): read twice as much and parse again.
				const ranOutOfPrefix =
					error instanceof GgufTruncatedError &&
					error.bytesAvailable === prefix.length &&
					prefix.length < size;
				if (!ranOutOfPrefix) throw withPath(error, path);
				chunk = Math.min(size, chunk * 2);
			}
		}
	} finally {
		await handle.close();
	}
}

async function readRange(handle: fs.FileHandle, position: number, length: number): Promise<Uint8Array> {
	const out = new Uint8Array(length);
	let done = 0;
	while (done < length) {
		const { bytesRead } = await handle.read(out, done, length - done, position + done);
		if (bytesRead === 0) break;
		done += bytesRead;
	}
	return done === length ? out : out.subarray(0, done);
}

/** Format errors get the file's path in front, so a message read in a log says which file. */
function withPath(error: unknown, path: string): unknown {
	if (error instanceof GgufFormatError && !error.message.startsWith(path))
		error.message = `${path}: ${error.message}`;
	return error;
}
