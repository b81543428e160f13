/**
 * Datasets in Steer's datasets folder, by file name. File names are checked before they become paths
 * (they may come from the webview); reading and writing go through the datasets module, which
 * validates every pair and writes atomically.
 */
import { pathExists } from "../../files/pathExists";
import {
	deleteDataset,
	listDatasets,
	loadDataset,
	readDataset,
	renameDataset,
	saveDataset,
	type ContrastPair,
	type DatasetFileEntry,
	type DatasetFileReading,
	type LoadedDataset
} from "../../datasets";
import { DATASET_EXTENSIONS } from "../../shared/fileNames";
import { UserFacingError } from "../failures";
import { fileInFolder } from "./safeFileName";
import { ensureFolder } from "./steerFolders";

export class DatasetStore {
	constructor(private readonly folder: string) {}

	get directory(): string {
		return this.folder;
	}

	list(): Promise<DatasetFileEntry[]> {
		return listDatasets(this.folder);
	}

	pathOf(fileName: string): string {
		return fileInFolder(this.folder, fileName, DATASET_EXTENSIONS);
	}

	load(fileName: string): Promise<LoadedDataset> {
		return loadDataset(this.pathOf(fileName));
	}

	/** The valid pairs and every problem, for the grid; it never refuses a file for its content. */
	read(fileName: string): Promise<DatasetFileReading> {
		return readDataset(this.pathOf(fileName));
	}

	/**
	 * Refused (DatasetSaveRefusedError, nothing written) when the file has lines that are not valid
	 * pairs, or changed since `expectedRevision` was read. Returns the revision written.
	 */
	async save(fileName: string, pairs: readonly ContrastPair[], expectedRevision?: string): Promise<string> {
		await ensureFolder(this.folder);
		return saveDataset(this.pathOf(fileName), { name: fileName, pairs }, { expectedRevision });
	}

	/** Creates an empty dataset; refuses to replace an existing one. */
	async create(fileName: string): Promise<string> {
		const target = this.pathOf(fileName);
		if (await pathExists(target))
			throw new UserFacingError(`a dataset named ${fileName} already exists in ${this.folder}`);
		await ensureFolder(this.folder);
		// An empty file is a valid JSONL dataset with no pairs yet; saveDataset would write the same.
		await saveDataset(target, { name: fileName, pairs: [] });
		return target;
	}

	async append(fileName: string, pair: ContrastPair): Promise<number> {
		const dataset = await this.load(fileName);
		const pairs = [...dataset.pairs, pair];
		await this.save(fileName, pairs);
		return pairs.length;
	}

	/**
	 * Renames within the folder. The new name is checked by the datasets module alone (no separators,
	 * no "..", same extension, not an existing dataset) so that its reasons reach the user unchanged.
	 */
	rename(fileName: string, newFileName: string): Promise<string> {
		return renameDataset(this.folder, fileName, newFileName);
	}

	delete(fileName: string): Promise<void> {
		return deleteDataset(this.folder, fileName);
	}
}
