/**
 * The engine's promises on the reference instruct model, SmolLM2-135M-Instruct (Q4_1, llama, 30
 * layers × 576, ChatML): capture reads every block's output exactly and deterministically, a control
 * vector adds exactly α·v at its layer and nothing upstream, clearing steering restores generation bit
 * for bit, every position selection agrees with the all-positions capture, and training on chat pairs
 * covers all 29 steerable layers and round-trips through a vector file.
 *
 * The model comes from `node scripts/fetch-test-models.mjs` (CI runs it); without it the suite skips.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { EngineClient } from "../../src/engine/client";
import { engineHiddenStateSource } from "../../src/engine/hiddenStateSource";
import type { CapturedItem, GenerateResult, ModelInfo, PositionSpec } from "../../src/engine/protocol";
import { trainFromPairs, type TrainedVector } from "../../src/steering/pipeline/trainFromPairs";
import { loadTrainedVector, saveTrainedVector } from "../../src/steering/pipeline/trainedVectorFile";
import type { SteeringVector } from "../../src/steering/vector";
import { cachedModelOrSkip, randomVector, repoRoot } from "../helpers/testModels";
import { layerOf, maxAbsDifference, maxAbs } from "../helpers/capturedStates";

const rawPrompt = "The three primary colours are red, yellow and blue. Mixing red and yellow gives";
const system = "You are a helpful assistant.";

/** Formal vs casual answers to the same question: the contrast the training test learns. */
const styles: readonly { question: string; formal: string; casual: string }[] = [
	{
		question: "When does the train leave?",
		formal: "The train departs at nine o'clock in the morning.",
		casual: "oh it leaves at like 9 lol"
	},
	{
		question: "Can you help me move on Saturday?",
		formal: "I would be pleased to assist you with the move on Saturday.",
		casual: "yeah sure dude, i'm in for saturday"
	},
	{
		question: "Is the report finished?",
		formal: "Yes, the report has been completed and submitted for review.",
		casual: "yep, it's done, sent it over already"
	},
	{
		question: "What did you think of the film?",
		formal: "I found the film thoughtful and rather well directed.",
		casual: "dude that movie was sick, loved it"
	},
	{
		question: "Where should we have dinner?",
		formal: "May I suggest the Italian restaurant on the high street?",
		casual: "idk, pizza place maybe? whatever u want"
	},
	{
		question: "How was your weekend?",
		formal: "My weekend was pleasant, thank you for asking.",
		casual: "weekend was chill, just hung out mostly"
	},
	{
		question: "Could you send me the file?",
		formal: "Certainly. I shall send you the file this afternoon.",
		casual: "np, gonna send it in a sec"
	},
	{
		question: "Why were you late?",
		formal: "I apologise for my late arrival; the traffic was unusually heavy.",
		casual: "ugh sorry, traffic was insane lol"
	},
	{
		question: "Do you like the new office?",
		formal: "The new office is spacious and well suited to our needs.",
		casual: "new office is kinda nice ngl"
	},
	{
		question: "Can I borrow your pen?",
		formal: "Of course, you are most welcome to borrow my pen.",
		casual: "yeah grab it, whatever"
	},
	{
		question: "What time is the meeting?",
		formal: "The meeting is scheduled to begin at two o'clock this afternoon.",
		casual: "meeting's at 2 i think?"
	},
	{
		question: "Did you enjoy the concert?",
		formal: "I enjoyed the concert immensely; the orchestra performed superbly.",
		casual: "concert was lit, so much fun"
	}
];

function sameBits(a: Float32Array, b: Float32Array): boolean {
	const bytes = (array: Float32Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
	return bytes(a).equals(bytes(b));
}

/** Asserts two float arrays are bit-identical; on failure says where and by how much they differ. */
function assertBitIdentical(actual: Float32Array, expected: Float32Array, what: string): void {
	assert.equal(actual.length, expected.length, `${what}: length`);
	if (sameBits(actual, expected)) return;
	const first = actual.findIndex((value, i) => !Object.is(value, expected[i]));
	const count = actual.filter((value, i) => !Object.is(value, expected[i])).length;
	assert.fail(
		`${what}: ${count} of ${actual.length} values differ, first [${first}] ${actual[first]} vs ${expected[first]}, ` +
			`max abs difference ${maxAbsDifference(actual, expected)}`
	);
}

describe("engine on SmolLM2-135M-Instruct (Q4_1, 30 layers × 576)", function () {
	this.timeout(120_000);
	let engine: EngineClient;
	let info: ModelInfo;
	/** Greedy generation before any steering was ever set in this engine. */
	let neverSteered: GenerateResult;
	let chatPrompts: string[];
	let wrapper: string;
	let folder: string;

	before(async function () {
		const modelPath = cachedModelOrSkip(this, "SmolLM2-135M-Instruct.Q4_1.gguf");
		engine = new EngineClient({ steerRoot: repoRoot });
		info = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: 512 });
		neverSteered = await engine.generate({ prompt: rawPrompt, maxTokens: 16, temperature: 0 });
		const chats = await engine.request("formatChats", {
			conversations: styles.map(({ question }) => [
				{ role: "system", content: system },
				{ role: "user", content: question },
				{ role: "assistant", content: "" }
			])
		});
		chatPrompts = chats.texts;
		wrapper = chats.wrapper;
		folder = mkdtempSync(path.join(tmpdir(), "steer-smollm2-"));
	});

	after(async () => {
		await engine?.dispose();
		if (folder) rmSync(folder, { recursive: true, force: true });
	});

	it("is a llama model with 30 layers × 576, a ChatML chat template and a CPU backend", () => {
		assert.equal(info.architecture, "llama");
		assert.equal(info.nLayer, 30);
		assert.equal(info.nEmbd, 576);
		assert.equal(info.vocabSize, 49152);
		assert.equal(info.hasChatTemplate, true);
		assert.equal(info.backend, "cpu");
		assert.equal(wrapper, "ChatML");
		assert.equal(
			chatPrompts[0],
			`<|im_start|>system\n${system}<|im_end|>\n<|im_start|>user\n${styles[0]!.question}<|im_end|>\n<|im_start|>assistant\n`
		);
	});

	it("captures all 30 layers deterministically, and reads chat markup as special tokens only when asked", async () => {
		const text = chatPrompts[0]! + styles[0]!.formal;
		const [first] = await engine.capture({ items: [{ text }], positions: { select: "all" }, specialTokens: true });
		const [second] = await engine.capture({ items: [{ text }], positions: { select: "all" }, specialTokens: true });
		const [plain] = await engine.capture({ items: [{ text }], layers: [1], positions: { select: "last" } });
		assert.equal(first!.layers.length, 30);
		assert.equal(first!.rows, first!.tokens.length);
		for (let layer = 0; layer < info.nLayer; layer++) {
			const hidden = layerOf(first!, layer);
			assert.equal(hidden.length, first!.rows * info.nEmbd);
			assert.ok(
				hidden.every((value) => Number.isFinite(value)),
				`layer ${layer} has a non-finite value`
			);
			assert.ok(
				hidden.some((value) => value !== 0),
				`layer ${layer} is all zeros`
			);
			assertBitIdentical(hidden, layerOf(second!, layer), `layer ${layer}, second capture`);
		}
		// Consecutive blocks really are different outputs (no layer captured twice).
		for (let layer = 1; layer < info.nLayer; layer++)
			assert.ok(
				!sameBits(layerOf(first!, layer), layerOf(first!, layer - 1)),
				`layer ${layer} = layer ${layer - 1}`
			);
		// <|im_start|> and <|im_end|> are single special tokens (ids 1 and 2) only with specialTokens.
		assert.equal(first!.tokens[0], 1);
		assert.ok(first!.tokens.includes(2));
		assert.ok(!plain!.tokens.includes(1) && !plain!.tokens.includes(2));
		assert.ok(plain!.tokens.length > first!.tokens.length);
	});

	for (const k of [14, 29]) {
		it(`a vector at layer ${k} leaves layers < ${k} bit-identical and adds exactly α·v at layer ${k}`, async () => {
			const alpha = 2.5;
			const direction = randomVector(info.nEmbd, 1000 + k);
			const vector: SteeringVector = { nEmbd: info.nEmbd, directions: new Map([[k, direction]]) };
			const items = [{ text: chatPrompts[1]! + styles[1]!.casual }];
			const options = { items, positions: { select: "all" as const }, specialTokens: true };
			const [base] = await engine.capture(options);
			const [steered] = await engine.capture({ ...options, steering: [{ vector, strength: alpha }] });
			assert.deepEqual(steered!.tokens, base!.tokens);
			for (let layer = 0; layer < k; layer++) {
				const before = layerOf(base!, layer);
				const after = layerOf(steered!, layer);
				assertBitIdentical(after, before, `layer ${layer} < ${k}`);
			}
			// The engine adds f32(α·v) to every row of l_out-k in f32; the same two f32 roundings here give
			// the very same bits (Float32Array.map rounds each result to f32).
			const before = layerOf(base!, k);
			const added = direction.map((value) => alpha * value);
			const expected = before.map((value, i) => value + added[i % info.nEmbd]!);
			const after = layerOf(steered!, k);
			assertBitIdentical(after, expected, `layer ${k} (steered − base = α·v)`);
			// ... and downstream the push propagates (not a no-op on this architecture).
			if (k + 1 < info.nLayer)
				assert.ok(maxAbsDifference(layerOf(steered!, k + 1), layerOf(base!, k + 1)) > 0.1 * alpha);
		});
	}

	it("selects last, last:K, last:K-mean, mean, suffix and suffix-mean consistently with the all-positions capture", async () => {
		const prompt = chatPrompts[2]!;
		const text = prompt + styles[2]!.formal;
		const capture = (positions: PositionSpec) =>
			engine.capture({ items: [{ text, prompt }], positions, specialTokens: true }).then((items) => items[0]!);
		const all = await capture({ select: "all" });
		const n = all.tokens.length;
		const last = await capture({ select: "last" });
		const last4 = await capture({ select: "last", count: 4 });
		const last4Mean = await capture({ select: "last", count: 4, mean: true });
		const mean = await capture({ select: "all", mean: true });
		const suffix = await capture({ select: "suffix" });
		const suffixMean = await capture({ select: "suffix", mean: true });
		assert.equal(last.rows, 1);
		assert.equal(last4.rows, 4);
		assert.equal(last4Mean.rows, 1);
		assert.equal(mean.rows, 1);
		assert.equal(suffixMean.rows, 1);
		// The suffix is exactly the reply's tokens: the prompt ends in "assistant\n".
		const promptTokens = (
			await engine.capture({
				items: [{ text: prompt }],
				layers: [0],
				positions: { select: "last" },
				specialTokens: true
			})
		)[0]!.tokens;
		assert.equal(suffix.start, promptTokens.length);
		assert.deepEqual(all.tokens.slice(0, suffix.start), promptTokens);
		assert.equal(suffix.rows, n - suffix.start);
		assert.ok(suffix.rows >= 5, `the reply has ${suffix.rows} tokens`);
		const d = info.nEmbd;
		const averaged = (rows: Float32Array, from: number) =>
			Float32Array.from({ length: d }, (_, i) => {
				let sum = 0;
				for (let row = from; row < n; row++) sum += rows[row * d + i]!;
				return sum / (n - from);
			});
		for (let layer = 0; layer < info.nLayer; layer++) {
			const rows = layerOf(all, layer);
			const tail = (from: number) => rows.subarray(from * d, n * d);
			// Fewer output rows let llama.cpp compute the last block for those rows only, through other
			// matrix kernels: equal up to float rounding there, bit-identical in every earlier block.
			const lastBlock = layer === info.nLayer - 1;
			const scale = Math.max(1, maxAbs(rows));
			const check = (got: Float32Array, want: Float32Array, what: string) => {
				const error = maxAbsDifference(got, want);
				if (lastBlock) {
					assert.ok(error <= 1e-5 * scale, `${what} at the last layer: error ${error} (scale ${scale})`);
				} else {
					assertBitIdentical(got, want, `${what} at layer ${layer}`);
				}
			};
			check(layerOf(last, layer), tail(n - 1), "last");
			check(layerOf(last4, layer), tail(n - 4), "last:4");
			check(layerOf(suffix, layer), tail(suffix.start), "suffix");
			// Means are summed in another order than here: float rounding of the average's size.
			for (const [got, from, what] of [
				[last4Mean, n - 4, "last:4-mean"],
				// The mean leaves out the first token, the attention sink (engine/positions.ts).
				[mean, 1, "mean"],
				[suffixMean, suffix.start, "suffix-mean"]
			] as const) {
				const error = maxAbsDifference(layerOf(got, layer), averaged(rows, from));
				assert.ok(error <= 1e-5 * scale, `${what} at layer ${layer}: error ${error} (scale ${scale})`);
			}
		}
	});

	it("changes greedy generation under strong steering and restores it bit for bit when cleared", async () => {
		const [item] = await engine.capture({
			items: [{ text: rawPrompt }],
			layers: [15],
			positions: { select: "all", mean: true }
		});
		const directions = new Map<number, Float32Array>();
		for (let layer = 1; layer < info.nLayer; layer++) directions.set(layer, randomVector(info.nEmbd, 200 + layer));
		// A push the size of the middle layers' hidden state (a random vector's norm is about √(d/3)).
		let norm = 0;
		for (const value of layerOf(item!, 15)) norm += value * value;
		const strength = Math.sqrt(norm) / Math.sqrt(info.nEmbd / 3);
		const vector: SteeringVector = { nEmbd: info.nEmbd, directions };

		const repeat = await engine.generate({ prompt: rawPrompt, maxTokens: 16, temperature: 0 });
		assert.deepEqual(repeat.tokens, neverSteered.tokens, "greedy generation is not deterministic");
		assert.equal(neverSteered.tokens.length, 16, `stopped early: ${neverSteered.stopReason}`);

		const state = await engine.setSteering([{ vector, strength }]);
		assert.deepEqual(
			state.layers,
			Array.from({ length: 29 }, (_, i) => i + 1)
		);
		const steered = await engine.generate({ prompt: rawPrompt, maxTokens: 16, temperature: 0 });
		assert.notDeepEqual(steered.tokens, neverSteered.tokens, "steering at every layer did not change the text");
		const cleared = await engine.clearSteering();
		assert.equal(cleared.active, false);
		const restored = await engine.generate({ prompt: rawPrompt, maxTokens: 16, temperature: 0 });
		assert.deepEqual(restored.tokens, neverSteered.tokens);
		assert.equal(restored.text, neverSteered.text);

		// Steering for one request only leaves the next request unsteered, too.
		const once = await engine.generate({
			prompt: rawPrompt,
			maxTokens: 16,
			temperature: 0,
			steering: [{ vector, strength }]
		});
		assert.deepEqual(once.tokens, steered.tokens);
		const after = await engine.generate({ prompt: rawPrompt, maxTokens: 16, temperature: 0 });
		assert.deepEqual(after.tokens, neverSteered.tokens);
	});

	describe("training on formal vs casual chat replies over all 29 steerable layers", () => {
		let trained: TrainedVector;
		let loaded: TrainedVector;
		const steerable = Array.from({ length: 29 }, (_, i) => i + 1);

		before(async () => {
			const pairs = styles.map(({ formal, casual }, i) => ({
				prompt: chatPrompts[i]!,
				positive: formal,
				negative: casual
			}));
			trained = await trainFromPairs(pairs, engineHiddenStateSource(engine, { specialTokens: true }), {
				method: "mean-diff",
				positions: { select: "suffix", mean: true },
				modelHint: info.architecture,
				nLayer: info.nLayer,
				nEmbd: info.nEmbd,
				validationFraction: 0.25,
				seed: 1
			});
			const file = path.join(folder, "formal.gguf");
			await saveTrainedVector(file, trained);
			loaded = await loadTrainedVector(file);
		});

		it("reports finite diagnostics for every layer 1..29", () => {
			assert.deepEqual(
				trained.diagnostics.map((entry) => entry.layer),
				steerable
			);
			for (const entry of trained.diagnostics) {
				const where = `layer ${entry.layer}`;
				for (const key of [
					"explainedVarianceRatio",
					"agreement",
					"meanProjectionGap",
					"hiddenNormMean",
					"hiddenNormStd"
				] as const)
					assert.ok(Number.isFinite(entry[key]), `${where}: ${key} = ${entry[key]}`);
				assert.ok(
					entry.heldOutAccuracy !== null && Number.isFinite(entry.heldOutAccuracy),
					`${where}: held-out accuracy`
				);
				assert.equal(entry.trainPairs + entry.validationPairs, styles.length);
				assert.ok(entry.validationPairs >= 2, `${where}: ${entry.validationPairs} held out`);
				assert.ok(
					entry.hiddenNormMean > 0 && entry.meanProjectionGap > 0,
					`${where}: gap ${entry.meanProjectionGap}`
				);
				assert.ok(entry.explainedVarianceRatio > 0 && entry.explainedVarianceRatio <= 1 + 1e-9);
				const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
				assert.equal(sum(entry.histogram.positive), styles.length);
				assert.equal(sum(entry.histogram.negative), styles.length);
			}
			// The residual stream grows with depth in this model.
			const norms = trained.diagnostics.map((entry) => entry.hiddenNormMean);
			assert.ok(norms.at(-1)! > 2 * norms[0]!, `hidden norms ${norms[0]} … ${norms.at(-1)}`);
			// Formal and casual replies are far apart: most middle layers separate every pair.
			const separating = trained.diagnostics.filter((entry) => entry.agreement === 1).map((entry) => entry.layer);
			assert.ok(separating.length >= 10, `agreement 1 only at layers ${separating}`);
			const heldOut = trained.diagnostics
				.filter((entry) => entry.heldOutAccuracy === 1)
				.map((entry) => entry.layer);
			assert.ok(heldOut.length >= 10, `held-out accuracy 1 only at layers ${heldOut}`);
			assert.ok(trained.unitVector.directions.size === 29);
		});

		it("suggests a band inside 1..29 and stores directions only there, calibrated", () => {
			const band = trained.suggestedLayers;
			assert.ok(band.length >= 1 && band.length <= 8, `band ${band}`);
			assert.ok(band[0]! >= 1 && band.at(-1)! <= 29);
			band.forEach((layer, i) => i === 0 || assert.equal(layer, band[i - 1]! + 1, `band ${band} has a gap`));
			assert.deepEqual(
				[...trained.vector.directions.keys()].sort((a, b) => a - b),
				band
			);
			for (const layer of band) assert.ok(trained.rawAlphaPerLayer.get(layer)! > 0);
		});

		it("writes a file that loads back with all 29 layers and identical diagnostics", async () => {
			assert.deepEqual(loaded.diagnostics, trained.diagnostics);
			assert.deepEqual(loaded.suggestedLayers, trained.suggestedLayers);
			assert.equal(loaded.modelHint, "llama");
			assert.equal(loaded.pairCount, styles.length);
			assert.deepEqual(
				[...loaded.unitVector.directions.keys()].sort((a, b) => a - b),
				steerable
			);
			for (const layer of steerable)
				assertBitIdentical(
					loaded.unitVector.directions.get(layer)!,
					trained.unitVector.directions.get(layer)!,
					`unit direction at layer ${layer}`
				);
			for (const layer of trained.suggestedLayers)
				assertBitIdentical(
					loaded.vector.directions.get(layer)!,
					trained.vector.directions.get(layer)!,
					`stored direction at layer ${layer}`
				);
			// The engine takes the file's 29 unit directions at once.
			const state = await engine.setSteering([{ vector: loaded.unitVector, strength: 1 }]);
			assert.deepEqual(state.layers, steerable);
			await engine.clearSteering();
		});

		it("the loaded vector, applied at strength 1, adds exactly its stored direction at its first layer", async () => {
			const k = loaded.suggestedLayers[0]!;
			const direction = loaded.vector.directions.get(k)!;
			const items = [{ text: chatPrompts[3]! + styles[3]!.casual }];
			const options = { items, layers: [k - 1, k], positions: { select: "all" as const }, specialTokens: true };
			const [base] = await engine.capture(options);
			const [steered] = await engine.capture({ ...options, steering: [{ vector: loaded.vector, strength: 1 }] });
			assertBitIdentical(layerOf(steered!, k - 1), layerOf(base!, k - 1), `layer ${k - 1}`);
			const expected = layerOf(base!, k).map((value, i) => value + direction[i % info.nEmbd]!);
			assertBitIdentical(layerOf(steered!, k), expected, `layer ${k}`);
			// The steered texts project further along the formal direction than unsteered ones.
			const project = (item: CapturedItem) => {
				const hidden = layerOf(item, k);
				const unit = loaded.unitVector.directions.get(k)!;
				let dot = 0;
				for (let i = 0; i < hidden.length; i++) dot += hidden[i]! * unit[i % info.nEmbd]!;
				return dot / item.rows;
			};
			assert.ok(project(steered!) > project(base!));
		});
	});
});
