/**
 * Calibration by measurement against a fake model whose behaviour is known exactly: each whole unit of
 * strength adds one sentence about the sea (which the fake hidden states read as one unit along the
 * direction), and from strength 4 on the text is a loop.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
	calibrateStrength,
	CALIBRATION_PROMPTS,
	CHAT_CALIBRATION_PROMPTS,
	chooseStrength,
	describeCalibration
} from "../../src/steering/pipeline/calibrateStrength";
import { randomDirectionsLike } from "../../src/steering/evaluation/reliability";
import type { HiddenStateSource } from "../../src/steering/pipeline/hiddenStateSource";
import type { GenerationRequest, SteerableModel } from "../../src/steering/pipeline/steerableModel";
import type { TrainedVector } from "../../src/steering/pipeline/trainFromPairs";
import {
	calibrationChatInMetadata,
	loadTrainedVector,
	saveTrainedVector
} from "../../src/steering/pipeline/trainedVectorFile";
import { loadControlVectorFile } from "../../src/steering/gguf/controlVectorFile";
import { vectorReport } from "../../src/vscode/editors/vectorReport";
import type { LayerDiagnostics } from "../../src/steering/training/diagnostics";
import type { WeightedVector } from "../../src/steering/vector";

const stories = [
	"there was a little girl named Lily. She loved to play with her red ball in the park with her friends.",
	"a boy named Tom lived in a small house. He had a big dog and a cat who liked to sleep in the sun.",
	"Mia found a shiny rock under a tree. She showed it to her mom, who smiled and gave her a hug.",
	"Ben wanted to build a tall tower with his blocks. It fell down twice, but he tried again and again."
];
const seaSentences = [" They saw the sea.", " The sea was big and blue.", " A fish swam in the sea."];

class FakeModel implements SteerableModel {
	readonly requests: GenerationRequest[] = [];
	constructor(private readonly loopsFrom = 4) {}
	async generate(request: GenerationRequest): Promise<string> {
		this.requests.push(request);
		const strength = seaPush(request.steering);
		if (strength >= this.loopsFrom)
			return " the sea the sea the sea the sea the sea the sea the sea the sea the sea the sea";
		const story = stories[(request.seed + request.prompt.length) % stories.length]!;
		return " " + story + seaSentences.slice(0, Math.max(0, Math.floor(strength))).join("");
	}
	/**
	 * Every word is one token; token t has log-probability −1 − t/64 unsteered and 0.1·s² less pushed by s
	 * along the sea axis (varying with t, so steered and unsteered tokens that did not line up would show).
	 */
	async continuationLogProbs(
		_prompt: string,
		continuation: string,
		_signal?: AbortSignal,
		options: { steering?: readonly WeightedVector[] } = {}
	): Promise<Float32Array> {
		const push = seaPush(options.steering ?? []);
		const words = continuation.trim().split(/\s+/).length;
		return Float32Array.from({ length: words }, (_, t) => -1 - t / 64 - 0.1 * push * push);
	}
}

/**
 * The push along the sea axis (first coordinate) in units of the trained vector's 0.2: a direction
 * pointing elsewhere (the random floor) adds fewer sea sentences, one pointing away none.
 */
function seaPush(steering: readonly WeightedVector[]): number {
	return steering.reduce(
		(sum, entry) => sum + (entry.strength * entry.vector.directions.get(1)![0]!) / Math.fround(0.2),
		0
	);
}

/** Width 2: the first coordinate of a text's mean state counts "sea" in it. */
const source: HiddenStateSource = {
	async capture(items, options) {
		assert.deepEqual(options.positions, { select: "all", mean: true });
		return items.map(({ text }) =>
			options.layers.map((layer) => ({
				layer,
				hidden: Float32Array.of((text.match(/\bsea\b/g) ?? []).length, 5)
			}))
		);
	}
};

const pairs = [
	{ positive: "Tom went to the sea.", negative: "Tom went to the park." },
	{ positive: "The sea was warm.", negative: "The bath was warm." }
];

function trained(): TrainedVector {
	const diagnostics = [
		{
			layer: 1,
			heldOutAccuracy: 1,
			agreement: 1,
			meanProjectionGap: 1,
			hiddenNormMean: 5,
			histogram: { edges: [0, 0.5, 1], positive: [0, 2], negative: [2, 0] }
		} as LayerDiagnostics
	];
	return {
		vector: { nEmbd: 2, directions: new Map([[1, Float32Array.of(0.2, 0)]]) },
		unitVector: { nEmbd: 2, directions: new Map([[1, Float32Array.of(1, 0)]]) },
		diagnostics,
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

describe("calibration by measurement (fake model)", () => {
	it("in chat, asks neutral user requests and reads each answer after the request as the template renders it", async () => {
		const model = new FakeModel();
		const read: string[] = [];
		const recording: HiddenStateSource = {
			capture: (items, options) => {
				read.push(...items.map((item) => item.text));
				return source.capture(items, options);
			}
		};
		const rendered = (message: string) => `<|user|>${message}<|assistant|>`;
		const result = await calibrateStrength(trained(), pairs, model, recording, {
			ladder,
			refineSteps: 0,
			readoutTarget: 1.5,
			chat: { promptAsRead: async (message) => rendered(message), system: "Be kind." }
		});
		// How it was measured goes into the curve, so the file is evaluated the same way.
		assert.deepEqual(result.calibration!.chat, { system: "Be kind." });
		const plain = await calibrateStrength(trained(), pairs, new FakeModel(), source, {
			ladder,
			refineSteps: 0,
			readoutTarget: 1.5
		});
		assert.equal(plain.calibration!.chat, undefined);
		assert.deepEqual([...new Set(model.requests.map((request) => request.prompt))], [...CHAT_CALIBRATION_PROMPTS]);
		// The training pairs are read first, as they are; then every sample after its rendered request.
		const samples = read.slice(pairs.length * 2);
		assert.ok(samples.length >= 16);
		for (const text of samples)
			assert.ok(
				CHAT_CALIBRATION_PROMPTS.some((prompt) => text.startsWith(rendered(prompt) + " ")),
				`read as ${JSON.stringify(text.slice(0, 60))}`
			);
	});

	it("puts the readout on the scale of labelled examples when the vector was trained from them", async () => {
		// Positives read 1 and 2 (mean 1.5), negatives 0: the scale's unit is 1.5.
		const examples = [
			{ completion: "Tom went to the sea.", label: 1 as const },
			{ prompt: "The sea", completion: " and the sea.", label: 1 as const },
			{ completion: "Tom went to the park.", label: 0 as const },
			{ prompt: "The bath", completion: " was warm.", label: 0 as const }
		];
		const result = await calibrateStrength(trained(), examples, new FakeModel(), source, {
			ladder,
			refineSteps: 0,
			readoutTarget: 1.5
		});
		const curve = result.calibration!;
		assert.equal(curve.positiveProjection, 1.5);
		assert.equal(curve.negativeProjection, 0);
		// One sea sentence per unit of strength reads 1/1.5 of the gap.
		assert.ok(Math.abs(curve.points.find((point) => point.strength === 1)!.readout - 1 / 1.5) < 1e-12);
	});

	it("makes the weakest fluent strength whose readout reaches the target the file's 1.0", async () => {
		const model = new FakeModel();
		const progress: [number, number][] = [];
		const randomSeed = 1;
		const result = await calibrateStrength(trained(), pairs, model, source, {
			ladder,
			refineSteps: 0,
			readoutTarget: 1.5,
			randomSeed,
			onProgress: (done, total) => progress.push([done, total])
		});
		const curve = result.calibration!;
		assert.equal(curve.chosen, 2);
		assert.equal(curve.reason, "target");
		assert.deepEqual(
			curve.points.map((point) => point.strength),
			[0, 1, 2],
			"the search starts at the fixed push and stops at the first fluent strength whose readout reaches the target"
		);
		assert.deepEqual(
			curve.points.map((point) => point.readout),
			[0, 1, 2],
			"readout on the pairs' scale: negatives 0, positives 1"
		);
		assert.ok(curve.points.every((point) => point.fluent));
		assert.equal(curve.readLayer, 1);
		assert.equal(curve.positiveProjection, 1);
		assert.equal(curve.negativeProjection, 0);
		assert.deepEqual([...result.vector.directions.get(1)!], [Math.fround(0.2) * 2, 0]);
		assert.ok(Math.abs(result.pushFraction - 0.4) < 1e-12);
		assert.ok(Math.abs(result.rawAlphaPerLayer.get(1)! - 0.4) < 1e-12);
		// 4 prompts × 4 seeds per strength, the last 16 for the random directions at the chosen strength.
		assert.equal(model.requests.length, 4 * 16);
		assert.equal(model.requests.filter((request) => request.steering.length === 0).length, 16);
		assert.deepEqual(progress.at(-1), [4 * 16, 8 * 16]);
		// A fresh random direction for every sample of the floor: seeds 1, 2, …, 16.
		const random = Array.from({ length: 16 }, (_, i) => randomDirectionsLike(trained().vector, randomSeed + i));
		assert.deepEqual(
			model.requests.slice(-16).map((request) => request.steering),
			random.map((vector) => [{ vector, strength: 2 }])
		);
		assert.equal(new Set(random.map((vector) => vector.directions.get(1)![0])).size, 16);
		// The vector adds two sea sentences to every sample; a random direction at angle θ off the sea axis
		// adds ⌊2 cos θ⌋ (none when it points away), read as that many sea words.
		const randomSentences = random.map((vector) => Math.max(0, Math.floor(seaPush([{ vector, strength: 2 }]))));
		assert.ok(new Set(randomSentences).size > 1, "the draws differ in effect, so the floor averages them");
		const reliability = curve.reliability!;
		assert.equal(reliability.samples, 16);
		assert.equal(reliability.gain, 2);
		const randomGain = randomSentences.reduce((sum, value) => sum + value, 0) / 16;
		assert.ok(Math.abs(reliability.randomGain - randomGain) < 1e-12);
		const variance = randomSentences.reduce((sum, value) => sum + (value - randomGain) ** 2, 0) / 15;
		assert.ok(Math.abs(reliability.gainStandardError - Math.sqrt(variance / 16)) < 1e-12);
		assert.ok(Math.abs(reliability.overRandom! - 2 / Math.max(randomGain, Math.sqrt(variance / 16))) < 1e-12);
		assert.equal(reliability.antiSteerableShare, 0);
		assert.match(
			describeCalibration(curve),
			new RegExp(
				`effect ${reliability.overRandom!.toFixed(1)}× a random direction's, 0/16 samples moved the other way`
			)
		);
		// KL per token on the unsteered samples: 0.1·s² (log-probabilities are float32, hence the tolerance).
		for (const point of curve.points.slice(1)) {
			assert.ok(
				Math.abs(point.klPerToken! - 0.1 * point.strength ** 2) < 1e-5,
				`KL at ${point.strength}: ${point.klPerToken}`
			);
		}
		assert.equal(curve.points[0]!.klPerToken, undefined);
		assert.match(describeCalibration(curve), /KL ≈ 0\.400 nats\/token from the unsteered model/);
		// Perplexity of each strength's samples under the unsteered model: the fake gives token t of a text
		// log-probability −1 − t/64, so a strength's perplexity is exp of the mean of 1 + t/64 over its texts.
		for (const point of curve.points) {
			let sum = 0;
			let tokens = 0;
			for (const prompt of CALIBRATION_PROMPTS)
				for (const seed of [1, 2, 3, 4]) {
					const text = await new FakeModel().generate({
						prompt,
						seed,
						maxTokens: 40,
						temperature: 0.8,
						steering: point.strength === 0 ? [] : [{ vector: trained().vector, strength: point.strength }]
					});
					const count = text.trim().split(/\s+/).length;
					for (let t = 0; t < count; t++) sum += 1 + t / 64;
					tokens += count;
				}
			const expected = Math.exp(sum / tokens);
			assert.ok(
				Math.abs(point.perplexity! / expected - 1) < 1e-5,
				`perplexity at ${point.strength}: ${point.perplexity}, expected ${expected}`
			);
		}
		// The sea sentences make the texts longer, and later tokens are less likely: perplexity rises with the push.
		assert.ok(curve.points[2]!.perplexity! > curve.points[0]!.perplexity!);
		assert.match(
			describeCalibration(curve),
			new RegExp(
				`perplexity ${curve.points[0]!.perplexity!.toFixed(1)} → ${curve.points[2]!.perplexity!.toFixed(1)}`
			)
		);
		assert.equal(curve.prompts * curve.seeds, 16);
		assert.match(
			describeCalibration(curve),
			/strength 1\.0 = 2× the trained push .*readout 0\.00 unsteered → 2\.00/
		);
	});

	it("without a strength reaching the target, refines towards the break and takes the strongest fluent one", async () => {
		const result = await calibrateStrength(trained(), pairs, new FakeModel(), source, {
			ladder,
			readoutTarget: 100
		});
		assert.deepEqual(
			result.calibration!.points.map((point) => point.strength),
			[0, 1, 2, 3, 3.5, 3.8, 4],
			"two midpoints between the last fluent (3) and the first broken (4) rung, rounded to 2 digits"
		);
		assert.equal(result.calibration!.chosen, 3.8);
		assert.equal(result.calibration!.reason, "fluency-limit");
		assert.match(describeCalibration(result.calibration!), /degenerates from 4×/);
		const loop = result.calibration!.points.find((point) => point.strength === 4)!;
		assert.equal(loop.fluent, false);
		assert.equal(loop.readout, 10, "readout on the pairs' scale: negatives 0, positives 1");
	});

	it("walks down from the fixed push when it already breaks the text", async () => {
		const result = await calibrateStrength(trained(), pairs, new FakeModel(0.8), source, {
			ladder,
			readoutTarget: 100
		});
		assert.deepEqual(
			result.calibration!.points.map((point) => point.strength),
			[0, 0.5, 0.75, 0.88, 1]
		);
		assert.equal(result.calibration!.chosen, 0.75);
		assert.equal(result.calibration!.reason, "fluency-limit");
	});

	it("walks below the ladder, whatever the time budget, until the text is fluent", async () => {
		const result = await calibrateStrength(trained(), pairs, new FakeModel(0.2), source, {
			ladder,
			readoutTarget: 100,
			maxSeconds: 0
		});
		assert.deepEqual(
			result.calibration!.points.map((point) => point.strength),
			[0, 0.13, 0.25, 0.5, 1]
		);
		assert.equal(result.calibration!.chosen, 0.13);
		const never = await calibrateStrength(trained(), pairs, new FakeModel(0.01), source, { ladder });
		assert.equal(never.calibration!.reason, "nothing-fluent");
		assert.equal(
			never.calibration!.chosen,
			0.065,
			"the smallest strength tried, above an eighth of the lowest rung"
		);
	});

	it("stores the curve in the file and reads it back", async () => {
		const folder = mkdtempSync(path.join(tmpdir(), "steer-calibration-"));
		try {
			const result = await calibrateStrength(trained(), pairs, new FakeModel(), source, { ladder });
			const file = path.join(folder, "sea.gguf");
			await saveTrainedVector(file, result);
			const loaded = await loadTrainedVector(file);
			assert.deepEqual(loaded.calibration, JSON.parse(JSON.stringify(result.calibration)));
			assert.equal(loaded.recommendedStrength, 1);
			assert.deepEqual([...loaded.vector.directions.get(1)!], [...result.vector.directions.get(1)!]);
			// The vector viewer says the reliability figures in words. The fake's readouts do not vary from
			// sample to sample and its random direction adds no sea sentence, so there is no floor.
			const report = vectorReport(file, await loadControlVectorFile(file), { steering: null });
			assert.equal(
				report.type === "report" ? report.calibration?.reliability : report.type,
				"effect not comparable with a random direction's (which changed no sample's reading), 0/16 samples moved the other way"
			);
			const plain = path.join(folder, "plain.gguf");
			await saveTrainedVector(plain, trained());
			assert.equal((await loadTrainedVector(plain)).calibration, undefined);
			// The system message a chat calibration was made under is read back for evaluating the file.
			const metadataOf = async (name: string) => (await loadControlVectorFile(path.join(folder, name))).metadata;
			assert.equal(calibrationChatInMetadata(await metadataOf("sea.gguf")), undefined);
			assert.equal(calibrationChatInMetadata(await metadataOf("plain.gguf")), undefined);
			const chatFile = path.join(folder, "chat.gguf");
			await saveTrainedVector(chatFile, {
				...result,
				calibration: { ...result.calibration!, chat: { system: "Be kind." } }
			});
			assert.deepEqual(calibrationChatInMetadata(await metadataOf("chat.gguf")), { system: "Be kind." });
			await saveTrainedVector(chatFile, {
				...result,
				calibration: { ...result.calibration!, chat: { system: 3 } as unknown as { system: string } }
			});
			await assert.rejects(
				(async () => calibrationChatInMetadata(await metadataOf("chat.gguf")))(),
				/steer\.calibration.*chat must be an object whose system, when given, is a string/
			);
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	});

	it("calibrates where the vector will act, and the file records that placement", async () => {
		const folder = mkdtempSync(path.join(tmpdir(), "steer-calibration-"));
		try {
			const model = new FakeModel();
			const result = await calibrateStrength(trained(), pairs, model, source, {
				ladder,
				placement: { kind: "generated" }
			});
			const steered = model.requests.filter((request) => request.steering.length > 0);
			assert.ok(steered.length > 0);
			assert.ok(steered.every((request) => request.placement?.kind === "generated"));
			assert.ok(model.requests.filter((request) => request.steering.length === 0).every((r) => !r.placement));
			assert.deepEqual(result.placement, { kind: "generated" });
			const file = path.join(folder, "sea-generated.gguf");
			await saveTrainedVector(file, { ...result, placement: { kind: "first", positions: 3 } });
			assert.deepEqual((await loadTrainedVector(file)).placement, { kind: "first", positions: 3 });
			const broken = path.join(folder, "sea-broken.gguf");
			await saveTrainedVector(broken, { ...result, placement: { kind: "first", positions: 0 } });
			await assert.rejects(
				loadTrainedVector(broken),
				/steer\.placement: placement "first:0": first:K needs a whole number K ≥ 1/
			);
			const everywhere = await calibrateStrength(trained(), pairs, new FakeModel(), source, {
				ladder,
				placement: { kind: "all" }
			});
			assert.equal(everywhere.placement, undefined, "every position is the default, not recorded");
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	});

	it("stops at its time budget, after at least one strength", async () => {
		const result = await calibrateStrength(trained(), pairs, new FakeModel(), source, {
			ladder,
			readoutTarget: 100,
			maxSeconds: 0
		});
		assert.deepEqual(
			result.calibration!.points.map((point) => point.strength),
			[0, 1],
			"the fixed push is measured whatever the budget"
		);
		assert.equal(result.calibration!.reason, "time-limit");
		assert.match(describeCalibration(result.calibration!), /within the time budget/);
	});

	it("stops when cancelled", async () => {
		const controller = new AbortController();
		controller.abort();
		await assert.rejects(
			calibrateStrength(trained(), pairs, new FakeModel(), source, { ladder, signal: controller.signal }),
			{ name: "AbortError" }
		);
	});

	it("chooses by the rules when nothing is fluent or the ladder ends first", () => {
		const point = (strength: number, readout: number, fluent: boolean) => ({ strength, readout, fluent });
		assert.deepEqual(chooseStrength([point(0, 0, true), point(0.5, 0.2, false), point(1, 3, false)], 1.5), {
			strength: 0.5,
			reason: "nothing-fluent"
		});
		assert.deepEqual(chooseStrength([point(0, 0, true), point(1, 0.5, true), point(2, 1, true)], 1.5), {
			strength: 2,
			reason: "ladder-end"
		});
		// The target is a gain over the unsteered readout.
		assert.deepEqual(
			chooseStrength([point(0, 5, true), point(1, 5.5, true), point(2, 6.5, true), point(3, 7, true)], 1.5),
			{
				strength: 2,
				reason: "target"
			}
		);
		// A readout past the target after the first broken strength does not count.
		assert.deepEqual(
			chooseStrength([point(0, 0, true), point(1, 0.5, true), point(2, 1, false), point(3, 2, true)], 1.5),
			{
				strength: 1,
				reason: "fluency-limit"
			}
		);
		// A weaker strength that reads clearly better wins over the strongest fluent one.
		assert.deepEqual(
			chooseStrength([point(0, 0, true), point(1, 0.8, true), point(2, 0.5, true), point(3, 1, false)], 1.5),
			{
				strength: 1,
				reason: "best-readout"
			}
		);
		// Within the tolerance, the stronger one.
		assert.deepEqual(
			chooseStrength([point(0, 0, true), point(1, 0.8, true), point(2, 0.7, true), point(3, 1, false)], 1.5),
			{
				strength: 2,
				reason: "fluency-limit"
			}
		);
		assert.throws(() => chooseStrength([point(0, 0, true)], 1), /no strength above 0/);
	});
});
