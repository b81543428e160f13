import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";

/** The few file operations an atomic write needs; injectable so that failures can be tested. */
export interface AtomicWriteFileSystem {
	open(filePath: string, flags: string): Promise<AtomicWriteFileHandle>;
	rename(from: string, to: string): Promise<void>;
	rm(filePath: string, options: { force: boolean }): Promise<void>;
}

export interface AtomicWriteFileHandle {
	writeFile(data: string | Uint8Array): Promise<void>;
	sync(): Promise<void>;
	close(): Promise<void>;
}

const nodeFileSystem: AtomicWriteFileSystem = {
	open: (filePath, flags) => fs.open(filePath, flags),
	rename: (from, to) => fs.rename(from, to),
	rm: (filePath, options) => fs.rm(filePath, options)
};

/**
 * The one way Steer writes a file (datasets, vectors, imported and exported files): replaces
 * `filePath` with `data` so that readers, and the file after a crash, see either the old content or
 * the new one, never a mix. The data goes to a uniquely named temporary file in the same
 * directory (a rename is atomic only within one file system), is flushed to disk, then renamed over
 * the target. On any failure the temporary file is removed and the previous file is left untouched.
 */
export async function writeFileAtomic(
	filePath: string,
	data: string | Uint8Array,
	fileSystem: AtomicWriteFileSystem = nodeFileSystem
): Promise<void> {
	const directory = path.dirname(filePath);
	const temporaryPath = path.join(
		directory,
		`.${path.basename(filePath)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`
	);
	let handle: AtomicWriteFileHandle | undefined;
	try {
		// "wx" fails if the name exists, so a leftover or a concurrent writer is never overwritten.
		handle = await fileSystem.open(temporaryPath, "wx");
		await handle.writeFile(data);
		await handle.sync();
		await handle.close();
		handle = undefined;
		await fileSystem.rename(temporaryPath, filePath);
	} catch (error) {
		await handle?.close().catch(() => undefined);
		await fileSystem.rm(temporaryPath, { force: true }).catch(() => undefined);
		throw error;
	}
	await syncDirectory(directory);
}

/**
 * Makes the rename itself durable. Not every platform can open a directory for syncing (Windows
 * cannot), and the data is already safe by then, so a failure here is ignored.
 */
async function syncDirectory(directory: string): Promise<void> {
	try {
		const handle = await fs.open(directory, "r");
		try {
			await handle.sync();
		} finally {
			await handle.close();
		}
	} catch {
		// Best effort only; see above.
	}
}
