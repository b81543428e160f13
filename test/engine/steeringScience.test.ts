/**
 * Does a trained vector steer a real model? On TinyStories-656K: train on the example happy/sad pairs
 * with the defaults, save, load the file back and apply it at its own strength 1.0, then compare
 * sampled stories against unsteered ones generated with the same prompts and seeds.
 *
 * Margins were set from measurements on this model (docs/steering.md): at strength 1.0 stories with a
 * happy word went from about 1 in 5 to 1 in 2 and sad words nearly vanished, with perplexity under the
 * unsteered model about 1.2× its value on unsteered stories; at strength 6 the text breaks.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadDataset } from "../../src/datasets";
import { EngineClient } from "../../src/engine/client";
import { engineHiddenStateSource } from "../../src/engine/hiddenStateSource";
import { engineSteerableModel } from "../../src/engine/steerableModel";
import { loadControlVectorFile } from "../../src/steering/gguf/controlVectorFile";
import { sweepStrengths, type StrengthSweepResult } from "../../src/steering/pipeline/strengthSweep";
import { trainFromPairs, type TrainedVector } from "../../src/steering/pipeline/trainFromPairs";
import { saveTrainedVector } from "../../src/steering/pipeline/trainedVectorFile";
import type { SteeringVector } from "../../src/steering/vector";
import { repoRoot, trainedModelOrSkip } from "../helpers/testModels";
import happySadStories from "../../examples/evaluation/happy-sad-stories.json";

// The same prompts and mood words as the steering benchmark (scripts/bench-steering.ts).
const { prompts: storyPrompts, happyWords, sadWords } = happySadStories;
const seeds = [1, 2, 3, 4, 5, 6];

describe("steering science on TinyStories-656K", function () {
	this.timeout(120_000);
	let engine: EngineClient;
	let trained: TrainedVector;
	let fromFile: SteeringVector;
	let folder: string;
	let happy: StrengthSweepResult;

	before(async function () {
		const modelPath = trainedModelOrSkip(this, "TinyStories-656K.f16.gguf");
		engine = new EngineClient({ steerRoot: repoRoot });
		const info = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: 256 });
		const { pairs } = await loadDataset(path.join(repoRoot, "examples", "datasets", "happy-sad.jsonl"));
		trained = await trainFromPairs(pairs, engineHiddenStateSource(engine), {
			method: "mean-diff",
			positions: { select: "all", mean: true },
			modelHint: info.architecture,
			nLayer: info.nLayer,
			nEmbd: info.nEmbd
		});
		folder = mkdtempSync(path.join(tmpdir(), "steer-science-"));
		const file = path.join(folder, "happy.gguf");
		await saveTrainedVector(file, trained);
		fromFile = (await loadControlVectorFile(file)).vector;
		happy = await sweepStrengths(engineSteerableModel(engine), {
			vector: fromFile,
			prompts: storyPrompts,
			strengths: [1, 6],
			seeds,
			keywords: happyWords,
			judge: "happy"
		});
	});

	after(async () => {
		await engine?.dispose();
		if (folder) rmSync(folder, { recursive: true, force: true });
	});

	it("separates the example pairs at the steered layer", () => {
		const layer = trained.diagnostics.find((entry) => entry.layer === 1);
		assert.ok(layer, "layer 1 was not trained");
		assert.equal(layer.agreement, 1, "every happy text should project above its sad twin");
		assert.deepEqual(trained.suggestedLayers, [1]);
	});

	it("at the file's strength 1.0, happy words appear far more often than unsteered", () => {
		const [unsteered, steered] = happy.points;
		assert.equal(unsteered!.strength, 0);
		assert.equal(steered!.strength, 1);
		assert.ok(
			steered!.keywordHitRate! >= unsteered!.keywordHitRate! + 0.15,
			`hit rate ${unsteered!.keywordHitRate} → ${steered!.keywordHitRate}`
		);
		assert.ok(
			steered!.keywordsPerHundredWords! >= 2 * unsteered!.keywordsPerHundredWords!,
			`per 100 words ${unsteered!.keywordsPerHundredWords} → ${steered!.keywordsPerHundredWords}`
		);
	});

	it("at strength 1.0 the stories stay fluent: perplexity under the unsteered model ≤ 1.5× baseline", () => {
		const [unsteered, steered] = happy.points;
		assert.ok(
			steered!.perplexity! <= 1.5 * unsteered!.perplexity!,
			`perplexity ${unsteered!.perplexity} → ${steered!.perplexity}`
		);
		assert.ok(
			happy.suggestedMaxStrength !== null && happy.suggestedMaxStrength >= 1,
			`suggested ${happy.suggestedMaxStrength}`
		);
	});

	it("far beyond the recommended strength the text breaks, and the sweep says so", () => {
		const broken = happy.points.find((point) => point.strength === 6)!;
		assert.ok(
			broken.perplexity! > 1.5 * happy.analysis.baselinePerplexity,
			`perplexity at 6: ${broken.perplexity}`
		);
		assert.equal(happy.suggestedMaxStrength, 1);
	});

	it("sad words become rarer in the same stories", async () => {
		const sad = await sweepStrengths(engineSteerableModel(engine), {
			vector: fromFile,
			prompts: storyPrompts,
			strengths: [1],
			seeds,
			keywords: sadWords
		});
		const [unsteered, steered] = sad.points;
		assert.ok(
			steered!.keywordHitRate! <= unsteered!.keywordHitRate! / 2,
			`sad hit rate ${unsteered!.keywordHitRate} → ${steered!.keywordHitRate}`
		);
		assert.deepEqual(
			sad.points.map((point) => point.samples.map((sample) => sample.text)),
			happy.points.slice(0, 2).map((point) => point.samples.map((sample) => sample.text)),
			"same prompts and seeds must give the same stories"
		);
	});

	it("self-judges every story from the whole Yes/No answers (this model's vocabulary spells them in pieces)", () => {
		const scores = happy.points.flatMap((point) => point.samples.map((sample) => sample.judge!));
		assert.ok(scores.every((score) => score > 0 && score < 1));
		assert.ok(
			new Set(scores.map((score) => score.toFixed(6))).size > scores.length / 2,
			"judge scores barely vary: the answers' first pieces are probably being compared"
		);
	});
});
