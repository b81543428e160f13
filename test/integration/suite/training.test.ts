import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import type { ContrastPair } from "../../../src/datasets";
import { loadControlVectorFile } from "../../../src/steering/gguf/controlVectorFile";
import { metadataString } from "../../../src/steering/gguf/metadataAccess";
import { loadTrainedVector, TRAINED_VECTOR_KEYS } from "../../../src/steering/pipeline";
import type { SteerApi } from "../../../src/vscode/extension";
import type { TrainingOutcome } from "../../../src/vscode/training/trainingRunner";
import type { DatasetEditorUpdate } from "../../../src/shared/datasetEditorProtocol";
import {
	ensureModelLoaded,
	lastErrors,
	modelPath,
	openInDatasetEditor,
	recordEditorPosts,
	steerFolder,
	steerWithModelOrSkip
} from "./steerTestSupport";

const DATASET = "moods.jsonl";
// Trained vectors are named after the dataset and the model, so other models never collide.
const VECTOR = "moods.TinyStories-656K.f16.gguf";
const SECOND_MODEL = "stories260K.gguf";
const PAIRS: ContrastPair[] = [
	["Lily was very happy and smiled at the sun.", "Lily was very sad and cried in the rain."],
	["Tom laughed and played with his best friend.", "Tom cried and sat alone in his room."],
	["The bird sang a happy song in the tree.", "The bird was sad and did not sing at all."],
	["Mom hugged Ben and they both felt glad.", "Mom was angry and Ben felt bad and scared."],
	["The puppy jumped with joy in the green park.", "The puppy was lost and scared in the dark."],
	["Sue got a gift and shouted with joy.", "Sue lost her toy and started to cry."],
	["They had a fun day and ate cake together.", "They had a bad day and nobody came to play."],
	["The sun was bright and everyone was happy.", "The sky was grey and everyone was sad."]
].map(([positive, negative]) => ({ positive, negative }));

/** Sends `message` as the dataset editor's page of `fileName` would, and returns what the page was sent. */
async function fromDatasetEditor(api: SteerApi, fileName: string, message: unknown): Promise<DatasetEditorUpdate[]> {
	const document = await openInDatasetEditor(api, fileName);
	const recorded = recordEditorPosts(api);
	try {
		assert.equal(await api.editors.datasets.receive(document.uri, message), true, "the message was refused");
	} finally {
		recorded.dispose();
	}
	return recorded.sent;
}

function trained(sent: readonly DatasetEditorUpdate[]) {
	const done = sent.find((update) => update.type === "trained");
	return done?.type === "trained" ? done : undefined;
}

describe("Training a vector from a dataset", function () {
	this.timeout(120_000);
	let api: SteerApi;

	const ownVectors = [
		VECTOR,
		"moods.TinyStories-656K.f16-2.gguf",
		"moods.stories260K.gguf",
		"one-pair.TinyStories-656K.f16.gguf"
	];
	const removeOwnFiles = async () => {
		for (const fileName of ownVectors) await rm(steerFolder("vectors", fileName), { force: true });
		for (const fileName of [DATASET, "one-pair.jsonl"])
			await rm(steerFolder("datasets", fileName), { force: true });
	};

	before(async function () {
		api = await steerWithModelOrSkip(this);
		await removeOwnFiles();
		await api.datasets.save(DATASET, PAIRS);
	});

	after(async () => {
		if (!api) return;
		await removeOwnFiles();
		await api.library.refresh(true);
		await api.steering.libraryChanged();
		await vscode.commands.executeCommand("workbench.action.closeAllEditors");
	});

	it("Train Vector writes a calibrated GGUF with diagnostics into .steer/vectors, and the open dataset editor sees the progress", async () => {
		const { nLayer } = api.engine.requireModel().info;
		await openInDatasetEditor(api, DATASET);
		const recorded = recordEditorPosts(api);
		let outcome: TrainingOutcome | undefined;
		try {
			outcome = await vscode.commands.executeCommand<TrainingOutcome | undefined>(
				"steer.trainVector",
				DATASET,
				"pca-diff"
			);
		} finally {
			recorded.dispose();
		}
		assert.ok(outcome, `steer.trainVector returned nothing: ${lastErrors(api)}`);
		assert.equal(outcome.vectorFileName, VECTOR);
		assert.equal(outcome.vectorPath, steerFolder("vectors", VECTOR));
		assert.ok(existsSync(outcome.vectorPath), "the trained vector file is missing");

		// The file is what the pipeline writes: diagnostics for every trained layer, the steered band.
		const trained = await loadTrainedVector(outcome.vectorPath);
		assert.equal(trained.method, "pca-diff");
		assert.equal(trained.pairCount, PAIRS.length);
		assert.deepEqual(
			trained.diagnostics.map((entry) => entry.layer),
			Array.from({ length: nLayer - 1 }, (_, i) => i + 1)
		);
		assert.ok(
			trained.diagnostics.every(
				(entry) =>
					Number.isFinite(entry.agreement) &&
					Number.isFinite(entry.hiddenNormMean) &&
					entry.hiddenNormMean > 0
			)
		);
		assert.ok(trained.suggestedLayers.length > 0);
		assert.deepEqual(
			[...trained.vector.directions.keys()].sort((a, b) => a - b),
			[...trained.suggestedLayers]
		);
		assert.deepEqual(outcome.suggested, [
			Math.min(...trained.suggestedLayers),
			Math.max(...trained.suggestedLayers)
		]);
		assert.deepEqual(
			outcome.layers.map((entry) => entry.layer),
			trained.diagnostics.map((entry) => entry.layer)
		);
		const raw = await loadControlVectorFile(outcome.vectorPath);
		const diagnosticsJson = JSON.parse(
			metadataString(raw.metadata, TRAINED_VECTOR_KEYS.diagnostics) ?? "null"
		) as unknown[];
		assert.equal(diagnosticsJson.length, nLayer - 1, "steer.diagnostics should hold one entry per trained layer");

		// The library reads the same keys back: calibrated strength and the suggested band.
		const inLibrary = api.library.get(VECTOR);
		assert.ok(inLibrary, "the trained vector was not picked up by the library");
		assert.equal(inLibrary.facts.method, "pca-diff");
		assert.equal(inLibrary.facts.calibrated, true);
		assert.deepEqual(inLibrary.facts.suggested, outcome.suggested);

		// The editor showing the dataset was sent the capture progress as it went. (The train stage runs
		// without yielding the thread, so its progress cannot reach the page before it ends; see the
		// pipeline's trainSteeringVector.)
		const capture = recorded.sent.flatMap((update) =>
			update.type === "training" && update.phase === "capture" && update.done > 0 ? [update] : []
		);
		assert.ok(
			capture.length > 0,
			`no capture progress reached the editor (sent: ${JSON.stringify(recorded.sent.map((update) => update.type))})`
		);
		assert.ok(
			capture.every((update) => update.total === PAIRS.length * 2),
			"capture progress counts texts, two per pair"
		);
		const done = capture.map((update) => update.done);
		assert.deepEqual(
			done,
			[...done].sort((a, b) => a - b),
			"capture progress must not go backwards"
		);
	});

	it("the dataset editor's Train button replaces the vector when told to, and the new one starts at strength 1", async () => {
		await api.steering.setStrength(VECTOR, 1000);
		const sent = await fromDatasetEditor(api, DATASET, {
			type: "train",
			method: "mean-diff",
			positions: "mean",
			layers: "all",
			ifExists: "replace"
		});
		const done = trained(sent);
		assert.ok(
			done,
			`no trained message (sent: ${sent.map((update) => update.type).join(", ")}): ${lastErrors(api)}`
		);
		assert.equal(done.vectorFileName, VECTOR);
		const file = await loadTrainedVector(steerFolder("vectors", VECTOR));
		assert.equal(file.method, "mean-diff", "the editor's training should replace the file");
		assert.equal(file.diagnostics.length, api.engine.requireModel().info.nLayer - 1);
		assert.ok(
			sent.some((update) => update.type === "training" && update.phase === "capture"),
			"the editor saw no progress"
		);
		assert.equal(
			api.steering.choiceOf(VECTOR).strength,
			1,
			"a retrained vector starts at its recommended strength, not the old file's 1000"
		);
		assert.deepEqual(api.steering.choiceOf(VECTOR).layerRange, done.suggested);
	});

	it("keeping both writes the new vector beside the old one, which stays byte for byte", async () => {
		const before = await readFile(steerFolder("vectors", VECTOR));
		const done = trained(
			await fromDatasetEditor(api, DATASET, {
				type: "train",
				method: "pca-diff",
				positions: "last",
				layers: "all",
				ifExists: "keepBoth"
			})
		);
		assert.ok(done, `no trained message: ${lastErrors(api)}`);
		assert.equal(done.vectorFileName, "moods.TinyStories-656K.f16-2.gguf");
		assert.deepEqual(await readFile(steerFolder("vectors", VECTOR)), before, "the first vector was changed");
		assert.equal((await loadTrainedVector(steerFolder("vectors", done.vectorFileName))).method, "pca-diff");
	});

	it("training the same dataset on another model leaves the first model's vector in place", async function () {
		const second = path.join(path.dirname(modelPath()), SECOND_MODEL);
		if (!existsSync(second)) {
			console.log(`      skipped: ${SECOND_MODEL} not found in STEER_TEST_MODELS`);
			this.skip();
		}
		const firstWidth = (await loadTrainedVector(steerFolder("vectors", VECTOR))).vector.nEmbd;
		const before = await readFile(steerFolder("vectors", VECTOR));
		try {
			assert.ok(
				await vscode.commands.executeCommand("steer.loadModel", second),
				`loading ${SECOND_MODEL} failed: ${lastErrors(api)}`
			);
			const outcome = await vscode.commands.executeCommand<TrainingOutcome | undefined>(
				"steer.trainVector",
				DATASET,
				"mean-diff"
			);
			assert.ok(outcome, `training on ${SECOND_MODEL} failed: ${lastErrors(api)}`);
			assert.equal(outcome.vectorFileName, "moods.stories260K.gguf");
			const secondWidth = (await loadTrainedVector(outcome.vectorPath)).vector.nEmbd;
			assert.equal(secondWidth, api.engine.requireModel().info.nEmbd);
			assert.notEqual(secondWidth, firstWidth, "the two test models should differ in width");
			assert.deepEqual(
				await readFile(steerFolder("vectors", VECTOR)),
				before,
				"the first model's vector was changed"
			);
		} finally {
			await ensureModelLoaded(api);
		}
	});

	it("the editor's training reports a dataset too small to train on, and the next training still works", async () => {
		await api.datasets.save("one-pair.jsonl", PAIRS.slice(0, 1));
		const sent = await fromDatasetEditor(api, "one-pair.jsonl", {
			type: "train",
			method: "pca-diff",
			positions: "last",
			layers: "all"
		});
		assert.ok(
			sent.some((update) => update.type === "trainingFailed"),
			"the editor was not told the training failed"
		);
		assert.match(lastErrors(api), /at least 2 contrast pairs/);
		assert.equal(existsSync(steerFolder("vectors", "one-pair.TinyStories-656K.f16.gguf")), false);
		assert.equal(api.training.view, undefined, "a failed training must not stay marked as running");
		const next = trained(
			await fromDatasetEditor(api, DATASET, {
				type: "train",
				method: "pca-diff",
				positions: "last",
				layers: "1",
				ifExists: "replace"
			})
		);
		assert.ok(next, `the training after the failed one did not finish: ${lastErrors(api)}`);
		assert.equal(
			(await loadTrainedVector(steerFolder("vectors", VECTOR))).diagnostics.length,
			1,
			"training on layer 1 alone should follow the failed one"
		);
	});

	it("the editor's layers field takes top:K, and refuses a K that is not a whole number ≥ 1 by name", async () => {
		const sent = await fromDatasetEditor(api, DATASET, {
			type: "train",
			method: "mean-diff",
			positions: "last",
			layers: "top:0"
		});
		assert.ok(
			sent.some((update) => update.type === "trainingFailed"),
			"the editor was not told the training failed"
		);
		assert.match(lastErrors(api), /layers "top:0": top:K needs a whole number K ≥ 1/);
		assert.ok(
			trained(
				await fromDatasetEditor(api, DATASET, {
					type: "train",
					method: "mean-diff",
					positions: "last",
					layers: "top:1",
					ifExists: "replace"
				})
			),
			`top:1 did not train: ${lastErrors(api)}`
		);
		const file = await loadTrainedVector(steerFolder("vectors", VECTOR));
		assert.equal(file.suggestedLayers.length, 1, "top:1 steers exactly one layer");
		assert.equal(file.diagnostics.length, api.engine.requireModel().info.nLayer - 1, "top:K trains every layer");
	});
});
