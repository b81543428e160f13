/**
 * Which part of llama-cvector-generator's recipe for a direction matters, on 64 stories per vector
 * (heldout-stories.ts). Each concept's pairs are read at every token of every block, and unit directions
 * at layers 1..n−1 (the tool's profile, scale 1) are made in four ways, each read at the block it pushes
 * or at the block below (the tool writes block N−1's reading as its direction N):
 * - means: each text's mean state over its tokens but the first, pairs' differences averaged (Steer's);
 * - per pair: the two texts subtracted token by token over their common length, positions where they are
 *   equal (the shared beginning) dropped, averaged per pair, then over pairs;
 * - per row: the same rows, each weighing alike (a long pair counts more);
 * - padded: per row, with the shorter text first padded with spaces to the longer's length, as the tool
 *   does (only where that gives every pair equal lengths, as on stories260K; else the column shows –).
 * The tool's own file is the last row. The concepts: the tuning ones and the held-out ones.
 *
 * Run: nice -n 10 npx tsx scripts/direction-recipe-figures.ts [model.gguf]   (default: stories260K)
 */
import type { EngineClient } from "../src/engine/client";
import { engineSteerableModel } from "../src/engine/steerableModel";
import { summarizeFluency } from "../src/steering/evaluation/degeneration";
import type { HiddenStateSource } from "../src/steering/pipeline/hiddenStateSource";
import type { SteeringVector } from "../src/steering/vector";
import { cvectorGeneratorVector, findLlamaTools } from "../test/helpers/llamaTools";
import { conceptHits, conceptPairs, figureModels, forEachFigureModel, tuningConcepts } from "./calibration-concepts";
import { heldOutFigureConcepts, heldOutStories } from "./heldout-stories";

type Recipe = "means" | "per pair" | "per row" | "padded";
const RECIPES: readonly Recipe[] = ["means", "per pair", "per row", "padded"];

const { tools, reason } = findLlamaTools();
if (!tools) console.log(`(no cvector-generator row: ${reason})`);

const concepts = [...tuningConcepts, ...heldOutFigureConcepts];

/** The rows (tokens × nEmbd) of each text of each pair at each block: [pair][side][block]. */
async function readPairs(
	source: HiddenStateSource,
	texts: readonly { positive: string; negative: string }[],
	blocks: readonly number[]
): Promise<Float32Array[][][]> {
	const captured = await source.capture(
		texts.flatMap((pair) => [{ text: pair.positive }, { text: pair.negative }]),
		{ layers: blocks, positions: { select: "all" } }
	);
	return texts.map((_, index) =>
		[captured[2 * index]!, captured[2 * index + 1]!].map((layers) => layers.map((entry) => entry.hidden))
	);
}

/** Per block, the summed difference of the recipe (unnormalised; only its direction is used). */
function differenceSums(pairs: Float32Array[][][], nEmbd: number, recipe: Recipe, blocks: number): Float64Array[] {
	const sums = Array.from({ length: blocks }, () => new Float64Array(nEmbd));
	const last = blocks - 1;
	for (const [positive, negative] of pairs as [Float32Array[], Float32Array[]][]) {
		const lengths = [positive[0]!.length / nEmbd, negative[0]!.length / nEmbd];
		if (recipe === "means") {
			for (let block = 0; block < blocks; block++)
				for (let k = 0; k < nEmbd; k++) {
					let p = 0;
					let q = 0;
					for (let t = 1; t < lengths[0]!; t++) p += positive[block]![t * nEmbd + k]!;
					for (let t = 1; t < lengths[1]!; t++) q += negative[block]![t * nEmbd + k]!;
					sums[block]![k]! += p / (lengths[0]! - 1) - q / (lengths[1]! - 1);
				}
			continue;
		}
		const length = Math.min(lengths[0]!, lengths[1]!);
		if (recipe === "padded" && lengths[0] !== lengths[1]) throw new Error("padded pairs must have the same length");
		// Positions where the two texts' states differ (at the last block; equal prefixes are equal at every block).
		const kept: number[] = [];
		for (let t = 0; t < length; t++) {
			for (let k = 0; k < nEmbd; k++) {
				if (Math.abs(positive[last]![t * nEmbd + k]! - negative[last]![t * nEmbd + k]!) > 1e-6) {
					kept.push(t);
					break;
				}
			}
		}
		const weight = recipe === "per pair" ? 1 / kept.length : 1;
		for (let block = 0; block < blocks; block++)
			for (const t of kept)
				for (let k = 0; k < nEmbd; k++)
					sums[block]![k]! += weight * (positive[block]![t * nEmbd + k]! - negative[block]![t * nEmbd + k]!);
	}
	return sums;
}

function unitDirections(sums: Float64Array[], below: boolean, info: { nLayer: number; nEmbd: number }) {
	const directions = new Map<number, Float32Array>();
	for (let layer = 1; layer < info.nLayer; layer++) {
		const sum = sums[below ? layer - 1 : layer]!;
		const length = Math.hypot(...sum);
		directions.set(
			layer,
			Float32Array.from(sum, (value) => value / length)
		);
	}
	return directions;
}

/**
 * The pairs with the shorter text padded by spaces to the longer's token count, as the tool pads with the
 * token of a space; undefined where a model's tokenizer does not give every padded pair equal lengths.
 */
async function paddedPairs(engine: EngineClient, pairs: readonly { positive: string; negative: string }[]) {
	const count = async (text: string) => (await engine.request("tokenize", { text })).tokens.length;
	const padded = await Promise.all(
		pairs.map(async ({ positive, negative }) => {
			const [p, n] = [await count(positive), await count(negative)];
			return {
				positive: positive + " ".repeat(Math.max(0, n - p)),
				negative: negative + " ".repeat(Math.max(0, p - n))
			};
		})
	);
	for (const pair of padded) if ((await count(pair.positive)) !== (await count(pair.negative))) return undefined;
	return padded;
}

forEachFigureModel(figureModels(["stories260K"]), 256, async (engine, info) => {
	const model = engineSteerableModel(engine);
	const blocks = [...Array(info.nLayer).keys()];
	const unsteered = (await heldOutStories(model)).flat();
	const base = summarizeFluency(unsteered);
	const header = RECIPES.flatMap((recipe) => [`${recipe}, same block`, `${recipe}, below`]);
	const rows: string[] = [];
	const totals = new Map<string, number>();
	for (const concept of concepts) {
		const { pairs, source } = await conceptPairs(engine, info, concept);
		const hits = (texts: string[]) => conceptHits(concept, texts);
		const read = await readPairs(source, pairs, blocks);
		const padded = await paddedPairs(engine, pairs);
		const readPadded = padded && (await readPairs(source, padded, blocks));
		const cells: string[] = [];
		const fluencies: number[] = [];
		const measure = async (column: string, vector: SteeringVector) => {
			const texts = (await heldOutStories(model, vector)).flat();
			const count = hits(texts);
			totals.set(column, (totals.get(column) ?? 0) + count);
			fluencies.push(summarizeFluency(texts).realWordShare / base.realWordShare);
			cells.push(String(count));
		};
		for (const recipe of RECIPES) {
			const rowsOf = recipe === "padded" ? readPadded : read;
			for (const below of [false, true]) {
				const column = `${recipe}, ${below ? "below" : "same block"}`;
				if (!rowsOf) {
					cells.push("–");
					continue;
				}
				const sums = differenceSums(rowsOf, info.nEmbd, recipe, blocks.length);
				await measure(column, { nEmbd: info.nEmbd, directions: unitDirections(sums, below, info) });
			}
		}
		if (tools) await measure("cvector-generator", await cvectorGeneratorVector(tools, info.modelPath, pairs));
		rows.push(
			`| ${concept.name} (${hits(unsteered)}) | ${cells.join(" | ")} | ${Math.min(...fluencies).toFixed(2)}–${Math.max(...fluencies).toFixed(2)}× |`
		);
		console.log(rows.at(-1));
	}
	const columns = [...header, ...(tools ? ["cvector-generator"] : [])];
	console.log(`\n| concept (unsteered) | ${columns.join(" | ")} | real words |`);
	console.log(`|---|${columns.map(() => "---|").join("")}---|`);
	for (const row of rows) console.log(row);
	console.log(`| in all | ${columns.map((column) => totals.get(column) ?? "–").join(" | ")} | |`);
}).catch((error) => {
	console.error(error);
	process.exit(1);
});
