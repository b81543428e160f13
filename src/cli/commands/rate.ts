import { existsSync } from "node:fs";
import type { EngineClient } from "../../engine/client";
import type { ModelInfo } from "../../engine/protocol";
import { engineRatingJudge, engineSteerableModel } from "../../engine/steerableModel";
import { checkVectorFitsModel } from "../../steering/pipeline/modelShape";
import { calibrationChatInMetadata } from "../../steering/pipeline/trainedVectorFile";
import { RATING_DEFAULTS, type RatedRow, type RatingJudge, rateSteering } from "../../steering/pipeline/rateSteering";
import { loadModelParams, modelOptions, parseCommandArgs, parseNumber, requireString, UsageError } from "../args";
import { withEngine } from "../engineSession";
import { readLines } from "../lineFile";
import { loadVectorOptions } from "../vectorOption";

export const rateUsage =
	"steer rate --model M --vector V.gguf[:S] --prompts FILE --concept TEXT [--judge-model J.gguf] [--judge-plain] [--chat|--no-chat] [--system TEXT] [--seeds N] [--max-tokens N] [--temperature T] [--json]";

/**
 * AxBench's evaluation: each request answered unsteered, steered (at the file's strength, or S) and with
 * the concept asked for in the request, each answer rated 0–2 for concept, instruction and fluency by a
 * judge (the loaded model, or --judge-model in an engine of its own), combined by their harmonic mean.
 */
export async function runRate(argv: string[]): Promise<void> {
	const values = parseCommandArgs(argv, {
		...modelOptions,
		vector: { type: "string" },
		prompts: { type: "string" },
		concept: { type: "string" },
		"judge-model": { type: "string" },
		"judge-plain": { type: "boolean" },
		chat: { type: "boolean" },
		"no-chat": { type: "boolean" },
		system: { type: "string" },
		seeds: { type: "string" },
		"max-tokens": { type: "string" },
		temperature: { type: "string" }
	});
	const vectorText = requireString(values.vector, "vector");
	const promptsFile = requireString(values.prompts, "prompts");
	const concept = requireString(values.concept, "concept").trim();
	if (concept.length === 0) throw new UsageError('--concept needs the concept to rate, e.g. --concept "the sea"');
	if (/[\r\n]/.test(concept)) throw new UsageError("--concept must be a single line");
	const judgeModel = values["judge-model"];
	if (judgeModel === "") throw new UsageError("--judge-model needs a model file");
	// Checked before the main model loads and generates for minutes.
	if (judgeModel !== undefined && !existsSync(judgeModel))
		throw new Error(`judge model file not found: ${judgeModel}`);
	if (values.chat && values["no-chat"]) throw new UsageError("--chat and --no-chat contradict each other; pass one");
	if (values.system !== undefined && values["no-chat"])
		throw new UsageError("--system needs the chat template, which --no-chat turns off");
	if (values.system !== undefined && values.system.trim() === "")
		throw new UsageError('--system needs the system message\'s text, e.g. --system "You are a pirate."');
	const seedCount = parseNumber(values.seeds, "seeds", { integer: true, min: 1, max: 1000 }) ?? RATING_DEFAULTS.seeds;
	const maxTokens =
		parseNumber(values["max-tokens"], "max-tokens", { integer: true, min: 1 }) ?? RATING_DEFAULTS.maxTokens;
	const temperature = parseNumber(values.temperature, "temperature", { min: 0 }) ?? RATING_DEFAULTS.temperature;
	const prompts = await readLines(promptsFile, "prompts");
	// The file's scale and where it acts (steer.placement), as steer generate reads them.
	const {
		entries: [entry],
		modelHints: [modelHint],
		metadata: [metadata]
	} = await loadVectorOptions([vectorText]);
	const { vector, strength: scale, placement } = entry!;
	// A file calibrated in chat under a system message is rated under it too, unless --system says otherwise.
	const calibratedUnder = calibrationChatInMetadata(metadata!)?.system;
	if (scale === 0) throw new UsageError(`${vectorText}: scale 0 is the unsteered model; give a scale other than 0`);
	const params = loadModelParams(values);

	await withEngine(params, async (engine, info) => {
		checkVectorFitsModel(vector, info, vectorText, modelHint);
		// An instruct model answers requests in its template, as steer train calibrates it, under --system's
		// message when given: give the message a vector was trained under (steer train --system, or the
		// dataset's shared one), since rate cannot know it. --no-chat and --chat override, as in steer train
		// (which calibrates in chat only on a model with a template of its own).
		const chat = values.chat === true || (values["no-chat"] !== true && info.hasChatTemplate);
		if (!chat && values.system !== undefined)
			throw new UsageError(
				"--system needs a chat template, and this model has none (pass --chat to use a generic one)"
			);
		const system = values.system ?? (chat ? calibratedUnder : undefined);
		const model = engineSteerableModel(engine, chat ? { chat: system === undefined ? {} : { system } } : {});
		const rate = async (judge: RatingJudge) => ({
			judgeForm: judge.form,
			rows: await rateSteering(model, judge, {
				concept,
				steering: [{ vector, strength: scale }],
				...(placement ? { placement } : {}),
				prompts,
				seeds: Array.from({ length: seedCount }, (_, i) => i + 1),
				maxTokens,
				temperature,
				// Asking for the concept in words only means something to a model that follows requests.
				promptBaseline: chat,
				onProgress:
					!values.json && process.stderr.isTTY
						? (done, total) => process.stderr.write(`\rsteer: rated ${done}/${total}   `)
						: undefined
			})
		});
		// A judge with a template is asked in it unless --judge-plain: SmolLM2 ranks fluency better asked as
		// plain text (docs/steering.md, "Measuring").
		const judgeOf = (judgeEngine: EngineClient, judgeInfo: ModelInfo): RatingJudge =>
			engineRatingJudge(judgeEngine, judgeInfo, { plain: values["judge-plain"] === true });
		const rows =
			judgeModel === undefined
				? await rate(judgeOf(engine, info))
				: // The judge reads question + request + answer: its own default context, not the generation's.
					await withEngine(
						{ modelPath: judgeModel, gpu: params.gpu, gpuLayers: "auto", threads: params.threads },
						(judgeEngine, judgeInfo) => rate(judgeOf(judgeEngine, judgeInfo))
					);
		if (!values.json && process.stderr.isTTY) process.stderr.write("\n");
		const judgeName = judgeModel ?? params.modelPath;
		if (values.json) {
			process.stdout.write(
				JSON.stringify({
					concept,
					scale,
					judge: judgeName,
					judgeForm: rows.judgeForm,
					chat,
					...(system === undefined
						? {}
						: { system, systemFrom: values.system === undefined ? "file" : "option" }),
					rows: rows.rows
				}) + "\n"
			);
			return;
		}
		const under =
			system === undefined
				? ""
				: `; answers under the system message ${JSON.stringify(system)}${values.system === undefined ? " (the one the file was calibrated under; --system changes it)" : ""}`;
		process.stdout.write(rateTable(rows.rows, scale, `${judgeName} (${rows.judgeForm})${under}`, chat) + "\n");
	});
}

function rateTable(rows: readonly RatedRow[], scale: number, judge: string, chat: boolean): string {
	const label = { unsteered: "unsteered", steered: `steered ×${scale}`, prompted: "asked in the prompt" };
	return [
		`judge ${judge}; mean ratings 0–2 (in brackets: weighed by the judge's probabilities); score = harmonic mean of a sample's ratings (0 when any is 0)`,
		[
			"condition".padEnd(20),
			..."concept instruction fluency".split(" ").map((name) => name.padStart(14)),
			"score".padStart(6)
		].join(" "),
		...rows.map((row) => {
			const cell = (criterion: "concept" | "instruction" | "fluency") =>
				`${row.mean[criterion].toFixed(2)} (${row.meanExpected[criterion].toFixed(2)})`.padStart(14);
			return [
				label[row.condition].padEnd(20),
				cell("concept"),
				cell("instruction"),
				cell("fluency"),
				row.score.toFixed(2).padStart(6)
			].join(" ");
		}),
		...(chat
			? []
			: [
					"(no prompt-only baseline: the answers are raw continuations, not replies in a chat template; an instruct model, or --chat, answers requests)"
				])
	].join("\n");
}
