/**
 * The figures of docs/steering.md's placement table: per model and concept, a vector trained and
 * calibrated as `steer train` does, then applied at every position, at the generated tokens only, at
 * the prompt only and at the first 3 positions, at strengths 1 and 2. Each cell is 16 stories (4 story
 * prompts × 4 seeds, 60 tokens, temperature 0.8): how many carry the concept (keywords), and the
 * degeneration guard's measures against the unsteered stories.
 *
 * Run: nice -n 10 npx tsx scripts/placement-figures.ts [model.gguf ...]
 * Default: TinyStories-656K and stories260K (shared models folder), and SmolLM2-135M-Instruct when it
 * is in the model cache. FIGURE_CONCEPTS=sea,food limits the concepts (scripts/calibration-concepts.ts).
 */
import type { SteeringEntry } from "../src/engine/protocol";
import { engineSteerableModel } from "../src/engine/steerableModel";
import { summarizeFluency } from "../src/steering/evaluation/degeneration";
import { calibrateStrength } from "../src/steering/pipeline/calibrateStrength";
import { describePlacement, type SteeringPlacement } from "../src/steering/placement";
import {
	conceptHits,
	figureModels,
	fluencyCells,
	forEachFigureModel,
	storiesWith,
	trainConcept,
	tuningConcepts
} from "./calibration-concepts";

const models = figureModels(["TinyStories-656K", "stories260K", "SmolLM2"]);
const only = (process.env.FIGURE_CONCEPTS ?? "sea,food").split(",");
const placements: SteeringPlacement[] = [
	{ kind: "all" },
	{ kind: "generated" },
	{ kind: "prompt" },
	{ kind: "first", positions: 3 }
];
const strengths = [1, 2];

forEachFigureModel(models, 256, async (engine, info) => {
	const stories = (steering: SteeringEntry[]) =>
		storiesWith(async (request) => (await engine.generate({ ...request, steering })).text);
	const unsteered = await stories([]);
	const base = summarizeFluency(unsteered);
	console.log(
		"| concept | acts on | strength | stories with the concept | real words | distinct words | degenerate |"
	);
	console.log("|---|---|---|---|---|---|---|");
	for (const concept of tuningConcepts.filter((entry) => only.includes(entry.name))) {
		const { pairs, source, trained } = await trainConcept(engine, info, concept);
		const calibrated = await calibrateStrength(trained, pairs, engineSteerableModel(engine), source);
		console.log(
			`| ${concept.name} | unsteered | 0 | ${conceptHits(concept, unsteered)}/16 | 1.00× | 1.00× | ${fluencyCells(unsteered, base).degenerate} |`
		);
		for (const strength of strengths)
			for (const placement of placements) {
				const texts = await stories([{ vector: calibrated.vector, strength, placement }]);
				const cells = fluencyCells(texts, base);
				console.log(
					`| ${concept.name} | ${describePlacement(placement)} | ${strength} | ${conceptHits(concept, texts)}/16 | ${cells.realWords} | ${cells.distinctWords} | ${cells.degenerate} |`
				);
			}
	}
}).catch((error) => {
	console.error(error);
	process.exit(1);
});
