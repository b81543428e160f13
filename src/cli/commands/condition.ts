import { engineHiddenStateSource } from "../../engine/hiddenStateSource";
import { findBestCondition } from "../../steering/conditions/gridSearch";
import { checkVectorFitsModel } from "../../steering/pipeline/modelShape";
import type { ConditionSquash } from "../../steering/conditions/similarity";
import { parseLayerSpec } from "../../steering/layerSpec";
import { loadModelParams, modelOptions, parseCommandArgs, requireString, UsageError } from "../args";
import { withEngine } from "../engineSession";
import { readLines } from "../lineFile";
import { loadVectorFile } from "../vectorOption";

export const conditionUsage =
	"steer condition --model M --condition C.gguf --positives FILE --negatives FILE [--layers A-B] [--thresholds LOW:HIGH:STEP] [--squash none|tanh] [--json]";

/**
 * CAST's search for where and how to check a condition: prompts that should trigger it (one per line)
 * and prompts that should not, read as the mean over their tokens at each layer the condition has.
 */
export async function runCondition(argv: string[]): Promise<void> {
	const values = parseCommandArgs(argv, {
		...modelOptions,
		condition: { type: "string" },
		positives: { type: "string" },
		negatives: { type: "string" },
		layers: { type: "string" },
		thresholds: { type: "string" },
		squash: { type: "string" }
	});
	const conditionText = requireString(values.condition, "condition");
	const positives = await readLines(requireString(values.positives, "positives"), "positives");
	const negatives = await readLines(requireString(values.negatives, "negatives"), "negatives");
	const [low, high, step] = parseThresholds(values.thresholds ?? "0:1:0.01");
	const squash = (values.squash ?? "none") as ConditionSquash;
	if (squash !== "none" && squash !== "tanh")
		throw new UsageError(`--squash must be none or tanh, got "${values.squash}"`);
	const { vector, modelHint } = await loadVectorFile(conditionText);
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
		if (missing.length > 0) throw new Error(`${conditionText} has no direction for layer ${missing.join(", ")}`);
		if (layers.some((layer, i) => i > 0 && layer !== layers[i - 1]! + 1))
			throw new UsageError("--layers must be one contiguous range for the search");
		const source = engineHiddenStateSource(engine);
		const read = async (prompts: string[]) =>
			(
				await source.capture(
					prompts.map((text) => ({ text })),
					{ layers, positions: { select: "all", mean: true } }
				)
			).map((item) => new Map(item.map(({ layer, hidden }) => [layer, hidden] as const)));
		const result = findBestCondition(
			await read(positives),
			await read(negatives),
			vector,
			[layers[0]!, layers[layers.length - 1]!],
			[low, high],
			step,
			{ squash }
		);
		if (values.json) {
			process.stdout.write(
				JSON.stringify({
					best: result.best,
					table: result.table,
					similarities: Object.fromEntries(result.similarities)
				}) + "\n"
			);
			return;
		}
		const { best } = result;
		const lines = [
			`best: layer ${best.layer}, similarity ${best.direction === "larger" ? ">" : "<"} ${best.threshold.toFixed(3)}: F1 ${best.f1.toFixed(3)} (precision ${best.precision.toFixed(3)}, recall ${best.recall.toFixed(3)}, margin ${best.margin.toFixed(4)})`,
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
