import { readFile } from "node:fs/promises";
import type { ModelInfo } from "../../engine/protocol";
import { engineSteerableModel } from "../../engine/steerableModel";
import { checkVectorFitsModel } from "../../steering/pipeline/modelShape";
import { sweepStrengths, type StrengthSweepResult } from "../../steering/pipeline/strengthSweep";
import type { SteeringVector } from "../../steering/vector";
import { loadModelParams, modelOptions, parseCommandArgs, parseNumber, requireString, UsageError } from "../args";
import { withEngine } from "../engineSession";
import { checkScale, parseVectorOption, readVectorFile } from "../vectorOption";

export const sweepUsage =
	"steer sweep --model M --vector V.gguf --prompt TEXT [--prompt TEXT]... [--strengths 0,0.5,1,2] [--judge TRAIT] [--keywords a,b] [--seeds N] [--max-tokens N] [--temperature T] [--json]";

/** Options shared by sweep and eval: what to measure and how to sample. */
export const measurementOptions = {
	judge: { type: "string" },
	keywords: { type: "string" },
	seeds: { type: "string" },
	"max-tokens": { type: "string" },
	temperature: { type: "string" }
} as const;

export async function runSweep(argv: string[]): Promise<void> {
	const values = parseCommandArgs(argv, {
		...modelOptions,
		...measurementOptions,
		vector: { type: "string" },
		prompt: { type: "string", short: "p", multiple: true },
		strengths: { type: "string" }
	});
	const vectorText = requireString(values.vector, "vector");
	const prompts = values.prompt ?? [];
	if (prompts.length === 0) throw new UsageError("--prompt is required");
	const strengths = parseNumberList(values.strengths ?? "0,0.5,1,1.5,2,3", "strengths");
	const measurement = parseMeasurement(values);
	const { vector, modelHint } = await loadVectorFile(vectorText);
	await withEngine(loadModelParams(values), async (engine, info) => {
		checkVectorFits(vector, info, vectorText, modelHint);
		const result = await sweepStrengths(engineSteerableModel(engine), {
			vector,
			prompts,
			strengths,
			...measurement
		});
		if (values.json) process.stdout.write(JSON.stringify(sweepJson(result)) + "\n");
		else process.stdout.write(sweepTable(result) + "\n");
	});
}

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

/** Samples per strength and prompt; each is a full generation, so thousands are already hours. */
const maxSeedCount = 1000;

function parseNumberList(text: string, flag: string): number[] {
	const parts = text.split(",").map((part) => part.trim());
	return parts.map((part) => {
		const value = Number(part);
		if (part === "" || Number.isNaN(value))
			throw new UsageError(`--${flag} must be numbers separated by commas, got "${text}"`);
		return checkScale(value, `--${flag} value ${part}`, "strengths");
	});
}

/** A vector file given as FILE.gguf[:S], its directions multiplied by S. */
export async function loadVectorFile(
	text: string
): Promise<{ vector: SteeringVector; scale: number; modelHint?: string }> {
	const { file, scale } = parseVectorOption(text);
	const loaded = await readVectorFile(file, { scale });
	return { vector: loaded.vector, scale, modelHint: loaded.modelHint };
}

export function checkVectorFits(vector: SteeringVector, info: ModelInfo, name: string, modelHint?: string): void {
	checkVectorFitsModel(vector, info, name, modelHint);
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
			samples: point.samples
		}))
	};
}

function sweepTable(result: StrengthSweepResult): string {
	const format = (value: number | undefined | null, digits: number) =>
		value === undefined || value === null ? "—" : value.toFixed(digits);
	const lines = [
		"strength  keyword-hits  per-100-words  self-judge  perplexity  ratio",
		...result.points.map((point) =>
			[
				format(point.strength, 2).padStart(8),
				format(point.keywordHitRate, 2).padStart(14),
				format(point.keywordsPerHundredWords, 2).padStart(15),
				format(point.judgeScore, 3).padStart(12),
				format(point.perplexity, 1).padStart(12),
				format(
					point.perplexity === null ? null : point.perplexity / result.analysis.baselinePerplexity,
					2
				).padStart(7)
			].join("")
		),
		result.suggestedMaxStrength === null
			? `no positive strength keeps perplexity within ${result.analysis.maxPerplexityRatio}× the unsteered text`
			: `strongest strength within ${result.analysis.maxPerplexityRatio}× the unsteered perplexity: ${result.suggestedMaxStrength}`
	];
	return lines.join("\n");
}

/** Non-empty lines of a text file, e.g. one prompt per line. */
export async function readLines(file: string, flag: string): Promise<string[]> {
	let text: string;
	try {
		text = await readFile(file, "utf8");
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === "ENOENT")
			throw new Error(`--${flag} file ${file} does not exist`, { cause: error });
		throw error;
	}
	const lines = text.split(/\r?\n/).filter((line) => line.trim().length > 0);
	if (lines.length === 0) throw new Error(`--${flag} file ${file} has no non-empty lines`);
	return lines;
}
