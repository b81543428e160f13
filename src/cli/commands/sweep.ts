import { engineSteerableModel } from "../../engine/steerableModel";
import { checkVectorFitsModel } from "../../steering/pipeline/modelShape";
import { sweepStrengths, type StrengthSweepResult } from "../../steering/pipeline/strengthSweep";
import { loadModelParams, modelOptions, parseCommandArgs, requireString, UsageError } from "../args";
import { withEngine } from "../engineSession";
import { measurementOptions, parseMeasurement, sweepJson } from "../sweepMeasurement";
import { checkScale, loadVectorFile } from "../vectorOption";

export const sweepUsage =
	"steer sweep --model M --vector V.gguf --prompt TEXT [--prompt TEXT]... [--strengths 0,0.5,1,2] [--judge TRAIT] [--keywords a,b] [--seeds N] [--max-tokens N] [--temperature T] [--json]";

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
		checkVectorFitsModel(vector, info, vectorText, modelHint);
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

function parseNumberList(text: string, flag: string): number[] {
	const parts = text.split(",").map((part) => part.trim());
	return parts.map((part) => {
		const value = Number(part);
		if (part === "" || Number.isNaN(value))
			throw new UsageError(`--${flag} must be numbers separated by commas, got "${text}"`);
		return checkScale(value, `--${flag} value ${part}`, "strengths");
	});
}

function sweepTable(result: StrengthSweepResult): string {
	const format = (value: number | undefined | null, digits: number) =>
		value === undefined || value === null ? "—" : value.toFixed(digits);
	const lines = [
		"strength  keyword-hits  per-100-words  self-judge  perplexity  ratio  real-words  distinct  degenerate",
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
				).padStart(7),
				format(point.fluency.realWordShare, 2).padStart(12),
				format(point.fluency.distinctWords, 2).padStart(10),
				format(point.fluency.degenerateShare, 2).padStart(12)
			].join("")
		),
		result.suggestedMaxStrength === null
			? `no positive strength keeps the text fluent (real words ≥ 0.9×, distinct words ≥ 0.7× the unsteered text, no more loops or garbage, perplexity within ${result.analysis.maxPerplexityRatio}×)`
			: `strongest strength that keeps the text fluent (real words ≥ 0.9×, distinct words ≥ 0.7× the unsteered text, no more loops or garbage, perplexity within ${result.analysis.maxPerplexityRatio}×): ${result.suggestedMaxStrength}`
	];
	return lines.join("\n");
}
