import assert from "node:assert/strict";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic, type AtomicWriteFileSystem } from "../../src/files/atomicWrite";
import { DatasetSaveRefusedError, DatasetValidationError } from "../../src/datasets/issues";
import {
	deleteDataset,
	listDatasets,
	loadDataset,
	readDataset,
	renameDataset,
	saveDataset
} from "../../src/datasets/storage";

describe("datasets: storage", () => {
	let directory: string;

	beforeEach(async () => {
		directory = await fs.mkdtemp(path.join(os.tmpdir(), "steer-datasets-"));
	});

	afterEach(async () => {
		await fs.rm(directory, { recursive: true, force: true });
	});

	const pairs = [
		{ positive: "Lily was happy.", negative: "Lily was sad.", id: "1" },
		{ prompt: "Tom felt", positive: ' glad, "very"\nglad.', negative: " upset." }
	];

	describe("writeFileAtomic", () => {
		it("creates and replaces a file, leaving no temporary file behind", async () => {
			const target = path.join(directory, "a.jsonl");
			await writeFileAtomic(target, "first");
			await writeFileAtomic(target, new TextEncoder().encode("second"));
			assert.equal(await fs.readFile(target, "utf8"), "second");
			assert.deepEqual(await fs.readdir(directory), ["a.jsonl"]);
		});

		it("keeps the previous file intact and removes the temporary file when writing fails midway", async () => {
			const target = path.join(directory, "a.jsonl");
			await fs.writeFile(target, "previous content");
			const failingMidWrite: AtomicWriteFileSystem = {
				open: async (filePath, flags) => {
					const handle = await fs.open(filePath, flags);
					return {
						writeFile: async (data) => {
							await handle.writeFile(String(data).slice(0, 3));
							throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
						},
						sync: () => handle.sync(),
						close: () => handle.close()
					};
				},
				rename: (from, to) => fs.rename(from, to),
				rm: (filePath, options) => fs.rm(filePath, options)
			};
			await assert.rejects(writeFileAtomic(target, "new content", failingMidWrite), /no space left on device/);
			assert.equal(await fs.readFile(target, "utf8"), "previous content");
			assert.deepEqual(await fs.readdir(directory), ["a.jsonl"]);
		});

		it("cleans up when the final rename fails", async () => {
			const target = path.join(directory, "occupied");
			await fs.mkdir(target);
			await fs.writeFile(path.join(target, "inside"), "x");
			await assert.rejects(writeFileAtomic(target, "data"));
			assert.deepEqual(await fs.readdir(directory), ["occupied"]);
			assert.deepEqual(await fs.readdir(target), ["inside"]);
		});
	});

	describe("save and load", () => {
		for (const extension of [".jsonl", ".csv"]) {
			it(`round-trips a dataset through a ${extension} file`, async () => {
				const file = path.join(directory, `moods${extension}`);
				await saveDataset(file, { name: "ignored", pairs });
				const loaded = await loadDataset(file);
				assert.deepEqual(loaded, { name: "moods", pairs, examples: [], warnings: [] });
			});
		}

		it("writes the format the extension names", async () => {
			const file = path.join(directory, "x.csv");
			await saveDataset(file, { name: "x", pairs: [{ positive: "a", negative: "b" }] });
			assert.equal(await fs.readFile(file, "utf8"), "positive,negative\r\na,b\r\n");
		});

		it("refuses to save invalid pairs and leaves the previous file as it was", async () => {
			const file = path.join(directory, "x.jsonl");
			await saveDataset(file, { name: "x", pairs });
			const before = await fs.readFile(file, "utf8");
			await assert.rejects(
				saveDataset(file, { name: "x", pairs: [{ positive: "same", negative: "same" }] }),
				(error: unknown) =>
					error instanceof DatasetValidationError &&
					error.issues[0]!.line === 1 &&
					error.issues[0]!.field === "negative"
			);
			assert.equal(await fs.readFile(file, "utf8"), before);
		});

		it("reports load problems with the file path and refuses unknown extensions and huge files", async () => {
			const bad = path.join(directory, "bad.jsonl");
			await fs.writeFile(bad, '{"positive": "a", "negative": "b"}\n{"positive": "a"}\n');
			await assert.rejects(
				loadDataset(bad),
				(error: unknown) =>
					error instanceof DatasetValidationError &&
					error.message.includes(`${bad}:2: field "negative": required field is missing`)
			);
			await assert.rejects(loadDataset(path.join(directory, "d.txt")), /must end in \.jsonl or \.csv/);
			await assert.rejects(
				saveDataset(path.join(directory, "d.json"), { name: "d", pairs }),
				/must end in \.jsonl or \.csv/
			);
			await assert.rejects(loadDataset(bad, { maxFileBytes: 10 }), /has 53 bytes, more than the limit of 10/);
			await assert.rejects(loadDataset(path.join(directory, "missing.jsonl")), { code: "ENOENT" });
		});

		it("returns warnings alongside the pairs", async () => {
			const file = path.join(directory, "twice.jsonl");
			await fs.writeFile(file, '{"positive": "a", "negative": "b"}\n{"positive": "a", "negative": "b"}\n');
			const loaded = await loadDataset(file);
			assert.equal(loaded.pairs.length, 2);
			assert.deepEqual(
				loaded.warnings.map((warning) => warning.line),
				[2]
			);
		});
	});

	describe("files with lines Steer cannot read", () => {
		// A misspelled field, a valid pair, a line that is not JSON: the file a user hit.
		const typo =
			'{"postive": "Lily smiled.", "negative": "Lily cried."}\n{"positive": "A happy day.", "negative": "A sad day."}\nnot json at all\n';

		it("reads the valid pairs and every problem with its line and field", async () => {
			const file = path.join(directory, "typo.jsonl");
			await fs.writeFile(file, typo);
			const reading = await readDataset(file);
			assert.deepEqual(reading.pairs, [{ positive: "A happy day.", negative: "A sad day." }]);
			assert.deepEqual(
				reading.errors.map(({ line, field }) => [line, field]),
				[
					[1, "postive"],
					[1, "positive"],
					[3, undefined]
				]
			);
			assert.match(reading.errors[0]!.message, /unknown field; did you mean "positive"\?/);
			assert.match(reading.errors[2]!.message, /^invalid JSON/);
			assert.equal(reading.revision.length, 64);
		});

		it("refuses to save over them, keeping the invalid and the valid lines byte for byte", async () => {
			const file = path.join(directory, "typo.jsonl");
			await fs.writeFile(file, typo);
			await assert.rejects(
				saveDataset(file, { name: "typo", pairs: [{ positive: "New joy.", negative: "New gloom." }] }),
				(error: unknown) =>
					error instanceof DatasetSaveRefusedError &&
					error.reason === "unreadable-lines" &&
					error.message.includes("typo.jsonl has 2 lines Steer cannot read (lines 1, 3)") &&
					error.issues.length === 3
			);
			assert.equal(await fs.readFile(file, "utf8"), typo);
			assert.deepEqual(await fs.readdir(directory), ["typo.jsonl"]);
		});

		it("refuses the same for a CSV file whose record does not match its header", async () => {
			const file = path.join(directory, "typo.csv");
			const csv = "positive,negative\nLily smiled.,Lily cried.\nonly one field\n";
			await fs.writeFile(file, csv);
			const reading = await readDataset(file);
			assert.equal(reading.pairs.length, 1);
			assert.deepEqual(
				reading.errors.map((issue) => issue.line),
				[3]
			);
			await assert.rejects(saveDataset(file, { name: "typo", pairs }), {
				name: "DatasetSaveRefusedError",
				reason: "unreadable-lines"
			});
			assert.equal(await fs.readFile(file, "utf8"), csv);
		});

		it("refuses to save over a file that changed since the revision the caller read, and saves when it did not", async () => {
			const file = path.join(directory, "a.jsonl");
			await saveDataset(file, { name: "a", pairs });
			const { revision } = await readDataset(file);
			const edited = '{"positive": "Edited elsewhere.", "negative": "Kept."}\n';
			await fs.writeFile(file, edited);
			await assert.rejects(saveDataset(file, { name: "a", pairs }, { expectedRevision: revision }), {
				name: "DatasetSaveRefusedError",
				reason: "changed-on-disk"
			});
			assert.equal(await fs.readFile(file, "utf8"), edited);
			const current = await readDataset(file);
			const written = await saveDataset(file, { name: "a", pairs }, { expectedRevision: current.revision });
			assert.deepEqual((await loadDataset(file)).pairs, pairs);
			assert.equal(
				written,
				(await readDataset(file)).revision,
				"the returned revision is that of the bytes written"
			);
		});
	});

	describe("folder helpers", () => {
		it("lists dataset files sorted by name, ignoring other files and folders", async () => {
			await fs.writeFile(path.join(directory, "b.csv"), "");
			await fs.writeFile(path.join(directory, "a.jsonl"), "");
			await fs.writeFile(path.join(directory, "notes.txt"), "");
			await fs.mkdir(path.join(directory, "folder.jsonl"));
			assert.deepEqual(await listDatasets(directory), [
				{ name: "a", fileName: "a.jsonl", path: path.join(directory, "a.jsonl"), format: "jsonl" },
				{ name: "b", fileName: "b.csv", path: path.join(directory, "b.csv"), format: "csv" }
			]);
			assert.deepEqual(await listDatasets(path.join(directory, "not-yet-created")), []);
		});

		it("renames within the folder, refusing overwrites and format changes", async () => {
			await fs.writeFile(path.join(directory, "a.jsonl"), "A");
			await fs.writeFile(path.join(directory, "b.jsonl"), "B");
			assert.equal(await renameDataset(directory, "a.jsonl", "c.jsonl"), path.join(directory, "c.jsonl"));
			assert.equal(await fs.readFile(path.join(directory, "c.jsonl"), "utf8"), "A");
			await assert.rejects(
				renameDataset(directory, "c.jsonl", "b.jsonl"),
				/a dataset named "b\.jsonl" already exists/
			);
			await assert.rejects(renameDataset(directory, "c.jsonl", "c.csv"), /the extension decides the file format/);
			await assert.rejects(renameDataset(directory, "missing.jsonl", "d.jsonl"), { code: "ENOENT" });
			assert.equal(await fs.readFile(path.join(directory, "b.jsonl"), "utf8"), "B");
		});

		it("refuses names that could leave the folder", async () => {
			const outside = path.join(directory, "outside.jsonl");
			await fs.writeFile(outside, "keep");
			const inner = path.join(directory, "inner");
			await fs.mkdir(inner);
			await fs.writeFile(path.join(inner, "a.jsonl"), "A");
			for (const name of ["../outside.jsonl", "..\\outside.jsonl", "sub/a.jsonl", "..jsonl", "", "a.jsonl\0"]) {
				await assert.rejects(deleteDataset(inner, name), /file name/, `delete ${JSON.stringify(name)}`);
				await assert.rejects(
					renameDataset(inner, "a.jsonl", name),
					/file name/,
					`rename to ${JSON.stringify(name)}`
				);
			}
			await assert.rejects(
				renameDataset(inner, "../outside.jsonl", "b.jsonl"),
				/must not contain path separators/
			);
			await assert.rejects(deleteDataset(inner, "a.txt"), /must end in \.jsonl or \.csv/);
			assert.equal(await fs.readFile(outside, "utf8"), "keep");
			assert.deepEqual(await fs.readdir(inner), ["a.jsonl"]);
		});

		it("deletes a dataset file", async () => {
			await fs.writeFile(path.join(directory, "a.csv"), "");
			await deleteDataset(directory, "a.csv");
			assert.deepEqual(await fs.readdir(directory), []);
		});
	});
});
