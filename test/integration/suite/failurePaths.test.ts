import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import type { SteerApi } from "../../../src/vscode/extension";
import type { HostToWebview } from "../../../src/shared/webviewProtocol/messages";
import {
	editorWith,
	modelPath,
	openPanel,
	steerFolder,
	steerWithModelOrSkip,
	workspaceDir,
	writeVectorFile
} from "./steerTestSupport";

const PROMPT = "Once upon a time, there was a little girl named Lily. She";

function writeVector(fileName: string, nEmbd: number, layers: readonly number[]): Promise<string> {
	return writeVectorFile(
		fileName,
		nEmbd,
		new Map(layers.map((layer) => [layer, Float32Array.from({ length: nEmbd }, (_, i) => Math.sin(i + layer))]))
	);
}

/**
 * Runs a command that must fail: it returns nothing, and the failure is reported (an error
 * notification whose text is logged as "<action> failed: <reason>").
 */
async function expectReportedFailure(api: SteerApi, command: string, args: unknown[], reason: RegExp): Promise<void> {
	const before = api.log.linesLogged();
	const result = await vscode.commands.executeCommand(command, ...args);
	assert.equal(result, undefined, `${command} should return nothing when it fails`);
	const lines = api.log.recentLines();
	const added = lines.slice(lines.length - (api.log.linesLogged() - before));
	const reported = added.find((line) => /^error: .+ failed: /.test(line));
	assert.ok(
		reported,
		`${command}(${args.map((arg) => JSON.stringify(arg)).join(", ")}) reported no failure; logged: ${added.join(" | ") || "nothing"}`
	);
	assert.match(reported, reason);
}

describe("Failure paths: every command that takes input reports bad input and keeps working", function () {
	this.timeout(120_000);
	let api: SteerApi;
	let nEmbd: number;

	before(async function () {
		api = await steerWithModelOrSkip(this);
		nEmbd = api.engine.requireModel().info.nEmbd;
		await writeVector("fp-push.gguf", nEmbd, [1]);
		await writeVector("fp-other-model.gguf", nEmbd + 8, [1]);
		await api.datasets.save("fp-pairs.jsonl", [
			{ positive: "Lily was happy.", negative: "Lily was sad." },
			{ positive: "Tom smiled.", negative: "Tom cried." }
		]);
		await api.refreshVectors();
	});

	after(async () => {
		await vscode.commands.executeCommand("steer.hideConceptLens");
		await vscode.commands.executeCommand("workbench.action.closeAllEditors");
	});

	describe("with no model loaded", () => {
		before(async () => {
			await vscode.commands.executeCommand("steer.unloadModel");
			assert.equal(api.engine.modelInfo, undefined);
		});

		const noModel = /no model is loaded; run "Steer: Load Model…" first/;

		it("Generate at Cursor", async () => {
			await editorWith(PROMPT);
			await expectReportedFailure(api, "steer.generateAtCursor", [], noModel);
		});

		it("Rewrite Selection", async () => {
			const editor = await editorWith(PROMPT);
			editor.selection = new vscode.Selection(0, 0, 0, 4);
			await expectReportedFailure(api, "steer.rewriteSelection", [], noModel);
			assert.equal(editor.document.getText(), PROMPT, "nothing may be replaced");
		});

		it("Train Vector", async () => {
			await expectReportedFailure(api, "steer.trainVector", ["fp-pairs.jsonl", "pca-diff"], noModel);
			assert.equal(api.training.view, undefined);
		});

		it("Show Concept Lens, which then stays off", async () => {
			await editorWith(PROMPT);
			await expectReportedFailure(api, "steer.showConceptLens", ["fp-push.gguf", 1], noModel);
			assert.equal(
				api.lens.visible,
				false,
				"a lens that could not draw must not stay on and retry on every edit"
			);
		});

		it("Load Model with a corrupt GGUF, a missing file and a non-GGUF file", async () => {
			const truncated = path.join(workspaceDir(), "truncated-model.gguf");
			await writeFile(truncated, (await readFile(modelPath())).subarray(0, 4096));
			await expectReportedFailure(
				api,
				"steer.loadModel",
				[truncated],
				/Load Model failed: .*truncated-model\.gguf/
			);
			await expectReportedFailure(
				api,
				"steer.loadModel",
				[path.join(workspaceDir(), "missing.gguf")],
				/missing\.gguf does not exist/
			);
			const text = path.join(workspaceDir(), "story.txt");
			await expectReportedFailure(api, "steer.loadModel", [text], /not a GGUF file/);
			assert.equal(api.engine.modelInfo, undefined);
		});

		it("loads the real model afterwards", async () => {
			const info = await vscode.commands.executeCommand<{ nEmbd: number }>("steer.loadModel", modelPath());
			assert.equal(info?.nEmbd, nEmbd);
		});
	});

	describe("with bad vectors", () => {
		it("Show Concept Lens with a vector made for another model, which then stays off", async () => {
			await editorWith(PROMPT);
			await expectReportedFailure(
				api,
				"steer.showConceptLens",
				["fp-other-model.gguf", 1],
				/the vector has \d+ values, but the model's hidden state is \d+ wide/
			);
			assert.equal(api.lens.visible, false);
		});

		it("Show Concept Lens with an unknown vector or a layer the vector lacks", async () => {
			await expectReportedFailure(api, "steer.showConceptLens", ["nope.gguf", 1], /no vector named nope\.gguf/);
			await expectReportedFailure(
				api,
				"steer.showConceptLens",
				["fp-push.gguf", 99],
				/has no direction for layer 99/
			);
			assert.equal(api.lens.visible, false);
		});

		it("activating a vector made for another model from the panel is refused there", async () => {
			await openPanel(api);
			const sent: HostToWebview[] = [];
			// Posts are recorded as they are sent, so everything the handler sent is here once it returns.
			const subscription = api.panel.onDidPost(({ message }) => sent.push(message));
			try {
				assert.equal(
					await api.panel.receive({ type: "setVectorActive", fileName: "fp-other-model.gguf", active: true }),
					true
				);
			} finally {
				subscription.dispose();
			}
			const error = sent.find((message) => message.type === "error");
			assert.ok(
				error && error.type === "error" && /another model/.test(error.message),
				`the panel was not told why: ${JSON.stringify(sent.map((m) => m.type))}`
			);
			assert.equal(api.steering.choiceOf("fp-other-model.gguf").active, false);
		});

		it("Import Vector with a truncated file or a missing one, copying nothing", async () => {
			const truncated = path.join(workspaceDir(), "truncated-vector.gguf");
			await writeFile(truncated, (await readFile(steerFolder("vectors", "fp-push.gguf"))).subarray(0, 100));
			await expectReportedFailure(api, "steer.importVector", [truncated], /Import Vector failed: /);
			assert.equal(existsSync(steerFolder("vectors", "truncated-vector.gguf")), false);
			await expectReportedFailure(
				api,
				"steer.importVector",
				[path.join(workspaceDir(), "absent.gguf")],
				/Import Vector failed: .*absent\.gguf/
			);
		});

		it("a corrupt file in the vectors folder is skipped, and the others stay usable", async () => {
			await writeFile(
				steerFolder("vectors", "fp-corrupt.gguf"),
				Buffer.from("GGUF\u0003\u0000\u0000\u0000 not a control vector")
			);
			await api.refreshVectors();
			assert.ok(api.library.failures.some((failure) => failure.fileName === "fp-corrupt.gguf"));
			assert.ok(api.library.get("fp-push.gguf"));
			await expectReportedFailure(
				api,
				"steer.showConceptLens",
				["fp-corrupt.gguf", 1],
				/no vector named fp-corrupt\.gguf/
			);
		});

		it("Set Strength with a value that is not a number, or for an unknown vector", async () => {
			await expectReportedFailure(
				api,
				"steer.setStrength",
				[Number.NaN, "fp-push.gguf"],
				/strength must be a number/
			);
			await expectReportedFailure(api, "steer.setStrength", [1, "nope.gguf"], /nope\.gguf/);
			assert.equal(api.steering.choiceOf("fp-push.gguf").strength, 1);
		});

		it("Export Vector of an unknown vector", async () => {
			await expectReportedFailure(
				api,
				"steer.exportVector",
				["nope.gguf", path.join(workspaceDir(), "out.gguf")],
				/no vector named nope\.gguf/
			);
			assert.equal(existsSync(path.join(workspaceDir(), "out.gguf")), false);
		});
	});

	describe("with bad dataset input", () => {
		it("New Dataset with a path for a name, or a name already taken", async () => {
			await expectReportedFailure(
				api,
				"steer.newDataset",
				["../../escape.jsonl"],
				/must not start with a dot or contain|not allowed/
			);
			assert.equal(existsSync(path.join(workspaceDir(), "escape.jsonl")), false);
			await expectReportedFailure(api, "steer.newDataset", ["fp-pairs.jsonl"], /already exists/);
			await expectReportedFailure(api, "steer.newDataset", ["***"], /no letters or digits/);
		});

		it("Write Pairs from a Behaviour on a model without a chat template, before asking anything", async () => {
			assert.equal(api.engine.requireModel().info.hasChatTemplate, false);
			const datasetsBefore = (await api.datasets.list()).length;
			await expectReportedFailure(
				api,
				"steer.writePairsFromBehaviour",
				[],
				/needs an instruct model \(one with a chat template\)/
			);
			assert.equal((await api.datasets.list()).length, datasetsBefore, "no dataset was written");
		});

		it("Add Selection with nothing selected, or into a path", async () => {
			const editor = await editorWith("Lily was happy.");
			await expectReportedFailure(
				api,
				"steer.addSelectionAsPositive",
				["fp-pairs.jsonl"],
				/select the text of the example first/
			);
			editor.selection = new vscode.Selection(0, 0, 0, 5);
			await expectReportedFailure(
				api,
				"steer.addSelectionAsNegative",
				["../evil.jsonl"],
				/not allowed|must not start with a dot or contain/
			);
			assert.equal(existsSync(steerFolder("evil.jsonl")), false);
			assert.equal((await api.datasets.load("fp-pairs.jsonl")).pairs.length, 2);
		});

		it("Train Vector on a dataset that does not exist, a path, or too few pairs", async () => {
			await expectReportedFailure(api, "steer.trainVector", ["absent.jsonl", "pca-diff"], /absent\.jsonl/);
			await expectReportedFailure(
				api,
				"steer.trainVector",
				["../outside.jsonl", "pca-diff"],
				/not allowed|must not start with a dot or contain/
			);
			await api.datasets.save("fp-one.jsonl", [{ positive: "Lily was happy.", negative: "Lily was sad." }]);
			await expectReportedFailure(
				api,
				"steer.trainVector",
				["fp-one.jsonl", "pca-diff"],
				/at least 2 contrast pairs/
			);
			assert.equal(existsSync(steerFolder("vectors", "fp-one.gguf")), false);
		});

		it("Compare Steered vs Baseline with no prompt", async () => {
			await editorWith("");
			await expectReportedFailure(api, "steer.compareSteeredBaseline", [], /put the cursor after a prompt/);
		});
	});

	describe("afterwards", () => {
		it("generates, draws the lens and answers the panel as before", async () => {
			await editorWith(PROMPT);
			const text = await vscode.commands.executeCommand<string>("steer.generateAtCursor");
			assert.equal(typeof text, "string");
			const snapshot = await vscode.commands.executeCommand<{ tokens: number } | undefined>(
				"steer.showConceptLens",
				"fp-push.gguf",
				1
			);
			assert.ok(snapshot && snapshot.tokens > 5);
			await vscode.commands.executeCommand("steer.hideConceptLens");
			assert.equal(await api.panel.receive({ type: "ready" }), true);
		});
	});
});
