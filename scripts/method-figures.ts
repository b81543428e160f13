/**
 * The figures of docs/steering.md's method table: per model and concept, a vector trained with each
 * method (mean-diff, pca-diff, pca-center, probe) on the same pairs, its held-out accuracy at the steered
 * layers, then calibrated as `steer train` does and applied at its 1.0 to 16 stories (4 story prompts × 4
 * seeds, 60 tokens, temperature 0.8): how many carry the concept (keywords), and the degeneration guard's
 * measures against the unsteered stories.
 *
 * Run: nice -n 10 npx tsx scripts/method-figures.ts [model.gguf ...]
 * Default: TinyStories-656K (shared models folder) and SmolLM2-135M-Instruct when it is in the model
 * cache. FIGURE_CONCEPTS=sea,food limits the concepts (scripts/calibration-concepts.ts).
 */
import os from "node:os";
import path from "node:path";
import { EngineClient } from "../src/engine/client";
import { engineSteerableModel } from "../src/engine/steerableModel";
import { summarizeFluency } from "../src/steering/evaluation/degeneration";
import { effectScore } from "../src/steering/evaluation/effectScore";
import { calibrateStrength } from "../src/steering/pipeline/calibrateStrength";
import { TRAINING_METHODS } from "../src/steering/training/methods";
import type { WeightedVector } from "../src/steering/vector";
import { figureModels, storiesWith, trainConcept, tuningConcepts } from "./calibration-concepts";

const root = path.resolve(__dirname, "..");
const models = figureModels(["TinyStories-656K", "SmolLM2"]);
const only = (process.env.FIGURE_CONCEPTS ?? "sea,food").split(",");

async function main(): Promise<void> {
	console.log(`machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} vCPUs, CPU backend, one thread`);
	for (const modelPath of models) {
		const engine = new EngineClient({ steerRoot: root });
		try {
			const info = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: 512 });
			const model = engineSteerableModel(engine);
			const stories = (steering: readonly WeightedVector[]) =>
				storiesWith((request) => model.generate({ ...request, steering }));
			const unsteered = await stories([]);
			const base = summarizeFluency(unsteered);
			console.log(`\n${path.basename(modelPath)} (${info.nLayer} layers × ${info.nEmbd})\n`);
			console.log(
				"| concept | method | steered layers | held-out accuracy there | 1.0 = fixed push × | stories with the concept | real words | distinct words | degenerate |"
			);
			console.log("|---|---|---|---|---|---|---|---|---|");
			for (const concept of tuningConcepts.filter((entry) => only.includes(entry.name))) {
				const hits = (texts: string[]) =>
					texts.filter((text) => effectScore(text, concept.keywords).matches > 0).length;
				console.log(
					`| ${concept.name} | unsteered | – | – | – | ${hits(unsteered)}/16 | 1.00× | 1.00× | ${Math.round(base.degenerateShare * 16)}/16 |`
				);
				for (const method of TRAINING_METHODS) {
					const { pairs, source, trained } = await trainConcept(engine, info, concept, method);
					const calibrated = await calibrateStrength(trained, pairs, model, source);
					const accuracy = trained.diagnostics
						.filter((entry) => trained.suggestedLayers.includes(entry.layer))
						.map((entry) => entry.heldOutAccuracy);
					const known = accuracy.filter((value): value is number => value !== null);
					const meanAccuracy = known.length
						? (known.reduce((a, b) => a + b, 0) / known.length).toFixed(2)
						: "—";
					const texts = await stories([{ vector: calibrated.vector, strength: 1 }]);
					const fluency = summarizeFluency(texts);
					const layers = trained.suggestedLayers;
					console.log(
						`| ${concept.name} | ${method} | ${layers.length > 1 ? `${layers[0]}–${layers.at(-1)}` : layers[0]} | ${meanAccuracy} | ${calibrated.calibration!.chosen} | ${hits(texts)}/16 | ${(fluency.realWordShare / base.realWordShare).toFixed(2)}× | ${(fluency.distinctWords / base.distinctWords).toFixed(2)}× | ${Math.round(fluency.degenerateShare * 16)}/16 |`
					);
				}
			}
		} finally {
			await engine.dispose();
		}
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
