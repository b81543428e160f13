/**
 * The profile search of calibration (calibrateVector) and its parts, against fakes whose behaviour is known
 * exactly: a push along the first coordinate adds sea sentences (and loops the text from 4 units on), and
 * only a push at layer 2 makes the fake model find the training positives likelier than their negatives.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { contrastLogLikelihoodGap } from "../../src/steering/evaluation/contrastLikelihood";
import { loadControlVectorFile } from "../../src/steering/gguf/controlVectorFile";
import { calibrateStrength, describeCalibration } from "../../src/steering/pipeline/calibrateStrength";
import { vectorReport } from "../../src/vscode/editors/vectorReport";
import { calibrateVector } from "../../src/steering/pipeline/calibrateVector";
import type { HiddenStateSource, TokenLogProbSource } from "../../src/steering/pipeline/hiddenStateSource";
import { everyLayerProfile } from "../../src/steering/pipeline/steeringProfiles";
import type { GenerationRequest, SteerableModel } from "../../src/steering/pipeline/steerableModel";
import type { TrainedVector } from "../../src/steering/pipeline/trainFromPairs";
import { loadTrainedVector, saveTrainedVector } from "../../src/steering/pipeline/trainedVectorFile";
import type { LayerDiagnostics } from "../../src/steering/training/diagnostics";
import type { WeightedVector } from "../../src/steering/vector";

const pairs = [
	{ positive: "Tom went to the sea.", negative: "Tom went to the park." },
	{ positive: "The sea was warm.", negative: "The bath was warm." }
];

/** The push along the first coordinate at `layer` in units of 0.2 (the band's fixed push). */
function pushAt(steering: readonly WeightedVector[], layer: number): number {
	return steering.reduce(
		(sum, entry) => sum + (entry.strength * (entry.vector.directions.get(layer)?.[0] ?? 0)) / Math.fround(0.2),
		0
	);
}
const seaPush = (steering: readonly WeightedVector[]) => pushAt(steering, 1) + pushAt(steering, 2);

class FakeModel implements SteerableModel {
	async generate(request: GenerationRequest): Promise<string> {
		const push = seaPush(request.steering);
		if (push >= 4) return " the sea the sea the sea the sea the sea the sea the sea the sea the sea the sea";
		const story = " Lily had a red ball. She played with her friends in the park and laughed all day long.";
		return story + " They saw the sea.".repeat(Math.max(0, Math.floor(push))) + ` (${request.seed})`;
	}
	async continuationLogProbs(_prompt: string, continuation: string): Promise<Float32Array> {
		return new Float32Array(continuation.trim().split(/\s+/).length).fill(-1);
	}
}

/**
 * Reads "sea" in a text's mean state, and gives every word of a training text log-probability −2, plus
 * 0.1 per unit of push at layer 2 for a positive and minus that for a negative.
 */
const source: HiddenStateSource & TokenLogProbSource = {
	async capture(items, options) {
		return items.map(({ text }) =>
			options.layers.map((layer) => ({
				layer,
				hidden: Float32Array.of((text.match(/\bsea\b/g) ?? []).length, 5)
			}))
		);
	},
	async suffixLogProbs(items, options) {
		const q = pushAt(options.steering, 2);
		return items.map(({ text, prompt }) => {
			const positive = pairs.some((pair) => pair.positive === text);
			assert.equal(prompt, undefined);
			return new Float32Array(text.split(/\s+/).length).fill(-2 + (positive ? 0.1 : -0.1) * q);
		});
	}
};

function diagnostics(layer: number, hiddenNormMean: number): LayerDiagnostics {
	return {
		layer,
		heldOutAccuracy: 1,
		agreement: 1,
		meanProjectionGap: 1,
		hiddenNormMean,
		histogram: { edges: [0, 0.5, 1], positive: [0, 2], negative: [2, 0] }
	} as LayerDiagnostics;
}

/** The band is layer 1 at 0.2; layers 1 and 2 are trained, with typical norms 2 and 6. */
function trained(): TrainedVector {
	return {
		vector: { nEmbd: 2, directions: new Map([[1, Float32Array.of(0.2, 0)]]) },
		unitVector: {
			nEmbd: 2,
			directions: new Map([
				[1, Float32Array.of(1, 0)],
				[2, Float32Array.of(0.6, 0.8)]
			])
		},
		diagnostics: [diagnostics(1, 2), diagnostics(2, 6)],
		suggestedLayers: [1],
		recommendedStrength: 1,
		rawAlphaPerLayer: new Map([[1, 0.2]]),
		pushFraction: 0.2,
		method: "mean-diff",
		positions: { select: "all", mean: true },
		modelHint: "llama",
		pairCount: pairs.length
	};
}

const ladder = [0.5, 1, 2, 3, 4, 6];

describe("the likelihood gap of contrast texts", () => {
	it("is the positives' mean summed log-probability minus the negatives'", () => {
		const gap = contrastLogLikelihoodGap([
			{ positive: true, logProbs: [-1, -2] },
			{ positive: true, logProbs: [-0.5] },
			{ positive: false, logProbs: [-3, -1, -1] }
		]);
		// (−3 + −0.5) / 2 − (−5) = 3.25
		assert.equal(gap, 3.25);
	});

	it("refuses a log-probability above 0 and a side without texts", () => {
		assert.throws(
			() =>
				contrastLogLikelihoodGap([
					{ positive: true, logProbs: [0.5] },
					{ positive: false, logProbs: [-1] }
				]),
			/text 1, token 1 has log-probability 0\.5/
		);
		assert.throws(
			() => contrastLogLikelihoodGap([{ positive: true, logProbs: [-1] }]),
			/at least one text with the concept and one without/
		);
	});
});

describe("the every-layer profile", () => {
	it("pushes every trained layer by the same amount: the band push share of the layers' mean typical norm", () => {
		const profile = everyLayerProfile(trained())!;
		// bandPushFraction(2) = 0.1, the mean typical norm (2 + 6) / 2 = 4: 0.4 at each layer, along its unit direction.
		assert.deepEqual(profile.suggestedLayers, [1, 2]);
		const close = (actual: Float32Array, expected: number[]) =>
			expected.forEach((value, i) =>
				assert.ok(Math.abs(actual[i]! - value) < 1e-6, `${[...actual]} against ${expected}`)
			);
		close(profile.vector.directions.get(1)!, [0.4, 0]);
		close(profile.vector.directions.get(2)!, [0.24, 0.32]);
		assert.deepEqual(
			[...profile.rawAlphaPerLayer],
			[
				[1, 0.4],
				[2, 0.4]
			]
		);
		assert.equal(profile.pushFraction, 0.1);
	});

	it("is the band itself when one layer is trained", () => {
		const one = trained();
		assert.equal(
			everyLayerProfile({ ...one, unitVector: { nEmbd: 2, directions: new Map([[1, Float32Array.of(1, 0)]]) } }),
			undefined
		);
	});
});

describe("calibration's profile search (calibrateVector)", () => {
	it("by default calibrates the band alone, as calibrateStrength does", async () => {
		const alone = await calibrateStrength(trained(), pairs, new FakeModel(), source, { ladder });
		const vector = await calibrateVector(trained(), pairs, new FakeModel(), source, { ladder });
		assert.equal(vector.calibration!.profile, undefined);
		assert.deepEqual(vector.calibration!.points, alone.calibration!.points);
		assert.deepEqual([...vector.vector.directions.keys()], [1]);
	});

	it("keeps the profile whose calibrated 1.0 makes the training pairs likeliest", async () => {
		// Progress steps and likelihood reads in the order they happen.
		const events: (string | [number, number])[] = [];
		const counting: HiddenStateSource & TokenLogProbSource = {
			capture: source.capture,
			suffixLogProbs: async (items, options) => {
				events.push("read");
				return source.suffixLogProbs(items, options);
			}
		};
		const result = await calibrateVector(trained(), pairs, new FakeModel(), counting, {
			ladder,
			profiles: "search",
			onProgress: (done, total) => events.push([done, total])
		});
		// The three likelihood reads after both searches (unsteered, each profile's 1.0) are a step each, and
		// the last ends the progress at its whole.
		const whole = (events.at(-1) as [number, number])[1];
		assert.deepEqual(events.slice(-6), [
			"read",
			[whole - 2, whole],
			"read",
			[whole - 1, whole],
			"read",
			[whole, whole]
		]);
		assert.equal(events.filter((event) => event === "read").length, 3);
		const steps = events.filter((event): event is [number, number] => typeof event !== "string");
		// The fake's two searches have the same ladder, prompts and seeds, so the whole is known from the start.
		assert.ok(
			steps.every(
				([done, total], i) => total === whole && done <= total && (i === 0 || done >= steps[i - 1]![0])
			),
			"progress has one whole from the start, and never goes back nor past it"
		);
		const choice = result.calibration!.profile!;
		assert.equal(choice.chosen, "every-layer");
		const [band, everyLayer] = choice.candidates;
		// The band reaches the readout target (one more sea sentence than unsteered) at its fixed push. Every layer
		// at 0.4 pushes 0.4 / 0.2 + 0.24 / 0.2 = 3.2 units there and repeats the sentence three times, which the
		// fluency guard refuses, so its search goes down to 0.5× (1.6 units, one sentence).
		assert.deepEqual(band!.layers, [1]);
		assert.equal(band!.chosen, 1);
		assert.equal(band!.reason, "target");
		assert.equal(band!.pairGain, 0);
		assert.deepEqual(everyLayer!.layers, [1, 2]);
		assert.equal(everyLayer!.chosen, 0.5);
		assert.equal(everyLayer!.reason, "target");
		assert.equal(result.calibration!.points.find((point) => point.strength === 1)!.fluent, false);
		// Layer 2 pushes 0.5 · 0.24 / 0.2 = 0.6 units at the calibrated 1.0: each word of a positive gains 0.06 and each
		// of a negative loses it, 4.5 words per text on average, so the gap rises by 2 · 0.06 · 4.5 = 0.54 nats.
		assert.ok(Math.abs(everyLayer!.pairGain! - 0.54) < 1e-5, `pair gain ${everyLayer!.pairGain}`);
		assert.deepEqual([...result.vector.directions.keys()], [1, 2]);
		assert.deepEqual(result.suggestedLayers, [1, 2]);
		assert.equal(result.calibration!.chosen, 0.5);
		assert.match(
			describeCalibration(result.calibration!),
			/every layer pushed alike \(1–2\) chosen: the training pairs read 0\.5 nats likelier at its 1\.0 than unsteered, the band \(1\) 0\.0 nats/
		);
	});

	it("keeps the band alone when its search used over half of the time budget", async () => {
		const progress: [number, number][] = [];
		const result = await calibrateVector(trained(), pairs, new FakeModel(), source, {
			ladder,
			profiles: "search",
			maxSeconds: 1e-6,
			onProgress: (done, total) => progress.push([done, total])
		});
		// The second search and the reads are not run, so the progress ends at its whole without them.
		const [done, total] = progress.at(-1)!;
		assert.equal(done, total);
		assert.ok(progress.every((step) => step[1] === total));
		const choice = result.calibration!.profile!;
		assert.equal(choice.chosen, "band");
		assert.deepEqual(choice.skipped, ["every-layer"]);
		assert.equal(choice.candidates.length, 1);
		assert.match(describeCalibration(result.calibration!), /the band only \(every layer pushed alike not tried/);
	});

	it("keeps the band when the pairs read as likely under both", async () => {
		const indifferent: HiddenStateSource & TokenLogProbSource = {
			capture: source.capture,
			suffixLogProbs: async (items) =>
				items.map(({ text }) => new Float32Array(text.split(/\s+/).length).fill(-2))
		};
		const result = await calibrateVector(trained(), pairs, new FakeModel(), indifferent, {
			ladder,
			profiles: "search"
		});
		assert.deepEqual(
			result.calibration!.profile!.candidates.map((entry) => entry.pairGain),
			[0, 0]
		);
		assert.equal(result.calibration!.profile!.chosen, "band");
		assert.deepEqual([...result.vector.directions.keys()], [1]);
	});

	it("writes the choice into the file and refuses a file whose choice is malformed", async () => {
		const folder = mkdtempSync(path.join(tmpdir(), "steer-profile-"));
		try {
			const result = await calibrateVector(trained(), pairs, new FakeModel(), source, {
				ladder,
				profiles: "search"
			});
			const file = path.join(folder, "sea.gguf");
			await saveTrainedVector(file, result);
			assert.deepEqual((await loadTrainedVector(file)).calibration!.profile, result.calibration!.profile);
			// The vector viewer says the choice in the words the CLI prints.
			const report = vectorReport(file, await loadControlVectorFile(file), { steering: null });
			assert.equal(
				report.type === "report" ? report.calibration?.profile : report.type,
				"every layer pushed alike (1–2) chosen: the training pairs read 0.5 nats likelier at its 1.0 than unsteered, the band (1) 0.0 nats"
			);
			const broken = path.join(folder, "broken.gguf");
			const profile = { ...result.calibration!.profile!, chosen: "sideways" };
			await saveTrainedVector(broken, { ...result, calibration: { ...result.calibration!, profile } as never });
			await assert.rejects(
				loadTrainedVector(broken),
				/profile must name the chosen profile \(band or every-layer\)/
			);
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	});
});
