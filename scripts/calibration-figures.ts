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
import { engineSteerableModel } from "../src/engine/steerableModel";
import { calibrateVector } from "../src/steering/pipeline/calibrateVector";
import {
	conceptHits,
	figureModels,
	figureStories,
	fluencyCells,
	forEachFigureModel,
	trainConcept,
	tuningConcepts
} from "./calibration-concepts";

const models = figureModels(["TinyStories-656K", "stories260K", "SmolLM2"]);
const only = process.env.FIGURE_CONCEPTS?.split(",");

forEachFigureModel(models, 256, async (engine, info) => {
	const model = engineSteerableModel(engine);
	const { stories, unsteered, base } = await figureStories(model);
	console.log(
		"| concept | layers | profile (pair gain, nats: band / every layer) | 1.0 = fixed push × | why | calibration s | stories: unsteered | fixed push | **1.0** | real words | distinct words |"
	);
	console.log("|---|---|---|---|---|---|---|---|---|---|---|");
	for (const concept of tuningConcepts.filter((entry) => !only || only.includes(entry.name))) {
		const { pairs, source, trained: fixedPush } = await trainConcept(engine, info, concept);
		const calibrated = await calibrateVector(fixedPush, pairs, model, source);
		const curve = calibrated.calibration!;
		const fixed = await stories([{ vector: fixedPush.vector, strength: 1 }]);
		const steered = await stories([{ vector: calibrated.vector, strength: 1 }]);
		const cells = fluencyCells(steered, base);
		const gains = curve.profile?.candidates.map((entry) => entry.pairGain?.toFixed(1) ?? "–").join(" / ");
		console.log(
			`| ${concept.name} | ${calibrated.suggestedLayers.join(",")} | ${curve.profile?.chosen ?? "band"}${gains ? ` (${gains})` : ""} | ${curve.chosen} | ${curve.reason} | ${curve.seconds.toFixed(1)} | ${conceptHits(concept, unsteered)}/16 | ${conceptHits(concept, fixed)}/16 | **${conceptHits(concept, steered)}/16** | ${cells.realWords} | ${cells.distinctWords} |`
		);
	}
}).catch((error) => {
	console.error(error);
	process.exit(1);
});
