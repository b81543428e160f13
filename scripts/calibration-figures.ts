/**
 * The figures of docs/steering.md's calibration tables: per model and concept, what calibration by
 * measurement chose, how long it took, and what the file's 1.0 does to 16 stories (4 story prompts × 4
 * seeds, 60 tokens, temperature 0.8) against the unsteered stories and the fixed push it replaced.
 *
 * Run: nice -n 10 npx tsx scripts/calibration-figures.ts [model.gguf ...]
 * Default: TinyStories-656K and stories260K (shared models folder), and SmolLM2-135M-Instruct when it
 * is in the model cache. FIGURE_CONCEPTS=rain,food limits the concepts (scripts/calibration-concepts.ts).
 * Prints one markdown table per model.
 */
import os from "node:os";
import path from "node:path";
import { EngineClient } from "../src/engine/client";
import { engineSteerableModel } from "../src/engine/steerableModel";
import { summarizeFluency } from "../src/steering/evaluation/degeneration";
import { effectScore } from "../src/steering/evaluation/effectScore";
import { calibrateStrength } from "../src/steering/pipeline/calibrateStrength";
import type { WeightedVector } from "../src/steering/vector";
import { figureModels, storiesWith, trainConcept, tuningConcepts } from "./calibration-concepts";

const root = path.resolve(__dirname, "..");
const models = figureModels(["TinyStories-656K", "stories260K", "SmolLM2"]);
const only = process.env.FIGURE_CONCEPTS?.split(",");

async function main(): Promise<void> {
	console.log(`machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} vCPUs, CPU backend, one thread`);
	for (const modelPath of models) {
		const engine = new EngineClient({ steerRoot: root });
		try {
			const info = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: 256 });
			const model = engineSteerableModel(engine);
			const stories = (steering: readonly WeightedVector[]) =>
				storiesWith((request) => model.generate({ ...request, steering }));
			const unsteered = await stories([]);
			const base = summarizeFluency(unsteered);
			console.log(`\n${path.basename(modelPath)} (${info.nLayer} layers × ${info.nEmbd})\n`);
			console.log(
				"| concept | layers | 1.0 = fixed push × | why | calibration s | stories: unsteered | fixed push | **1.0** | real words | distinct words |"
			);
			console.log("|---|---|---|---|---|---|---|---|---|---|");
			for (const concept of tuningConcepts.filter((entry) => !only || only.includes(entry.name))) {
				const { pairs, source, trained: fixedPush } = await trainConcept(engine, info, concept);
				const calibrated = await calibrateStrength(fixedPush, pairs, model, source);
				const curve = calibrated.calibration!;
				const hits = (texts: string[]) =>
					texts.filter((text) => effectScore(text, concept.keywords).matches > 0).length;
				const fixed = await stories([{ vector: fixedPush.vector, strength: 1 }]);
				const steered = await stories([{ vector: calibrated.vector, strength: 1 }]);
				const fluency = summarizeFluency(steered);
				console.log(
					`| ${concept.name} | ${fixedPush.suggestedLayers.join(",")} | ${curve.chosen} | ${curve.reason} | ${curve.seconds.toFixed(1)} | ${hits(unsteered)}/16 | ${hits(fixed)}/16 | **${hits(steered)}/16** | ${(fluency.realWordShare / base.realWordShare).toFixed(2)}× | ${(fluency.distinctWords / base.distinctWords).toFixed(2)}× |`
				);
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
