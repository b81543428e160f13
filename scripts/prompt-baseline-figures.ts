/**
 * Steering against the prompt-only baseline (AxBench's comparison): on an instruct model, each tuning
 * concept is trained and calibrated in chat as `steer train` does, then 8 stories are asked for
 * (4 requests × 2 seeds, 80 tokens, temperature 0.8, in the model's chat template) three ways:
 * unsteered, steered at the file's 1.0, and unsteered with the concept written into the request
 * ("… Make it about the sea."). A story counts when it contains one of the concept's words; fluency is
 * the degeneration guard's measures against the unsteered stories.
 *
 * Run: nice -n 10 npx tsx scripts/prompt-baseline-figures.ts [model.gguf]
 * Default: SmolLM2-135M-Instruct from the model cache. FIGURE_CONCEPTS=sea,food limits the concepts.
 * Prints one markdown table.
 */
import { engineChatCalibration } from "../src/engine/steerableModel";
import { summarizeFluency } from "../src/steering/evaluation/degeneration";
import { calibrateStrength } from "../src/steering/pipeline/calibrateStrength";
import type { WeightedVector } from "../src/steering/vector";
import {
	conceptHits,
	figureModels,
	fluencyCells,
	forEachFigureModel,
	trainConcept,
	tuningConcepts
} from "./calibration-concepts";

const requests = [
	"Write a short story about a girl named Lily.",
	"Tell me a story about a boy and his grandfather.",
	"Write a short story about a day at school.",
	"Tell me a bedtime story."
];
const seeds = [21, 22];

/** How the concept is asked for in words, for the prompt-only baseline. */
const asked: Record<string, string> = {
	happy: "Make it a happy story.",
	sea: "Make it about the sea.",
	birds: "Make it about birds.",
	dogs: "Make it about a dog.",
	food: "Make it about food."
};

const only = process.env.FIGURE_CONCEPTS?.split(",");
forEachFigureModel(figureModels(["SmolLM2"]), 512, async (engine, info) => {
	if (!info.hasChatTemplate) throw new Error("the prompt-only baseline needs an instruct model with a chat template");
	const { model, chat } = engineChatCalibration(engine);
	const stories = async (steering: readonly WeightedVector[], suffix = "") => {
		const texts: string[] = [];
		for (const request of requests)
			for (const seed of seeds)
				texts.push(
					await model.generate({
						prompt: suffix ? `${request} ${suffix}` : request,
						maxTokens: 80,
						temperature: 0.8,
						seed,
						steering
					})
				);
		return texts;
	};
	const unsteered = await stories([]);
	const base = summarizeFluency(unsteered);
	const n = unsteered.length;
	console.log(
		"| concept | 1.0 = fixed push × | stories: unsteered | **steered at 1.0** | real words | distinct words | **asked for in the prompt** | real words | distinct words |"
	);
	console.log("|---|---|---|---|---|---|---|---|---|");
	for (const concept of tuningConcepts.filter((entry) => !only || only.includes(entry.name))) {
		const { pairs, source, trained } = await trainConcept(engine, info, concept);
		const calibrated = await calibrateStrength(trained, pairs, model, source, { chat });
		const steered = await stories([{ vector: calibrated.vector, strength: 1 }]);
		const prompted = await stories([], asked[concept.name]);
		const steeredCells = fluencyCells(steered, base);
		const promptedCells = fluencyCells(prompted, base);
		console.log(
			`| ${concept.name} | ${calibrated.calibration!.chosen} | ${conceptHits(concept, unsteered)}/${n} | **${conceptHits(concept, steered)}/${n}** | ${steeredCells.realWords} | ${steeredCells.distinctWords} | **${conceptHits(concept, prompted)}/${n}** | ${promptedCells.realWords} | ${promptedCells.distinctWords} |`
		);
	}
}).catch((error) => {
	console.error(error);
	process.exit(1);
});
