/**
 * Which keyword-free readout tells which steering setting carries the concept — what a search over
 * layers × strength would need (docs/steering.md, "A search over layers × strength"). For each tuning
 * concept, the trained vector steers the calibration's neutral samples under several settings (its
 * suggested band; every trained layer at a share of its typical norm; every trained layer at the same
 * absolute push, as llama.cpp's cvector-generator does; each at several multiples); for each setting the script
 * counts the samples that carry the concept's words (the figure's judge, which calibration never sees)
 * and computes candidate readouts on the same samples:
 * - layer: calibration's readout (the mean hidden state at the read layer projected on its direction);
 * - layers: that projection at every trained layer, each on its own pair scale, averaged;
 * - context: how much likelier the unsteered model finds the sample after a few training positives than
 *   after their negatives (nats per token), the pairs' contrast read by the model in context;
 * - pairs: how much likelier the steered model finds the training positives than their negatives, over
 *   the same gap unsteered (nats per pair): read from the model's output, not from a hidden state, so a
 *   push along the direction that the text does not follow does not count.
 * It prints per concept the settings, and per readout the rank correlation with the keyword count over
 * the fluent settings and the keyword count of the fluent setting it would choose.
 *
 * Run: nice -n 10 npx tsx scripts/readout-figures.ts [model.gguf ...]   (default: stories260K, the story model
 * with more than one steerable layer). FIGURE_SEEDS=1,2,…,8 sets the seeds per prompt (default 1–4),
 * FIGURE_CONCEPTS=food,dogs limits the concepts.
 */
import { engineSteerableModel } from "../src/engine/steerableModel";
import { contrastLogLikelihoodGap } from "../src/steering/evaluation/contrastLikelihood";
import { compareFluency, summarizeFluency } from "../src/steering/evaluation/degeneration";
import {
	CALIBRATION_FLUENCY_BOUNDS,
	CALIBRATION_PROMPTS,
	readLayerOf,
	trainingTextsOf
} from "../src/steering/pipeline/calibrateStrength";
import type { SteeringVector } from "../src/steering/vector";
import { conceptHits, figureModels, forEachFigureModel, trainConcept, tuningConcepts } from "./calibration-concepts";

const seeds = (process.env.FIGURE_SEEDS ?? "1,2,3,4").split(",").map(Number);
const only = process.env.FIGURE_CONCEPTS?.split(",");
const contextPairs = 6;

function spearman(a: readonly number[], b: readonly number[]): number {
	const rank = (values: readonly number[]) => {
		const order = values.map((value, i) => [value, i] as const).sort((x, y) => x[0] - y[0]);
		const ranks = new Array<number>(values.length);
		for (let i = 0; i < order.length;) {
			let j = i;
			while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
			for (let k = i; k <= j; k++) ranks[order[k]![1]] = (i + j) / 2;
			i = j + 1;
		}
		return ranks;
	};
	const ra = rank(a);
	const rb = rank(b);
	const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
	const ma = mean(ra);
	const mb = mean(rb);
	let num = 0;
	let da = 0;
	let db = 0;
	for (let i = 0; i < ra.length; i++) {
		num += (ra[i]! - ma) * (rb[i]! - mb);
		da += (ra[i]! - ma) ** 2;
		db += (rb[i]! - mb) ** 2;
	}
	return da > 0 && db > 0 ? num / Math.sqrt(da * db) : 0;
}

forEachFigureModel(figureModels(["stories260K"]), 512, async (engine, info) => {
	const model = engineSteerableModel(engine);
	for (const concept of tuningConcepts.filter((entry) => !only || only.includes(entry.name))) {
		const { pairs, source, trained } = await trainConcept(engine, info, concept);
		const layers = [...trained.unitVector.directions.keys()].sort((a, b) => a - b);
		const readLayer = readLayerOf(trained);
		// Per-layer pair scales.
		const texts = pairs.flatMap((pair) => [pair.positive, pair.negative]);
		const captured = await source.capture(
			texts.map((text) => ({ text })),
			{ layers, positions: { select: "all", mean: true } }
		);
		const projectionAt = (rows: Float32Array, layer: number) => {
			const unit = trained.unitVector.directions.get(layer)!;
			let sum = 0;
			for (let i = 0; i < unit.length; i++) sum += rows[i]! * unit[i]!;
			return sum;
		};
		const scale = new Map<number, { negative: number; gap: number }>();
		for (const [index, layer] of layers.entries()) {
			const readings = captured.map((row) => projectionAt(row[index]!.hidden, layer));
			const positive = readings.filter((_, i) => i % 2 === 0).reduce((s, v) => s + v, 0) / pairs.length;
			const negative = readings.filter((_, i) => i % 2 === 1).reduce((s, v) => s + v, 0) / pairs.length;
			scale.set(layer, { negative, gap: positive - negative });
		}
		const positiveContext = pairs
			.slice(0, contextPairs)
			.map((pair) => pair.positive)
			.join("\n");
		const negativeContext = pairs
			.slice(0, contextPairs)
			.map((pair) => pair.negative)
			.join("\n");

		const band = trained.vector;
		const everyLayer: SteeringVector = {
			nEmbd: band.nEmbd,
			directions: new Map(
				layers.map((layer) => {
					const typical = trained.diagnostics.find((entry) => entry.layer === layer)!.hiddenNormMean;
					const unit = trained.unitVector.directions.get(layer)!;
					return [layer, unit.map((value) => value * 0.1 * typical)];
				})
			)
		};
		// llama.cpp cvector-generator's profile: the same absolute push at every layer (here a tenth of
		// the layers' mean typical norm at 1×), so early layers, whose states are smaller, get more.
		const meanTypical =
			layers.reduce(
				(sum, layer) => sum + trained.diagnostics.find((entry) => entry.layer === layer)!.hiddenNormMean,
				0
			) / layers.length;
		const equalAbsolute: SteeringVector = {
			nEmbd: band.nEmbd,
			directions: new Map(
				layers.map((layer) => [
					layer,
					trained.unitVector.directions.get(layer)!.map((value) => value * 0.1 * meanTypical)
				])
			)
		};
		const settings: { name: string; vector: SteeringVector; strength: number }[] = [
			{ name: "unsteered", vector: band, strength: 0 }
		];
		for (const strength of [1, 2, 3, 4, 6]) settings.push({ name: `band ${strength}×`, vector: band, strength });
		for (const strength of [1, 2, 4, 6, 8])
			settings.push({ name: `all ${strength}×`, vector: everyLayer, strength });
		for (const strength of [1, 2, 3, 4, 6])
			settings.push({ name: `equal ${strength}×`, vector: equalAbsolute, strength });

		console.log(
			`\n${concept.name}: band ${trained.suggestedLayers.join(",")}, read layer ${readLayer}, trained layers ${layers.join(",")}\n`
		);
		console.log("| setting | hits | fluent | words | distinct | layer | layers | context | pairs |");
		console.log("|---|---|---|---|---|---|---|---|---|");
		const rows: {
			hits: number;
			fluent: boolean;
			layer: number;
			layers: number;
			context: number;
			pairs: number;
		}[] = [];
		// The readout calibrateVector compares profiles by, on the same texts.
		const pairTexts = trainingTextsOf(pairs);
		const pairGap = async (steering: { vector: SteeringVector; strength: number }[]) => {
			const logProbs = await source.suffixLogProbs(pairTexts, { steering });
			return contrastLogLikelihoodGap(
				logProbs.map((row, i) => ({ positive: pairTexts[i]!.positive, logProbs: row }))
			);
		};
		const unsteeredGap = await pairGap([]);
		let base: ReturnType<typeof summarizeFluency> | undefined;
		for (const setting of settings) {
			const samples: { prompt: string; text: string }[] = [];
			for (const prompt of CALIBRATION_PROMPTS)
				for (const seed of seeds)
					samples.push({
						prompt,
						text: await model.generate({
							prompt,
							maxTokens: 40,
							temperature: 0.8,
							seed,
							steering:
								setting.strength === 0 ? [] : [{ vector: setting.vector, strength: setting.strength }]
						})
					});
			const fluency = summarizeFluency(samples.map((sample) => sample.text));
			base ??= fluency;
			const fluent = compareFluency(fluency, base, CALIBRATION_FLUENCY_BOUNDS).fluent;
			const read = await source.capture(
				samples.map((sample) => ({ text: sample.prompt + sample.text })),
				{ layers, positions: { select: "all", mean: true } }
			);
			const perLayer = (layer: number) => {
				const index = layers.indexOf(layer);
				const { negative, gap } = scale.get(layer)!;
				return (
					read.reduce((sum, row) => sum + (projectionAt(row[index]!.hidden, layer) - negative) / gap, 0) /
					read.length
				);
			};
			const layerReadout = perLayer(readLayer);
			const layersReadout = layers.reduce((sum, layer) => sum + perLayer(layer), 0) / layers.length;
			let context = 0;
			let tokens = 0;
			for (const sample of samples) {
				if (sample.text.length === 0) continue;
				const withPositive = await model.continuationLogProbs(
					`${positiveContext}\n${sample.prompt}`,
					sample.text
				);
				const withNegative = await model.continuationLogProbs(
					`${negativeContext}\n${sample.prompt}`,
					sample.text
				);
				const count = Math.min(withPositive.length, withNegative.length);
				for (let t = 0; t < count; t++) context += withPositive[t]! - withNegative[t]!;
				tokens += count;
			}
			const contextReadout = tokens > 0 ? context / tokens : 0;
			const hits = conceptHits(
				concept,
				samples.map((sample) => sample.text)
			);
			const pairsReadout =
				setting.strength === 0
					? 0
					: (await pairGap([{ vector: setting.vector, strength: setting.strength }])) - unsteeredGap;
			rows.push({
				hits,
				fluent,
				layer: layerReadout,
				layers: layersReadout,
				context: contextReadout,
				pairs: pairsReadout
			});
			console.log(
				`| ${setting.name} | ${hits} | ${fluent ? "yes" : "no"} | ${(fluency.realWordShare / base.realWordShare).toFixed(2)} | ${(fluency.distinctWords / base.distinctWords).toFixed(2)} | ${layerReadout.toFixed(2)} | ${layersReadout.toFixed(2)} | ${contextReadout.toFixed(3)} | ${pairsReadout.toFixed(2)} |`
			);
		}
		const fluentRows = rows.filter((row) => row.fluent);
		const bestHits = Math.max(...fluentRows.map((row) => row.hits));
		for (const key of ["layer", "layers", "context", "pairs"] as const) {
			const rho = spearman(
				fluentRows.map((row) => row[key]),
				fluentRows.map((row) => row.hits)
			);
			const chosen = fluentRows.reduce((best, row) => (row[key] > best[key] ? row : best));
			console.log(
				`${concept.name} ${key}: spearman ${rho.toFixed(2)}, chooses ${chosen.hits} (best fluent ${bestHits}) of ${CALIBRATION_PROMPTS.length * seeds.length}`
			);
		}
	}
}).catch((error) => {
	console.error(error);
	process.exit(1);
});
