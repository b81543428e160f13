import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import type { SteerApi } from "../../../src/vscode/extension";
import type { LensSnapshot } from "../../../src/vscode/lens/conceptLens";
import { editorWith, MODEL, modelPath, steerApi, waitFor, workspaceDir, writeVectorFile } from "./steerTestSupport";

const PROMPT = "Once upon a time, there was a little girl named Lily. She";

/** A deterministic direction per layer, large enough to change a greedy completion. */
function pushVector(nEmbd: number, layers: readonly number[], seed: number): Map<number, Float32Array> {
	let state = seed;
	const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
	return new Map(layers.map((layer) => [layer, Float32Array.from({ length: nEmbd }, random)]));
}

function writeVector(fileName: string, nEmbd: number, layers: readonly number[]): Promise<string> {
	return writeVectorFile(fileName, nEmbd, pushVector(nEmbd, layers, 7));
}

async function completionAtCursor(): Promise<string> {
	await editorWith(PROMPT);
	const text = await vscode.commands.executeCommand<string | undefined>("steer.generateAtCursor");
	assert.equal(typeof text, "string", "steer.generateAtCursor returned no text (see the Steer log)");
	return text as string;
}

describe("Editor experience", function () {
	this.timeout(120_000);
	let api: SteerApi;

	before(async function () {
		if (!existsSync(modelPath())) {
			console.log(`      skipped: ${MODEL} not found in STEER_TEST_MODELS`);
			this.skip();
		}
		api = await steerApi();
		const config = vscode.workspace.getConfiguration("steer");
		await config.update("temperature", 0, vscode.ConfigurationTarget.Global);
		await config.update("maxTokens", 16, vscode.ConfigurationTarget.Global);
		await config.update("threads", 1, vscode.ConfigurationTarget.Global);
	});

	after(async () => {
		await vscode.commands.executeCommand("workbench.action.closeAllEditors");
	});

	it("reports a missing model instead of failing silently, and keeps working", async () => {
		// Another file may have loaded the model before this one: start from none, as a new user does.
		if (api.engine.modelInfo) await vscode.commands.executeCommand("steer.unloadModel");
		assert.equal(api.engine.modelInfo, undefined);
		await editorWith(PROMPT);
		const text = await vscode.commands.executeCommand("steer.generateAtCursor");
		assert.equal(text, undefined, "generation without a model must not produce text");
		assert.throws(() => api.engine.requireModel(), /no model is loaded; run "Steer: Load Model…"/);
	});

	it("loads the model from the test models folder", async () => {
		const info = await vscode.commands.executeCommand<{ nLayer: number; nEmbd: number; architecture: string }>(
			"steer.loadModel",
			modelPath()
		);
		assert.ok(info, "steer.loadModel returned nothing (see the Steer log)");
		assert.equal(info.architecture, "llama");
		assert.ok(info.nLayer >= 2);
		assert.equal(api.engine.modelInfo?.nEmbd, info.nEmbd);
	});

	it("steering changes a greedy completion, and toggling it off restores it exactly", async () => {
		const info = api.engine.requireModel().info;
		await writeVector("push.gguf", info.nEmbd, [1, Math.min(2, info.nLayer - 1)]);
		await api.refreshVectors();
		assert.ok(api.library.get("push.gguf"), "the written vector was not picked up");

		const baseline = await completionAtCursor();
		assert.equal(await completionAtCursor(), baseline, "greedy decoding must be deterministic");

		await api.steering.setActive("push.gguf", true);
		await api.steering.setStrength("push.gguf", 30);
		if (!api.steering.enabled) await vscode.commands.executeCommand("steer.toggleSteering");
		const steered = await completionAtCursor();
		assert.notEqual(steered, baseline, "an active vector at strength 30 should change the completion");

		assert.equal(await vscode.commands.executeCommand("steer.toggleSteering"), false);
		assert.equal(await completionAtCursor(), baseline, "steering off must give the baseline back exactly");
		assert.equal(await vscode.commands.executeCommand("steer.toggleSteering"), true);
		assert.equal(await completionAtCursor(), steered, "steering back on must give the same steered text");
		await api.steering.setActive("push.gguf", false);
	});

	it("offers an inline suggestion that can be accepted", async () => {
		await vscode.workspace
			.getConfiguration("steer")
			.update("inline.debounceMs", 0, vscode.ConfigurationTarget.Global);
		const editor = await editorWith(PROMPT);
		const before = editor.document.getText();
		await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
		const accepted = await waitFor("an accepted inline suggestion", async () => {
			await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
			const now = editor.document.getText();
			return now.length > before.length ? now : undefined;
		});
		assert.ok(accepted.startsWith(before));
		assert.ok(!accepted.slice(before.length).includes("\n"), "single-line suggestions stop at the end of the line");
	});

	it("draws the concept lens as per-token decorations", async () => {
		const info = api.engine.requireModel().info;
		await editorWith(PROMPT);
		const snapshot = await vscode.commands.executeCommand<
			{ tokens: number; decorated: number; layer: number; scores: number[] } | undefined
		>("steer.showConceptLens", "push.gguf", 1);
		assert.ok(snapshot, "the lens did not draw (see the Steer log)");
		assert.equal(snapshot.layer, 1);
		assert.ok(snapshot.tokens > 5, `expected the prompt's tokens, got ${snapshot.tokens}`);
		// BOS and pieces that are not whole characters have no place in the text; the words all do.
		assert.ok(
			snapshot.decorated >= snapshot.tokens * 0.7,
			`expected most tokens decorated, got ${snapshot.decorated} of ${snapshot.tokens}`
		);
		assert.ok(snapshot.scores.every(Number.isFinite));
		assert.ok(info.nEmbd > 0);
		// While it shows, the status bar says which colour is which side; it goes with the lens.
		assert.equal(api.lens.legend.text, "$(eye) Lens: push · green = positive side, red = negative side");

		await vscode.commands.executeCommand("steer.hideConceptLens");
		assert.equal(api.lens.visible, false);
		assert.equal(api.lens.legend.text, undefined);
	});

	it("redraws the concept lens after an edit", async () => {
		const editor = await editorWith(PROMPT);
		const uri = editor.document.uri.toString();
		const first = await vscode.commands.executeCommand<LensSnapshot | undefined>(
			"steer.showConceptLens",
			"push.gguf",
			1
		);
		assert.ok(first, "the lens did not draw (see the Steer log)");
		assert.equal(first.decoratedThrough, PROMPT.length, "the first drawing should reach the end of the prompt");
		try {
			// Switching editors may redraw the old text first; only a drawing of a later version counts.
			const redrawn = new Promise<LensSnapshot>((resolve) => {
				const subscription = api.lens.onDidUpdate((next) => {
					if (next.uri !== uri || next.version <= first.version) return;
					subscription.dispose();
					resolve(next);
				});
			});
			const appended = " was very happy.";
			await editor.edit((edit) =>
				edit.insert(editor.document.positionAt(editor.document.getText().length), appended)
			);
			const next = await Promise.race([
				redrawn,
				new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 30_000))
			]);
			assert.ok(
				next,
				`the lens was not redrawn after an edit (last drawn: version ${api.lens.lastSnapshot?.version}, visible: ${api.lens.visible})`
			);
			assert.equal(next.version, editor.document.version, "the redraw must be for the text as edited");
			// The appended words are tinted too (token counts cannot show this: this tokenizer spells the
			// longer text in as many tokens as the prompt alone).
			assert.equal(next.decoratedThrough, PROMPT.length + appended.length);
			assert.ok(next.scores.every(Number.isFinite));
		} finally {
			await vscode.commands.executeCommand("steer.hideConceptLens");
		}
		assert.equal(api.lens.visible, false);
	});

	it("refuses a corrupt vector file without copying it, and keeps working", async () => {
		const corrupt = path.join(workspaceDir(), "corrupt.gguf");
		await writeFile(corrupt, Buffer.from("GGUF this is not a control vector"));
		const imported = await vscode.commands.executeCommand("steer.importVector", corrupt);
		assert.equal(imported, undefined);
		assert.equal(
			existsSync(path.join(workspaceDir(), ".steer", "vectors", "corrupt.gguf")),
			false,
			"a corrupt file must not land in the vectors folder"
		);
		assert.equal(typeof (await completionAtCursor()), "string");
	});

	it("refuses to activate a vector made for another model, and keeps working", async () => {
		const info = api.engine.requireModel().info;
		await writeVector("other-model.gguf", info.nEmbd + 8, [1]);
		await api.refreshVectors();
		await assert.rejects(api.steering.setActive("other-model.gguf", true), /width .* another model/);
		assert.equal(api.steering.choiceOf("other-model.gguf").active, false);
		assert.equal(typeof (await completionAtCursor()), "string");
	});

	it("refuses a model file that is not a model, and keeps the loaded one", async () => {
		const notAModel = path.join(workspaceDir(), "not-a-model.gguf");
		await writeFile(notAModel, Buffer.from("definitely not gguf"));
		const result = await vscode.commands.executeCommand("steer.loadModel", notAModel);
		assert.equal(result, undefined);
		assert.equal(typeof (await completionAtCursor()), "string");
	});

	it("writes datasets under .steer and adds selected examples as pairs", async () => {
		const fileName = await vscode.commands.executeCommand<string>("steer.newDataset", "happy vs sad");
		assert.equal(fileName, "happy-vs-sad.jsonl");
		const editor = await editorWith("Lily was very happy. Lily was very sad.");
		editor.selection = new vscode.Selection(0, 0, 0, 20);
		await vscode.commands.executeCommand("steer.addSelectionAsPositive", fileName);
		editor.selection = new vscode.Selection(0, 21, 0, 40);
		const count = await vscode.commands.executeCommand("steer.addSelectionAsNegative", fileName);
		assert.equal(count, 1);
		const dataset = await api.datasets.load(fileName);
		assert.deepEqual(dataset.pairs, [{ positive: "Lily was very happy.", negative: "Lily was very sad." }]);
	});
});
