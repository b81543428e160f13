/**
 * Generating at several strengths and measuring what changed: how often the concept shows (keywords),
 * what the model itself says about the text (self-judge), and whether the text is still fluent (the
 * degeneration guard on every sample, the word-share and distinct-word measures against the unsteered
 * samples, and perplexity under the unsteered model). The analysis then names the strongest strength
 * that keeps the text fluent (analyzeStrengthSweep).
 *
 * Every strength uses the same prompts and seeds, so the points differ only in the steering.
 * Perplexity pools the log-probabilities of all samples of a point (exp of minus the mean over every
 * token) rather than averaging per-sample perplexities, which one short degenerate sample would
 * dominate.
 */
import {
	checkDegeneration,
	summarizeFluency,
	type DegenerationReason,
	type FluencySummary
} from "../evaluation/degeneration";
import { effectScore } from "../evaluation/effectScore";
import { perplexity } from "../evaluation/perplexity";
import { selfJudgeScore, selfJudgeSuffix } from "../evaluation/selfJudge";
import { analyzeStrengthSweep, type SweepAnalysis, type SweepPoint } from "../evaluation/strengthSweep";
import type { SteeringVector } from "../vector";
import type { SteerableModel } from "./steerableModel";

export interface StrengthSweepOptions {
	readonly vector: SteeringVector;
	/** One prompt or several; every prompt is generated once per seed at every strength. */
	readonly prompts: readonly string[];
	/** Strengths (multipliers of the vector). 0 is added when missing: it is the baseline. */
	readonly strengths: readonly number[];
	/** Sampling seeds. */
	readonly seeds: readonly number[];
	/** Concept words or patterns counted in every sample (see effectScore). */
	readonly keywords?: readonly (string | RegExp)[];
	/** A trait for the self-judge question, e.g. "happy". */
	readonly judge?: string;
	/** Default 48. */
	readonly maxTokens?: number;
	/** Default 0.7. */
	readonly temperature?: number;
	readonly topP?: number;
	readonly stop?: readonly string[];
	/** k in "perplexity ≤ k × baseline" (default 1.5). */
	readonly maxPerplexityRatio?: number;
	readonly signal?: AbortSignal;
	readonly onProgress?: (done: number, total: number) => void;
}

export interface SweepSample {
	readonly prompt: string;
	readonly seed: number;
	readonly text: string;
	/** Keyword matches in `text` (when keywords were given). */
	readonly matches?: number;
	/** P(Yes | Yes or No) for the judge question (when a trait was given). */
	readonly judge?: number;
	/** Tokens of `text` (0 when the model stopped at once). */
	readonly tokens: number;
	/** What the degeneration guard found in `text` (empty when it reads as fluent). */
	readonly degeneration: readonly { readonly kind: DegenerationReason; readonly detail: string }[];
}

export interface StrengthSweepPoint {
	readonly strength: number;
	readonly samples: readonly SweepSample[];
	/** Mean keyword matches per 100 words over the samples. */
	readonly keywordsPerHundredWords?: number;
	/** Fraction of samples with at least one keyword match. */
	readonly keywordHitRate?: number;
	/** Mean self-judge score. */
	readonly judgeScore?: number;
	/** Pooled perplexity under the unsteered model; null when no sample produced a token. */
	readonly perplexity: number | null;
	/** Real-word share, distinct-word ratio and share of degenerate samples. */
	readonly fluency: FluencySummary;
}

export interface StrengthSweepResult {
	/** Ascending by strength. */
	readonly points: readonly StrengthSweepPoint[];
	/** Which measure the analysis used as the effect. */
	readonly effectMeasure: "keywords" | "judge" | "none";
	readonly analysis: SweepAnalysis;
	/** The largest positive strength whose text stays fluent (guard and perplexity bound), or null. */
	readonly suggestedMaxStrength: number | null;
}

/**
 * P(Yes | Yes or No) after the judge question, from the whole answers' log-probabilities rather than
 * their first tokens: small vocabularies spell " Yes" as several pieces (TinyStories: " ", "Y", "es"),
 * and a shared first piece would make every answer score 0.5.
 */
export async function selfJudge(
	model: SteerableModel,
	textWithQuestion: string,
	signal?: AbortSignal
): Promise<number> {
	const yes = sum(await model.continuationLogProbs(textWithQuestion, " Yes", signal));
	const no = sum(await model.continuationLogProbs(textWithQuestion, " No", signal));
	return selfJudgeScore(yes, no, "logits");
}

function sum(values: ArrayLike<number>): number {
	let total = 0;
	for (let i = 0; i < values.length; i++) total += values[i];
	return total;
}

export async function sweepStrengths(
	model: SteerableModel,
	options: StrengthSweepOptions
): Promise<StrengthSweepResult> {
	const { prompts, seeds, keywords, judge, signal } = options;
	if (prompts.length === 0) throw new RangeError("the sweep needs at least one prompt");
	if (seeds.length === 0) throw new RangeError("the sweep needs at least one seed");
	for (const strength of options.strengths)
		if (!Number.isFinite(strength)) throw new RangeError(`strength ${strength} is not a finite number`);
	if (keywords !== undefined && keywords.length === 0)
		throw new RangeError("keywords were given but the list is empty");
	const judgeQuestion = judge === undefined ? undefined : selfJudgeSuffix(judge);
	const strengths = [...new Set([0, ...options.strengths])].sort((a, b) => a - b);
	const maxTokens = options.maxTokens ?? 48;
	const temperature = options.temperature ?? 0.7;
	const total = strengths.length * prompts.length * seeds.length;
	let done = 0;

	const points: StrengthSweepPoint[] = [];
	for (const strength of strengths) {
		const samples: SweepSample[] = [];
		const logProbs: number[] = [];
		let perHundredWords = 0;
		let hits = 0;
		for (const prompt of prompts) {
			for (const seed of seeds) {
				signal?.throwIfAborted();
				const text = await model.generate(
					{
						prompt,
						maxTokens,
						temperature,
						topP: options.topP,
						seed,
						stop: options.stop,
						steering: strength === 0 ? [] : [{ vector: options.vector, strength }]
					},
					signal
				);
				const tokenLogProbs =
					text.length > 0 ? await model.continuationLogProbs(prompt, text, signal) : new Float32Array(0);
				logProbs.push(...tokenLogProbs);
				let matches: number | undefined;
				if (keywords) {
					const score = effectScore(text, keywords);
					matches = score.matches;
					perHundredWords += score.perHundredWords;
					if (matches > 0) hits++;
				}
				let judgeScore: number | undefined;
				if (judgeQuestion) judgeScore = await selfJudge(model, prompt + text + judgeQuestion, signal);
				samples.push({
					prompt,
					seed,
					text,
					tokens: tokenLogProbs.length,
					matches,
					judge: judgeScore,
					degeneration: checkDegeneration(text).reasons
				});
				options.onProgress?.(++done, total);
			}
		}
		const count = samples.length;
		points.push({
			strength,
			samples,
			keywordsPerHundredWords: keywords ? perHundredWords / count : undefined,
			keywordHitRate: keywords ? hits / count : undefined,
			judgeScore: judgeQuestion
				? samples.reduce((sum, sample) => sum + (sample.judge as number), 0) / count
				: undefined,
			perplexity: logProbs.length > 0 ? perplexity(logProbs) : null,
			fluency: summarizeFluency(samples.map((sample) => sample.text))
		});
	}

	const effectMeasure = keywords ? "keywords" : judgeQuestion ? "judge" : "none";
	const effectOf = (point: StrengthSweepPoint): number =>
		effectMeasure === "keywords"
			? (point.keywordsPerHundredWords as number)
			: effectMeasure === "judge"
				? (point.judgeScore as number)
				: 0;
	const measured: SweepPoint[] = points
		.filter((point) => point.perplexity !== null)
		.map((point) => ({
			strength: point.strength,
			effect: effectOf(point),
			perplexity: point.perplexity as number,
			fluency: point.fluency
		}));
	if (!measured.some((point) => point.strength === 0)) {
		throw new RangeError(
			"the unsteered generations produced no tokens, so there is no perplexity baseline; use other prompts or more tokens"
		);
	}
	const analysis = analyzeStrengthSweep(measured, { maxPerplexityRatio: options.maxPerplexityRatio });
	return { points, effectMeasure, analysis, suggestedMaxStrength: analysis.recommended?.strength ?? null };
}
