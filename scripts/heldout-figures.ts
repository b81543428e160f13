/**
 * The held-out concepts (test/fixtures/heldOutConcepts.ts) on four times the goal's stories, so that a
 * rate can be told from the luck of 16 samples (heldout-stories.ts): the concept's stories of 64 with a
 * 95% interval for the rate, and the count in each block of 16 (the first block is the test's).
 *
 * Vectors: Steer's vector as `steer train` makes it (the defaults, calibrated; the test also saves and
 * loads it, which keeps it as it is), llama-cvector-generator's
 * `--method mean` file at its scale 1, and Steer's unit directions at every trained layer, scale 1 (the
 * tool's profile). Fluency: the 64 stories' real-word share and distinct-word ratio against unsteered.
 *
 * Run: nice -n 10 npx tsx scripts/heldout-figures.ts [model.gguf ...]   (default: the two story models)
 * Needs the llama.cpp tools (scripts/build-llama-tools.mjs) for the tool's column.
 */
import { engineSteerableModel } from "../src/engine/steerableModel";
import { summarizeFluency } from "../src/steering/evaluation/degeneration";
import { calibrateVector } from "../src/steering/pipeline/calibrateVector";
import type { SteeringVector } from "../src/steering/vector";
import { cvectorGeneratorVector, findLlamaTools } from "../test/helpers/llamaTools";
import { conceptHits, figureModels, fluencyCells, forEachFigureModel, trainConcept } from "./calibration-concepts";
import { heldOutFigureConcepts, heldOutStories, wilsonInterval } from "./heldout-stories";

const { tools, reason } = findLlamaTools();
if (!tools) console.log(`(no cvector-generator column: ${reason})`);

forEachFigureModel(figureModels(["stories260K", "TinyStories-656K"]), 256, async (engine, info) => {
	const model = engineSteerableModel(engine);
	const stories = (vector?: SteeringVector) => heldOutStories(model, vector);
	const unsteered = await stories();
	const base = summarizeFluency(unsteered.flat());
	console.log(
		"| concept | vector | stories of 64 | 95% interval | per 16 (the test's first) | real words | distinct words |"
	);
	console.log("|---|---|---|---|---|---|---|");
	for (const concept of heldOutFigureConcepts) {
		const { pairs, source, trained } = await trainConcept(engine, info, concept);
		const calibrated = await calibrateVector(trained, pairs, model, source);
		const vectors: [string, SteeringVector | undefined][] = [
			["unsteered", undefined],
			[
				`Steer at 1.0 (layers ${calibrated.suggestedLayers.join(", ")}, ${calibrated.calibration!.chosen}× the fixed push)`,
				calibrated.vector
			],
			...(tools
				? ([["cvector-generator at 1", await cvectorGeneratorVector(tools, info.modelPath, pairs)]] as [
						string,
						SteeringVector
					][])
				: []),
			["Steer's unit directions, the tool's profile", trained.unitVector]
		];
		for (const [name, vector] of vectors) {
			const blocks = vector ? await stories(vector) : unsteered;
			const counts = blocks.map((block) => conceptHits(concept, block));
			const hits = counts.reduce((sum, count) => sum + count, 0);
			const cells = fluencyCells(blocks.flat(), base);
			console.log(
				`| ${concept.name} | ${name} | **${hits}** | ${wilsonInterval(hits, blocks.flat().length)} | ${counts.join(", ")} | ${cells.realWords} | ${cells.distinctWords} |`
			);
		}
	}
}).catch((error) => {
	console.error(error);
	process.exit(1);
});
