// The Datasets section's generators and renaming, driven through the panel's message path as the
// webview drives them: generated pairs come back for the grid, the grid's Save writes them, and
// renames go through the datasets module, whose refusals come back to the panel. No model needed.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import type { SteerApi } from "../../../src/vscode/extension";
import type { PairRow } from "../../../src/shared/webviewProtocol/messages";
import { openPanel, steerApi, steerFolder, waitFor, recordPosts } from "./steerTestSupport";

const DATASET = "generated-moods.jsonl";
const RENAMED = "moods-renamed.jsonl";
const OTHER = "other-moods.jsonl";
const KEPT = "kept-fields.jsonl";
const TYPO = "typo.jsonl";
// The file a user hit: a misspelled field, one valid pair, a line that is not JSON.
const TYPO_TEXT =
	'{"postive": "Lily smiled.", "negative": "Lily cried."}\n{"positive": "A happy day.", "negative": "A sad day."}\nnot json at all\n';

describe("Datasets: generating pairs and renaming through the panel", function () {
	this.timeout(60_000);
	let api: SteerApi;

	before(async () => {
		api = await steerApi();
		await openPanel(api);
	});

	// Later files should find the datasets folder as it was.
	after(async () => {
		if (!api) return;
		for (const fileName of [DATASET, RENAMED, OTHER, KEPT, TYPO, "x.jsonl"])
			await rm(steerFolder("datasets", fileName), { force: true });
		await rm(steerFolder("x.jsonl"), { force: true });
	});

	it("generates persona pairs into a new dataset, crossed with every suffix, and saves them", async () => {
		await api.datasets.create(DATASET);
		const posts = recordPosts(api);
		try {
			assert.equal(await api.panel.receive({ type: "openDataset", fileName: DATASET }), true);
			const opened = await waitFor("the opened dataset", () =>
				posts.sent.find((message) => message.type === "dataset")
			);
			assert.ok(opened.type === "dataset");
			assert.deepEqual(opened, {
				type: "dataset",
				fileName: DATASET,
				pairs: [],
				issues: [],
				problems: [],
				revision: opened.revision
			});

			const generator = {
				mode: "persona",
				template: "You are very {persona}.",
				positive: ["happy", "calm"],
				negative: ["sad", "angry"],
				suffixes: ["I feel", "Today"]
			} as const;
			assert.equal(await api.panel.receive({ type: "generatePairs", fileName: DATASET, generator }), true);
			const generated = await waitFor("the generated pairs", () =>
				posts.sent.find((message) => message.type === "pairsGenerated" || message.type === "pairsNotGenerated")
			);
			assert.equal(
				generated.type,
				"pairsGenerated",
				generated.type === "pairsNotGenerated" ? generated.message : ""
			);
			const pairs = (generated as { pairs: readonly PairRow[] }).pairs;
			const crossed: PairRow[] = [
				{ positive: "You are very happy. I feel", negative: "You are very sad. I feel" },
				{ positive: "You are very calm. I feel", negative: "You are very angry. I feel" },
				{ positive: "You are very happy. Today", negative: "You are very sad. Today" },
				{ positive: "You are very calm. Today", negative: "You are very angry. Today" }
			];
			assert.deepEqual(pairs, crossed);
			assert.equal(
				(await readFile(steerFolder("datasets", DATASET), "utf8")).trim(),
				"",
				"generating writes nothing before Save"
			);

			assert.equal(
				await api.panel.receive({ type: "saveDataset", fileName: DATASET, pairs, revision: opened.revision }),
				true
			);
			const saved = await waitFor("the save", () =>
				posts.sent.find((message) => message.type === "datasetSaved")
			);
			assert.ok(
				saved.type === "datasetSaved" && saved.revision !== undefined && saved.revision !== opened.revision,
				"a save reports the new revision"
			);
			assert.deepEqual(saved, {
				type: "datasetSaved",
				fileName: DATASET,
				saved: true,
				issues: [],
				revision: saved.revision
			});
			const onDisk = (await readFile(steerFolder("datasets", DATASET), "utf8"))
				.trim()
				.split("\n")
				.map((line) => JSON.parse(line) as PairRow);
			assert.deepEqual(
				onDisk.map(({ positive, negative }) => ({ positive, negative })),
				crossed
			);
		} finally {
			posts.dispose();
		}
	});

	it("keeps the fields the grid does not show (system, label, id) when the grid saves an edit", async () => {
		await mkdir(steerFolder("datasets"), { recursive: true });
		const lines = [
			{
				positive: "Good day.",
				negative: "hey",
				prompt: "Greet me.",
				system: "Be formal.",
				label: "tone",
				id: "t1"
			},
			{ positive: "Indeed.", negative: "yep", label: "tone", id: "t2" }
		];
		await writeFile(steerFolder("datasets", KEPT), lines.map((line) => JSON.stringify(line)).join("\n") + "\n");
		const posts = recordPosts(api);
		try {
			assert.equal(await api.panel.receive({ type: "openDataset", fileName: KEPT }), true);
			const opened = await waitFor("the opened dataset", () =>
				posts.sent.find((message) => message.type === "dataset" && message.fileName === KEPT)
			);
			assert.ok(opened.type === "dataset");
			assert.deepEqual(opened.pairs, lines, "the grid receives every field of every pair");
			// What the grid sends after the user edits one cell: the row with that field replaced.
			const edited = opened.pairs.map((row, index) => (index === 1 ? { ...row, positive: "Indeed, sir." } : row));
			assert.equal(
				await api.panel.receive({
					type: "saveDataset",
					fileName: KEPT,
					pairs: edited,
					revision: opened.revision
				}),
				true
			);
			const saved = await waitFor("the save", () =>
				posts.sent.find((message) => message.type === "datasetSaved")
			);
			assert.ok(saved.type === "datasetSaved" && saved.saved, JSON.stringify(saved));
			const onDisk = (await readFile(steerFolder("datasets", KEPT), "utf8"))
				.trim()
				.split("\n")
				.map((line) => JSON.parse(line) as PairRow);
			assert.deepEqual(onDisk, [lines[0], { ...lines[1], positive: "Indeed, sir." }]);
		} finally {
			posts.dispose();
			await rm(steerFolder("datasets", KEPT), { force: true });
		}
	});

	it("shows a file's unreadable lines where the user edits, and never saves the grid over them", async () => {
		await mkdir(steerFolder("datasets"), { recursive: true });
		await writeFile(steerFolder("datasets", TYPO), TYPO_TEXT);
		const posts = recordPosts(api);
		try {
			assert.equal(await api.panel.receive({ type: "openDataset", fileName: TYPO }), true);
			const opened = await waitFor("the opened dataset", () =>
				posts.sent.find((message) => message.type === "dataset")
			);
			assert.ok(opened.type === "dataset");
			assert.deepEqual(
				opened.pairs,
				[{ positive: "A happy day.", negative: "A sad day." }],
				"the valid line is in the grid"
			);
			assert.deepEqual(opened.problems, [
				`${TYPO}:1: field "postive": unknown field; did you mean "positive"?`,
				`${TYPO}:1: field "positive": required field is missing`,
				opened.problems[2]
			]);
			assert.match(opened.problems[2]!, new RegExp(`^${TYPO}:3: invalid JSON`));

			// Add pair → fill → Save, as in the grid: refused with the reason, the file byte for byte as it was.
			const rows = [...opened.pairs, { positive: "A new joy.", negative: "A new gloom." }];
			assert.equal(
				await api.panel.receive({
					type: "saveDataset",
					fileName: TYPO,
					pairs: rows,
					revision: opened.revision
				}),
				true
			);
			const saved = await waitFor("the save", () =>
				posts.sent.find((message) => message.type === "datasetSaved")
			);
			assert.ok(saved.type === "datasetSaved");
			assert.equal(saved.saved, false);
			assert.match(
				saved.message ?? "",
				/Not saved: typo\.jsonl has 2 lines Steer cannot read \(lines 1, 3\), which saving would drop/
			);
			assert.equal(await readFile(steerFolder("datasets", TYPO), "utf8"), TYPO_TEXT);

			// Fixed in the text editor, the file opens clean and saves; a grid opened before the fix cannot overwrite it.
			const fixed =
				'{"positive": "Lily smiled.", "negative": "Lily cried."}\n{"positive": "A happy day.", "negative": "A sad day."}\n';
			await writeFile(steerFolder("datasets", TYPO), fixed);
			posts.sent.length = 0;
			await api.panel.receive({ type: "saveDataset", fileName: TYPO, pairs: rows, revision: opened.revision });
			const stale = await waitFor("the stale save", () =>
				posts.sent.find((message) => message.type === "datasetSaved")
			);
			assert.ok(
				stale.type === "datasetSaved" &&
					!stale.saved &&
					/changed on disk since it was opened/.test(stale.message ?? ""),
				JSON.stringify(stale)
			);
			assert.equal(await readFile(steerFolder("datasets", TYPO), "utf8"), fixed);

			posts.sent.length = 0;
			await api.panel.receive({ type: "openDataset", fileName: TYPO });
			const reopened = await waitFor("the reopened dataset", () =>
				posts.sent.find((message) => message.type === "dataset")
			);
			assert.ok(reopened.type === "dataset" && reopened.problems.length === 0 && reopened.pairs.length === 2);
			await api.panel.receive({
				type: "saveDataset",
				fileName: TYPO,
				pairs: [...reopened.pairs, { positive: "A new joy.", negative: "A new gloom." }],
				revision: reopened.revision
			});
			const written = await waitFor("the save", () =>
				posts.sent.find((message) => message.type === "datasetSaved")
			);
			assert.ok(written.type === "datasetSaved" && written.saved, JSON.stringify(written));
			assert.equal((await readFile(steerFolder("datasets", TYPO), "utf8")).trim().split("\n").length, 3);
		} finally {
			posts.dispose();
		}
	});

	it("makes a padded prompt pair, and shows the generator's reason when a template has no placeholder", async () => {
		const posts = recordPosts(api);
		try {
			await api.panel.receive({
				type: "generatePairs",
				fileName: DATASET,
				generator: { mode: "promptPair", positive: "Love", negative: "Hate it" }
			});
			await api.panel.receive({
				type: "generatePairs",
				fileName: DATASET,
				generator: {
					mode: "persona",
					template: "You are very happy.",
					positive: ["happy"],
					negative: ["sad"],
					suffixes: [""]
				}
			});
			const replies = await waitFor("both replies", () => {
				const found = posts.sent.filter(
					(message) => message.type === "pairsGenerated" || message.type === "pairsNotGenerated"
				);
				return found.length === 2 ? found : undefined;
			});
			assert.deepEqual(replies[0], {
				type: "pairsGenerated",
				fileName: DATASET,
				pairs: [{ positive: "Love   ", negative: "Hate it" }]
			});
			assert.equal(replies[1]!.type, "pairsNotGenerated");
			assert.match((replies[1] as { message: string }).message, /has no \{persona\} placeholder/);
		} finally {
			posts.dispose();
		}
	});

	it("renames a dataset, and refuses a path out of the folder and a name already taken", async () => {
		const posts = recordPosts(api);
		try {
			assert.equal(
				await api.panel.receive({ type: "renameDataset", fileName: DATASET, newFileName: RENAMED }),
				true
			);
			const renamed = await waitFor("the rename", () =>
				posts.sent.find((message) => message.type === "datasetRenamed" || message.type === "datasetNotRenamed")
			);
			assert.deepEqual(renamed, { type: "datasetRenamed", fileName: DATASET, newFileName: RENAMED });
			assert.equal(existsSync(steerFolder("datasets", DATASET)), false);
			assert.equal(
				(await readFile(steerFolder("datasets", RENAMED), "utf8")).trim().split("\n").length,
				4,
				"the pairs moved with the file"
			);
			await waitFor("a panel list with the new name in place of the old", () =>
				posts.sent.find((message) => {
					if (message.type !== "state") return false;
					const names = message.state.datasets.map((dataset) => dataset.fileName);
					return names.includes(RENAMED) && !names.includes(DATASET);
				})
			);

			await api.datasets.save(OTHER, [{ positive: "a", negative: "b" }]);
			// Accepted at the boundary: the datasets module judges the new name, and its reason is shown.
			assert.equal(
				await api.panel.receive({ type: "renameDataset", fileName: RENAMED, newFileName: "../x.jsonl" }),
				true
			);
			assert.equal(
				await api.panel.receive({ type: "renameDataset", fileName: RENAMED, newFileName: OTHER }),
				true
			);
			const refusals = await waitFor("both refusals", () => {
				const found = posts.sent.filter((message) => message.type === "datasetNotRenamed");
				return found.length === 2 ? found : undefined;
			});
			assert.match((refusals[0] as { message: string }).message, /must not contain path separators/);
			assert.match(
				(refusals[1] as { message: string }).message,
				new RegExp(`a dataset named "${OTHER}" already exists`)
			);
			assert.equal(existsSync(steerFolder("x.jsonl")), false, "nothing was written outside the datasets folder");
			assert.equal(
				existsSync(steerFolder("datasets", RENAMED)),
				true,
				"the refused renames left the dataset where it was"
			);
			assert.deepEqual(
				JSON.parse((await readFile(steerFolder("datasets", OTHER), "utf8")).trim()),
				{ positive: "a", negative: "b" },
				"the existing dataset was not replaced"
			);
		} finally {
			posts.dispose();
		}
	});

	it("refuses generator and rename messages beyond the caps at the boundary", async () => {
		const many = Array.from({ length: 101 }, (_, i) => `mood ${i}`);
		for (const [message, reason] of [
			[
				{
					type: "generatePairs",
					fileName: RENAMED,
					generator: {
						mode: "persona",
						template: "{persona}",
						positive: many,
						negative: many,
						suffixes: [""]
					}
				},
				/more than 100/
			],
			[
				{
					type: "generatePairs",
					fileName: "../x.jsonl",
					generator: { mode: "promptPair", positive: "a", negative: "b" }
				},
				/fileName refused/
			],
			[
				{ type: "renameDataset", fileName: RENAMED, newFileName: "x".repeat(121) },
				/newFileName is longer than 120/
			]
		] as const) {
			assert.equal(await api.panel.receive(message), false);
			assert.match(api.log.recentLines().at(-1) ?? "", reason);
		}
	});
});
