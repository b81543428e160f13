import assert from "node:assert/strict";
import { packLayerActivations, type LayerActivations } from "../../src/steering/training/activations";
import type { LayerDiagnostics } from "../../src/steering/training/diagnostics";
import { gapMargin, MAX_GAP_MARGIN, projectionHistogram } from "../../src/steering/training/diagnostics";
import { suggestLayers } from "../../src/steering/training/layerSelection";
import { cosine } from "../../src/steering/training/linearAlgebra";
import { TRAINING_METHODS } from "../../src/steering/training/methods";
import { decideSign } from "../../src/steering/training/sign";
import { splitPairs } from "../../src/steering/training/split";
import { trainSteeringVector } from "../../src/steering/training/train";
import { plantedActivations, randomUnit } from "./steeringSynthetic";

const nEmbd = 64;

function plantedLayers(
	seed: number,
	layers: number[],
	spread = 0
): { data: LayerActivations[]; shifts: Map<number, Float64Array> } {
	const shifts = new Map<number, Float64Array>();
	const data = layers.map((layer) => {
		const shift = randomUnit(nEmbd, seed + 17 * layer);
		shifts.set(layer, shift);
		return plantedActivations({
			pairs: 64,
			nEmbd,
			layer,
			shift,
			shiftSize: 3,
			noise: 0.2,
			content: 2,
			spread,
			seed: seed + layer
		});
	});
	return { data, shifts };
}

describe("steering training", () => {
	// The probe reads rows one by one and ignores the pairing: the per-pair content here (std 2 per
	// dimension, shared by both sides so that every difference cancels it) stays in its rows, and with
	// 128 rows in 64 dimensions its direction reaches only about 0.66. Its own recovery test, on data
	// it is made for, is in steeringProbe.test.ts.
	for (const method of TRAINING_METHODS.filter((name) => name !== "probe")) {
		it(`${method} recovers a planted direction with cosine ≥ 0.99 and the right sign`, () => {
			const { data, shifts } = plantedLayers(100, [1, 2, 3]);
			const { vector, diagnostics } = trainSteeringVector(data, { method, validationFraction: 0.25, seed: 4 });
			assert.equal(vector.nEmbd, nEmbd);
			assert.deepEqual([...vector.directions.keys()], [1, 2, 3]);
			for (const [layer, direction] of vector.directions) {
				const similarity = cosine(direction, shifts.get(layer) as Float64Array);
				assert.ok(similarity >= 0.99, `layer ${layer}: cosine ${similarity}`);
				assert.ok(Math.abs(Math.hypot(...direction) - 1) < 1e-6, "directions are unit length");
			}
			for (const entry of diagnostics) {
				assert.equal(entry.agreement, 1);
				assert.equal(entry.heldOutAccuracy, 1);
				assert.equal(entry.trainPairs, 48);
				assert.equal(entry.validationPairs, 16);
				assert.ok(
					entry.meanProjectionGap > 2.5 && entry.meanProjectionGap < 3.5,
					`gap ${entry.meanProjectionGap}`
				);
			}
		});
	}

	it("pca-center gives the uncentred pca-diff axis and explained-variance ratio", () => {
		const { data } = plantedLayers(7, [2], 0.5);
		const diff = trainSteeringVector(data, { method: "pca-diff", validationFraction: 0 });
		const center = trainSteeringVector(data, { method: "pca-center", validationFraction: 0 });
		assert.ok(
			cosine(diff.vector.directions.get(2) as Float32Array, center.vector.directions.get(2) as Float32Array) >
				1 - 1e-6
		);
		assert.ok(
			Math.abs(diff.diagnostics[0].explainedVarianceRatio - center.diagnostics[0].explainedVarianceRatio) < 1e-6
		);
	});

	it("repeng-style centred differences lose a constant shift but find a varying one", () => {
		const constant = plantedLayers(9, [1], 0);
		const centredConstant = trainSteeringVector(constant.data, {
			method: "pca-diff",
			centerDifferences: true,
			validationFraction: 0
		});
		const lost = Math.abs(
			cosine(centredConstant.vector.directions.get(1) as Float32Array, constant.shifts.get(1) as Float64Array)
		);
		assert.ok(lost < 0.5, `centred PCA should not see a constant shift, cosine ${lost}`);

		const varying = plantedLayers(9, [1], 0.9);
		const centredVarying = trainSteeringVector(varying.data, {
			method: "pca-diff",
			centerDifferences: true,
			validationFraction: 0
		});
		const found = cosine(
			centredVarying.vector.directions.get(1) as Float32Array,
			varying.shifts.get(1) as Float64Array
		);
		assert.ok(found > 0.95, `cosine ${found}`);
	});

	it("never puts layer 0 into the vector but reports its diagnostics", () => {
		const { data } = plantedLayers(3, [0, 1, 2]);
		const { vector, diagnostics } = trainSteeringVector(data, { validationFraction: 0.2, seed: 1 });
		assert.deepEqual([...vector.directions.keys()], [1, 2]);
		assert.deepEqual(
			diagnostics.map((entry) => entry.layer),
			[0, 1, 2]
		);
		assert.throws(() => trainSteeringVector(plantedLayers(3, [0]).data), /only layer 0/);
	});

	it("fixes the sign by majority vote and reports agreement", () => {
		assert.deepEqual(decideSign([1, 2, -1]), { flip: false, agreement: 2 / 3 });
		assert.deepEqual(decideSign([-1, -2, 0.5, -3]), { flip: true, agreement: 3 / 4 });
		// A tie is broken by the mean gap (here negative), and zero gaps count as failures.
		assert.deepEqual(decideSign([1, -3]), { flip: true, agreement: 1 / 2 });
		assert.deepEqual(decideSign([0, 0, 1]), { flip: false, agreement: 1 / 3 });
		assert.throws(() => decideSign([]), /without any pairs/);
	});

	it("orients the trained direction towards the positives even when most of the shift is noise", () => {
		// Two pairs along +x, one against: majority says +x, agreement 2/3.
		const record = packLayerActivations(
			1,
			[Float32Array.from([1, 0]), Float32Array.from([2, 0]), Float32Array.from([0, 0])],
			[Float32Array.from([0, 0]), Float32Array.from([0, 0]), Float32Array.from([1.5, 0])]
		);
		const { vector, diagnostics } = trainSteeringVector([record], { method: "pca-diff", validationFraction: 0 });
		const direction = vector.directions.get(1) as Float32Array;
		assert.ok(direction[0] > 0.999);
		assert.equal(diagnostics[0].agreement, 2 / 3);
		assert.equal(diagnostics[0].heldOutAccuracy, null);
		// Gaps +1, +2, −1.5 along +x: mean 0.5.
		assert.ok(Math.abs(diagnostics[0].meanProjectionGap - 0.5) < 1e-6);
	});

	it("measures pair consistency after the sign is fixed, and counts a pair with identical sides as 0", () => {
		// Differences (−2, 0), (−1, 1) and (0, 0): the majority points along −x, so the direction flips to it.
		const record = packLayerActivations(
			1,
			[Float32Array.from([0, 0]), Float32Array.from([0, 1]), Float32Array.from([5, 5])],
			[Float32Array.from([2, 0]), Float32Array.from([1, 0]), Float32Array.from([5, 5])]
		);
		const { vector, diagnostics } = trainSteeringVector([record], { method: "mean-diff", validationFraction: 0 });
		const direction = vector.directions.get(1) as Float32Array;
		// Mean difference (−1, 1/3): unit direction (−3, 1)/√10.
		assert.ok(Math.abs(direction[0] + 3 / Math.sqrt(10)) < 1e-6);
		const expected = (6 / (2 * Math.sqrt(10)) + 4 / (Math.SQRT2 * Math.sqrt(10)) + 0) / 3;
		assert.ok(Math.abs((diagnostics[0].pairConsistency as number) - expected) < 1e-6);
		assert.equal(diagnostics[0].heldOutMargin, null, "nothing held out, no margin");
	});

	it("ranks layers by the held-out margin where held-out accuracy is 1 for both", () => {
		const clean = plantedActivations({
			pairs: 64,
			nEmbd,
			layer: 1,
			shift: randomUnit(nEmbd, 3),
			shiftSize: 3,
			noise: 0.2,
			content: 2,
			spread: 0,
			seed: 5
		});
		const noisy = plantedActivations({
			pairs: 64,
			nEmbd,
			layer: 2,
			shift: randomUnit(nEmbd, 4),
			shiftSize: 3,
			noise: 0.6,
			content: 2,
			spread: 0,
			seed: 6
		});
		const { diagnostics } = trainSteeringVector([clean, noisy], { method: "mean-diff", validationFraction: 0.25 });
		const [cleanLayer, noisyLayer] = diagnostics;
		assert.equal(cleanLayer.heldOutAccuracy, 1);
		assert.equal(noisyLayer.heldOutAccuracy, 1);
		assert.ok(
			(cleanLayer.heldOutMargin as number) > 2 * (noisyLayer.heldOutMargin as number),
			`margins ${cleanLayer.heldOutMargin} vs ${noisyLayer.heldOutMargin}`
		);
		assert.ok((cleanLayer.pairConsistency as number) > (noisyLayer.pairConsistency as number));
	});

	it("takes the gap margin as mean over population standard deviation", () => {
		assert.ok(Math.abs((gapMargin([1, 2, 3]) as number) - 2 / Math.sqrt(2 / 3)) < 1e-12);
		assert.equal(gapMargin([2]), null);
		assert.equal(gapMargin([2, 2]), MAX_GAP_MARGIN);
		assert.equal(gapMargin([-1, -1]), -MAX_GAP_MARGIN);
		assert.equal(gapMargin([1, 1 + 1e-9]), MAX_GAP_MARGIN, "capped, so JSON can carry it");
		assert.equal(gapMargin([0, 0]), 0);
	});

	it("reports hidden-state norm statistics and histogram counts exactly", () => {
		const record = packLayerActivations(
			1,
			[Float32Array.from([3, 4]), Float32Array.from([0, 2])],
			[Float32Array.from([0, 0]), Float32Array.from([0, 6])]
		);
		const { diagnostics } = trainSteeringVector([record], {
			method: "mean-diff",
			validationFraction: 0,
			histogramBins: 4
		});
		// Norms 5, 2, 0, 6: mean 3.25, population variance 22.75 / 4.
		assert.ok(Math.abs(diagnostics[0].hiddenNormMean - 3.25) < 1e-12);
		assert.ok(Math.abs(diagnostics[0].hiddenNormStd - Math.sqrt(22.75 / 4)) < 1e-12);
		// Differences (3,4) and (0,−4) have mean (1.5, 0): direction +x, projections pos 3, 0 and neg 0, 0.
		assert.ok(Math.abs(diagnostics[0].meanProjectionGap - 1.5) < 1e-12);
		assert.equal(diagnostics[0].agreement, 0.5);
		// Energy along x is 9 of 9 + 16 + 16.
		assert.ok(Math.abs(diagnostics[0].explainedVarianceRatio - 9 / 41) < 1e-12);
		// Pair consistency: cos((3,4), +x) = 3/5 and cos((0,−4), +x) = 0, mean 0.3.
		assert.ok(Math.abs((diagnostics[0].pairConsistency as number) - 0.3) < 1e-12);
		assert.deepEqual(diagnostics[0].histogram, {
			edges: [0, 0.75, 1.5, 2.25, 3],
			positive: [1, 0, 0, 1],
			negative: [2, 0, 0, 0]
		});
	});

	it("bins projections on a shared range", () => {
		const histogram = projectionHistogram([0, 1, 2, 3], [3, 4], 4);
		assert.deepEqual(histogram.edges, [0, 1, 2, 3, 4]);
		assert.deepEqual(histogram.positive, [1, 1, 1, 1]);
		assert.deepEqual(histogram.negative, [0, 0, 0, 2]);
		assert.deepEqual(projectionHistogram([2], [2], 2).edges, [1.5, 2, 2.5]);
	});

	it("measures held-out accuracy on pairs the direction never saw", () => {
		// Shift too small for the noise: held-out accuracy must fall well short of the in-sample agreement.
		const shift = randomUnit(nEmbd, 5);
		const weak = plantedActivations({ pairs: 40, nEmbd, layer: 1, shift, shiftSize: 0.3, noise: 1, seed: 8 });
		const { diagnostics } = trainSteeringVector([weak], { validationFraction: 0.5, seed: 2 });
		const heldOut = diagnostics[0].heldOutAccuracy as number;
		assert.ok(heldOut < 0.8, `held-out ${heldOut}`);
		// Exactly 20 validation pairs, so the accuracy is a multiple of 1/20.
		assert.equal(diagnostics[0].validationPairs, 20);
		assert.ok(Math.abs(heldOut * 20 - Math.round(heldOut * 20)) < 1e-12);
	});

	it("splits deterministically by seed and keeps one training pair", () => {
		const a = splitPairs(10, 0.3, 42);
		assert.deepEqual(a, splitPairs(10, 0.3, 42));
		assert.equal(a.validation.length, 3);
		assert.deepEqual(
			[...a.train, ...a.validation].sort((x, y) => x - y),
			[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
		);
		assert.notDeepEqual(a.validation, splitPairs(10, 0.3, 43).validation);
		assert.equal(splitPairs(2, 0.9, 1).train.length, 1);
		assert.throws(() => splitPairs(4, 1, 1), /validationFraction must be in \[0, 1\)/);
	});

	it("leaves layers without contrast out of the vector", () => {
		const same = Float32Array.from([1, 2, 3]);
		const flat = packLayerActivations(1, [same, same], [same, same]);
		const live = packLayerActivations(
			2,
			[Float32Array.from([1, 0, 0]), Float32Array.from([2, 0, 0])],
			[same, same]
		);
		const { vector, diagnostics } = trainSteeringVector([flat, live], { validationFraction: 0 });
		assert.deepEqual([...vector.directions.keys()], [2]);
		assert.equal(diagnostics[0].explainedVarianceRatio, 0);
		assert.equal(diagnostics[0].agreement, 0);
	});

	it("rejects malformed input with the shapes in the message", () => {
		assert.throws(() => packLayerActivations(3, [new Float32Array(4)], []), /1 positive rows but 0 negative rows/);
		assert.throws(
			() => packLayerActivations(3, [new Float32Array(4)], [new Float32Array(5)]),
			/negative row 0 has length 5, expected 4/
		);
		const a = { layer: 1, nEmbd: 4, positive: new Float32Array(8), negative: new Float32Array(8) };
		const b = { layer: 2, nEmbd: 5, positive: new Float32Array(10), negative: new Float32Array(10) };
		assert.throws(() => trainSteeringVector([a, b]), /layer 2 has nEmbd 5 but layer 1 has 4/);
		const c = { layer: 2, nEmbd: 4, positive: new Float32Array(12), negative: new Float32Array(12) };
		assert.throws(() => trainSteeringVector([a, c]), /layer 2 has 3 pairs but layer 1 has 2/);
		assert.throws(() => trainSteeringVector([a, { ...a }]), /layer 1 is given twice/);
		assert.throws(
			() => trainSteeringVector([{ ...a, negative: new Float32Array(4) }]),
			/positive holds 2 rows of 4 but negative holds 1/
		);
		assert.throws(() => trainSteeringVector([a], { method: "lda" as never }), /unknown training method "lda"/);
		assert.throws(() => trainSteeringVector([]), /no layers/);
	});

	it("honours an aborted signal and reports progress", () => {
		const { data } = plantedLayers(1, [1, 2]);
		const progress: number[] = [];
		trainSteeringVector(data, { onProgress: (done, total) => progress.push(done / total) });
		assert.deepEqual(progress, [0.5, 1]);
		const controller = new AbortController();
		controller.abort();
		assert.throws(() => trainSteeringVector(data, { signal: controller.signal }), { name: "AbortError" });
	});
});

function diagnosticsFor(scores: number[], evr: number[] = scores.map(() => 0.5)): LayerDiagnostics[] {
	return scores.map((score, index) => ({
		layer: index,
		explainedVarianceRatio: evr[index],
		agreement: score,
		heldOutAccuracy: score,
		trainPairs: 8,
		validationPairs: 2,
		meanProjectionGap: 1,
		hiddenNormMean: 10,
		hiddenNormStd: 1,
		histogram: { edges: [0, 1], positive: [1], negative: [1] },
		iterations: 1,
		converged: true
	}));
}

describe("steering layer suggestion", () => {
	it("grows a band around the best layer while neighbours stay within tolerance", () => {
		// Layer 0 scores best but can never be chosen.
		const diagnostics = diagnosticsFor([1, 0.6, 0.8, 0.97, 1, 0.96, 0.7, 0.6]);
		const suggestion = suggestLayers(diagnostics, { maxBand: 4, tolerance: 0.05 });
		assert.deepEqual(suggestion.layers, [3, 4, 5]);
		assert.equal(suggestion.from, 3);
		assert.equal(suggestion.to, 5);
		assert.ok(Math.abs(suggestion.score - (0.97 + 1 + 0.96) / 3) < 1e-12);
		assert.equal(suggestion.scoredBy, "heldOutAccuracy");
		assert.deepEqual(suggestLayers(diagnostics, { maxBand: 2, tolerance: 0.05 }).layers, [3, 4]);
		assert.deepEqual(suggestLayers(diagnostics, { maxBand: 1 }).layers, [4]);
	});

	it("breaks ties by explained variance, then by closeness to the middle", () => {
		assert.deepEqual(
			suggestLayers(diagnosticsFor([0, 0.9, 0.5, 0.9], [0, 0.2, 0.2, 0.4]), { maxBand: 1 }).layers,
			[3]
		);
		// Layers 1..5, middle 3: equal scores and variance at 1 and 4 → 4 is closer to the middle.
		assert.deepEqual(suggestLayers(diagnosticsFor([0, 0.9, 0.5, 0.5, 0.9, 0.5]), { maxBand: 1 }).layers, [4]);
	});

	it("on a tie in held-out accuracy, builds the band where the pairs agree most on the direction", () => {
		// Every layer separates perfectly (as on a 30-layer model); explained variance favours layer 2,
		// pair consistency the layers 5–7.
		const consistency = [0, 0.4, 0.42, 0.41, 0.44, 0.5, 0.55, 0.52, 0.45];
		const diagnostics = diagnosticsFor(
			consistency.map(() => 1),
			[0.5, 0.3, 0.9, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]
		).map((entry, index) => ({ ...entry, pairConsistency: consistency[index] }));
		assert.deepEqual(suggestLayers(diagnostics, { maxBand: 3 }).layers, [5, 6, 7]);
		// The band grows towards the more consistent neighbour: 6, then 7 (0.52 over 0.5), then 5 (0.5 over
		// 0.45), then 8 (0.45 over 0.44).
		assert.deepEqual(suggestLayers(diagnostics, { maxBand: 2 }).layers, [6, 7]);
		assert.deepEqual(suggestLayers(diagnostics, { maxBand: 4 }).layers, [5, 6, 7, 8]);
		// Files from before pair consistency was measured fall back to explained variance.
		const older = diagnostics.map(({ pairConsistency: _, ...entry }) => entry);
		assert.deepEqual(suggestLayers(older, { maxBand: 1 }).layers, [2]);
		// Held-out accuracy still comes first.
		const lower = diagnostics.map((entry) => (entry.layer === 6 ? { ...entry, heldOutAccuracy: 0.8 } : entry));
		assert.deepEqual(suggestLayers(lower, { maxBand: 1 }).layers, [7]);
	});

	it("falls back to agreement when nothing was held out, and validates overrides", () => {
		const diagnostics = diagnosticsFor([0, 0.7, 0.9]).map((entry) => ({ ...entry, heldOutAccuracy: null }));
		const suggestion = suggestLayers(diagnostics, { maxBand: 1 });
		assert.equal(suggestion.scoredBy, "agreement");
		assert.deepEqual(suggestion.layers, [2]);
		assert.deepEqual(suggestLayers(diagnostics, { override: [1, 2] }).layers, [1, 2]);
		assert.throws(() => suggestLayers(diagnostics, { override: [0, 2] }), /block 0 cannot be steered/);
		assert.throws(() => suggestLayers(diagnostics, { override: [2, 5] }), /layer 3, which was not trained/);
		assert.throws(() => suggestLayers(diagnosticsFor([1])), /no steerable layer/);
	});

	it("top k: the k best-separating layers wherever they are, ties broken as for the band's core", () => {
		// Layer 0 scores best but is never steered; 2 and 6 tie at 0.9, 6 has the higher explained variance.
		const diagnostics = diagnosticsFor(
			[1, 0.6, 0.9, 0.7, 0.95, 0.5, 0.9, 0.8],
			[0.5, 0.5, 0.2, 0.5, 0.5, 0.5, 0.4, 0.5]
		);
		const top = suggestLayers(diagnostics, { topK: 2 });
		assert.deepEqual(top.layers, [4, 6]);
		assert.equal(top.from, 4);
		assert.equal(top.to, 6);
		assert.ok(Math.abs(top.score - (0.95 + 0.9) / 2) < 1e-12);
		assert.equal(top.scoredBy, "heldOutAccuracy");
		assert.deepEqual(suggestLayers(diagnostics, { topK: 1 }).layers, [4]);
		assert.deepEqual(suggestLayers(diagnostics, { topK: 4 }).layers, [2, 4, 6, 7]);
		// Asking for more layers than there are gives all of them.
		assert.deepEqual(suggestLayers(diagnostics, { topK: 50 }).layers, [1, 2, 3, 4, 5, 6, 7]);
		const unscored = diagnostics.map((entry) => ({ ...entry, heldOutAccuracy: null }));
		assert.equal(suggestLayers(unscored, { topK: 2 }).scoredBy, "agreement");
		assert.throws(
			() => suggestLayers(diagnostics, { topK: 0 }),
			/^RangeError: topK must be a whole number ≥ 1, got 0$/
		);
		assert.throws(() => suggestLayers(diagnostics, { topK: 1.5 }), /topK must be a whole number ≥ 1, got 1.5/);
		assert.throws(
			() => suggestLayers(diagnostics, { topK: 2, override: [1, 2] }),
			/give a layer override or topK, not both/
		);
	});
});
