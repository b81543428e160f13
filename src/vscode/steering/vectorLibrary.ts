/**
 * The control-vector files in Steer's vectors folder, parsed and kept in memory. A file that does not
 * parse is reported with its reason and left out; it never takes the others down with it.
 */
import { readdir, readFile, rename } from "node:fs/promises";
import path from "node:path";
import { pathExists } from "../../files/pathExists";
import { loadControlVectorFile } from "../../steering/gguf/controlVectorFile";
import type { SteeringVector } from "../../steering/vector";
import { VECTOR_EXTENSIONS } from "../../shared/fileNames";
import { writeFileAtomic } from "../../files/atomicWrite";
import { ensureFolder } from "../storage/steerFolders";
import { resolveTargetFileName, type IfExists } from "../storage/vectorFileNames";
import { fileInFolder } from "../storage/safeFileName";
import { vectorFileFacts, type VectorFileFacts } from "../training/pipeline";
import { requireTrustedWorkspace } from "../trust";
import { UserFacingError } from "../failures";

export interface LibraryVector {
	readonly fileName: string;
	readonly path: string;
	readonly name: string;
	readonly vector: SteeringVector;
	readonly modelHint?: string;
	readonly facts: VectorFileFacts;
}

export interface UnreadableVector {
	readonly fileName: string;
	readonly reason: string;
}

export class VectorLibrary {
	private vectors = new Map<string, LibraryVector>();
	private unreadable: UnreadableVector[] = [];
	/** Counts changes made to the folder from here (renames, imports), so a refresh can tell it read a stale listing. */
	private edits = 0;

	constructor(private readonly folder: string) {}

	get directory(): string {
		return this.folder;
	}

	list(): LibraryVector[] {
		return [...this.vectors.values()].sort((a, b) => a.fileName.localeCompare(b.fileName));
	}

	get(fileName: string): LibraryVector | undefined {
		return this.vectors.get(fileName);
	}

	/** Files that were skipped at the last refresh, with why. */
	get failures(): readonly UnreadableVector[] {
		return this.unreadable;
	}

	/**
	 * Re-reads the folder. Untrusted workspaces see no vectors: nothing is parsed there. A rename or an
	 * import made here while the folder was being read (the watcher's refresh runs on its own schedule)
	 * would be undone by the older listing, so then the folder is read again.
	 */
	async refresh(trusted: boolean): Promise<void> {
		for (;;) {
			const editsAtStart = this.edits;
			const vectors = new Map<string, LibraryVector>();
			const unreadable: UnreadableVector[] = [];
			if (trusted) {
				for (const fileName of await vectorFileNames(this.folder)) {
					try {
						vectors.set(fileName, await readVector(this.folder, fileName));
					} catch (error) {
						unreadable.push({ fileName, reason: error instanceof Error ? error.message : String(error) });
					}
				}
			}
			if (this.edits !== editsAtStart) continue;
			this.vectors = vectors;
			this.unreadable = unreadable;
			return;
		}
	}

	/**
	 * Validates `sourcePath` as a control vector, then copies it into the folder as `fileName`; when
	 * that name is taken, `ifExists` decides (asking by default). Returns the vector as stored.
	 */
	async importFile(sourcePath: string, fileName: string, ifExists: IfExists = "ask"): Promise<LibraryVector> {
		requireTrustedWorkspace("Importing a vector");
		let target = fileInFolder(this.folder, fileName, VECTOR_EXTENSIONS);
		// Parse before copying, so that a corrupt file is refused and never lands in the folder.
		const loaded = await loadControlVectorFile(sourcePath);
		if (path.resolve(sourcePath) !== target) {
			await ensureFolder(this.folder);
			const bytes = await readFile(sourcePath);
			target = fileInFolder(
				this.folder,
				await resolveTargetFileName(this.folder, fileName, ifExists, path.basename(sourcePath)),
				VECTOR_EXTENSIONS
			);
			await writeFileAtomic(target, bytes);
		}
		const storedName = path.basename(target);
		const facts = vectorFileFacts(loaded.metadata);
		const vector: LibraryVector = {
			fileName: storedName,
			path: target,
			name: path.basename(storedName, ".gguf"),
			vector: loaded.vector,
			modelHint: loaded.modelHint,
			facts
		};
		this.vectors.set(storedName, vector);
		this.edits++;
		return vector;
	}

	/**
	 * Renames a vector file within the folder; refuses a name that is taken or leaves the folder, so no
	 * file is ever replaced by a rename. Returns the new file name.
	 */
	async rename(fileName: string, newFileName: string): Promise<string> {
		requireTrustedWorkspace("Renaming a vector");
		const vector = this.vectors.get(fileName);
		if (!vector) throw new UserFacingError(`no vector named ${fileName}`);
		const target = fileInFolder(this.folder, newFileName, VECTOR_EXTENSIONS);
		if (target === vector.path) return fileName;
		if (await pathExists(target))
			throw new UserFacingError(`a vector named ${newFileName} already exists; pick another name`);
		await rename(vector.path, target);
		this.edits++;
		this.vectors.delete(fileName);
		const storedName = path.basename(target);
		this.vectors.set(storedName, {
			...vector,
			fileName: storedName,
			path: target,
			name: path.basename(storedName, path.extname(storedName))
		});
		return storedName;
	}

	async exportFile(fileName: string, destination: string): Promise<void> {
		const vector = this.vectors.get(fileName);
		if (!vector) throw new UserFacingError(`no vector named ${fileName}`);
		await writeFileAtomic(destination, await readFile(vector.path));
	}
}

async function vectorFileNames(folder: string): Promise<string[]> {
	try {
		const entries = await readdir(folder, { withFileTypes: true });
		return entries
			.filter(
				(entry) => entry.isFile() && entry.name.toLowerCase().endsWith(".gguf") && !entry.name.startsWith(".")
			)
			.map((entry) => entry.name);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
		throw error;
	}
}

async function readVector(folder: string, fileName: string): Promise<LibraryVector> {
	const filePath = fileInFolder(folder, fileName, VECTOR_EXTENSIONS);
	const loaded = await loadControlVectorFile(filePath);
	return {
		fileName,
		path: filePath,
		name: path.basename(fileName, path.extname(fileName)),
		vector: loaded.vector,
		modelHint: loaded.modelHint,
		facts: vectorFileFacts(loaded.metadata)
	};
}
