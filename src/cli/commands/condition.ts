import { existsSync } from "node:fs";
import { engineHiddenStateSource } from "../../engine/hiddenStateSource";
import { trainConditionVector } from "../../steering/conditions/conditionVector";
import { isConditionVectorMetadata, saveConditionVector } from "../../steering/conditions/conditionVectorFile";
import { findBestCondition } from "../../steering/conditions/gridSearch";
import { evaluateCondition, splitHeldOut, type ConditionEvaluation } from "../../steering/conditions/heldOut";
import { checkVectorFitsModel } from "../../steering/pipeline/modelShape";
import type { ConditionSquash } from "../../steering/conditions/similarity";
import { parseLayerSpec } from "../../steering/layerSpec";
import type { TrainingMethod } from "../../steering/training/methods";
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
import { parseVectorOption, readVectorFile } from "../vectorOption";

export const conditionUsage = [
	"steer condition train --model M --positives FILE --negatives FILE --out C.gguf [--held-out FRACTION] [--seed N] [--force] [--method mean|pca-diff|pca-center] [--json]",
	"  steer condition --model M --condition C.gguf --positives FILE --negatives FILE [--held-out FRACTION | --held-out-positives FILE --held-out-negatives FILE] [--seed N] [--layers A-B] [--thresholds LOW:HIGH:STEP] [--squash none|tanh] [--json]"
].join("\n");

/**
 * Thresholds searched by default: similarities at the layers that read a topic best lie close together
 * (0.08–0.18 on SmolLM2-135M-Instruct), so a step of 0.01 would be coarse there.
 */
const DEFAULT_THRESHOLDS = "0:1:0.001";

/** Default share of each kind kept from the search to judge the chosen check on. */
const DEFAULT_HELD_OUT = 0.25;

const methodNames: Record<string, TrainingMethod> = {
	mean: "mean-diff",
	"mean-diff": "mean-diff",
	"pca-diff": "pca-diff",
	"pca-center": "pca-center"
};

/**
 * CAST's search for where and how to check a condition: prompts that should trigger it (one per line)
 * and prompts that should not, read as the mean over their tokens at each layer the condition has
 * (every steerable layer for a file from `steer condition train`). The chosen layer and threshold are
 * then judged on prompts the search never saw: a share of each file held out, or files of their own.
 * Those are only honest figures when the condition vector was not trained on them either: given the
 * same files, `--held-out` and `--seed`, `steer condition train` leaves out exactly the share this
 * command holds out (both default to a quarter of each kind, seed 0).
 */
export async function runCondition(argv: string[]): Promise<void> {
	if (argv[0] === "train") return runConditionTrain(argv.slice(1));
	const values = parseCommandArgs(argv, {
		...modelOptions,
		condition: { type: "string" },
		positives: { type: "string" },
		negatives: { type: "string" },
		"held-out": { type: "string" },
		"held-out-positives": { type: "string" },
		"held-out-negatives": { type: "string" },
		seed: { type: "string" },
		layers: { type: "string" },
		thresholds: { type: "string" },
		squash: { type: "string" }
	});
	const conditionText = requireString(values.condition, "condition");
	const positiveLines = await readLines(requireString(values.positives, "positives"), "positives");
	const negativeLines = await readLines(requireString(values.negatives, "negatives"), "negatives");
	const [low, high, step] = parseThresholds(values.thresholds ?? DEFAULT_THRESHOLDS);
	const squash = (values.squash ?? "none") as ConditionSquash;
	if (squash !== "none" && squash !== "tanh")
		throw new UsageError(`--squash must be none or tanh, got "${values.squash}"`);
	const seed = parseNumber(values.seed, "seed", { integer: true, min: 0, max: MAX_SEED }) ?? 0;
	const ownFiles = values["held-out-positives"] !== undefined || values["held-out-negatives"] !== undefined;
	if (ownFiles && values["held-out"] !== undefined)
		throw new UsageError("pass --held-out or the --held-out-positives/--held-out-negatives files, not both");
	let search = { positives: positiveLines, negatives: negativeLines };
	let heldOut = { positives: [] as string[], negatives: [] as string[] };
	if (ownFiles) {
		heldOut = {
			positives: await readLines(
				requireString(values["held-out-positives"], "held-out-positives"),
				"held-out-positives"
			),
			negatives: await readLines(
				requireString(values["held-out-negatives"], "held-out-negatives"),
				"held-out-negatives"
			)
		};
	} else {
		const fraction = parseNumber(values["held-out"], "held-out", { min: 0, max: 0.9 }) ?? DEFAULT_HELD_OUT;
		const positives = splitHeldOut(positiveLines, fraction, seed);
		const negatives = splitHeldOut(negativeLines, fraction, seed + 1);
		search = { positives: positives.kept, negatives: negatives.kept };
		heldOut = { positives: positives.heldOut, negatives: negatives.heldOut };
		if (fraction > 0 && (heldOut.positives.length === 0 || heldOut.negatives.length === 0))
			throw new UsageError(
				`--held-out ${fraction} leaves no prompt of one kind to judge on; give at least 2 prompts of each kind`
			);
	}
	const { file, scale } = parseVectorOption(conditionText);
	const loaded = await readVectorFile(file, { scale });
	const { vector, modelHint } = loaded;
	const isCondition = isConditionVectorMetadata(loaded.metadata);
	await withEngine(loadModelParams(values), async (engine, info) => {
		checkVectorFitsModel(vector, info, conditionText, modelHint);
		let layers: number[];
		try {
			layers =
				values.layers === undefined
					? [...vector.directions.keys()].sort((a, b) => a - b)
					: parseLayerSpec(values.layers, info.nLayer);
		} catch (error) {
			throw new UsageError((error as Error).message);
		}
		const missing = layers.filter((layer) => !vector.directions.has(layer));
		if (missing.length > 0)
			throw new Error(
				`${conditionText} has no direction for layer ${missing.join(", ")}${isCondition ? "" : "; a file from `steer condition train` has every layer"}`
			);
		if (layers.some((layer, i) => i > 0 && layer !== layers[i - 1]! + 1))
			throw new UsageError("--layers must be one contiguous range for the search");
		const source = engineHiddenStateSource(engine);
		const read = async (prompts: readonly string[]) =>
			(
				await source.capture(
					prompts.map((text) => ({ text })),
					{ layers, positions: { select: "all", mean: true } }
				)
			).map((item) => new Map(item.map(({ layer, hidden }) => [layer, hidden] as const)));
		const result = findBestCondition(
			await read(search.positives),
			await read(search.negatives),
			vector,
			[layers[0]!, layers[layers.length - 1]!],
			[low, high],
			step,
			{ squash }
		);
		const { best } = result;
		const judged: ConditionEvaluation | null =
			heldOut.positives.length > 0 && heldOut.negatives.length > 0
				? evaluateCondition(await read(heldOut.positives), await read(heldOut.negatives), vector, {
						layers: [best.layer],
						threshold: best.threshold,
						direction: best.direction,
						squash
					})
				: null;
		if (values.json) {
			process.stdout.write(
				JSON.stringify({
					best: result.best,
					searched: { layers, positives: search.positives.length, negatives: search.negatives.length },
					heldOut: judged,
					table: result.table,
					similarities: Object.fromEntries(result.similarities)
				}) + "\n"
			);
			return;
		}
		const percent = (value: number) => `${(100 * value).toFixed(1)}%`;
		const lines = [
			`searched layers ${layers[0]}–${layers[layers.length - 1]} (${layers.length}) on ${search.positives.length} positives and ${search.negatives.length} negatives`,
			`best: layer ${best.layer}, similarity ${best.direction === "larger" ? ">" : "<"} ${best.threshold.toFixed(3)}: F1 ${best.f1.toFixed(3)} (precision ${best.precision.toFixed(3)}, recall ${best.recall.toFixed(3)}, margin ${best.margin.toFixed(4)}) on the prompts searched`,
			judged
				? `held out from the search: F1 ${judged.f1.toFixed(3)} (precision ${judged.precision.toFixed(3)}, recall ${judged.recall.toFixed(3)}); fires on ${judged.truePositives} of ${judged.positives} positives (${percent(judged.firesOnPositives)}) and ${judged.falsePositives} of ${judged.negatives} negatives (${percent(judged.firesOnNegatives)})`
				: "held out: none (--held-out 0); the figures above are on the prompts the search chose from",
			"layer  best-F1  threshold  direction",
			...layers.map((layer) => {
				const top = result.table
					.filter((point) => point.layer === layer)
					.reduce((a, b) => (b.f1 > a.f1 ? b : a));
				return `${String(layer).padStart(5)}  ${top.f1.toFixed(3).padStart(7)}  ${top.threshold.toFixed(3).padStart(9)}  ${top.direction}`;
			})
		];
		process.stdout.write(lines.join("\n") + "\n");
	});
}

/**
 * `steer condition train`: a condition vector from prompts of the condition's kind and other prompts,
 * each read as the mean over its tokens, with a direction at every steerable layer. The share that
 * `steer condition` will hold out of the same files (same `--held-out` and `--seed`) is left out.
 */
async function runConditionTrain(argv: string[]): Promise<void> {
	const values = parseCommandArgs(argv, {
		...modelOptions,
		positives: { type: "string" },
		negatives: { type: "string" },
		out: { type: "string", short: "o" },
		method: { type: "string" },
		"held-out": { type: "string" },
		seed: { type: "string" },
		force: { type: "boolean" }
	});
	const out = requireString(values.out, "out");
	if (!values.force && existsSync(out))
		throw new UsageError(`${out} exists; pass --force to replace it, or choose another --out`);
	const method = methodNames[values.method ?? "mean"];
	if (!method) throw new UsageError(`--method must be mean, pca-diff or pca-center, got "${values.method}"`);
	const seed = parseNumber(values.seed, "seed", { integer: true, min: 0, max: MAX_SEED }) ?? 0;
	const fraction = parseNumber(values["held-out"], "held-out", { min: 0, max: 0.9 }) ?? DEFAULT_HELD_OUT;
	const positiveSplit = splitHeldOut(
		await readLines(requireString(values.positives, "positives"), "positives"),
		fraction,
		seed
	);
	const negativeSplit = splitHeldOut(
		await readLines(requireString(values.negatives, "negatives"), "negatives"),
		fraction,
		seed + 1
	);
	const positives = positiveSplit.kept;
	const negatives = negativeSplit.kept;
	if (positives.length < 2 || negatives.length < 2)
		throw new UsageError(
			`a condition vector needs at least 2 prompts of each kind; got ${positives.length} positives and ${negatives.length} negatives`
		);
	await withEngine(loadModelParams(values), async (engine, info) => {
		const started = Date.now();
		const showProgress = !values.json && process.stderr.isTTY;
		const condition = await trainConditionVector(positives, negatives, engineHiddenStateSource(engine), {
			nLayer: info.nLayer,
			nEmbd: info.nEmbd,
			modelHint: info.architecture,
			method,
			seed,
			onProgress: showProgress
				? ({ stage, done, total }) => process.stderr.write(`\rsteer: ${stage} ${done}/${total}   `)
				: undefined
		});
		if (showProgress) process.stderr.write("\n");
		await saveConditionVector(out, condition);
		const layers = [...condition.vector.directions.keys()].sort((a, b) => a - b);
		const seconds = (Date.now() - started) / 1000;
		if (values.json) {
			process.stdout.write(
				JSON.stringify({
					out,
					kind: "condition",
					method,
					positions: "mean",
					positives: positives.length,
					negatives: negatives.length,
					heldOut: { positives: positiveSplit.heldOut.length, negatives: negativeSplit.heldOut.length },
					layers,
					seconds,
					diagnostics: condition.diagnostics
				}) + "\n"
			);
			return;
		}
		process.stdout.write(
			`${out}: condition vector (${method}, mean over each prompt) from ${positives.length} positives and ${negatives.length} negatives (${positiveSplit.heldOut.length} and ${negativeSplit.heldOut.length} left out for the held-out check), layers ${layers[0]}–${layers[layers.length - 1]} (${layers.length}), ${seconds.toFixed(1)} s\n` +
				`next: steer condition --model M --condition ${out} with the same --positives, --negatives${fraction === DEFAULT_HELD_OUT ? "" : `, --held-out ${fraction}`}${seed === 0 ? "" : ` and --seed ${seed}`}\n`
		);
	});
}

function parseThresholds(text: string): [number, number, number] {
	const parts = text.split(":").map(Number);
	if (
		parts.length !== 3 ||
		parts.some((value) => !Number.isFinite(value)) ||
		!(parts[2]! > 0) ||
		parts[1]! < parts[0]!
	) {
		throw new UsageError(`--thresholds must be LOW:HIGH:STEP with LOW ≤ HIGH and STEP > 0, got "${text}"`);
	}
	return parts as [number, number, number];
}
