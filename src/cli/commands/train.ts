import { existsSync } from "node:fs";
import {
	DatasetValidationError,
	formatDatasetIssue,
	loadDataset,
	rawTextExampleProblem,
	rawTextProblem,
	renderExamplesAsChats,
	renderPairsAsChats,
	sharedSystemMessage,
	type ChatRenderer
} from "../../datasets";
import { engineHiddenStateSource } from "../../engine/hiddenStateSource";
import { engineChatCalibration, engineSteerableModel } from "../../engine/steerableModel";
import { describeCalibration } from "../../steering/pipeline/calibrateStrength";
import { calibrateVector } from "../../steering/pipeline/calibrateVector";
import { describePlacement } from "../../steering/placement";
import { parsePlacementOption } from "../vectorOption";
import { parseLayerSpec } from "../../steering/layerSpec";
import { trainFromExamples, trainFromPairs, type TrainFromPairsOptions } from "../../steering/pipeline/trainFromPairs";
import { saveTrainedVector } from "../../steering/pipeline/trainedVectorFile";
import { describePositionSpec, parsePositionSpec } from "../../steering/positions";
import { requireUnpairedMethod, type TrainingMethod } from "../../steering/training/methods";
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

export const trainUsage =
	"steer train --model M --dataset D.jsonl|D.csv --out V.gguf [--force] [--method mean|pca-diff|pca-center|probe] [--positions mean|all|last|last:K|last:K-mean|suffix|suffix-mean] [--layers A-B | --top-k K] [--seed N] [--chat|--no-chat] [--system TEXT] [--placement all|generated|prompt|first:K] [--no-calibrate | --profile-search] [--json]";

/** "mean" is what users (and llama.cpp's cvector-generator) call difference-in-means. */
const methodNames: Record<string, TrainingMethod> = {
	mean: "mean-diff",
	"mean-diff": "mean-diff",
	"pca-diff": "pca-diff",
	"pca-center": "pca-center",
	probe: "probe"
};

export async function runTrain(argv: string[]): Promise<void> {
	const values = parseCommandArgs(argv, {
		...modelOptions,
		dataset: { type: "string", short: "d" },
		out: { type: "string", short: "o" },
		method: { type: "string" },
		positions: { type: "string" },
		layers: { type: "string" },
		"top-k": { type: "string" },
		seed: { type: "string" },
		chat: { type: "boolean" },
		"no-chat": { type: "boolean" },
		system: { type: "string" },
		"no-calibrate": { type: "boolean" },
		"profile-search": { type: "boolean" },
		placement: { type: "string" },
		force: { type: "boolean" }
	});
	if (values.chat && values["no-chat"]) throw new UsageError("--chat and --no-chat contradict each other; pass one");
	if (values.system !== undefined && values["no-chat"])
		throw new UsageError("--system needs the chat template, which --no-chat turns off");
	if (values["profile-search"] && values["no-calibrate"])
		throw new UsageError("--profile-search is a way of calibrating, which --no-calibrate turns off; pass one");
	if (values["profile-search"] && (values.layers !== undefined || values["top-k"] !== undefined))
		throw new UsageError(
			"--profile-search chooses how the push spreads over the layers; --layers and --top-k fix them"
		);
	if (values["profile-search"] && values.placement !== undefined)
		throw new UsageError(
			"--profile-search compares profiles with the vector on every position; it cannot be combined with --placement yet"
		);
	const datasetPath = requireString(values.dataset, "dataset");
	const out = requireString(values.out, "out");
	// Checked before the model loads: a vector file is replaced only when the user says so.
	if (!values.force && existsSync(out))
		throw new UsageError(`${out} exists; pass --force to replace it, or choose another --out`);
	const method = methodNames[values.method ?? "mean"];
	if (!method) throw new UsageError(`--method must be mean, pca-diff, pca-center or probe, got "${values.method}"`);
	if (values.layers !== undefined && values["top-k"] !== undefined)
		throw new UsageError("--layers and --top-k both choose the layers to steer; pass one");
	const topK = parseNumber(values["top-k"], "top-k", { integer: true, min: 1 });
	let positions;
	try {
		// Mean over the text by default: on the models measured it gives the steadiest direction (docs/steering.md).
		positions = parsePositionSpec(values.positions ?? "mean");
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
	const seed = parseNumber(values.seed, "seed", { integer: true, min: 0, max: MAX_SEED }) ?? 0;
	// Where the vector will act: calibrated that way and recorded in the file (steer.placement).
	const placement = parsePlacementOption(values.placement);
	const { pairs: datasetPairs, examples: datasetExamples } = await readTrainingData(datasetPath);
	const unpaired = datasetExamples.length > 0;
	if (unpaired) {
		try {
			requireUnpairedMethod(method);
		} catch (error) {
			throw new UsageError(`${datasetPath} holds labelled examples without pairs: ${(error as Error).message}`);
		}
	}

	await withEngine(loadModelParams(values), async (engine, info) => {
		let steerLayers: number[] | undefined;
		if (values.layers !== undefined) {
			try {
				steerLayers = parseLayerSpec(values.layers, info.nLayer);
			} catch (error) {
				throw new UsageError((error as Error).message);
			}
		}
		// An instruct model is steered on conversations in its own template, as it sees its prompts;
		// --no-chat trains on the raw texts, --chat forces the template onto a model without one.
		const useChat = values.chat || (!values["no-chat"] && info.hasChatTemplate);
		if (!useChat) {
			if (values.system !== undefined)
				throw new UsageError(
					"--system needs a chat template, and this model has none (pass --chat to use a generic one)"
				);
			const problem = unpaired ? rawTextExampleProblem(datasetExamples) : rawTextProblem(datasetPairs);
			if (problem)
				throw new UsageError(
					`${datasetPath}: ${problem}; train it on an instruct model, or pass --chat to use a generic template`
				);
		}
		const render: ChatRenderer = (conversations) => engine.request("formatChats", { conversations });
		const chatOptions = values.system === undefined ? {} : { systemPrompt: values.system };
		const chatPairs =
			useChat && !unpaired ? await renderPairsAsChats(datasetPairs, render, chatOptions) : undefined;
		const chatExamples =
			useChat && unpaired ? await renderExamplesAsChats(datasetExamples, render, chatOptions) : undefined;
		const wrapper = chatPairs?.wrapper ?? chatExamples?.wrapper;
		if (wrapper !== undefined && !values.json)
			process.stderr.write(`steer: ${unpaired ? "examples" : "pairs"} wrapped in the ${wrapper} chat template\n`);
		const pairs = chatPairs?.pairs ?? datasetPairs;
		const examples = chatExamples?.examples ?? datasetExamples;
		const started = Date.now();
		const showProgress = !values.json && process.stderr.isTTY;
		const source = engineHiddenStateSource(engine, { specialTokens: wrapper !== undefined });
		const options: TrainFromPairsOptions = {
			method,
			positions,
			seed,
			steerLayers,
			topK,
			modelHint: info.architecture,
			nLayer: info.nLayer,
			nEmbd: info.nEmbd,
			onProgress: showProgress
				? ({ stage, done, total }) => process.stderr.write(`\rsteer: ${stage} ${done}/${total}   `)
				: undefined
		};
		const fixedPush = unpaired
			? await trainFromExamples(examples, source, options)
			: await trainFromPairs(pairs, source, options);
		if (showProgress) process.stderr.write("\n");
		// Calibration by measurement: the strength that moves the concept clearly with the text still
		// fluent becomes the file's 1.0 (--no-calibrate keeps the fixed push). Pairs read as conversations
		// are calibrated on answers in the same template, as the model will be used.
		// Only a model with a chat template of its own is asked in chat (--chat on a base model is not).
		const calibrateInChat = wrapper !== undefined && info.hasChatTemplate;
		// The neutral requests are asked under the system message the pairs were written under: --system,
		// or the one every pair of the dataset carries.
		const calibrationSystem = values.system ?? sharedSystemMessage(unpaired ? datasetExamples : datasetPairs);
		const chatCalibration = calibrateInChat ? engineChatCalibration(engine, calibrationSystem) : undefined;
		const trained = values["no-calibrate"]
			? fixedPush
			: await calibrateVector(
					fixedPush,
					unpaired ? examples : pairs,
					chatCalibration?.model ?? engineSteerableModel(engine),
					source,
					{
						placement,
						// The band by default; --profile-search also calibrates every layer pushed alike and keeps
						// the one that makes the pairs likelier (docs/steering.md: on the held-out concepts it did
						// not carry the concept into more stories than the band).
						profiles: values["profile-search"] ? "search" : "band",
						...(chatCalibration ? { chat: chatCalibration.chat } : {}),
						onProgress: showProgress
							? (done, total) => process.stderr.write(`\rsteer: calibrating ${done}/${total}   `)
							: undefined
					}
				);
		if (showProgress && trained.calibration) process.stderr.write("\n");
		await saveTrainedVector(out, placement ? { ...trained, placement } : trained);
		const seconds = (Date.now() - started) / 1000;
		if (values.json) {
			process.stdout.write(
				JSON.stringify({
					out,
					method: trained.method,
					positions: describePositionSpec(trained.positions),
					pairs: trained.pairCount,
					...(trained.exampleCounts ? { examples: trained.exampleCounts } : {}),
					suggestedLayers: trained.suggestedLayers,
					recommendedStrength: trained.recommendedStrength,
					pushFraction: trained.pushFraction,
					rawAlphaPerLayer: Object.fromEntries(trained.rawAlphaPerLayer),
					calibration: trained.calibration ?? null,
					placement: describePlacement(placement ?? { kind: "all" }),
					seconds,
					diagnostics: trained.diagnostics
				}) + "\n"
			);
			return;
		}
		const lines = [
			`layer  held-out  margin  consistency  agreement  expl.var  gap      norm`,
			...trained.diagnostics.map((entry) =>
				[
					String(entry.layer).padStart(5),
					(entry.heldOutAccuracy === null ? "—" : entry.heldOutAccuracy.toFixed(2)).padStart(9),
					optionalFigure(entry.heldOutMargin, 1).padStart(8),
					optionalFigure(entry.pairConsistency, 2).padStart(13),
					entry.agreement.toFixed(2).padStart(11),
					entry.explainedVarianceRatio.toFixed(3).padStart(9),
					entry.meanProjectionGap.toFixed(2).padStart(8),
					entry.hiddenNormMean.toFixed(1).padStart(9),
					trained.suggestedLayers.includes(entry.layer) ? "  ← steered" : ""
				].join("")
			),
			...(trained.calibration ? [describeCalibration(trained.calibration)] : []),
			`wrote ${out}: ${trained.method}, ${describePositionSpec(trained.positions)}, ${trained.exampleCounts ? `${trained.exampleCounts.positive} + ${trained.exampleCounts.negative} examples labelled 1 + 0` : `${trained.pairCount} pairs`}, layers ${trained.suggestedLayers.join(",")}${placement && placement.kind !== "all" ? `, acting on ${describePlacement(placement)}` : ""}, strength 1.0 = ${(trained.pushFraction * 100).toFixed(0)}% of ${trained.calibration?.profile?.chosen === "every-layer" ? "the layers' mean typical norm at every layer" : "each layer's typical norm"} (${seconds.toFixed(1)} s)`
		];
		process.stdout.write(lines.join("\n") + "\n");
	});
}

/** A diagnostic that may be absent (unpaired examples, nothing held out): "—", else the number. */
function optionalFigure(value: number | null | undefined, digits: number): string {
	if (value === null || value === undefined) return "—";
	return value.toFixed(digits);
}

/** The dataset's pairs or labelled examples, or a one-line error naming the file and line of the first problem. */
async function readTrainingData(file: string) {
	try {
		return await loadDataset(file);
	} catch (error) {
		if (error instanceof DatasetValidationError && error.issues.length > 0) {
			const more =
				error.issues.length > 1
					? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? "s" : ""})`
					: "";
			throw new Error(`invalid dataset: ${formatDatasetIssue(error.issues[0]!)}${more}`, { cause: error });
		}
		if ((error as NodeJS.ErrnoException).code === "ENOENT")
			throw new Error(`dataset ${file} does not exist`, { cause: error });
		throw error;
	}
}
