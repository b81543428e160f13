/**
 * The training pipeline against a fake hidden-state source whose texts carry a planted direction: what
 * the pipeline asks the source for, what it recovers, how it calibrates, and what the file keeps.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadControlVectorFile, saveControlVectorFile } from "../../src/steering/gguf/controlVectorFile";
import { collectPairActivations } from "../../src/steering/pipeline/collectActivations";
import type {
	CapturedLayerRows,
	HiddenStateCaptureOptions,
	HiddenStateSource,
	TextToCapture
} from "../../src/steering/pipeline/hiddenStateSource";
import { checkVectorFitsModel } from "../../src/steering/pipeline/modelShape";
import { bandPushFraction, trainFromExamples, trainFromPairs } from "../../src/steering/pipeline/trainFromPairs";
import { loadTrainedVector, saveTrainedVector } from "../../src/steering/pipeline/trainedVectorFile";
import type { PositionSpec } from "../../src/steering/positions";
import { suggestLayers } from "../../src/steering/training/layerSelection";
import { cosine } from "../../src/steering/training/linearAlgebra";
import { gaussian, randomUnit } from "./steeringSynthetic";

const nEmbd = 32;
const nLayer = 6;
/** How far a "happy" text is pushed along the planted direction, per layer: clearest at layer 3. */
const plantedSize = new Map([
	[1, 0.05],
	[2, 0.4],
	[3, 4],
	[4, 0.4],
	[5, 0.05]
]);
/** The planted direction of each layer (the same whichever sizes a source plants along it). */
const plantedAt = (layer: number): Float64Array => randomUnit(nEmbd, 50 + layer);
const planted = new Map([...plantedSize.keys()].map((layer) => [layer, plantedAt(layer)]));

function hashOf(text: string): number {
	let hash = 2166136261;
	for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
	return hash >>> 0;
}

/** A source whose states are text-seeded noise plus a large common offset, shifted along `planted` when the text says "happy". */
class FakeSource implements HiddenStateSource {
	readonly calls: { items: TextToCapture[]; layers: number[]; positions: PositionSpec }[] = [];
	private readonly directions: Map<number, Float64Array>;
	constructor(
		private readonly rowsPerText = 1,
		private readonly onCall?: (call: number) => void,
		private readonly sizes: ReadonlyMap<number, number> = plantedSize
	) {
		this.directions = new Map([...sizes.keys()].map((layer) => [layer, plantedAt(layer)]));
	}

	async capture(items: readonly TextToCapture[], options: HiddenStateCaptureOptions): Promise<CapturedLayerRows[][]> {
		this.calls.push({ items: [...items], layers: [...options.layers], positions: options.positions });
		this.onCall?.(this.calls.length);
		return items.map((item, index) => {
			options.signal?.throwIfAborted();
			options.onItem?.(index + 1, items.length);
			return options.layers.map((layer) => ({ layer, hidden: this.rows(item.text, layer) }));
		});
	}

	rows(text: string, layer: number): Float32Array {
		const normal = gaussian(hashOf(text) + 7919 * layer);
		const happy = text.includes("happy");
		const rows = new Float32Array(this.rowsPerText * nEmbd);
		for (let row = 0; row < this.rowsPerText; row++) {
			for (let k = 0; k < nEmbd; k++) {
				const shift =
					happy && this.directions.has(layer)
						? (this.sizes.get(layer) as number) * (this.directions.get(layer) as Float64Array)[k]
						: 0;
				rows[row * nEmbd + k] = 5 + 0.3 * normal() + shift;
			}
		}
		return rows;
	}
}

const pairs = Array.from({ length: 40 }, (_, i) => ({
	prompt: `Story ${i}: the child felt`,
	positive: ` happy, number ${i}.`,
	negative: ` gloomy, number ${i}.`
}));

const baseOptions = {
	method: "mean-diff" as const,
	positions: { select: "all", mean: true } as PositionSpec,
	modelHint: "llama",
	nLayer,
	nEmbd
};

function norm(values: Float32Array): number {
	return Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
}

describe("training pipeline (fake hidden states)", () => {
	for (const method of ["mean-diff", "pca-diff", "pca-center", "probe"] as const) {
		it(`${method}: recovers the planted direction, with the right sign, and steers where it is clearest`, async () => {
			const trained = await trainFromPairs(pairs, new FakeSource(), { ...baseOptions, method });
			const recovered = trained.unitVector.directions.get(3) as Float32Array;
			assert.ok(
				cosine(Float64Array.from(recovered), planted.get(3) as Float64Array) > 0.97,
				"direction at layer 3 not recovered"
			);
			assert.ok(trained.suggestedLayers.includes(3));
			assert.ok(
				!trained.suggestedLayers.includes(1) && !trained.suggestedLayers.includes(5),
				`band ${trained.suggestedLayers} reaches layers with almost no signal`
			);
			assert.deepEqual([...trained.vector.directions.keys()].sort(), [...trained.suggestedLayers]);
			assert.deepEqual(
				trained.diagnostics.map((entry) => entry.layer),
				[1, 2, 3, 4, 5]
			);
		});
	}

	it("steers exactly the layers where the planted separation is clean, wherever they are", async () => {
		// Eight steerable layers, so the band may be two wide. A push of 4 separates every held-out pair
		// (the projected noise is about 0.4); 0.1 beside them only some; 0.02 elsewhere barely more than chance.
		const band = async (clean: readonly number[]) => {
			const sizes = new Map(
				Array.from({ length: 8 }, (_, i) => {
					const layer = i + 1;
					const distance = Math.min(...clean.map((center) => Math.abs(center - layer)));
					return [layer, distance === 0 ? 4 : distance === 1 ? 0.1 : 0.02] as const;
				})
			);
			const trained = await trainFromPairs(pairs, new FakeSource(1, undefined, sizes), {
				...baseOptions,
				nLayer: 9
			});
			const scores = trained.diagnostics.map((entry) => `${entry.layer}: ${entry.heldOutAccuracy}`).join(", ");
			return { layers: trained.suggestedLayers, scores };
		};
		// A lone clean layer stays alone: its neighbours are not within tolerance of it.
		for (const clean of [[5, 6], [2, 3], [7, 8], [1, 2], [4], [8]]) {
			const { layers, scores } = await band(clean);
			assert.deepEqual(layers, clean, `held-out accuracy by layer: ${scores}`);
		}
	});

	it("bakes calibration in: each stored direction is pushFraction × that layer's typical norm long", async () => {
		const trained = await trainFromPairs(pairs, new FakeSource(), baseOptions);
		assert.equal(trained.pushFraction, bandPushFraction(trained.suggestedLayers.length));
		assert.equal(trained.recommendedStrength, 1);
		for (const layer of trained.suggestedLayers) {
			const typical = (trained.diagnostics.find((entry) => entry.layer === layer) as { hiddenNormMean: number })
				.hiddenNormMean;
			const stored = norm(trained.vector.directions.get(layer) as Float32Array);
			assert.ok(
				Math.abs(stored - trained.pushFraction * typical) < 1e-3 * stored,
				`layer ${layer}: ${stored} vs ${trained.pushFraction * typical}`
			);
			assert.ok(Math.abs((trained.rawAlphaPerLayer.get(layer) as number) - stored) < 1e-3 * stored);
		}
	});

	it("narrow bands push harder per layer so that the whole band adds a noticeable push", () => {
		assert.equal(bandPushFraction(1), 0.2);
		assert.equal(bandPushFraction(2), 0.1);
		assert.equal(bandPushFraction(8), 0.1);
		assert.throws(() => bandPushFraction(0), /band width/);
	});

	it("steers the layers the caller names instead of the suggestion", async () => {
		const trained = await trainFromPairs(pairs, new FakeSource(), { ...baseOptions, steerLayers: [4, 5] });
		assert.deepEqual(trained.suggestedLayers, [4, 5]);
		assert.deepEqual([...trained.vector.directions.keys()], [4, 5]);
		await assert.rejects(
			trainFromPairs(pairs, new FakeSource(), { ...baseOptions, layers: [1, 2], steerLayers: [3] }),
			/layer 3 .*not trained/
		);
	});

	it("writes a control vector that applies the calibrated push at scale 1 and keeps everything else as metadata", async () => {
		const folder = mkdtempSync(path.join(tmpdir(), "steer-pipeline-"));
		try {
			const trained = await trainFromPairs(pairs, new FakeSource(), {
				...baseOptions,
				positions: { select: "last", count: 3 }
			});
			const file = path.join(folder, "happy.gguf");
			await saveTrainedVector(file, trained);

			const plain = await loadControlVectorFile(file);
			assert.equal(plain.modelHint, "llama");
			assert.deepEqual([...plain.vector.directions.keys()], [...trained.suggestedLayers]);
			for (const layer of trained.suggestedLayers)
				assert.deepEqual(plain.vector.directions.get(layer), trained.vector.directions.get(layer));

			const loaded = await loadTrainedVector(file);
			assert.equal(loaded.method, "mean-diff");
			assert.deepEqual(loaded.positions, { select: "last", count: 3 });
			assert.deepEqual(loaded.suggestedLayers, trained.suggestedLayers);
			assert.equal(loaded.recommendedStrength, 1);
			assert.equal(loaded.pushFraction, trained.pushFraction);
			assert.equal(loaded.pairCount, 40);
			assert.deepEqual(loaded.rawAlphaPerLayer, trained.rawAlphaPerLayer);
			assert.deepEqual(loaded.diagnostics, JSON.parse(JSON.stringify(trained.diagnostics)));
			assert.deepEqual(loaded.unitVector, trained.unitVector);
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	});

	it("refuses to read a plain control vector as a trained one", async () => {
		const folder = mkdtempSync(path.join(tmpdir(), "steer-pipeline-"));
		try {
			const file = path.join(folder, "plain.gguf");
			await saveControlVectorFile(
				file,
				{ nEmbd: 4, directions: new Map([[1, Float32Array.of(1, 0, 0, 0)]]) },
				{ modelHint: "llama" }
			);
			await assert.rejects(loadTrainedVector(file), /not a vector trained by Steer/);
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	});

	it("passes suffix positions through with each pair's prompt, and always asks for the mean", async () => {
		const source = new FakeSource();
		await trainFromPairs(pairs, source, { ...baseOptions, positions: { select: "suffix" }, chunkPairs: 8 });
		assert.equal(source.calls.length, 5);
		for (const call of source.calls) {
			assert.deepEqual(call.positions, { select: "suffix", mean: true });
			assert.deepEqual(call.layers, [1, 2, 3, 4, 5]);
			for (const item of call.items) {
				assert.ok(
					item.prompt && item.text.startsWith(item.prompt),
					`suffix item without its prompt: ${JSON.stringify(item)}`
				);
			}
		}
		assert.equal(source.calls[0]!.items[0]!.text, pairs[0]!.prompt + pairs[0]!.positive);
		assert.equal(source.calls[0]!.items[1]!.text, pairs[0]!.prompt + pairs[0]!.negative);
		await assert.rejects(
			trainFromPairs([{ positive: "happy", negative: "sad" }, ...pairs], new FakeSource(), {
				...baseOptions,
				positions: { select: "suffix" }
			}),
			/pair 1 has no prompt/
		);
	});

	it("averages several rows per text into one sample, packed per layer and side", async () => {
		const source = new FakeSource(3);
		const records = await collectPairActivations(pairs.slice(0, 5), source, {
			layers: [2, 3],
			positions: { select: "last", count: 3 },
			nEmbd,
			chunkPairs: 2
		});
		assert.deepEqual(source.calls[0]!.positions, { select: "last", count: 3, mean: true });
		assert.deepEqual(
			records.map((record) => [record.layer, record.positive.length, record.negative.length]),
			[
				[2, 5 * nEmbd, 5 * nEmbd],
				[3, 5 * nEmbd, 5 * nEmbd]
			]
		);
		const rows = source.rows(pairs[4]!.prompt + pairs[4]!.negative, 3);
		for (let k = 0; k < nEmbd; k++) {
			const mean = (rows[k]! + rows[nEmbd + k]! + rows[2 * nEmbd + k]!) / 3;
			assert.ok(
				Math.abs(records[1]!.negative[4 * nEmbd + k]! - mean) < 1e-5,
				`component ${k} is not the mean of the three rows`
			);
		}
		assert.notEqual(rows[0], rows[nEmbd], "the fake's rows should differ for this test to mean anything");
	});

	it("reports progress through capture and training, and stops when cancelled", async () => {
		const stages: string[] = [];
		await trainFromPairs(pairs, new FakeSource(), {
			...baseOptions,
			chunkPairs: 10,
			onProgress: ({ stage, done, total }) => stages.push(`${stage} ${done}/${total}`)
		});
		assert.equal(stages.filter((entry) => entry.startsWith("capture")).at(-1), "capture 80/80");
		assert.equal(stages.at(-1), "train 5/5");

		const controller = new AbortController();
		const source = new FakeSource(1, (call) => {
			if (call === 2) controller.abort();
		});
		await assert.rejects(
			trainFromPairs(pairs, source, { ...baseOptions, chunkPairs: 10, signal: controller.signal }),
			{ name: "AbortError" }
		);
		assert.equal(source.calls.length, 2, "kept capturing after the cancel");
	});

	it("rejects bad input with one-line reasons", async () => {
		await assert.rejects(
			trainFromPairs(pairs.slice(0, 1), new FakeSource(), baseOptions),
			/at least 2 contrast pairs/
		);
		await assert.rejects(
			trainFromPairs(pairs, new FakeSource(), { ...baseOptions, method: "median" as never }),
			/unknown training method/
		);
		await assert.rejects(
			trainFromPairs(pairs, new FakeSource(), { ...baseOptions, layers: [0, 9] }),
			/layer 9 is out of range/
		);
		const identical = pairs.map((pair) => ({ positive: pair.positive, negative: pair.positive }));
		await assert.rejects(trainFromPairs(identical, new FakeSource(), baseOptions), /no layer separates the pairs/);
	});

	it("checks a vector against the model's shape", () => {
		const vector = { nEmbd: 8, directions: new Map([[3, new Float32Array(8)]]) };
		assert.doesNotThrow(() => checkVectorFitsModel(vector, { nLayer: 4, nEmbd: 8 }));
		assert.throws(
			() => checkVectorFitsModel(vector, { nLayer: 4, nEmbd: 16 }, "v.gguf", "qwen2"),
			/v.gguf is 8 wide but the model's hidden state is 16 wide \(it was made for a qwen2 model\)/
		);
		assert.throws(
			() => checkVectorFitsModel(vector, { nLayer: 3, nEmbd: 8 }),
			/steers layer 3 but the model has layers 0..2/
		);
	});

	it("steers the top k layers by held-out accuracy when asked, wherever they are", async () => {
		const sizes = new Map([
			[1, 4],
			[2, 0.02],
			[3, 0.02],
			[4, 4],
			[5, 0.02]
		]);
		const trained = await trainFromPairs(pairs, new FakeSource(1, undefined, sizes), { ...baseOptions, topK: 2 });
		assert.deepEqual(trained.suggestedLayers, [1, 4]);
		assert.deepEqual(trained.suggestedLayers, suggestLayers(trained.diagnostics, { topK: 2 }).layers);
		assert.deepEqual([...trained.vector.directions.keys()], [1, 4]);
		assert.equal(trained.pushFraction, bandPushFraction(2));
		await assert.rejects(
			trainFromPairs(pairs, new FakeSource(), { ...baseOptions, topK: 2, steerLayers: [3] }),
			/^RangeError: choose the layers to steer or the top k layers, not both$/
		);
		await assert.rejects(
			trainFromPairs(pairs, new FakeSource(), { ...baseOptions, topK: 0 }),
			/^RangeError: topK must be a whole number ≥ 1, got 0$/
		);
	});
});

/** Labelled examples: 24 happy texts (label 1) and 17 others (label 0), no pairs. */
const examples = [
	...Array.from({ length: 24 }, (_, i) => ({
		prompt: `Tale ${i}: the child was`,
		completion: ` happy and sang, tale ${i}.`,
		label: 1 as const
	})),
	...Array.from({ length: 17 }, (_, i) => ({
		prompt: `Note ${i}: the child was`,
		completion: ` quiet and read, note ${i}.`,
		label: 0 as const
	}))
];

describe("training pipeline from unpaired examples (fake hidden states)", () => {
	for (const method of ["mean-diff", "probe"] as const) {
		it(`${method}: recovers the planted direction from the two classes and steers where it is clearest`, async () => {
			const trained = await trainFromExamples(examples, new FakeSource(), { ...baseOptions, method });
			const recovered = trained.unitVector.directions.get(3) as Float32Array;
			assert.ok(cosine(Float64Array.from(recovered), planted.get(3) as Float64Array) > 0.97);
			assert.ok(trained.suggestedLayers.includes(3));
			assert.ok(!trained.suggestedLayers.includes(1) && !trained.suggestedLayers.includes(5));
			assert.equal(trained.pairCount, 0);
			assert.deepEqual(trained.exampleCounts, { positive: 24, negative: 17 });
			const layer3 = trained.diagnostics.find((entry) => entry.layer === 3)!;
			// 5 of 24 positives and 3 of 17 negatives held out.
			assert.equal(layer3.validationPairs, 8);
			assert.equal(layer3.trainPairs, 33);
			assert.equal(layer3.heldOutAccuracy, 1);
		});
	}

	it("mean-diff is exactly the difference of the class means", async () => {
		// Width 2, one steerable layer. Positives (4, 4) and (2, 6): mean (3, 5); negatives (0, 1) three
		// times: mean (0, 1). The difference (3, 4) has length 5.
		const rows: Record<string, [number, number]> = { a: [4, 4], b: [2, 6], c: [0, 1], d: [0, 1], e: [0, 1] };
		const source: HiddenStateSource = {
			async capture(items, options) {
				return items.map(({ text }) =>
					options.layers.map((layer) => ({ layer, hidden: Float32Array.from(rows[text]!) }))
				);
			}
		};
		const labelled = (["a", "b", "c", "d", "e"] as const).map((text) => ({
			completion: text,
			label: text === "a" || text === "b" ? (1 as const) : (0 as const)
		}));
		const trained = await trainFromExamples(labelled, source, {
			...baseOptions,
			nLayer: 2,
			nEmbd: 2,
			validationFraction: 0
		});
		assert.deepEqual([...trained.unitVector.directions.get(1)!], [Math.fround(0.6), Math.fround(0.8)]);
		assert.ok(Math.abs(trained.diagnostics[0]!.meanProjectionGap - 5) < 1e-12);
	});

	it("keeps the class counts in the file", async () => {
		const folder = mkdtempSync(path.join(tmpdir(), "steer-pipeline-"));
		try {
			const trained = await trainFromExamples(examples, new FakeSource(), { ...baseOptions, method: "probe" });
			const file = path.join(folder, "happy.gguf");
			await saveTrainedVector(file, trained);
			const loaded = await loadTrainedVector(file);
			assert.equal(loaded.method, "probe");
			assert.equal(loaded.pairCount, 0);
			assert.deepEqual(loaded.exampleCounts, { positive: 24, negative: 17 });
			assert.deepEqual(loaded.unitVector, trained.unitVector);
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	});

	it("captures one text per example, the prompt kept for suffix positions", async () => {
		const source = new FakeSource();
		await trainFromExamples(examples, source, { ...baseOptions, positions: { select: "suffix" }, chunkPairs: 8 });
		// 41 texts, 16 per call.
		assert.deepEqual(
			source.calls.map((call) => call.items.length),
			[16, 16, 9]
		);
		assert.deepEqual(source.calls[0]!.items[0], {
			text: examples[0]!.prompt + examples[0]!.completion,
			prompt: examples[0]!.prompt
		});
		assert.deepEqual(source.calls[0]!.positions, { select: "suffix", mean: true });
		await assert.rejects(
			trainFromExamples([{ completion: " happy.", label: 1 }, ...examples], new FakeSource(), {
				...baseOptions,
				positions: { select: "suffix" }
			}),
			/^RangeError: example 1 has no prompt; suffix positions read the tokens after the prompt, so every example needs one$/
		);
	});

	it("refuses the methods that need pairs and classes too small to train on", async () => {
		await assert.rejects(
			trainFromExamples(examples, new FakeSource(), { ...baseOptions, method: "pca-diff" }),
			/^RangeError: pca-diff needs contrast pairs \(it works on each pair's positive − negative difference\), and labelled examples come in no pairs; train them with mean-diff or probe, or write the data as pairs$/
		);
		await assert.rejects(
			trainFromExamples(examples.slice(0, 25), new FakeSource(), baseOptions),
			/^RangeError: training needs at least 2 examples of each class, got 24 labelled 1 and 1 labelled 0$/
		);
		const same = examples.map((example) => ({ ...example, completion: " the same.", prompt: "x" }));
		await assert.rejects(
			trainFromExamples(same, new FakeSource(), baseOptions),
			/no layer separates the examples at all: every text reads the same/
		);
	});
});
