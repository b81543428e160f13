import { engineSteerableModel } from "../../engine/steerableModel";
import { checkVectorFitsModel } from "../../steering/pipeline/modelShape";
import { sweepStrengths } from "../../steering/pipeline/strengthSweep";
import { loadModelParams, modelOptions, parseCommandArgs, requireString, UsageError } from "../args";
import { withEngine } from "../engineSession";
import { readLines } from "../lineFile";
import { measurementOptions, parseMeasurement, sweepJson } from "../sweepMeasurement";
import { loadVectorFile } from "../vectorOption";

export const evalUsage =
	"steer eval --model M --vector V.gguf[:S] --prompts FILE --judge TRAIT [--keywords a,b] [--seeds N] [--max-tokens N] [--temperature T] [--json]";

/** Steered (at the file's strength, or S) against unsteered, over a file of prompts (one per line). */
export async function runEval(argv: string[]): Promise<void> {
	const values = parseCommandArgs(argv, {
		...modelOptions,
		...measurementOptions,
		vector: { type: "string" },
		prompts: { type: "string" }
	});
	const vectorText = requireString(values.vector, "vector");
	const promptsFile = requireString(values.prompts, "prompts");
	if (values.judge === undefined && values.keywords === undefined)
		throw new UsageError("--judge or --keywords is required: say what to measure");
	const measurement = parseMeasurement(values);
	const prompts = await readLines(promptsFile, "prompts");
	// The scale is already in the loaded directions, so "steered" is strength 1 of the scaled vector.
	const { vector, scale, modelHint } = await loadVectorFile(vectorText);
	await withEngine(loadModelParams(values), async (engine, info) => {
		checkVectorFitsModel(vector, info, vectorText, modelHint);
		const result = await sweepStrengths(engineSteerableModel(engine), {
			vector,
			prompts,
			strengths: scale === 0 ? [0] : [1],
			...measurement
		});
		const [unsteered, steered] = result.points;
		if (values.json) {
			const json = sweepJson(result);
			process.stdout.write(
				JSON.stringify({
					scale,
					prompts: prompts.length,
					unsteered: json.points[0],
					steered: json.points[1] ?? json.points[0]
				}) + "\n"
			);
			return;
		}
		const show = (label: string, point: typeof unsteered) =>
			`${label}  keyword-hits ${point?.keywordHitRate?.toFixed(2) ?? "—"}  self-judge ${point?.judgeScore?.toFixed(3) ?? "—"}  perplexity ${point?.perplexity?.toFixed(1) ?? "—"}`;
		process.stdout.write(
			[show("unsteered", unsteered), show(`steered ×${scale}`, steered ?? unsteered)].join("\n") + "\n"
		);
	});
}
