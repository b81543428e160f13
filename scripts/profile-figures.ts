/**
 * Does spreading the push over every layer help where the suggested band does not? For each tuning
 * concept, the trained vector is calibrated twice as `steer train` calibrates it: once as trained (the
 * suggested band, each layer's push a share of its typical hidden-state norm) and once with the same
 * total push spread equally, in absolute size, over every trained layer (the profile of llama.cpp's
 * cvector-generator, whose unit directions push every layer by the same amount). Both read the concept
 * at the same layer; each then steers the 16 figure stories at its own 1.0.
 *
 * Run: nice -n 10 npx tsx scripts/profile-figures.ts [model.gguf ...]   (default: stories260K)
 * FIGURE_CONCEPTS=food,dogs limits the concepts (scripts/calibration-concepts.ts). Prints one table.
 */
import { engineSteerableModel } from "../src/engine/steerableModel";
import { calibrateStrength } from "../src/steering/pipeline/calibrateStrength";
import type { TrainedVector } from "../src/steering/pipeline/trainFromPairs";
import type { SteeringVector } from "../src/steering/vector";
import {
	conceptHits,
	figureModels,
	figureStories,
	fluencyCells,
	forEachFigureModel,
	trainConcept,
	tuningConcepts
} from "./calibration-concepts";

/** The band's total push, spread equally over every trained layer. */
function spreadEqually(trained: TrainedVector): SteeringVector {
	const total = [...trained.rawAlphaPerLayer.values()].reduce((sum, alpha) => sum + alpha, 0);
	const layers = [...trained.unitVector.directions.keys()].filter((layer) => layer >= 1);
	const each = total / layers.length;
	return {
		nEmbd: trained.unitVector.nEmbd,
		directions: new Map(
			layers.map((layer) => {
				const direction = trained.unitVector.directions.get(layer)!;
				const norm = Math.hypot(...direction);
				return [layer, direction.map((value) => (value / norm) * each)];
			})
		)
	};
}

const only = process.env.FIGURE_CONCEPTS?.split(",");
forEachFigureModel(figureModels(["stories260K"]), 256, async (engine, info) => {
	const model = engineSteerableModel(engine);
	const { stories, unsteered, base } = await figureStories(model);
	console.log(
		"| concept | profile | layers | 1.0 = × | why | readout gain | × random | stories: unsteered | **1.0** | real words | distinct words |"
	);
	console.log("|---|---|---|---|---|---|---|---|---|---|---|");
	for (const concept of tuningConcepts.filter((entry) => !only || only.includes(entry.name))) {
		const { pairs, source, trained } = await trainConcept(engine, info, concept);
		const profiles: [string, string, TrainedVector][] = [
			["band", trained.suggestedLayers.join(","), trained],
			["equal, all layers", "all", { ...trained, vector: spreadEqually(trained) }]
		];
		for (const [name, layers, candidate] of profiles) {
			const calibrated = await calibrateStrength(candidate, pairs, model, source);
			const curve = calibrated.calibration!;
			const chosen = curve.points.find((point) => point.strength === curve.chosen)!;
			const reliability = curve.reliability!;
			const steered = await stories([{ vector: calibrated.vector, strength: 1 }]);
			const cells = fluencyCells(steered, base);
			const overRandom =
				reliability.overRandom === null
					? "–"
					: `${reliability.floorIsNoise ? "≥ " : ""}${reliability.overRandom.toFixed(1)}`;
			console.log(
				`| ${concept.name} | ${name} | ${layers} | ${curve.chosen} | ${curve.reason} | ${(chosen.readout - curve.points[0]!.readout).toFixed(2)} | ${overRandom} | ${conceptHits(concept, unsteered)}/16 | **${conceptHits(concept, steered)}/16** | ${cells.realWords} | ${cells.distinctWords} |`
			);
		}
	}
}).catch((error) => {
	console.error(error);
	process.exit(1);
});
