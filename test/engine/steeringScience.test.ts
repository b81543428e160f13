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
import { collectPairActivations } from "../../src/steering/pipeline/collectActivations";
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
	});

	it("at the file's strength 1.0, happy words appear far more often than unsteered", () => {
		const [unsteered, steered] = happy.points;
		assert.equal(unsteered!.strength, 0);
		assert.equal(steered!.strength, 1);
		assert.ok(
			steered!.keywordHitRate! >= unsteered!.keywordHitRate! + 0.15,
			`hit rate ${unsteered!.keywordHitRate} → ${steered!.keywordHitRate}`
		);
		// 1.9× on a 2 vCPU Intel Xeon (0.64 → 1.23 per 100 words; 1.87× over 12 seeds), 3× on an AMD EPYC: the
		// sampled stories differ between CPUs' floating-point paths, so the margin is 1.5×, not the 2× first set.
		assert.ok(
			steered!.keywordsPerHundredWords! >= 1.5 * unsteered!.keywordsPerHundredWords!,
			`per 100 words ${unsteered!.keywordsPerHundredWords} → ${steered!.keywordsPerHundredWords}; hit rate ${unsteered!.keywordHitRate} → ${steered!.keywordHitRate}`
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

/**
 * Does the pipeline steer the layers where the concept is most readable? On stories260K (layers 1–4 can
 * be steered) the example pairs, read at their last token, separate very differently by layer. Each
 * layer's separation is measured here on its own, leave-one-out: the difference-in-means direction of
 * every other pair must rank the left-out pair's positive text above its negative one. The layers the
 * pipeline suggests (from its own single train/validation split) must be among the best measured, and
 * clearly better than the worst, so a suggestion that ignores the measurements fails.
 */
describe("layer suggestion on stories260K", function () {
	this.timeout(120_000);
	let engine: EngineClient;
	let nLayer: number;
	let nEmbd: number;

	before(async function () {
		const modelPath = trainedModelOrSkip(this, "stories260K.gguf");
		engine = new EngineClient({ steerRoot: repoRoot });
		({ nLayer, nEmbd } = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: 256 }));
	});

	after(async () => {
		await engine?.dispose();
	});

	for (const dataset of ["happy-sad.jsonl", "dogs-cats.jsonl"]) {
		it(`${dataset}: steers a layer that separates held-out pairs as well as the best one, and far better than the worst`, async () => {
			const { pairs } = await loadDataset(path.join(repoRoot, "examples", "datasets", dataset));
			const positions = { select: "last" } as const;
			const source = engineHiddenStateSource(engine);
			const layers = Array.from({ length: nLayer - 1 }, (_, i) => i + 1);
			const captured = await collectPairActivations(pairs, source, { layers, positions, nEmbd });
			const measured = new Map(
				captured.map((layer) => [layer.layer, leaveOneOutAccuracy(layer.positive, layer.negative, nEmbd)])
			);
			const best = Math.max(...measured.values());
			const worst = Math.min(...measured.values());
			const table = [...measured].map(([layer, accuracy]) => `${layer}: ${accuracy.toFixed(2)}`).join(", ");
			// Without a spread between layers any suggestion would pass.
			assert.ok(best - worst >= 0.15, `the layers separate the pairs almost equally (${table})`);

			const trained = await trainFromPairs(pairs, source, {
				method: "mean-diff",
				positions,
				modelHint: "llama",
				nLayer,
				nEmbd
			});
			assert.ok(trained.suggestedLayers.length > 0);
			for (const layer of trained.suggestedLayers) {
				const accuracy = measured.get(layer)!;
				assert.ok(
					accuracy >= best - 0.05 && accuracy >= worst + 0.15,
					`suggested layer ${layer} separates held-out pairs ${accuracy.toFixed(2)}; by layer ${table}`
				);
			}
		});
	}
});

/**
 * Fraction of pairs whose positive − negative difference points along the difference-in-means of all
 * the other pairs: a held-out measure of how well one layer separates the concept.
 */
function leaveOneOutAccuracy(positive: Float32Array, negative: Float32Array, nEmbd: number): number {
	const count = positive.length / nEmbd;
	const total = new Float64Array(nEmbd);
	for (let i = 0; i < positive.length; i++) total[i % nEmbd] += positive[i] - negative[i];
	let right = 0;
	for (let pair = 0; pair < count; pair++) {
		let dot = 0;
		for (let k = 0; k < nEmbd; k++) {
			const difference = positive[pair * nEmbd + k] - negative[pair * nEmbd + k];
			dot += difference * (total[k] - difference);
		}
		if (dot > 0) right++;
	}
	return right / count;
}
