import { datasetFormatOf, datasetNameOf, saveDataset } from "../../datasets";
import { engineSteerableModel } from "../../engine/steerableModel";
import { selfLabelPairs } from "../../steering/pipeline/selfLabel";
import {
	loadModelParams,
	MAX_SEED,
	modelOptions,
	parseCommandArgs,
	parseNumber,
	requireString,
	UsageError
} from "../args";
import { withEngine } from "../engineSession";
import { readLines } from "../lineFile";

export const selfLabelUsage =
	"steer selflabel --model M --prompts FILE --trait TRAIT --out D.jsonl|D.csv [--samples 8] [--keep 2] [--max-tokens N] [--temperature T] [--seed N] [--json]";

/**
 * A contrast-pair dataset the model labels itself: completions of each prompt (one per line of FILE),
 * the ones it judges most TRAIT against the ones it judges least. `steer train --dataset` takes the file.
 */
export async function runSelfLabel(argv: string[]): Promise<void> {
	const values = parseCommandArgs(argv, {
		...modelOptions,
		prompts: { type: "string" },
		trait: { type: "string" },
		out: { type: "string", short: "o" },
		samples: { type: "string" },
		keep: { type: "string" },
		"max-tokens": { type: "string" },
		temperature: { type: "string" },
		seed: { type: "string" }
	});
	const promptsFile = requireString(values.prompts, "prompts");
	const trait = requireString(values.trait, "trait");
	if (trait.trim().length === 0) throw new UsageError("--trait needs a word or phrase, e.g. --trait happy");
	const out = requireString(values.out, "out");
	// Checked before sampling, which takes minutes on a large model, rather than when saving.
	if (datasetFormatOf(out) === undefined) throw new UsageError(`--out must end in .jsonl or .csv, got "${out}"`);
	const samplesPerPrompt = parseNumber(values.samples, "samples", { integer: true, min: 2 }) ?? 8;
	const keep = parseNumber(values.keep, "keep", { integer: true, min: 1 }) ?? 2;
	if (keep * 2 > samplesPerPrompt)
		throw new UsageError(
			`--keep ${keep} needs --samples ${keep * 2} or more (the best ${keep} against the worst ${keep})`
		);
	const maxTokens = parseNumber(values["max-tokens"], "max-tokens", { integer: true, min: 1 }) ?? 48;
	const temperature = parseNumber(values.temperature, "temperature", { min: 0 }) ?? 0.7;
	if (temperature === 0)
		throw new UsageError("--temperature must be above 0: greedy decoding gives every sample the same text");
	const seed = parseNumber(values.seed, "seed", { integer: true, min: 0, max: MAX_SEED }) ?? 1;
	const prompts = await readLines(promptsFile, "prompts");

	await withEngine(loadModelParams(values), async (engine) => {
		const started = Date.now();
		const showProgress = !values.json && process.stderr.isTTY;
		const result = await selfLabelPairs(engineSteerableModel(engine), {
			prompts,
			trait,
			samplesPerPrompt,
			keep,
			maxTokens,
			temperature,
			seed,
			onProgress: showProgress
				? (done, total) => process.stderr.write(`\rsteer: sampled and judged ${done}/${total}   `)
				: undefined
		});
		if (showProgress) process.stderr.write("\n");
		if (result.pairs.length === 0) {
			throw new Error(
				`no prompt gave a contrast: every prompt's samples were judged equally ${trait.trim()} (or came out empty); try more --samples, a higher --temperature or other prompts`
			);
		}
		await saveDataset(out, { name: datasetNameOf(out), pairs: result.pairs });
		const seconds = (Date.now() - started) / 1000;
		if (values.json) {
			process.stdout.write(
				JSON.stringify({
					out,
					trait: trait.trim(),
					prompts: prompts.length,
					samplesPerPrompt,
					keep,
					pairs: result.pairs.length,
					keptPerPrompt: result.keptPerPrompt,
					scores: result.scores,
					seconds
				}) + "\n"
			);
			return;
		}
		const format = (value: number | undefined) => (value === undefined ? "—" : value.toFixed(3));
		const lines = [
			"pairs   best  worst  prompt",
			...prompts.map((prompt, i) => {
				const scores = result.scores[i]!;
				const shown = prompt.length > 48 ? `${prompt.slice(0, 47)}…` : prompt;
				return [
					String(result.keptPerPrompt[i]).padStart(5),
					format(scores[0]).padStart(7),
					format(scores[scores.length - 1]).padStart(7),
					`  ${shown}`
				].join("");
			}),
			`wrote ${out}: ${result.pairs.length} pairs from ${prompts.length} prompts, judged "${trait.trim()}" by the model itself (${seconds.toFixed(1)} s)`
		];
		process.stdout.write(lines.join("\n") + "\n");
	});
}
