/**
 * AxBench-style evaluation of a vector: the same requests answered unsteered, steered, and with the
 * concept asked for in the request instead (the prompt-only baseline), every answer rated by a judge
 * model for concept, instruction and fluency (src/steering/evaluation/judgeRatings.ts).
 */
import {
	checkConcept,
	harmonicScore,
	type JudgeRating,
	promptWithConcept,
	RATING_ANSWERS,
	RATING_CRITERIA,
	ratingFromLogProbs,
	ratingQuestion,
	type RatedText,
	type RatingCriterion
} from "../evaluation/judgeRatings";
import type { SteeringPlacement } from "../placement";
import type { WeightedVector } from "../vector";
import type { SteerableModel } from "./steerableModel";

/**
 * The model that judges, and how it reads a question: `chat` when its continuationLogProbs renders the
 * question as a user message in its template (the answer then starts the reply), `plain` when it reads
 * raw text (the question then ends with "Rating:" and each answer follows a space).
 */
export interface RatingJudge {
	readonly model: Pick<SteerableModel, "continuationLogProbs">;
	readonly form: "chat" | "plain";
}

export interface TextRatings {
	readonly ratings: Readonly<Record<RatingCriterion, JudgeRating>>;
	/** The harmonic mean of the three ratings (0 when any is 0). */
	readonly score: number;
}

/** The judge's three ratings of one text. */
export async function rateText(judge: RatingJudge, text: RatedText, signal?: AbortSignal): Promise<TextRatings> {
	const ratings = {} as Record<RatingCriterion, JudgeRating>;
	for (const criterion of RATING_CRITERIA) {
		const question = ratingQuestion(criterion, text);
		const prompt = judge.form === "chat" ? question : `${question}\nRating:`;
		const logProbs = [] as number[];
		for (const answer of RATING_ANSWERS) {
			signal?.throwIfAborted();
			const tokens = await judge.model.continuationLogProbs(
				prompt,
				judge.form === "chat" ? answer : ` ${answer}`,
				signal
			);
			if (tokens.length === 0)
				throw new RangeError(
					`the judge read no token for the answer ${JSON.stringify(answer)}: its tokenizer merged it into the question`
				);
			// The whole answer's probability: a tokenizer may split " 2" into two tokens.
			let sum = 0;
			for (let i = 0; i < tokens.length; i++) sum += tokens[i]!;
			logProbs.push(sum);
		}
		ratings[criterion] = ratingFromLogProbs(logProbs as [number, number, number]);
	}
	const score = harmonicScore({
		concept: ratings.concept.rating,
		instruction: ratings.instruction.rating,
		fluency: ratings.fluency.rating
	});
	return { ratings, score };
}

export type RatedCondition = "unsteered" | "steered" | "prompted";

export interface RatedSample extends TextRatings {
	readonly prompt: string;
	readonly seed: number;
	readonly text: string;
}

export interface RatedRow {
	readonly condition: RatedCondition;
	readonly samples: readonly RatedSample[];
	/** Mean rating per criterion over the samples, in [0, 2]. */
	readonly mean: Readonly<Record<RatingCriterion, number>>;
	/** Mean expected rating per criterion (the judge's probabilities weighed in): shows a judge's leaning where its answers do not change. */
	readonly meanExpected: Readonly<Record<RatingCriterion, number>>;
	/** Mean combined score over the samples (AxBench's aggregate), in [0, 2]. */
	readonly score: number;
}

/**
 * What a rating uses unless told otherwise (`steer rate`, the vector viewer): each sample costs a
 * generation and nine judge reads, so fewer seeds than eval's and answers long enough to judge.
 */
export const RATING_DEFAULTS = { seeds: 2, maxTokens: 64, temperature: 0.7 } as const;

export interface RateSteeringOptions {
	readonly concept: string;
	/** The steered condition's vectors (with their strengths). */
	readonly steering: readonly WeightedVector[];
	/** Where in the sequence they act (the file's `steer.placement`); every position when omitted. */
	readonly placement?: SteeringPlacement;
	readonly prompts: readonly string[];
	readonly seeds: readonly number[];
	readonly maxTokens: number;
	readonly temperature: number;
	/** Add the prompt-only baseline (meaningful for a model that follows requests). Default true. */
	readonly promptBaseline?: boolean;
	readonly signal?: AbortSignal;
	/** (answers rated, answers in all) */
	readonly onProgress?: (done: number, total: number) => void;
}

/** Generates and rates every condition; rows in the order unsteered, steered, prompted. */
export async function rateSteering(
	model: SteerableModel,
	judge: RatingJudge,
	options: RateSteeringOptions
): Promise<RatedRow[]> {
	const { concept, prompts, seeds, signal } = options;
	if (prompts.length === 0) throw new RangeError("rating needs at least one prompt");
	if (seeds.length === 0) throw new RangeError("rating needs at least one seed");
	if (options.steering.length === 0) throw new RangeError("rating needs a vector to steer with");
	checkConcept(concept);
	const conditions: RatedCondition[] = ["unsteered", "steered"];
	if (options.promptBaseline !== false) conditions.push("prompted");
	const total = conditions.length * prompts.length * seeds.length;
	let done = 0;
	const rows: RatedRow[] = [];
	for (const condition of conditions) {
		const samples: RatedSample[] = [];
		for (const prompt of prompts)
			for (const seed of seeds) {
				signal?.throwIfAborted();
				const text = await model.generate(
					{
						prompt: condition === "prompted" ? promptWithConcept(prompt, concept) : prompt,
						maxTokens: options.maxTokens,
						temperature: options.temperature,
						seed,
						steering: condition === "steered" ? options.steering : [],
						...(condition === "steered" && options.placement ? { placement: options.placement } : {})
					},
					signal
				);
				// Every condition is rated against the request as the user wrote it.
				const rated = await rateText(judge, { concept, instruction: prompt, response: text }, signal);
				samples.push({ prompt, seed, text, ...rated });
				options.onProgress?.(++done, total);
			}
		const meanOf = (value: (sample: RatedSample) => number) =>
			samples.reduce((sum, sample) => sum + value(sample), 0) / samples.length;
		rows.push({
			condition,
			samples,
			mean: {
				concept: meanOf((sample) => sample.ratings.concept.rating),
				instruction: meanOf((sample) => sample.ratings.instruction.rating),
				fluency: meanOf((sample) => sample.ratings.fluency.rating)
			},
			meanExpected: {
				concept: meanOf((sample) => sample.ratings.concept.expected),
				instruction: meanOf((sample) => sample.ratings.instruction.expected),
				fluency: meanOf((sample) => sample.ratings.fluency.expected)
			},
			score: meanOf((sample) => sample.score)
		});
	}
	return rows;
}
