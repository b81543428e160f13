/**
 * Can a model judge its own text? The self-judge ("Is the above text X? Answer Yes or No.", the
 * strength sweep's `--judge`) on texts whose answer is known: its ROC AUC between clearly positive and
 * clearly negative texts, asked as plain text after the text (as the sweep asks) and, for a model with
 * a chat template, as a user message answered in the template. Then the 0–2 ratings of `steer rate`
 * (AxBench's concept and fluency questions) on the same texts and on broken copies of the stories, and
 * whether the Yes/No judge moves with steering: its mean score on 16 stories unsteered and steered by a
 * calibrated vector for the concept. RATINGS_ONLY=1 stops after the ratings.
 *
 * Run: nice -n 10 npx tsx scripts/judge-figures.ts [model.gguf]
 * Default: SmolLM2-135M-Instruct from the model cache. Prints markdown tables.
 */
import os from "node:os";
import path from "node:path";
import { EngineClient } from "../src/engine/client";
import { engineRatingJudge, engineSteerableModel } from "../src/engine/steerableModel";
import { rocAuc } from "../src/steering/evaluation/rocAuc";
import { selfJudgeScore, selfJudgeSuffix } from "../src/steering/evaluation/selfJudge";
import { calibrateStrength } from "../src/steering/pipeline/calibrateStrength";
import type { RatingCriterion } from "../src/steering/evaluation/judgeRatings";
import { rateText, type RatingJudge } from "../src/steering/pipeline/rateSteering";
import { selfJudge } from "../src/steering/pipeline/strengthSweep";
import { storyPrompts, storySeeds, trainConcept, tuningConcepts } from "./calibration-concepts";
import { cookingQuestions, otherQuestions } from "./condition-prompts";

const root = path.resolve(__dirname, "..");
const cacheDir = path.resolve(process.env.STEER_MODEL_CACHE || path.join(os.homedir(), ".cache", "steer", "models"));
const modelPath = process.argv[2] ?? path.join(cacheDir, "SmolLM2-135M-Instruct.Q4_1.gguf");

/** Short texts that are plainly happy, and plainly sad, written for this measurement only. */
const happyTexts = [
	"Mia laughed and hugged her dad. It was the best birthday she ever had.",
	"The sun was warm and the children sang and danced in the park all afternoon.",
	"Tom won the race and his friends cheered. He smiled all the way home.",
	"Grandma came to visit, and everyone was so glad that they had a party.",
	"The puppy wagged its tail and jumped with joy when Ben came home.",
	"We got the good news today and could not stop smiling.",
	"Lily found her lost kitten under the bed and cried tears of joy.",
	"The whole class clapped and cheered when the teacher said there would be cake.",
	"It was a bright, happy morning, and Sam whistled as he walked to school.",
	"They spent a wonderful day at the beach, laughing and building castles.",
	"Anna opened the box and squealed with delight at her new bike.",
	"My best friend surprised me with flowers, and my heart felt full.",
	"The garden was full of flowers, and the bees hummed happily.",
	"Dad made pancakes, and everyone laughed at the funny shapes.",
	"After the long trip, the family was delighted to be home together.",
	"The baby giggled every time the dog licked her hand."
];
const sadTexts = [
	"Mia sat alone by the window and cried. Nobody came to her birthday.",
	"The rain fell all day, and the children stayed inside, bored and gloomy.",
	"Tom lost the race and walked home alone, his head down.",
	"Grandma was sick, and everyone in the house was quiet and worried.",
	"The puppy was lost in the cold night and whimpered for its family.",
	"We got the bad news today and could not stop crying.",
	"Lily looked everywhere, but her kitten was gone, and she felt empty inside.",
	"The class was silent when the teacher said their friend was moving away.",
	"It was a grey, miserable morning, and Sam dragged his feet to school.",
	"They waited all day at the station, but the train never came, and they went home sad.",
	"Anna opened the box and found it empty. She threw it away and wept.",
	"My best friend forgot my name, and I felt lonely all evening.",
	"The garden had dried up, and the last flower wilted in the heat.",
	"Dad burned the pancakes, and everyone ate in gloomy silence.",
	"After the long trip, the family found their house flooded and ruined.",
	"The baby cried all night, and nobody could comfort her."
];

interface JudgeCase {
	readonly trait: string;
	readonly positives: readonly string[];
	readonly negatives: readonly string[];
}

const cases: JudgeCase[] = [
	{ trait: "happy", positives: happyTexts, negatives: sadTexts },
	{ trait: "about cooking", positives: cookingQuestions.slice(0, 30), negatives: otherQuestions.slice(0, 30) }
];

async function main(): Promise<void> {
	console.log(`machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} vCPUs, CPU backend, one thread`);
	const engine = new EngineClient({ steerRoot: root });
	try {
		const info = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: 512 });
		const model = engineSteerableModel(engine);
		/** P(Yes | Yes or No) with the question as a user message and the answer in the chat template. */
		const chatJudge = async (text: string, trait: string): Promise<number> => {
			const question = `${text}${selfJudgeSuffix(trait)}`;
			const {
				texts: [prompt]
			} = await engine.request("formatChats", {
				conversations: [
					[
						{ role: "user", content: question },
						{ role: "assistant", content: "" }
					]
				]
			});
			const logProb = async (answer: string) => {
				const [item] = await engine.capture({
					items: [{ text: prompt! + answer, prompt: prompt! }],
					layers: [0],
					positions: { select: "suffix", mean: true },
					tokenLogProbs: true,
					specialTokens: true,
					steering: []
				});
				return item!
					.tokenLogProbs!.slice(item!.start - 1, item!.end - 1)
					.reduce((sum, value) => sum + value, 0);
			};
			return selfJudgeScore(await logProb("Yes"), await logProb("No"), "logits");
		};
		const plainJudge = (text: string, trait: string) => selfJudge(model, `${text}${selfJudgeSuffix(trait)}`);
		const judges: [string, (text: string, trait: string) => Promise<number>][] = [["plain text", plainJudge]];
		if (info.hasChatTemplate) judges.push(["chat template", chatJudge]);

		console.log(`\n${path.basename(modelPath)} (${info.nLayer} layers × ${info.nEmbd})\n`);
		console.log("| question | asked as | texts | AUC | mean score, positives | mean score, negatives |");
		console.log("|---|---|---|---|---|---|");
		const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
		for (const judgeCase of cases)
			for (const [form, judge] of judges) {
				const positives: number[] = [];
				const negatives: number[] = [];
				for (const text of judgeCase.positives) positives.push(await judge(text, judgeCase.trait));
				for (const text of judgeCase.negatives) negatives.push(await judge(text, judgeCase.trait));
				console.log(
					`| Is the above text ${judgeCase.trait}? | ${form} | ${positives.length} + ${negatives.length} | ${rocAuc(positives, negatives).toFixed(3)} | ${mean(positives).toFixed(3)} | ${mean(negatives).toFixed(3)} |`
				);
			}

		// The 0–2 ratings of `steer rate` (AxBench's questions) on the same texts: the concept rating
		// between texts with and without the concept, and the fluency rating between the texts and broken
		// copies of them (the first three words looped, and the words in reverse order).
		const raters: [string, RatingJudge][] = [["plain text", engineRatingJudge(engine, info, { plain: true })]];
		if (info.hasChatTemplate) raters.push(["chat template", engineRatingJudge(engine, info)]);
		const broken = (text: string) => {
			const words = text.split(" ");
			return [`${words.slice(0, 3).join(" ")} `.repeat(6).trim(), [...words].reverse().join(" ")];
		};
		const storyTexts = [...happyTexts, ...sadTexts];
		const ratingCases: {
			label: string;
			criterion: RatingCriterion;
			concept: string;
			instruction: string;
			positives: readonly string[];
			negatives: readonly string[];
		}[] = [
			{
				label: "concept: happiness",
				criterion: "concept",
				concept: "happiness",
				instruction: "Write a short story.",
				positives: happyTexts,
				negatives: sadTexts
			},
			{
				label: "concept: cooking",
				criterion: "concept",
				concept: "cooking",
				instruction: "Ask a question.",
				positives: cookingQuestions.slice(0, 30),
				negatives: otherQuestions.slice(0, 30)
			},
			{
				label: "fluency: story vs broken copy",
				criterion: "fluency",
				concept: "happiness",
				instruction: "Write a short story.",
				positives: storyTexts,
				negatives: storyTexts.flatMap(broken)
			}
		];
		console.log(
			"\n| 0–2 rating | asked as | texts | AUC of the expected rating | mean expected, positives | negatives |"
		);
		console.log("|---|---|---|---|---|---|");
		for (const ratingCase of ratingCases)
			for (const [form, judge] of raters) {
				const expected = async (response: string) =>
					(
						await rateText(judge, {
							concept: ratingCase.concept,
							instruction: ratingCase.instruction,
							response
						})
					).ratings[ratingCase.criterion].expected;
				const positives: number[] = [];
				const negatives: number[] = [];
				for (const text of ratingCase.positives) positives.push(await expected(text));
				for (const text of ratingCase.negatives) negatives.push(await expected(text));
				console.log(
					`| ${ratingCase.label} | ${form} | ${positives.length} + ${negatives.length} | ${rocAuc(positives, negatives).toFixed(3)} | ${mean(positives).toFixed(2)} | ${mean(negatives).toFixed(2)} |`
				);
			}
		if (process.env.RATINGS_ONLY === "1") return;

		// Does it move with steering? 16 stories, unsteered and at the calibrated 1.0 and 2.0 of a happy vector.
		const concept = tuningConcepts.find((entry) => entry.name === "happy")!;
		const { pairs, source, trained } = await trainConcept(engine, info, concept);
		const calibrated = await calibrateStrength(trained, pairs, model, source);
		console.log(`\n| happy vector strength | ${judges.map(([form]) => `judge score (${form})`).join(" | ")} |`);
		console.log(`|---|${judges.map(() => "---").join("|")}|`);
		for (const strength of [0, 1, 2]) {
			const stories: string[] = [];
			for (const prompt of storyPrompts)
				for (const seed of storySeeds)
					stories.push(
						await model.generate({
							prompt,
							maxTokens: 60,
							temperature: 0.8,
							seed,
							steering: strength === 0 ? [] : [{ vector: calibrated.vector, strength }]
						})
					);
			const scores: string[] = [];
			for (const [, judge] of judges) {
				const values: number[] = [];
				for (const story of stories)
					values.push(await judge(`${storyPromptOf(stories, story)}${story}`, "happy"));
				scores.push(mean(values).toFixed(3));
			}
			console.log(`| ${strength} | ${scores.join(" | ")} |`);
		}
	} finally {
		await engine.dispose();
	}
}

/** The prompt each story continues (stories are generated prompt-major, 4 seeds each). */
function storyPromptOf(stories: readonly string[], story: string): string {
	return storyPrompts[Math.floor(stories.indexOf(story) / storySeeds.length)] ?? "";
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
