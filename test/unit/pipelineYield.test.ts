/**
 * The pipeline trains layer by layer with the event loop free in between (the editor runs it in its
 * extension host), and must give exactly what one call over all layers gives.
 */
import assert from "node:assert/strict";
import { collectPairActivations } from "../../src/steering/pipeline/collectActivations";
import type {
	CapturedLayerRows,
	HiddenStateCaptureOptions,
	HiddenStateSource,
	TextToCapture
} from "../../src/steering/pipeline/hiddenStateSource";
import { trainFromPairs } from "../../src/steering/pipeline/trainFromPairs";
import { trainSteeringVector } from "../../src/steering/training/train";
import { gaussian } from "./steeringSynthetic";

const nEmbd = 24;
const nLayer = 5;

/** Text-seeded noise, with "yes" texts shifted along the first axis at every layer. */
const source: HiddenStateSource = {
	async capture(items: readonly TextToCapture[], options: HiddenStateCaptureOptions): Promise<CapturedLayerRows[][]> {
		return items.map((item) =>
			options.layers.map((layer) => {
				let seed = layer * 1000;
				for (const character of item.text) seed = (seed * 31 + character.charCodeAt(0)) >>> 0;
				const normal = gaussian(seed);
				const hidden = Float32Array.from(
					{ length: nEmbd },
					(_, k) => normal() + (k === 0 && item.text.includes("yes") ? 2 * layer : 0)
				);
				return { layer, hidden };
			})
		);
	}
};

const pairs = Array.from({ length: 30 }, (_, i) => ({ positive: `case ${i} yes`, negative: `case ${i} no` }));
const options = {
	method: "pca-diff" as const,
	positions: { select: "last" as const },
	modelHint: "llama",
	nLayer,
	nEmbd,
	seed: 3
};

describe("training pipeline and the event loop", () => {
	it("gives the same directions and diagnostics as one training call over all layers", async () => {
		const trained = await trainFromPairs(pairs, source, options);
		const activations = await collectPairActivations(pairs, source, {
			layers: [1, 2, 3, 4],
			positions: options.positions,
			nEmbd
		});
		const reference = trainSteeringVector(activations, { method: "pca-diff", validationFraction: 0.2, seed: 3 });
		assert.deepEqual(trained.diagnostics, reference.diagnostics);
		assert.deepEqual(trained.unitVector.directions, reference.vector.directions);
	});

	it("lets timers run between layers and reports each layer's progress", async () => {
		let ticks = 0;
		const timer = setInterval(() => ticks++, 0);
		const trainProgress: number[] = [];
		try {
			await trainFromPairs(pairs, source, {
				...options,
				onProgress: ({ stage, done }) => stage === "train" && trainProgress.push(done)
			});
		} finally {
			clearInterval(timer);
		}
		assert.deepEqual(trainProgress, [1, 2, 3, 4]);
		assert.ok(ticks >= 3, `only ${ticks} timer ticks ran during training`);
	});
});
