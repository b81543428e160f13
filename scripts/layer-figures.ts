/**
 * Which band of layers steers best on a deep model, and which training diagnostic predicts it: the
 * figures behind the layer suggestion (docs/steering.md, "Choosing layers on 30 layers").
 *
 * Per concept: a vector trained as `steer train` trains it (mean-diff over all positions, every layer),
 * its per-layer diagnostics printed; then each band of BAND_WIDTH layers across the depth is steered at a
 * ladder of strengths (multiples of the fixed push; up while fluent, and halving below the first rung
 * until fluent) on the 16 figure stories, and the band's best fluent result is reported: the most stories with the concept at a strength whose text keeps ≥ 0.9× the
 * unsteered share of real words and ≥ 0.7× its distinct words (issue 11's fluency bar).
 *
 * Run: nice -n 10 npx tsx scripts/layer-figures.ts [model.gguf ...]   (default: SmolLM2-135M-Instruct)
 * FIGURE_CONCEPTS=sea,food limits the concepts; BAND_WIDTH (default 7, the suggestion's widest band on
 * 29 steerable layers); FIGURE_STRENGTHS=0.25,0.5,1,2.
 */
import { engineSteerableModel } from "../src/engine/steerableModel";
import { summarizeFluency } from "../src/steering/evaluation/degeneration";
import { bandPushFraction } from "../src/steering/pipeline/trainFromPairs";
import { bakeCalibration, typicalNormsFromDiagnostics } from "../src/steering/calibration";
import type { WeightedVector } from "../src/steering/vector";
import {
	conceptHits,
	figureModels,
	forEachFigureModel,
	storiesWith,
	trainConcept,
	tuningConcepts
} from "./calibration-concepts";

const models = figureModels(["SmolLM2"]);
const only = (process.env.FIGURE_CONCEPTS ?? "sea,food").split(",");
const width = Number(process.env.BAND_WIDTH ?? 7);
const strengths = (process.env.FIGURE_STRENGTHS ?? "0.25,0.5,1,2").split(",").map(Number);
const fixed = (value: number | null | undefined, digits = 2) =>
	value === null || value === undefined ? "—" : Number.isFinite(value) ? value.toFixed(digits) : String(value);

forEachFigureModel(models, 512, async (engine, info) => {
	const model = engineSteerableModel(engine);
	const stories = (steering: readonly WeightedVector[]) =>
		storiesWith((request) => model.generate({ ...request, steering }));
	const unsteered = await stories([]);
	const base = summarizeFluency(unsteered);
	const steerable = info.nLayer - 1;
	const starts: number[] = [];
	for (let start = 1; start + width - 1 <= steerable; start += Math.max(1, Math.floor((steerable - width) / 4)))
		starts.push(start);
	if (starts.at(-1)! + width - 1 < steerable) starts.push(steerable - width + 1);

	for (const concept of tuningConcepts.filter((entry) => only.includes(entry.name))) {
		const { trained } = await trainConcept(engine, info, concept);
		console.log(
			`\n### ${concept.name}: suggested ${trained.suggestedLayers[0]}–${trained.suggestedLayers.at(-1)}\n`
		);
		console.log(
			"| layer | held-out accuracy | held-out margin | pair consistency | explained variance | gap ÷ norm |"
		);
		console.log("|---|---|---|---|---|---|");
		for (const entry of trained.diagnostics.filter((d) => d.layer >= 1)) {
			console.log(
				`| ${entry.layer} | ${fixed(entry.heldOutAccuracy)} | ${fixed(entry.heldOutMargin)} | ${fixed(entry.pairConsistency)} | ${fixed(entry.explainedVarianceRatio)} | ${fixed(entry.meanProjectionGap / entry.hiddenNormMean, 3)} |`
			);
		}
		console.log(`\nunsteered: ${conceptHits(concept, unsteered)}/16\n`);
		console.log("| band | mean margin | mean consistency | stories with the concept by strength | best fluent |");
		console.log("|---|---|---|---|---|");
		const norms = typicalNormsFromDiagnostics(trained.diagnostics);
		for (const start of starts) {
			const layers = Array.from({ length: width }, (_, i) => start + i);
			const band = {
				nEmbd: info.nEmbd,
				directions: new Map(layers.map((layer) => [layer, trained.unitVector.directions.get(layer)!]))
			};
			const vector = bakeCalibration(band, norms, { pushFraction: bandPushFraction(width) });
			const entries = trained.diagnostics.filter((d) => layers.includes(d.layer));
			const mean = (pick: (d: (typeof entries)[number]) => number) =>
				entries.reduce((sum, d) => sum + pick(d), 0) / entries.length;
			const cells: string[] = [];
			let best: { hits: number; strength: number } | undefined;
			const tryStrength = async (strength: number): Promise<boolean> => {
				const texts = await stories([{ vector, strength }]);
				const fluency = summarizeFluency(texts);
				const fluent =
					fluency.realWordShare >= 0.9 * base.realWordShare &&
					fluency.distinctWords >= 0.7 * base.distinctWords;
				const hits = conceptHits(concept, texts);
				if (fluent && (!best || hits > best.hits)) best = { hits, strength };
				cells.push(`×${strength}: ${hits}${fluent ? "" : "†"}`);
				return fluent;
			};
			// Up the ladder while the text stays fluent; below its first rung (halving) until it is.
			let fluentAtStart = false;
			for (const [index, strength] of strengths.entries()) {
				const fluent = await tryStrength(strength);
				if (index === 0) fluentAtStart = fluent;
				if (!fluent) break;
			}
			for (let strength = strengths[0]! / 2; !fluentAtStart && strength >= strengths[0]! / 32; strength /= 2)
				fluentAtStart = await tryStrength(strength);
			console.log(
				`| ${start}–${start + width - 1} | ${fixed(mean((d) => Math.min(d.heldOutMargin ?? 0, 1e6)))} | ${fixed(mean((d) => d.pairConsistency ?? 0))} | ${cells.join(", ")} | ${best ? `${best.hits}/16 at ×${best.strength}` : "none"} |`
			);
		}
		console.log("\n† = not fluent (real words < 0.9× or distinct words < 0.7× of unsteered)");
	}
}).catch((error) => {
	console.error(error);
	process.exit(1);
});
