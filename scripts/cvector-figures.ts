/**
 * Steer's default against llama.cpp's cvector-generator on the tuning concepts, and where the two
 * differ. For each concept: Steer's vector as `steer train` writes it (the suggested band, calibrated),
 * the tool's `--method mean` file at its plain scale 1 (a unit direction at every layer 1..n−1), and
 * Steer's own unit directions in the tool's profile (unit at every layer, scale 1), which separates the
 * direction from the profile. Per layer it prints the cosine of the tool's direction with Steer's at the
 * same layer and at the layer below (the tool computes direction N from block N−1's output).
 *
 * Run: nice -n 10 npx tsx scripts/cvector-figures.ts [model.gguf ...]   (default: the two story models)
 * FIGURE_CONCEPTS=food,dogs limits the concepts. Needs the llama.cpp tools (scripts/build-llama-tools.mjs).
 */
import { engineSteerableModel } from "../src/engine/steerableModel";
import { calibrateStrength } from "../src/steering/pipeline/calibrateStrength";
import { cosine, norm } from "../src/steering/training/linearAlgebra";
import { cvectorGeneratorVector, findLlamaTools } from "../test/helpers/llamaTools";
import {
	conceptHits,
	figureModels,
	figureStories,
	fluencyCells,
	forEachFigureModel,
	trainConcept,
	tuningConcepts
} from "./calibration-concepts";

const { tools, reason } = findLlamaTools();
if (!tools) throw new Error(reason);
const only = process.env.FIGURE_CONCEPTS?.split(",");

forEachFigureModel(figureModels(["stories260K", "TinyStories-656K"]), 256, async (engine, info) => {
	const model = engineSteerableModel(engine);
	const { stories, unsteered, base } = await figureStories(model);
	const rows: string[] = [];
	for (const concept of tuningConcepts.filter((entry) => !only || only.includes(entry.name))) {
		const { pairs, source, trained } = await trainConcept(engine, info, concept);
		const calibrated = await calibrateStrength(trained, pairs, model, source);
		const tool = await cvectorGeneratorVector(tools, info.modelPath, pairs);
		// Steer's unit directions at every trained layer, scale 1: the tool's profile.
		const steerInToolProfile = trained.unitVector;
		const perLayer = [...tool.directions.keys()]
			.sort((a, b) => a - b)
			.map((layer) => {
				const own = trained.unitVector.directions.get(layer);
				const below = trained.unitVector.directions.get(layer - 1);
				const same = own ? cosine(tool.directions.get(layer)!, own).toFixed(2) : "–";
				const shifted = below ? cosine(tool.directions.get(layer)!, below).toFixed(2) : "–";
				return `L${layer} ${same}/${shifted}`;
			})
			.join(", ");
		const steerNorms = [...calibrated.vector.directions]
			.map(([layer, direction]) => `L${layer} ${norm(direction).toFixed(2)}`)
			.join(", ");
		for (const [name, vector] of [
			["Steer (band, calibrated)", calibrated.vector],
			["cvector-generator at 1", tool],
			["Steer directions, tool profile", steerInToolProfile]
		] as const) {
			const steered = await stories([{ vector, strength: 1 }]);
			const cells = fluencyCells(steered, base);
			rows.push(
				`| ${concept.name} | ${name} | ${conceptHits(concept, unsteered)}/16 | **${conceptHits(concept, steered)}/16** | ${cells.realWords} | ${cells.distinctWords} |`
			);
		}
		console.log(
			`${concept.name}: cos(tool, Steer same layer / layer below): ${perLayer}; Steer's norms ${steerNorms}`
		);
	}
	console.log("\n| concept | vector | unsteered | steered | real words | distinct words |");
	console.log("|---|---|---|---|---|---|");
	for (const row of rows) console.log(row);
}).catch((error) => {
	console.error(error);
	process.exit(1);
});
