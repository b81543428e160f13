/**
 * Contrast pairs without labelled data (the gradient-free half of SelfControl): sample several
 * completions of each prompt, let the model judge each one with its own suffix score ("Is the above
 * text <trait>?"), and pair the best-judged completions with the worst-judged ones. The pairs then
 * train a vector like any hand-written dataset.
 *
 * The best and the worst of the same prompt differ mostly in how much of the trait the model reads in
 * them, which is the contrast a vector should capture; pairing across prompts would mix in topic too.
 * The i-th best is paired with the i-th worst, so the first pair of a prompt has the widest gap.
 */
import { selfJudgeSuffix } from "../evaluation/selfJudge";
import type { SteerableModel } from "./steerableModel";
import { selfJudge } from "./strengthSweep";

/** One self-labelled pair; datasets' ContrastPair accepts it as is. */
export interface SelfLabelledPair {
	readonly prompt: string;
	/** A completion the model judged most <trait>. */
	readonly positive: string;
	/** A completion of the same prompt the model judged least <trait>. */
	readonly negative: string;
	/** The trait and both judge scores, so a dataset shows why each pair was chosen. */
	readonly label: string;
}

export interface SelfLabelOptions {
	readonly prompts: readonly string[];
	/** What the judge is asked about, e.g. "happy". */
	readonly trait: string;
	/** Completions sampled per prompt (distinct seeds). */
	readonly samplesPerPrompt: number;
	/** Pairs kept per prompt: the `keep` best against the `keep` worst. */
	readonly keep: number;
	/** Default 48. */
	readonly maxTokens?: number;
	/** Default 0.7; must be above 0, since greedy decoding gives every sample the same text. */
	readonly temperature?: number;
	readonly topP?: number;
	readonly stop?: readonly string[];
	/** Sample i of every prompt uses seed + i. Default 1. */
	readonly seed?: number;
	readonly signal?: AbortSignal;
	/** Called after each sample is generated and judged. */
	readonly onProgress?: (done: number, total: number) => void;
}

export interface SelfLabelResult {
	/** Grouped by prompt, in the order the prompts were given; within a prompt the widest gap first. */
	readonly pairs: readonly SelfLabelledPair[];
	/**
	 * Per prompt, the judge scores of its usable samples, highest first. A sample that is empty or only
	 * whitespace cannot be one side of a pair, so it is neither judged nor listed.
	 */
	readonly scores: readonly (readonly number[])[];
	/** Per prompt, the pairs it gave: fewer than `keep` when scores tie or samples came out empty. */
	readonly keptPerPrompt: readonly number[];
}

interface JudgedSample {
	readonly index: number;
	readonly text: string;
	readonly score: number;
}

export async function selfLabelPairs(model: SteerableModel, options: SelfLabelOptions): Promise<SelfLabelResult> {
	const { prompts, trait, samplesPerPrompt, keep, signal } = options;
	// Checks the trait too, before any generation.
	const question = selfJudgeSuffix(trait);
	checkOptions(options);
	const maxTokens = options.maxTokens ?? 48;
	const temperature = options.temperature ?? 0.7;
	const seed = options.seed ?? 1;
	const label = trait.trim();
	const total = prompts.length * samplesPerPrompt;
	let done = 0;

	const pairs: SelfLabelledPair[] = [];
	const scores: number[][] = [];
	const keptPerPrompt: number[] = [];
	for (const prompt of prompts) {
		const judged: JudgedSample[] = [];
		for (let index = 0; index < samplesPerPrompt; index++) {
			signal?.throwIfAborted();
			const text = await model.generate(
				{
					prompt,
					maxTokens,
					temperature,
					topP: options.topP,
					seed: seed + index,
					stop: options.stop,
					steering: []
				},
				signal
			);
			if (text.trim().length > 0)
				judged.push({ index, text, score: await selfJudge(model, prompt + text + question, signal) });
			options.onProgress?.(++done, total);
		}
		// Highest score first; equal scores keep sampling order, so the result depends only on the seed.
		judged.sort((a, b) => b.score - a.score || a.index - b.index);
		const chosen = contrastPairsOf(judged, keep);
		for (const [best, worst] of chosen) {
			pairs.push({
				prompt,
				positive: best.text,
				negative: worst.text,
				label: `${label}: ${best.score.toFixed(3)} vs ${worst.score.toFixed(3)}`
			});
		}
		scores.push(judged.map((sample) => sample.score));
		keptPerPrompt.push(chosen.length);
	}
	return { pairs, scores, keptPerPrompt };
}

/**
 * The i-th best against the i-th worst for i < keep, from samples sorted best first. The two ends
 * never overlap (at most half the samples on each side). A pair whose scores are equal carries no
 * contrast the judge can vouch for, and one whose texts are equal would be refused by the datasets,
 * so both are left out; since the gaps shrink with i, so would every later pair of the prompt.
 */
function contrastPairsOf(sorted: readonly JudgedSample[], keep: number): [JudgedSample, JudgedSample][] {
	const pairs: [JudgedSample, JudgedSample][] = [];
	const count = Math.min(keep, Math.floor(sorted.length / 2));
	for (let i = 0; i < count; i++) {
		const best = sorted[i]!;
		const worst = sorted[sorted.length - 1 - i]!;
		if (!(best.score > worst.score) || best.text === worst.text) break;
		pairs.push([best, worst]);
	}
	return pairs;
}

function checkOptions(options: SelfLabelOptions): void {
	const { prompts, samplesPerPrompt, keep } = options;
	if (prompts.length === 0) throw new RangeError("self-labelling needs at least one prompt");
	for (const [index, prompt] of prompts.entries()) {
		if (prompt.trim().length === 0) throw new RangeError(`prompt ${index + 1} is empty`);
	}
	if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be a whole number ≥ 1, got ${keep}`);
	if (!Number.isInteger(samplesPerPrompt) || samplesPerPrompt < 2) {
		throw new RangeError(`samples per prompt must be a whole number ≥ 2, got ${samplesPerPrompt}`);
	}
	if (keep * 2 > samplesPerPrompt) {
		throw new RangeError(
			`keeping ${keep} pair${keep === 1 ? "" : "s"} per prompt needs at least ${keep * 2} samples per prompt (the best ${keep} against the worst ${keep}), got ${samplesPerPrompt}`
		);
	}
	const temperature = options.temperature ?? 0.7;
	if (!Number.isFinite(temperature) || temperature <= 0) {
		throw new RangeError(`temperature must be above 0 to sample different completions, got ${temperature}`);
	}
	if (options.maxTokens !== undefined && (!Number.isInteger(options.maxTokens) || options.maxTokens < 1)) {
		throw new RangeError(`maxTokens must be a whole number ≥ 1, got ${options.maxTokens}`);
	}
	if (options.seed !== undefined && !Number.isInteger(options.seed))
		throw new RangeError(`seed must be a whole number, got ${options.seed}`);
}
