// The dataset editor and the Datasets and Vectors trees, driven as the page and the tree drive
// them: every grid edit is an edit of the TextDocument (undo, redo, dirty, save), lines the grid
// cannot read are kept, generators append to the file, and renames go through the datasets module,
// whose refusals reach the user. No model needed.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import * as vscode from "vscode";
import type { SteerApi } from "../../../src/vscode/extension";
import type { DatasetNode } from "../../../src/vscode/trees/datasetsTreeProvider";
import { openInDatasetEditor, recordEditorPosts, steerApi, steerFolder, waitFor } from "./steerTestSupport";

const GRID = "grid-moods.jsonl";
const GRID_TEXT =
	'{"positive":"Lily smiled.","negative":"Lily cried.","id":"p1","system":"Be brief."}\nnot json at all\n{"postive":"typo","negative":"x"}\n';
const GENERATED = "generated-moods.jsonl";
const RENAMED = "moods-renamed.jsonl";
const OTHER = "other-moods.jsonl";

describe("Dataset editor: the grid edits the file as a document", function () {
	this.timeout(60_000);
	let api: SteerApi;

	before(async () => {
		api = await steerApi();
		await mkdir(steerFolder("datasets"), { recursive: true });
		await writeFile(steerFolder("datasets", GRID), GRID_TEXT);
	});

	afterEach(() => vscode.commands.executeCommand("workbench.action.revertAndCloseActiveEditor"));

	after(async () => {
		if (!api) return;
		await vscode.commands.executeCommand("workbench.action.closeAllEditors");
		for (const fileName of [GRID, GENERATED, RENAMED, OTHER])
			await rm(steerFolder("datasets", fileName), { force: true });
		await rm(steerFolder("x.jsonl"), { force: true });
	});

	it("opens from the Datasets tree with each row's problems, the unreadable line kept as text", async () => {
		const nodes = await waitFor("the Datasets tree to list the file", async () => {
			const listed = (await api.trees.datasets.getChildren()) as DatasetNode[];
			return listed.some((node) => node.fileName === GRID) ? listed : undefined;
		});
		const node = nodes.find((entry) => entry.fileName === GRID) as DatasetNode;
		assert.equal(node.pairs, 1);
		assert.equal(node.problems, 2);
		const item = api.trees.datasets.getTreeItem(node);
		assert.equal(item.description, "1 pair · 2 lines to fix");
		assert.equal(item.contextValue, "dataset.problems");

		const recorded = recordEditorPosts(api);
		let document: vscode.TextDocument;
		try {
			await vscode.commands.executeCommand(item.command?.command as string, ...(item.command?.arguments ?? []));
			document = await openInDatasetEditor(api, GRID);
			assert.equal(await api.editors.datasets.receive(document.uri, { type: "ready" }), true);
		} finally {
			recorded.dispose();
		}
		const grid = recorded.sent.filter((update) => update.type === "grid").at(-1);
		assert.ok(grid?.type === "grid", "the page was not sent its grid");
		assert.deepEqual(grid.columns, ["system", "prompt", "positive", "negative", "label", "id"]);
		assert.deepEqual(
			grid.rows.map((row) => [row.line, row.raw ?? null, row.problems.length]),
			[
				[1, null, 0],
				[2, "not json at all", 1],
				// A misspelled field is two problems: the unknown field, and the missing one it stands for.
				[3, null, 2]
			]
		);
		assert.match(grid.rows[2].problems[0], /postive/);
		assert.equal(document.isDirty, false);
	});

	it("a cell edit changes one line, keeps the fields the grid does not show, and undo, redo and save work", async () => {
		const document = await openInDatasetEditor(api, GRID);
		assert.equal(
			await api.editors.datasets.receive(document.uri, {
				type: "setCell",
				line: 1,
				column: "negative",
				value: "Lily frowned."
			}),
			true
		);
		const edited = GRID_TEXT.replace("Lily cried.", "Lily frowned.");
		assert.equal(document.getText(), edited);
		assert.equal(document.isDirty, true);
		assert.equal(
			await readFile(steerFolder("datasets", GRID), "utf8"),
			GRID_TEXT,
			"nothing is written before Save"
		);

		await vscode.commands.executeCommand("undo");
		await waitFor("undo", () => (document.getText() === GRID_TEXT ? true : undefined), 5000);
		await vscode.commands.executeCommand("redo");
		await waitFor("redo", () => (document.getText() === edited ? true : undefined), 5000);

		assert.equal(await document.save(), true);
		assert.equal(await readFile(steerFolder("datasets", GRID), "utf8"), edited);
		assert.equal(document.isDirty, false);
		await writeFile(steerFolder("datasets", GRID), GRID_TEXT);
	});

	it("fixes an unreadable line in place, appends and deletes rows, and refuses a malformed message", async () => {
		const document = await openInDatasetEditor(api, GRID);
		await waitFor("the file as written", () => (document.getText() === GRID_TEXT ? true : undefined), 5000);
		const receive = (message: unknown) => api.editors.datasets.receive(document.uri, message);
		assert.equal(
			await receive({ type: "setLineText", line: 2, value: '{"positive":"Joy.","negative":"Gloom."}' }),
			true
		);
		assert.equal(await receive({ type: "appendRows", rows: [{ positive: "Sun.", negative: "Rain." }] }), true);
		assert.equal(await receive({ type: "deleteRow", line: 3 }), true);
		assert.deepEqual(document.getText().split("\n"), [
			GRID_TEXT.split("\n")[0],
			'{"positive":"Joy.","negative":"Gloom."}',
			'{"positive":"Sun.","negative":"Rain."}',
			""
		]);
		const before = document.getText();
		assert.equal(await receive({ type: "setCell", line: 1, column: "history", value: "x" }), false);
		assert.equal(await receive({ type: "deleteRow", line: 0 }), false);
		assert.equal(document.getText(), before, "a refused message changed the document");
	});

	it("generates persona pairs crossed with every answer opening into the file, and names a missing placeholder", async () => {
		await api.datasets.create(GENERATED);
		const document = await openInDatasetEditor(api, GENERATED);
		const recorded = recordEditorPosts(api);
		try {
			await api.editors.datasets.receive(document.uri, {
				type: "generatePairs",
				generator: {
					mode: "persona",
					template: "Act as if you're extremely {persona}.",
					positive: ["happy", "calm"],
					negative: ["sad", "angry"],
					suffixes: ["I feel", ""]
				}
			});
			const lines = document
				.getText()
				.trim()
				.split("\n")
				.map((line) => JSON.parse(line) as Record<string, string>);
			assert.equal(lines.length, 4);
			assert.deepEqual(lines[0], {
				positive: "Act as if you're extremely happy. I feel",
				negative: "Act as if you're extremely sad. I feel"
			});
			assert.deepEqual(lines[3], {
				positive: "Act as if you're extremely calm.",
				negative: "Act as if you're extremely angry."
			});
			await api.editors.datasets.receive(document.uri, {
				type: "generatePairs",
				generator: {
					mode: "persona",
					template: "No placeholder.",
					positive: ["a"],
					negative: ["b"],
					suffixes: [""]
				}
			});
		} finally {
			recorded.dispose();
		}
		const error = recorded.sent.find((update) => update.type === "error");
		assert.ok(error?.type === "error", "the page was not told why nothing was generated");
		assert.match(error.message, /\{persona\}/);
		assert.equal(document.getText().trim().split("\n").length, 4, "the refused generation changed the file");
		await document.save();
	});

	it("renames a dataset from the tree's menu, and refuses a path out of the folder and a name already taken", async () => {
		const renamed = await vscode.commands.executeCommand("steer.renameDataset", { fileName: GENERATED }, RENAMED);
		assert.equal(renamed, RENAMED);
		assert.equal(existsSync(steerFolder("datasets", GENERATED)), false);
		assert.equal((await readFile(steerFolder("datasets", RENAMED), "utf8")).trim().split("\n").length, 4);

		await api.datasets.save(OTHER, [{ positive: "a", negative: "b" }]);
		const errorsBefore = api.log.recentLines().filter((line) => line.startsWith("error:")).length;
		assert.equal(await vscode.commands.executeCommand("steer.renameDataset", RENAMED, "../x.jsonl"), undefined);
		assert.equal(await vscode.commands.executeCommand("steer.renameDataset", RENAMED, OTHER), undefined);
		const errors = api.log
			.recentLines()
			.filter((line) => line.startsWith("error:"))
			.slice(errorsBefore);
		assert.equal(errors.length, 2, errors.join(" | "));
		assert.match(errors[0], /must not contain path separators/);
		assert.match(errors[1], new RegExp(`a dataset named "${OTHER}" already exists`));
		assert.equal(existsSync(steerFolder("x.jsonl")), false, "nothing was written outside the datasets folder");
		assert.deepEqual(JSON.parse((await readFile(steerFolder("datasets", OTHER), "utf8")).trim()), {
			positive: "a",
			negative: "b"
		});
	});
});
