// The Datasets section's generators and renaming, driven through the panel's message path as the
// webview drives them: generated pairs come back for the grid, the grid's Save writes them, and
// renames go through the datasets module, whose refusals come back to the panel. No model needed.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import type { SteerApi } from "../../../src/vscode/extension";
import type { HostToWebview, PairRow } from "../../../webview/protocol/messages";
import { openPanel, steerApi, steerFolder, waitFor } from "./steerTestSupport";

const DATASET = "generated-moods.jsonl";
const RENAMED = "moods-renamed.jsonl";
const OTHER = "other-moods.jsonl";

function recordPosts(api: SteerApi) {
	const sent: HostToWebview[] = [];
	const subscription = api.panel.onDidPost(({ message }) => sent.push(message));
	return { sent, dispose: () => subscription.dispose() };
}

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
		for (const fileName of [DATASET, RENAMED, OTHER, "x.jsonl"]) await rm(steerFolder("datasets", fileName), { force: true });
		await rm(steerFolder("x.jsonl"), { force: true });
	});

	it("generates persona pairs into a new dataset, crossed with every suffix, and saves them", async () => {
		await api.datasets.create(DATASET);
		const posts = recordPosts(api);
		try {
			assert.equal(await api.panel.receive({ type: "openDataset", fileName: DATASET }), true);
			const opened = await waitFor("the opened dataset", () => posts.sent.find((message) => message.type === "dataset"));
			assert.deepEqual(opened, { type: "dataset", fileName: DATASET, pairs: [], issues: [] });

			const generator = { mode: "persona", template: "You are very {persona}.", positive: ["happy", "calm"], negative: ["sad", "angry"], suffixes: ["I feel", "Today"] } as const;
			assert.equal(await api.panel.receive({ type: "generatePairs", fileName: DATASET, generator }), true);
			const generated = await waitFor("the generated pairs", () => posts.sent.find((message) => message.type === "pairsGenerated" || message.type === "pairsNotGenerated"));
			assert.equal(generated.type, "pairsGenerated", generated.type === "pairsNotGenerated" ? generated.message : "");
			const pairs = (generated as { pairs: readonly PairRow[] }).pairs;
			const crossed: PairRow[] = [
				{ positive: "You are very happy. I feel", negative: "You are very sad. I feel" },
				{ positive: "You are very calm. I feel", negative: "You are very angry. I feel" },
				{ positive: "You are very happy. Today", negative: "You are very sad. Today" },
				{ positive: "You are very calm. Today", negative: "You are very angry. Today" }
			];
			assert.deepEqual(pairs, crossed);
			assert.equal((await readFile(steerFolder("datasets", DATASET), "utf8")).trim(), "", "generating writes nothing before Save");

			assert.equal(await api.panel.receive({ type: "saveDataset", fileName: DATASET, pairs }), true);
			const saved = await waitFor("the save", () => posts.sent.find((message) => message.type === "datasetSaved"));
			assert.deepEqual(saved, { type: "datasetSaved", fileName: DATASET, saved: true, issues: [] });
			const onDisk = (await readFile(steerFolder("datasets", DATASET), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as PairRow);
			assert.deepEqual(onDisk.map(({ positive, negative }) => ({ positive, negative })), crossed);
		} finally {
			posts.dispose();
		}
	});

	it("makes a padded prompt pair, and shows the generator's reason when a template has no placeholder", async () => {
		const posts = recordPosts(api);
		try {
			await api.panel.receive({ type: "generatePairs", fileName: DATASET, generator: { mode: "promptPair", positive: "Love", negative: "Hate it" } });
			await api.panel.receive({ type: "generatePairs", fileName: DATASET, generator: { mode: "persona", template: "You are very happy.", positive: ["happy"], negative: ["sad"], suffixes: [""] } });
			const replies = await waitFor("both replies", () => {
				const found = posts.sent.filter((message) => message.type === "pairsGenerated" || message.type === "pairsNotGenerated");
				return found.length === 2 ? found : undefined;
			});
			assert.deepEqual(replies[0], { type: "pairsGenerated", fileName: DATASET, pairs: [{ positive: "Love   ", negative: "Hate it" }] });
			assert.equal(replies[1]!.type, "pairsNotGenerated");
			assert.match((replies[1] as { message: string }).message, /has no \{persona\} placeholder/);
		} finally {
			posts.dispose();
		}
	});

	it("renames a dataset, and refuses a path out of the folder and a name already taken", async () => {
		const posts = recordPosts(api);
		try {
			assert.equal(await api.panel.receive({ type: "renameDataset", fileName: DATASET, newFileName: RENAMED }), true);
			const renamed = await waitFor("the rename", () => posts.sent.find((message) => message.type === "datasetRenamed" || message.type === "datasetNotRenamed"));
			assert.deepEqual(renamed, { type: "datasetRenamed", fileName: DATASET, newFileName: RENAMED });
			assert.equal(existsSync(steerFolder("datasets", DATASET)), false);
			assert.equal((await readFile(steerFolder("datasets", RENAMED), "utf8")).trim().split("\n").length, 4, "the pairs moved with the file");
			await waitFor("a panel list with the new name in place of the old", () =>
				posts.sent.find((message) => {
					if (message.type !== "state") return false;
					const names = message.state.datasets.map((dataset) => dataset.fileName);
					return names.includes(RENAMED) && !names.includes(DATASET);
				})
			);

			await api.datasets.save(OTHER, [{ positive: "a", negative: "b" }]);
			// Accepted at the boundary: the datasets module judges the new name, and its reason is shown.
			assert.equal(await api.panel.receive({ type: "renameDataset", fileName: RENAMED, newFileName: "../x.jsonl" }), true);
			assert.equal(await api.panel.receive({ type: "renameDataset", fileName: RENAMED, newFileName: OTHER }), true);
			const refusals = await waitFor("both refusals", () => {
				const found = posts.sent.filter((message) => message.type === "datasetNotRenamed");
				return found.length === 2 ? found : undefined;
			});
			assert.match((refusals[0] as { message: string }).message, /must not contain path separators/);
			assert.match((refusals[1] as { message: string }).message, new RegExp(`a dataset named "${OTHER}" already exists`));
			assert.equal(existsSync(steerFolder("x.jsonl")), false, "nothing was written outside the datasets folder");
			assert.equal(existsSync(steerFolder("datasets", RENAMED)), true, "the refused renames left the dataset where it was");
			assert.deepEqual(JSON.parse((await readFile(steerFolder("datasets", OTHER), "utf8")).trim()), { positive: "a", negative: "b" }, "the existing dataset was not replaced");
		} finally {
			posts.dispose();
		}
	});

	it("refuses generator and rename messages beyond the caps at the boundary", async () => {
		const many = Array.from({ length: 101 }, (_, i) => `mood ${i}`);
		for (const [message, reason] of [
			[{ type: "generatePairs", fileName: RENAMED, generator: { mode: "persona", template: "{persona}", positive: many, negative: many, suffixes: [""] } }, /more than 100/],
			[{ type: "generatePairs", fileName: "../x.jsonl", generator: { mode: "promptPair", positive: "a", negative: "b" } }, /fileName refused/],
			[{ type: "renameDataset", fileName: RENAMED, newFileName: "x".repeat(121) }, /newFileName is longer than 120/]
		] as const) {
			assert.equal(await api.panel.receive(message), false);
			assert.match(api.log.recentLines().at(-1) ?? "", reason);
		}
	});
});
