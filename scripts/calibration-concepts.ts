/**
 * The concepts calibration was tuned on (scripts/tune-calibration.ts) and measured on for the docs
 * (scripts/calibration-figures.ts): the example datasets (happy/sad, dogs/cats) and three topics
 * defined here, food, the sea and birds. The sea and birds were held out at first; once their results
 * had been looked at (and the readout target changed from a level to a gain) they count as tuning
 * concepts. The concept the calibration is validated on lives only in test/engine/calibration.test.ts.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadDataset, renderPairsAsChats, type ContrastPair } from "../src/datasets";
import { EngineClient } from "../src/engine/client";
import { engineHiddenStateSource } from "../src/engine/hiddenStateSource";
import type { ModelInfo } from "../src/engine/protocol";
import { type FluencySummary, summarizeFluency } from "../src/steering/evaluation/degeneration";
import { effectScore } from "../src/steering/evaluation/effectScore";
import type { SteerableModel } from "../src/steering/pipeline/steerableModel";
import { trainFromPairs } from "../src/steering/pipeline/trainFromPairs";
import type { TrainingMethod } from "../src/steering/training/methods";
import type { WeightedVector } from "../src/steering/vector";
import happySadStories from "../examples/evaluation/happy-sad-stories.json";

export interface TuningConcept {
	readonly name: string;
	/** An example dataset under examples/datasets, or the pairs themselves. */
	readonly dataset?: string;
	readonly pairs?: ContrastPair[];
	/** Words whose presence in a story counts as the concept. */
	readonly keywords: readonly string[];
}

/** Story openings for the goal's measure: 16 stories = these 4 prompts × storySeeds. */
export const storyPrompts = happySadStories.prompts.slice(0, 4);
export const storySeeds = [11, 12, 13, 14];

const foodPairs: ContrastPair[] = [
	["Lily ate a big red apple. It was sweet and yummy.", "Lily held a big red ball. It was round and shiny."],
	["Tom had soup and bread for lunch.", "Tom had a nap on the bed after play."],
	["Mom baked a cake with lots of sugar and milk.", "Mom made a kite with lots of paper and string."],
	["The bear was hungry, so he ate some honey.", "The bear was tired, so he sat under a tree."],
	["Ben and Mia shared a bowl of warm rice.", "Ben and Mia shared a box of toy cars."],
	["Sue cut a slice of pie and ate it all.", "Sue cut a piece of paper and drew a star."],
	["Dad cooked eggs for breakfast. They smelled good.", "Dad fixed the door in the morning. It was loud."],
	["The kids ate cookies and drank milk at the table.", "The kids read books and sang songs at the table."],
	["Max found a carrot in the garden and ate it.", "Max found a rock in the garden and kept it."],
	["Anna made a sandwich with cheese and jam.", "Anna made a hat with leaves and flowers."],
	["Grandma gave Tim a bowl of hot soup for dinner.", "Grandma gave Tim a warm blanket for the night."],
	["The mouse ate a piece of cheese in the kitchen.", "The mouse ran around a chair in the kitchen."],
	["They had pizza at the party. Everyone ate a lot.", "They had balloons at the party. Everyone jumped a lot."],
	["Sam was hungry. He ate a banana and a muffin.", "Sam was bored. He played with a ball and a car."],
	["The bird ate seeds and bread crumbs.", "The bird sat on a branch and looked around."],
	["Lucy and her mom cooked pasta for dinner.", "Lucy and her mom painted a picture after school."],
	["Ben licked his ice cream. It was cold and sweet.", "Ben kicked his ball. It flew far and high."],
	["The farmer picked apples and made apple juice.", "The farmer fixed the fence and fed the horse hay."],
	["Mia put butter on her toast and ate it.", "Mia put a sticker on her book and smiled."],
	["At lunch, the class ate fruit and drank water.", "At play time, the class ran and played tag."]
].map(([positive, negative], index) => ({ positive: positive!, negative: negative!, id: `food-${index + 1}` }));

const seaPairs: ContrastPair[] = [
	["Lily went to the sea. The waves were big and blue.", "Lily went to the park. The trees were big and green."],
	["Tom built a sand castle on the beach.", "Tom built a block tower in his room."],
	["The boat sailed on the sea all day.", "The car drove on the road all day."],
	["Mia found a pretty shell on the beach.", "Mia found a pretty leaf in the garden."],
	["Ben and Dad swam in the ocean.", "Ben and Dad walked in the forest."],
	["The waves splashed on the sand.", "The rain fell on the roof."],
	["A crab walked on the beach by the sea.", "A cat walked on the fence by the house."],
	["Sue looked at the big blue ocean and smiled.", "Sue looked at the big red barn and smiled."],
	["The sailor took his boat out to sea.", "The farmer took his cow out to the field."],
	["They had a picnic on the beach near the waves.", "They had a picnic in the yard near the flowers."],
	["Max ran into the sea and the water was cold.", "Max ran into the house and the room was warm."],
	["The fish swam deep in the ocean.", "The bird flew high in the sky."],
	["Anna dug in the wet sand by the shore.", "Anna dug in the soft dirt by the tree."],
	["The sea was calm and the boat rocked slowly.", "The street was quiet and the bus moved slowly."],
	["Grandpa told a story about the sea and a ship.", "Grandpa told a story about the woods and a fox."],
	["Sam found a starfish on the beach.", "Sam found a toy car under the bed."],
	["The beach was sunny and the waves were gentle.", "The school was busy and the bell was loud."],
	["Lucy and her mom walked along the shore.", "Lucy and her mom walked along the street."],
	["A big ship sailed across the ocean.", "A big truck drove across the bridge."],
	["The kids played in the waves at the beach.", "The kids played on the swings at the park."]
].map(([positive, negative], index) => ({ positive: positive!, negative: negative!, id: `sea-${index + 1}` }));

const seaWords = [
	"sea",
	"seas",
	"ocean",
	"beach",
	"wave",
	"waves",
	"sand",
	"sandy",
	"shell",
	"shells",
	"seashell",
	"seashells",
	"shore",
	"boat",
	"boats",
	"sail",
	"sailed",
	"ship",
	"crab"
];

const birdPairs: ContrastPair[] = [
	["A little bird sat in its nest and sang.", "A little frog sat on its rock and croaked."],
	["Lily saw a bird fly high over the house.", "Lily saw a ball roll down the street."],
	["The birds flapped their wings and flew away.", "The kids waved their hands and ran away."],
	["Tom gave the hungry bird some seeds.", "Tom gave the hungry pig some corn."],
	["A blue bird landed on the branch and chirped.", "A red bus stopped at the corner and honked."],
	["The owl hooted in the tree at night.", "The dog barked in the yard at night."],
	["Mia found a soft feather from a bird.", "Mia found a smooth stone from the river."],
	["The mother bird fed her baby birds in the nest.", "The mother cat fed her kittens in the box."],
	["Ben watched the ducks swim and quack.", "Ben watched the cars drive and beep."],
	["A parrot said hello and flapped its wings.", "A clock said tick and moved its hands."],
	["The bird built a nest with twigs and grass.", "The boy built a fort with boxes and tape."],
	["Sue heard the birds tweet in the morning.", "Sue heard the bells ring in the morning."],
	["The eagle flew over the mountains.", "The train went over the bridge."],
	["A robin hopped on the grass looking for worms.", "A bunny hopped on the grass looking for carrots."],
	["The little chick said peep and followed its mom.", "The little puppy said woof and followed its mom."],
	["Two birds sang a song together on the roof.", "Two boys played a game together on the floor."],
	["The bird spread its wings and flew to the sky.", "The girl opened her book and read to her dad."],
	["Grandma put bird food in the feeder.", "Grandma put flowers in the vase."],
	["A goose flew south with its friends.", "A bus drove to school with the kids."],
	["The pigeon pecked at crumbs in the park.", "The squirrel dug for nuts in the park."]
].map(([positive, negative], index) => ({ positive: positive!, negative: negative!, id: `birds-${index + 1}` }));

const birdWords = [
	"bird",
	"birds",
	"nest",
	"nests",
	"wing",
	"wings",
	"feather",
	"feathers",
	"fly",
	"flew",
	"flying",
	"flies",
	"chirp",
	"chirped",
	"tweet",
	"owl",
	"duck",
	"ducks",
	"parrot",
	"eagle",
	"robin"
];

export const tuningConcepts: TuningConcept[] = [
	{ name: "happy", dataset: "happy-sad.jsonl", keywords: happySadStories.happyWords },
	{ name: "sea", pairs: seaPairs, keywords: seaWords },
	{ name: "birds", pairs: birdPairs, keywords: birdWords },
	{
		name: "dogs",
		dataset: "dogs-cats.jsonl",
		keywords: ["dog", "dogs", "puppy", "puppies", "bark", "barked", "barking", "woof"]
	},
	{
		name: "food",
		pairs: foodPairs,
		keywords: [
			"food",
			"eat",
			"ate",
			"eating",
			"eats",
			"hungry",
			"cake",
			"cookie",
			"cookies",
			"apple",
			"apples",
			"soup",
			"pie",
			"bread",
			"lunch",
			"dinner",
			"breakfast",
			"yummy",
			"sandwich",
			"pizza",
			"candy",
			"snack",
			"delicious",
			"cheese",
			"milk"
		]
	}
];

/**
 * A concept's pairs as `steer train` reads them (rendered as chats on a model with a chat template) and
 * the hidden-state source that reads them so.
 */
export async function conceptPairs(engine: EngineClient, info: ModelInfo, concept: TuningConcept) {
	const raw =
		concept.pairs ??
		(await loadDataset(path.join(__dirname, "..", "examples", "datasets", concept.dataset!))).pairs;
	const chat = info.hasChatTemplate
		? await renderPairsAsChats(raw, (conversations) => engine.request("formatChats", { conversations }))
		: undefined;
	return {
		pairs: chat?.pairs ?? raw,
		source: engineHiddenStateSource(engine, { specialTokens: chat !== undefined })
	};
}

/**
 * Trains a concept as `steer train --no-calibrate` does (mean-diff over all positions, the fixed push),
 * from conceptPairs; returns what calibration needs too.
 */
export async function trainConcept(
	engine: EngineClient,
	info: ModelInfo,
	concept: TuningConcept,
	method: TrainingMethod = "mean-diff"
) {
	const { pairs, source } = await conceptPairs(engine, info, concept);
	const trained = await trainFromPairs(pairs, source, {
		method,
		positions: { select: "all", mean: true },
		modelHint: info.architecture,
		nLayer: info.nLayer,
		nEmbd: info.nEmbd
	});
	return { pairs, source, trained };
}

/** The models a figure script measures: the ones named on its command line, else the defaults that are present. */
export function figureModels(defaults: readonly ("TinyStories-656K" | "stories260K" | "SmolLM2")[]): string[] {
	const named = process.argv.slice(2);
	if (named.length > 0) return named;
	const root = path.resolve(__dirname, "..");
	const modelsDir = path.resolve(process.env.STEER_TEST_MODELS ?? path.join(root, "..", "shared", "models"));
	const cacheDir = path.resolve(
		process.env.STEER_MODEL_CACHE || path.join(os.homedir(), ".cache", "steer", "models")
	);
	const files = {
		"TinyStories-656K": path.join(modelsDir, "TinyStories-656K.f16.gguf"),
		stories260K: path.join(modelsDir, "stories260K.gguf"),
		SmolLM2: path.join(cacheDir, "SmolLM2-135M-Instruct.Q4_1.gguf")
	};
	return defaults.map((name) => files[name]).filter((file) => existsSync(file));
}

/** The 16 stories every figure is measured on (storyPrompts × storySeeds, 60 tokens, temperature 0.8). */
export async function storiesWith(
	generate: (request: { prompt: string; maxTokens: number; temperature: number; seed: number }) => Promise<string>
): Promise<string[]> {
	const texts: string[] = [];
	for (const prompt of storyPrompts)
		for (const seed of storySeeds) texts.push(await generate({ prompt, maxTokens: 60, temperature: 0.8, seed }));
	return texts;
}

/**
 * The figure stories as `model` tells them under any steering, with the unsteered ones (and their
 * fluency summary) every steered set is compared with.
 */
export async function figureStories(model: SteerableModel) {
	const stories = (steering: readonly WeightedVector[]) =>
		storiesWith((request) => model.generate({ ...request, steering }));
	const unsteered = await stories([]);
	return { stories, unsteered, base: summarizeFluency(unsteered) };
}

/**
 * Prints the machine, then loads each model in an engine of its own, prints its heading and runs
 * `measure` on it, disposing of the engine afterwards.
 */
export async function forEachFigureModel(
	models: readonly string[],
	contextSize: number,
	measure: (engine: EngineClient, info: ModelInfo) => Promise<void>
): Promise<void> {
	console.log(`machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} vCPUs, CPU backend, one thread`);
	for (const modelPath of models) {
		const engine = new EngineClient({ steerRoot: path.resolve(__dirname, "..") });
		try {
			const info = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize });
			console.log(`\n${path.basename(modelPath)} (${info.nLayer} layers × ${info.nEmbd})\n`);
			await measure(engine, info);
		} finally {
			await engine.dispose();
		}
	}
}

/** How many of the texts carry the concept (any of its keywords). */
export function conceptHits(concept: TuningConcept, texts: readonly string[]): number {
	return texts.filter((text) => effectScore(text, concept.keywords).matches > 0).length;
}

/** The degeneration guard's measures of `texts` against the unsteered ones, as the figure tables print them. */
export function fluencyCells(
	texts: readonly string[],
	base: FluencySummary
): { realWords: string; distinctWords: string; degenerate: string } {
	const fluency = summarizeFluency(texts);
	return {
		realWords: `${(fluency.realWordShare / base.realWordShare).toFixed(2)}×`,
		distinctWords: `${(fluency.distinctWords / base.distinctWords).toFixed(2)}×`,
		degenerate: `${Math.round(fluency.degenerateShare * texts.length)}/${texts.length}`
	};
}
