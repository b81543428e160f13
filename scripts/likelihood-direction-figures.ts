/**
 * Directions fitted to what the model predicts instead of read from its hidden states, on stories260K: at
 * each layer of the suggested band, the push that most raises the training pairs' likelihood gap
 * (evaluation/contrastLikelihood.ts: how much likelier the model finds the positives than the negatives).
 * No gradients come out of llama.cpp, so the gap's gradient with respect to the push is taken by central
 * differences, one coordinate at a time (2 × width reads of the pairs per gradient):
 * - first order: the gradient at no push, its direction at the length of Steer's trained push;
 * - ascended: from there, four steps of gradient ascent on the sphere of Steer's calibrated push (each
 *   step turns the push toward the gradient by half its length), the step with the highest gap kept
 *   (a gradient-free stand-in for BiPO, which optimises a steering vector against paired likelihoods).
 * Each is then calibrated as `steer train` does and steers the 64 held-out figure stories
 * (heldout-stories.ts). Too slow for the larger models (SmolLM2's 576-wide layers would take hours).
 *
 * Run: nice -n 10 npx tsx scripts/likelihood-direction-figures.ts [model.gguf]   (default: stories260K)
 */
import { engineSteerableModel } from "../src/engine/steerableModel";
import { contrastLogLikelihoodGap } from "../src/steering/evaluation/contrastLikelihood";
import { summarizeFluency } from "../src/steering/evaluation/degeneration";
import { calibrateStrength, trainingTextsOf } from "../src/steering/pipeline/calibrateStrength";
import type { TrainedVector } from "../src/steering/pipeline/trainFromPairs";
import {
	conceptHits,
	figureModels,
	fluencyCells,
	forEachFigureModel,
	trainConcept,
	tuningConcepts
} from "./calibration-concepts";
import { heldOutFigureConcepts, heldOutStories } from "./heldout-stories";

const ASCENT_STEPS = 4;
/** The finite-difference step, as a share of the layer's typical hidden-state norm. */
const DIFFERENCE_STEP = 0.05;

const concepts = [...tuningConcepts, ...heldOutFigureConcepts];

const scaled = (values: Float32Array, length: number) => {
	const current = Math.hypot(...values);
	return values.map((value) => (value / current) * length);
};

forEachFigureModel(figureModels(["stories260K"]), 256, async (engine, info) => {
	const model = engineSteerableModel(engine);
	const unsteered = (await heldOutStories(model)).flat();
	const base = summarizeFluency(unsteered);
	console.log(
		"| concept (unsteered of 64) | band | cosine of the first-order direction with Steer's | pairs' gap at 1.0, nats: Steer's / ascended | Steer's 1.0 | first order | ascended | real words (Steer / first / ascended) |"
	);
	console.log("|---|---|---|---|---|---|---|---|");
	for (const concept of concepts) {
		const { pairs, source, trained } = await trainConcept(engine, info, concept);
		const texts = trainingTextsOf(pairs);
		const gapWith = async (layer: number, push: Float32Array) => {
			const steering = [{ vector: { nEmbd: info.nEmbd, directions: new Map([[layer, push]]) }, strength: 1 }];
			const logProbs = await source.suffixLogProbs(texts, { steering });
			return contrastLogLikelihoodGap(
				logProbs.map((row, i) => ({ positive: texts[i]!.positive, logProbs: row }))
			);
		};
		const steer = await calibrateStrength(trained, pairs, model, source);
		const firstOrder = new Map<number, Float32Array>();
		const ascended = new Map<number, Float32Array>();
		const cosines: string[] = [];
		const gaps: string[] = [];
		for (const layer of trained.suggestedLayers) {
			const step = DIFFERENCE_STEP * trained.diagnostics.find((entry) => entry.layer === layer)!.hiddenNormMean;
			const gradientAt = async (push: Float32Array) => {
				const gradient = new Float32Array(info.nEmbd);
				for (let k = 0; k < info.nEmbd; k++) {
					const up = push.slice();
					up[k]! += step;
					const down = push.slice();
					down[k]! -= step;
					gradient[k] = ((await gapWith(layer, up)) - (await gapWith(layer, down))) / (2 * step);
				}
				return gradient;
			};
			const own = trained.vector.directions.get(layer)!;
			const trainedLength = Math.hypot(...own);
			const radius = trainedLength * steer.calibration!.chosen;
			const atZero = await gradientAt(new Float32Array(info.nEmbd));
			let cosine = 0;
			for (let k = 0; k < own.length; k++)
				cosine += (atZero[k]! * own[k]!) / (Math.hypot(...atZero) * trainedLength);
			cosines.push(cosine.toFixed(2));
			firstOrder.set(layer, scaled(atZero, trainedLength));
			let push = scaled(atZero, radius);
			let best = { push, gap: await gapWith(layer, push) };
			for (let ascent = 0; ascent < ASCENT_STEPS; ascent++) {
				const gradient = await gradientAt(push);
				const length = Math.hypot(...gradient);
				push = scaled(
					push.map((value, k) => value + 0.5 * radius * (gradient[k]! / length)),
					radius
				);
				const gap = await gapWith(layer, push);
				if (gap > best.gap) best = { push, gap };
			}
			gaps.push(
				`${(
					await gapWith(
						layer,
						own.map((value) => value * steer.calibration!.chosen)
					)
				).toFixed(1)} / ${best.gap.toFixed(1)}`
			);
			ascended.set(layer, scaled(best.push, trainedLength));
		}
		const withDirections = (directions: Map<number, Float32Array>): TrainedVector => ({
			...trained,
			vector: { ...trained.vector, directions }
		});
		const cells: string[] = [];
		const fluency: string[] = [];
		for (const calibrated of [
			steer,
			await calibrateStrength(withDirections(firstOrder), pairs, model, source),
			await calibrateStrength(withDirections(ascended), pairs, model, source)
		]) {
			const stories = (await heldOutStories(model, calibrated.vector)).flat();
			cells.push(`${conceptHits(concept, stories)} (${calibrated.calibration!.chosen}×)`);
			fluency.push(fluencyCells(stories, base).realWords);
		}
		console.log(
			`| ${concept.name} (${conceptHits(concept, unsteered)}) | ${trained.suggestedLayers.join(", ")} | ${cosines.join(", ")} | ${gaps.join(", ")} | ${cells.join(" | ")} | ${fluency.join(" / ")} |`
		);
	}
}).catch((error) => {
	console.error(error);
	process.exit(1);
});
