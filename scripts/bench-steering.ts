/**
 * Benchmark: does a trained vector steer, how strongly, and at what cost in fluency?
 *
 * Run: npx tsx scripts/bench-steering.ts [model.gguf] [dataset.jsonl] [seeds]
 * Defaults: TinyStories-656K from the shared models folder (STEER_TEST_MODELS), the example happy/sad
 * pairs, 8 seeds.
 *
 * Trains with each method × position choice (timing the best setup several times), then samples
 * stories from six prompts × the seeds, unsteered and steered with the saved file, and prints: how
 * many stories contain a happy (or sad) word, happy words per 100 words, the self-judge score
 * ("Is the above text happy?"), perplexity under the unsteered model and its ratio to the unsteered
 * stories, and the sweep's strongest strength within 1.5× perplexity.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadDataset } from "../src/datasets";
import { EngineClient } from "../src/engine/client";
import { engineHiddenStateSource } from "../src/engine/hiddenStateSource";
import { engineSteerableModel } from "../src/engine/steerableModel";
import { loadControlVectorFile } from "../src/steering/gguf/controlVectorFile";
import { sweepStrengths } from "../src/steering/pipeline/strengthSweep";
import { trainFromPairs } from "../src/steering/pipeline/trainFromPairs";
import { saveTrainedVector } from "../src/steering/pipeline/trainedVectorFile";
import { describePositionSpec, type PositionSpec } from "../src/steering/positions";
import type { TrainingMethod } from "../src/steering/training/methods";
import happySadStories from "../examples/evaluation/happy-sad-stories.json";

const root = path.resolve(__dirname, "..");
const modelsDir = path.resolve(process.env.STEER_TEST_MODELS ?? path.join(root, "..", "shared", "models"));
const modelPath = process.argv[2] ?? path.join(modelsDir, "TinyStories-656K.f16.gguf");
const datasetPath = process.argv[3] ?? path.join(root, "examples", "datasets", "happy-sad.jsonl");
const seeds = Array.from({ length: Number(process.argv[4] ?? 8) }, (_, i) => i + 1);

// The same prompts and mood words as the engine test test/engine/steeringScience.test.ts.
const { prompts, happyWords, sadWords } = happySadStories;

const setups: { method: TrainingMethod; positions: PositionSpec }[] = [
	{ method: "mean-diff", positions: { select: "all", mean: true } },
	{ method: "pca-diff", positions: { select: "all", mean: true } },
	{ method: "mean-diff", positions: { select: "last", count: 1 } },
	{ method: "pca-diff", positions: { select: "last", count: 1 } }
];

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

const fixed = (value: number | null | undefined, digits = 2) =>
	value === null || value === undefined ? "—" : value.toFixed(digits);

async function main(): Promise<void> {
	const engine = new EngineClient({ steerRoot: root });
	const folder = mkdtempSync(path.join(os.tmpdir(), "steer-bench-"));
	try {
		const info = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: 256 });
		const { pairs } = await loadDataset(datasetPath);
		const source = engineHiddenStateSource(engine);
		const model = engineSteerableModel(engine);
		console.log(
			`machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, Node ${process.version}`
		);
		console.log(
			`model: ${path.basename(modelPath)} (${info.architecture}, ${info.nLayer} layers × ${info.nEmbd}); dataset: ${path.basename(datasetPath)} (${pairs.length} pairs)`
		);
		console.log(`sampling: ${prompts.length} prompts × ${seeds.length} seeds, 48 tokens, temperature 0.7\n`);

		console.log(
			"setup                 train ms  layers  happy stories  sad stories  happy/100w  self-judge  perplexity (ratio)"
		);
		for (const setup of setups) {
			const times: number[] = [];
			let trained;
			for (let run = 0; run < 3; run++) {
				const started = performance.now();
				trained = await trainFromPairs(pairs, source, {
					...setup,
					modelHint: info.architecture,
					nLayer: info.nLayer,
					nEmbd: info.nEmbd
				});
				times.push(performance.now() - started);
			}
			const file = path.join(folder, "vector.gguf");
			await saveTrainedVector(file, trained!);
			const { vector } = await loadControlVectorFile(file);
			const happy = await sweepStrengths(model, {
				vector,
				prompts,
				seeds,
				strengths: [1],
				keywords: happyWords,
				judge: "happy"
			});
			const sad = await sweepStrengths(model, { vector, prompts, seeds, strengths: [1], keywords: sadWords });
			const row = (label: string, index: number) => {
				const point = happy.points[index]!;
				const ratio = point.perplexity! / happy.analysis.baselinePerplexity;
				return [
					label.padEnd(20),
					(index === 0 ? "" : median(times).toFixed(0)).padStart(9),
					(index === 0 ? "" : trained!.suggestedLayers.join(",")).padStart(8),
					`${(point.keywordHitRate! * 100).toFixed(0)}%`.padStart(15),
					`${(sad.points[index]!.keywordHitRate! * 100).toFixed(0)}%`.padStart(13),
					fixed(point.keywordsPerHundredWords).padStart(12),
					fixed(point.judgeScore, 3).padStart(12),
					`${fixed(point.perplexity, 1)} (${fixed(ratio)})`.padStart(19)
				].join("");
			};
			const name = `${setup.method}/${describePositionSpec(setup.positions)}`;
			if (setup === setups[0]) console.log(row("unsteered", 0));
			console.log(row(name, 1));
		}

		const best = await trainFromPairs(pairs, source, {
			...setups[0]!,
			modelHint: info.architecture,
			nLayer: info.nLayer,
			nEmbd: info.nEmbd
		});
		const sweep = await sweepStrengths(model, {
			vector: best.vector,
			prompts,
			seeds,
			strengths: [0.5, 1, 1.5, 2, 3, 4, 6],
			keywords: happyWords,
			judge: "happy"
		});
		console.log(`\nstrength sweep (${setups[0]!.method}/${describePositionSpec(setups[0]!.positions)}):`);
		console.log("strength  happy stories  happy/100w  self-judge  perplexity  ratio");
		for (const point of sweep.points) {
			console.log(
				[
					fixed(point.strength, 1).padStart(8),
					`${(point.keywordHitRate! * 100).toFixed(0)}%`.padStart(15),
					fixed(point.keywordsPerHundredWords).padStart(12),
					fixed(point.judgeScore, 3).padStart(12),
					fixed(point.perplexity, 1).padStart(12),
					fixed(point.perplexity! / sweep.analysis.baselinePerplexity).padStart(7)
				].join("")
			);
		}
		console.log(`strongest strength within 1.5× perplexity: ${sweep.suggestedMaxStrength ?? "none"}`);
	} finally {
		await engine.dispose();
		rmSync(folder, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error instanceof Error ? error.message : error);
	process.exitCode = 1;
});
