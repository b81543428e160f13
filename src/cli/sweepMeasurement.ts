/**
 * What `steer sweep` and `steer eval` measure and how they report it: the options both take, their
 * parsing, and the JSON form of a sweep's result.
 */
import type { StrengthSweepResult } from "../steering/pipeline/strengthSweep";
import { parseNumber, UsageError } from "./args";

/** Options shared by sweep and eval: what to measure and how to sample. */
export const measurementOptions = {
	judge: { type: "string" },
	keywords: { type: "string" },
	seeds: { type: "string" },
	"max-tokens": { type: "string" },
	temperature: { type: "string" }
} as const;

/** Samples per strength and prompt; each is a full generation, so thousands are already hours. */
const maxSeedCount = 1000;

export function parseMeasurement(values: {
	judge?: string;
	keywords?: string;
	seeds?: string;
	"max-tokens"?: string;
	temperature?: string;
}) {
	const seedCount = parseNumber(values.seeds, "seeds", { integer: true, min: 1, max: maxSeedCount }) ?? 3;
	const keywords =
		values.keywords === undefined
			? undefined
			: values.keywords
					.split(",")
					.map((word) => word.trim())
					.filter((word) => word.length > 0);
	if (keywords !== undefined && keywords.length === 0) throw new UsageError("--keywords needs at least one word");
	if (values.judge !== undefined && values.judge.trim().length === 0)
		throw new UsageError("--judge needs a trait, e.g. --judge happy");
	return {
		seeds: Array.from({ length: seedCount }, (_, i) => i + 1),
		keywords,
		judge: values.judge,
		maxTokens: parseNumber(values["max-tokens"], "max-tokens", { integer: true, min: 1 }) ?? 48,
		temperature: parseNumber(values.temperature, "temperature", { min: 0 }) ?? 0.7
	};
}

export function sweepJson(result: StrengthSweepResult) {
	return {
		effectMeasure: result.effectMeasure,
		suggestedMaxStrength: result.suggestedMaxStrength,
		baselinePerplexity: result.analysis.baselinePerplexity,
		maxPerplexityRatio: result.analysis.maxPerplexityRatio,
		points: result.points.map((point) => ({
			strength: point.strength,
			keywordHitRate: point.keywordHitRate,
			keywordsPerHundredWords: point.keywordsPerHundredWords,
			judgeScore: point.judgeScore,
			perplexity: point.perplexity,
			perplexityRatio: point.perplexity === null ? null : point.perplexity / result.analysis.baselinePerplexity,
			fluency: point.fluency,
			samples: point.samples
		}))
	};
}
