import { existsSync } from "node:fs";
import path from "node:path";
import { datasetFormatOf, datasetNameOf, saveDataset } from "../../datasets";
import { engineSteerableModel } from "../../engine/steerableModel";
import { traitPairs } from "../../steering/pipeline/traitPairs";
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

export const traitPairsUsage =
	'steer traitpairs --model M --trait "You answer like a pirate." --opposite "You answer plainly." --out D.jsonl|D.csv [--force] [--questions FILE] [--max-tokens 64] [--temperature T] [--seed N] [--json]';

/**
 * A contrast-pair dataset an instruct model writes from a description of a behaviour and its opposite:
 * each question (built-in everyday ones, or one per line of FILE) answered under each as a system
 * message. Review it (the dataset editor opens it as a grid), then `steer train --dataset` it.
 */
export async function runTraitPairs(argv: string[]): Promise<void> {
	const values = parseCommandArgs(argv, {
		...modelOptions,
		trait: { type: "string" },
		opposite: { type: "string" },
		questions: { type: "string" },
		out: { type: "string", short: "o" },
		"max-tokens": { type: "string" },
		temperature: { type: "string" },
		seed: { type: "string" },
		force: { type: "boolean" }
	});
	const trait = requireString(values.trait, "trait");
	const opposite = requireString(values.opposite, "opposite");
	if (trait.trim().length === 0 || opposite.trim().length === 0)
		throw new UsageError('--trait and --opposite each need a sentence, e.g. --trait "You answer like a pirate."');
	if (trait.trim() === opposite.trim())
		throw new UsageError("--trait and --opposite are the same: nothing to contrast");
	const out = requireString(values.out, "out");
	if (datasetFormatOf(out) === undefined) throw new UsageError(`--out must end in .jsonl or .csv, got "${out}"`);
	// Checked before minutes of generation, not when saving.
	if (!values.force && existsSync(out)) throw new UsageError(`${out} exists; pass --force to replace it`);
	const maxTokens = parseNumber(values["max-tokens"], "max-tokens", { integer: true, min: 1 }) ?? 64;
	const temperature = parseNumber(values.temperature, "temperature", { min: 0 }) ?? 0.7;
	const seed = parseNumber(values.seed, "seed", { integer: true, min: 0, max: MAX_SEED }) ?? 1;
	const questions = values.questions === undefined ? undefined : await readLines(values.questions, "questions");

	await withEngine(loadModelParams(values), async (engine, info) => {
		if (!info.hasChatTemplate)
			throw new Error(
				`${info.name ?? path.basename(info.modelPath)} has no chat template: writing pairs from a behaviour needs an instruct model that follows a system message`
			);
		const started = Date.now();
		const showProgress = !values.json && process.stderr.isTTY;
		const result = await traitPairs((system) => engineSteerableModel(engine, { chat: { system } }), {
			trait,
			opposite,
			questions,
			maxTokens,
			temperature,
			seed,
			onProgress: showProgress
				? (done, total) => process.stderr.write(`\rsteer: answered ${done}/${total}   `)
				: undefined
		});
		if (showProgress) process.stderr.write("\n");
		if (result.pairs.length === 0)
			throw new Error(
				"no question gave a contrast: every answer came out empty or the same under both descriptions; describe the two behaviours more differently"
			);
		await saveDataset(out, { name: datasetNameOf(out), pairs: result.pairs });
		const seconds = (Date.now() - started) / 1000;
		if (values.json) {
			process.stdout.write(
				JSON.stringify({ out, pairs: result.pairs.length, skipped: result.skipped, seconds }) + "\n"
			);
			return;
		}
		process.stdout.write(
			`wrote ${out}: ${result.pairs.length} pairs written by the model${result.skipped.length > 0 ? ` (${result.skipped.length} questions gave no contrast)` : ""}; review them before training (${seconds.toFixed(1)} s)\n`
		);
	});
}
