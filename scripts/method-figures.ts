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
import { engineSteerableModel } from "../src/engine/steerableModel";
import { calibrateStrength } from "../src/steering/pipeline/calibrateStrength";
import { TRAINING_METHODS } from "../src/steering/training/methods";
import {
	conceptHits,
	figureModels,
	figureStories,
	fluencyCells,
	forEachFigureModel,
	trainConcept,
	tuningConcepts
} from "./calibration-concepts";

const models = figureModels(["TinyStories-656K", "SmolLM2"]);
const only = (process.env.FIGURE_CONCEPTS ?? "sea,food").split(",");

forEachFigureModel(models, 512, async (engine, info) => {
	const model = engineSteerableModel(engine);
	const { stories, unsteered, base } = await figureStories(model);
	console.log(
		"| concept | method | steered layers | held-out accuracy there | 1.0 = fixed push × | stories with the concept | real words | distinct words | degenerate |"
	);
	console.log("|---|---|---|---|---|---|---|---|---|");
	const unsteeredDegenerate = fluencyCells(unsteered, base).degenerate;
	for (const concept of tuningConcepts.filter((entry) => only.includes(entry.name))) {
		console.log(
			`| ${concept.name} | unsteered | – | – | – | ${conceptHits(concept, unsteered)}/16 | 1.00× | 1.00× | ${unsteeredDegenerate} |`
		);
		for (const method of TRAINING_METHODS) {
			const { pairs, source, trained } = await trainConcept(engine, info, concept, method);
			const calibrated = await calibrateStrength(trained, pairs, model, source);
			const accuracy = trained.diagnostics
				.filter((entry) => trained.suggestedLayers.includes(entry.layer))
				.map((entry) => entry.heldOutAccuracy);
			const known = accuracy.filter((value): value is number => value !== null);
			const meanAccuracy = known.length ? (known.reduce((a, b) => a + b, 0) / known.length).toFixed(2) : "—";
			const texts = await stories([{ vector: calibrated.vector, strength: 1 }]);
			const cells = fluencyCells(texts, base);
			const layers = trained.suggestedLayers;
			console.log(
				`| ${concept.name} | ${method} | ${layers.length > 1 ? `${layers[0]}–${layers.at(-1)}` : layers[0]} | ${meanAccuracy} | ${calibrated.calibration!.chosen} | ${conceptHits(concept, texts)}/16 | ${cells.realWords} | ${cells.distinctWords} | ${cells.degenerate} |`
			);
		}
	}
}).catch((error) => {
	console.error(error);
	process.exit(1);
});
