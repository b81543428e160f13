// The Vectors tree and the vector viewer on real files: what the tree says of a vector that fits the
// model and of one that does not, ticking and unticking as the tree does it, the layer and rename
// actions of its menu, and what the viewer reports of each file.
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { harmonicScore } from "../../../src/steering/evaluation/judgeRatings";
import type { SteerApi } from "../../../src/vscode/extension";
import { isUserCancellation } from "../../../src/vscode/failures";
import type { VectorNode } from "../../../src/vscode/trees/vectorsTreeProvider";
import { modelPath, steerFolder, steerWithModelOrSkip, waitFor, writeVectorFile } from "./steerTestSupport";

const FITS = "viewer-fits.gguf";
const WIDE = "viewer-wide.gguf";
const RENAMED = "viewer-renamed.gguf";
const VALUE = 0.5;

function writeFlatVector(fileName: string, nEmbd: number, layers: readonly number[]): Promise<string> {
	return writeVectorFile(
		fileName,
		nEmbd,
		new Map(layers.map((layer) => [layer, new Float32Array(nEmbd).fill(VALUE)]))
	);
}

describe("Vectors tree and vector viewer", function () {
	this.timeout(60_000);
	let api: SteerApi;
	let nEmbd: number;

	before(async function () {
		api = await steerWithModelOrSkip(this);
		nEmbd = api.engine.requireModel().info.nEmbd;
		await writeFlatVector(FITS, nEmbd, [1]);
		await writeFlatVector(WIDE, nEmbd + 8, [1]);
		await api.refreshVectors();
	});

	after(async () => {
		if (!api) return;
		await vscode.commands.executeCommand("workbench.action.closeAllEditors");
		for (const fileName of [FITS, WIDE, RENAMED]) await rm(steerFolder("vectors", fileName), { force: true });
		await api.refreshVectors();
	});

	const node = (fileName: string): VectorNode => ({ kind: "vector", fileName });
	const tick = (fileName: string, state: vscode.TreeItemCheckboxState) =>
		api.trees.vectors.checkboxesChanged({ items: [[node(fileName), state]] });

	it("ticks a vector that fits into the steering, and leaves one made for another model unticked, saying why", async () => {
		const listed = api.trees.vectors.getChildren().map((entry) => entry.fileName);
		assert.ok(listed.includes(FITS) && listed.includes(WIDE), listed.join(", "));
		const wide = api.trees.vectors.getTreeItem(node(WIDE));
		assert.equal(wide.description, "cannot steer this model");
		assert.match((wide.tooltip as vscode.MarkdownString).value, new RegExp(`width ${nEmbd + 8}`));

		await tick(FITS, vscode.TreeItemCheckboxState.Checked);
		assert.equal(api.steering.choiceOf(FITS).active, true);
		// What the engine gets (another test file may have left a vector of its own active).
		assert.ok(
			api.steering.plan().applied.some(({ vector }) => vector.fileName === FITS),
			"the ticked vector is not applied"
		);
		const fits = api.trees.vectors.getTreeItem(node(FITS));
		assert.equal(fits.contextValue, "vector.active");
		assert.equal(
			(fits.checkboxState as { state: vscode.TreeItemCheckboxState }).state,
			vscode.TreeItemCheckboxState.Checked
		);
		assert.equal(fits.description, "×1 · every layer");

		const errorsBefore = api.log.recentLines().filter((line) => line.startsWith("error:")).length;
		await tick(WIDE, vscode.TreeItemCheckboxState.Checked);
		assert.equal(api.steering.choiceOf(WIDE).active, false, "a vector for another model was activated");
		const errors = api.log
			.recentLines()
			.filter((line) => line.startsWith("error:"))
			.slice(errorsBefore);
		assert.match(errors.join(" | "), /Activate viewer-wide\.gguf failed: .*made for another model/);

		await tick(FITS, vscode.TreeItemCheckboxState.Unchecked);
		assert.equal(api.steering.choiceOf(FITS).active, false);
	});

	it("sets layers from the tree's menu, refusing a range the vector has no direction in", async () => {
		assert.deepEqual(await vscode.commands.executeCommand("steer.setVectorLayers", node(FITS), "1"), [1, 1]);
		assert.deepEqual(api.steering.choiceOf(FITS).layerRange, [1, 1]);
		assert.equal(api.trees.vectors.getTreeItem(node(FITS)).description, "×1 · layer 1");
		const errorsBefore = api.log.recentLines().filter((line) => line.startsWith("error:")).length;
		assert.equal(await vscode.commands.executeCommand("steer.setVectorLayers", node(FITS), "3-2"), undefined);
		const errors = api.log
			.recentLines()
			.filter((line) => line.startsWith("error:"))
			.slice(errorsBefore);
		assert.match(errors.join(" | "), /runs backwards/);
		assert.deepEqual(api.steering.choiceOf(FITS).layerRange, [1, 1], "a refused range changed the choice");
		assert.equal(await vscode.commands.executeCommand("steer.setVectorLayers", node(FITS), "all"), "all");
		assert.equal(api.steering.choiceOf(FITS).layerRange, undefined);
	});

	it("the viewer reports a plain control vector's layers exactly, and says at the top when it is for another model", async () => {
		await vscode.commands.executeCommand("steer.openVector", node(FITS));
		const report = await waitFor("the viewer's report", () =>
			api.editors.vectors.reports.get(steerFolder("vectors", FITS))
		);
		assert.equal(report.type, "report");
		if (report.type !== "report") return;
		assert.equal(report.trainedBySteer, false);
		assert.equal(report.width, nEmbd);
		assert.equal(report.mismatch, undefined);
		assert.deepEqual(
			report.layers.map((layer) => layer.layer),
			[1]
		);
		assert.ok(Math.abs(report.layers[0].norm - VALUE * Math.sqrt(nEmbd)) < 1e-4, String(report.layers[0].norm));
		assert.ok(report.metadata.some(([key, value]) => key === "controlvector.model_hint" && value === "llama"));

		await vscode.commands.executeCommand("steer.openVector", node(WIDE));
		const wide = await waitFor("the other viewer's report", () =>
			api.editors.vectors.reports.get(steerFolder("vectors", WIDE))
		);
		assert.ok(wide.type === "report" && /width/.test(wide.mismatch ?? ""), JSON.stringify(wide).slice(0, 300));
	});

	it("compares a vector with asking: the loaded model rates the answers unsteered and steered, and refuses what it cannot rate", async () => {
		const file = steerFolder("vectors", FITS);
		await vscode.commands.executeCommand("steer.openVector", node(FITS));
		const report = await waitFor("the viewer's report", () => {
			const shown = api.editors.vectors.reports.get(file);
			return shown?.type === "report" && shown.ratingRequests ? shown : undefined;
		});
		// TinyStories continues text: the requests offered are beginnings of a story.
		assert.deepEqual(report.ratingRequests, ["Once upon a time", "One day,", "There was a"]);

		// A push far larger than the model's typical state, so the steered answers must differ.
		await api.steering.setStrength(FITS, 200);
		const progress: [number, number][] = [];
		const ratings = await api.editors.vectors.rate(
			file,
			{ concept: "the sea", requests: ["Once upon a time", "One day,"] },
			(done, total) => progress.push([done, total])
		);
		assert.equal(ratings.strength, 200);
		assert.equal(ratings.promptBaseline, false);
		assert.match(ratings.judge, /as plain text/);
		assert.deepEqual(
			ratings.rows.map((row) => row.condition),
			["unsteered", "steered"]
		);
		assert.deepEqual(progress.at(-1), [8, 8]);
		assert.match(ratings.steering, /^at strength 200, acting on every token/);
		for (const row of ratings.rows) {
			assert.deepEqual(
				row.samples.map((sample) => sample.prompt),
				["Once upon a time", "Once upon a time", "One day,", "One day,"],
				row.condition
			);
			// Each sample's score is the harmonic mean of its own ratings, as the view carries them.
			for (const sample of row.samples) assert.equal(sample.score, harmonicScore(sample.ratings));
		}
		const [unsteered, steered] = ratings.rows;
		assert.ok(
			steered!.samples.some((sample, i) => sample.text !== unsteered!.samples[i]!.text),
			"the steered answers are the unsteered ones"
		);
		assert.equal(api.editors.vectors.lastRatings.get(file), ratings);

		// A judge model of its own (steer.judgeModelPath), here the same file: the same answers, rated the same.
		const config = vscode.workspace.getConfiguration("steer");
		await config.update("judgeModelPath", modelPath(), vscode.ConfigurationTarget.Workspace);
		try {
			const judged = await api.editors.vectors.rate(file, {
				concept: "the sea",
				requests: ["Once upon a time", "One day,"]
			});
			assert.match(judged.judge, /^the judge model \(/);
			const samples = (view: typeof ratings) =>
				view.rows.map((row) => row.samples.map(({ text, ratings, score }) => ({ text, ratings, score })));
			assert.deepEqual(samples(judged), samples(ratings));
			await config.update(
				"judgeModelPath",
				path.join(steerFolder(), "no-such-judge.gguf"),
				vscode.ConfigurationTarget.Workspace
			);
			await assert.rejects(
				api.editors.vectors.rate(file, { concept: "the sea", requests: ["One day,"] }),
				/steer\.judgeModelPath names no file/
			);
		} finally {
			await config.update("judgeModelPath", undefined, vscode.ConfigurationTarget.Workspace);
		}

		// One comparison of a file at a time; Stop ends it as a cancellation, not a failure.
		const lastBefore = api.editors.vectors.lastRatings.get(file);
		let second: Promise<unknown> | undefined;
		const stopped = api.editors.vectors.rate(
			file,
			{ concept: "the sea", requests: ["Once upon a time", "One day,", "There was a"] },
			(done) => {
				if (done !== 1) return;
				second = api.editors.vectors.rate(file, { concept: "the sea", requests: ["One day,"] });
				api.editors.vectors.stopRating(file);
			}
		);
		await assert.rejects(stopped, (error: unknown) => isUserCancellation(error));
		await assert.rejects(second!, /is being compared already; stop that comparison first/);
		assert.equal(
			api.editors.vectors.lastRatings.get(file),
			lastBefore,
			"a stopped comparison replaced the last one"
		);

		await api.steering.setStrength(FITS, 0);
		await assert.rejects(
			api.editors.vectors.rate(file, { concept: "the sea", requests: ["One day,"] }),
			/the strength is 0/
		);
		await api.steering.setStrength(FITS, 1);
		await assert.rejects(
			api.editors.vectors.rate(steerFolder("vectors", WIDE), { concept: "the sea", requests: ["One day,"] }),
			/width/
		);
	});

	it("renames a vector from the tree's menu, its choices going with it", async () => {
		await api.steering.setStrength(FITS, 2);
		await tick(FITS, vscode.TreeItemCheckboxState.Checked);
		assert.equal(await vscode.commands.executeCommand("steer.renameVector", node(FITS), RENAMED), RENAMED);
		assert.equal(api.library.get(FITS), undefined);
		assert.ok(api.library.get(RENAMED));
		assert.deepEqual(
			{ active: api.steering.choiceOf(RENAMED).active, strength: api.steering.choiceOf(RENAMED).strength },
			{ active: true, strength: 2 }
		);
		assert.ok(
			api.steering
				.plan()
				.applied.some(({ vector, choice }) => vector.fileName === RENAMED && choice.strength === 2),
			"the renamed vector is not applied at its strength"
		);
		const errorsBefore = api.log.recentLines().filter((line) => line.startsWith("error:")).length;
		assert.equal(await vscode.commands.executeCommand("steer.renameVector", node(RENAMED), WIDE), undefined);
		const errors = api.log
			.recentLines()
			.filter((line) => line.startsWith("error:"))
			.slice(errorsBefore);
		assert.match(errors.join(" | "), /already exists/);
		await tick(RENAMED, vscode.TreeItemCheckboxState.Unchecked);
	});
});
