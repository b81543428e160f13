/**
 * The engine's two promises, checked on real models: capture reads the true output of every block,
 * and a control vector adds exactly α·v to the block it targets and nothing upstream.
 */
import assert from "node:assert/strict";
import { EngineClient } from "../../src/engine/client";
import type { ModelInfo, SteeringEntry } from "../../src/engine/protocol";
import type { SteeringVector } from "../../src/steering/vector";
import { randomVector, repoRoot, trainedModelOrSkip } from "../helpers/testModels";
import { exactnessModelCases } from "../helpers/exactnessModels";
import { layerOf, maxAbsDifference } from "../helpers/capturedStates";

const prompt = "Once upon a time, there was a little dog";

function oneLayerVector(nEmbd: number, layer: number, seed: number): SteeringVector {
	return { nEmbd, directions: new Map([[layer, randomVector(nEmbd, seed)]]) };
}

const cases = exactnessModelCases;

for (const modelCase of cases) {
	describe(`engine on ${modelCase.name}`, function () {
		this.timeout(120_000);
		let engine: EngineClient;
		let info: ModelInfo;
		let cleanup: (() => void) | undefined;

		before(async function () {
			const prepared = modelCase.prepare(this);
			cleanup = prepared.cleanup;
			engine = new EngineClient({ steerRoot: repoRoot });
			info = await engine.loadModel({ modelPath: prepared.file, gpu: false, threads: 1, contextSize: 256 });
		});

		after(async () => {
			await engine?.dispose();
			cleanup?.();
		});

		it("captures every layer deterministically", async () => {
			const [first] = await engine.capture({ items: [{ text: prompt }], positions: { select: "all" } });
			const [second] = await engine.capture({ items: [{ text: prompt }], positions: { select: "all" } });
			assert.equal(first!.layers.length, info.nLayer);
			assert.equal(first!.rows, first!.tokens.length);
			for (let layer = 0; layer < info.nLayer; layer++) {
				const hidden = layerOf(first!, layer);
				assert.equal(hidden.length, first!.rows * info.nEmbd);
				assert.ok(
					hidden.some((value) => value !== 0),
					`layer ${layer} is all zeros`
				);
				assert.deepEqual(hidden, layerOf(second!, layer));
			}
		});

		it("adds exactly α·v at the steered layer and leaves earlier layers unchanged", async () => {
			const k = Math.max(1, Math.floor(info.nLayer / 2));
			const alpha = 1.75;
			const vector = oneLayerVector(info.nEmbd, k, 11);
			const [base] = await engine.capture({ items: [{ text: prompt }], positions: { select: "all" } });
			const [steered] = await engine.capture({
				items: [{ text: prompt }],
				positions: { select: "all" },
				steering: [{ vector, strength: alpha }]
			});
			for (let layer = 0; layer < k; layer++)
				assert.deepEqual(layerOf(steered!, layer), layerOf(base!, layer), `layer ${layer} < ${k} changed`);
			const before = layerOf(base!, k);
			const expected = before.map((value, i) => value + alpha * vector.directions.get(k)![i % info.nEmbd]!);
			const error = maxAbsDifference(layerOf(steered!, k), expected);
			assert.ok(error <= 1e-4, `max abs error at layer ${k} is ${error}`);
		});

		it("sums several vectors and honours each one's layer range", async () => {
			const k = info.nLayer - 1;
			const a = oneLayerVector(info.nEmbd, k, 21);
			const b = oneLayerVector(info.nEmbd, k, 22);
			const outOfRange: SteeringEntry = {
				vector: oneLayerVector(info.nEmbd, k, 23),
				strength: 5,
				layerRange: [1, k - 1 || 1]
			};
			const entries: SteeringEntry[] = [
				{ vector: a, strength: 0.5 },
				{ vector: b, strength: -0.25 }
			];
			if (k > 1) entries.push(outOfRange);
			const [base] = await engine.capture({ items: [{ text: prompt }], positions: { select: "last" } });
			const [steered] = await engine.capture({
				items: [{ text: prompt }],
				positions: { select: "last" },
				steering: entries
			});
			const expected = layerOf(base!, k).map(
				(value, i) => value + 0.5 * a.directions.get(k)![i]! - 0.25 * b.directions.get(k)![i]!
			);
			assert.ok(maxAbsDifference(layerOf(steered!, k), expected) <= 1e-4);
		});

		it("selects last, last-K, mean and suffix positions consistently with the all-positions capture", async () => {
			const promptPart = "Once upon a time,";
			const text = `${promptPart} there was a little dog`;
			const [all] = await engine.capture({ items: [{ text }], positions: { select: "all" } });
			const n = all!.tokens.length;
			const [last] = await engine.capture({ items: [{ text }], positions: { select: "last" } });
			const [last3] = await engine.capture({ items: [{ text }], positions: { select: "last", count: 3 } });
			const [mean] = await engine.capture({ items: [{ text }], positions: { select: "all", mean: true } });
			const [suffix] = await engine.capture({
				items: [{ text, prompt: promptPart }],
				positions: { select: "suffix" }
			});
			const [suffixMean] = await engine.capture({
				items: [{ text, prompt: promptPart }],
				positions: { select: "suffix", mean: true }
			});
			assert.equal(last!.rows, 1);
			assert.equal(last3!.rows, 3);
			assert.equal(mean!.rows, 1);
			assert.equal(mean!.start, 1);
			assert.ok(suffix!.start > 1 && suffix!.start < n, `suffix starts at ${suffix!.start} of ${n}`);
			const d = info.nEmbd;
			for (let layer = 0; layer < info.nLayer; layer++) {
				const rows = layerOf(all!, layer);
				// Selecting fewer positions lets llama.cpp compute the last block for fewer rows, through other
				// matrix kernels: equal up to float rounding there, bit-identical in every earlier block.
				const tolerance = layer === info.nLayer - 1 ? 1e-4 : 0;
				assert.ok(maxAbsDifference(layerOf(last!, layer), rows.subarray((n - 1) * d, n * d)) <= tolerance);
				assert.ok(maxAbsDifference(layerOf(last3!, layer), rows.subarray((n - 3) * d, n * d)) <= tolerance);
				assert.ok(
					maxAbsDifference(layerOf(suffix!, layer), rows.subarray(suffix!.start * d, n * d)) <= tolerance
				);
				const averaged = (from: number) =>
					Float32Array.from({ length: d }, (_, i) => {
						let sum = 0;
						for (let row = from; row < n; row++) sum += rows[row * d + i]!;
						return sum / (n - from);
					});
				// The mean leaves out the first token, the attention sink (engine/positions.ts).
				assert.ok(maxAbsDifference(layerOf(mean!, layer), averaged(1)) <= 1e-5);
				assert.ok(maxAbsDifference(layerOf(suffixMean!, layer), averaged(suffix!.start)) <= 1e-4);
			}
		});

		it("changes greedy generation under strong steering and restores it bit for bit when cleared", async () => {
			const [item] = await engine.capture({
				items: [{ text: prompt }],
				positions: { select: "all", mean: true }
			});
			// A push several times the size of the hidden state itself, at every steerable layer.
			let norm = 0;
			for (const value of layerOf(item!, info.nLayer - 1)) norm += value * value;
			const directions = new Map<number, Float32Array>();
			for (let layer = 1; layer < info.nLayer; layer++)
				directions.set(layer, randomVector(info.nEmbd, 100 + layer));
			const vector: SteeringVector = { nEmbd: info.nEmbd, directions };
			const strength = (8 * Math.sqrt(norm)) / Math.sqrt(info.nEmbd / 3);

			const baseline = await engine.generate({ prompt, maxTokens: 24, temperature: 0 });
			const repeat = await engine.generate({ prompt, maxTokens: 24, temperature: 0 });
			assert.deepEqual(repeat.tokens, baseline.tokens, "greedy generation is not deterministic");
			await engine.setSteering([{ vector, strength }]);
			const steered = await engine.generate({ prompt, maxTokens: 24, temperature: 0 });
			assert.notDeepEqual(steered.tokens, baseline.tokens);
			await engine.clearSteering();
			const restored = await engine.generate({ prompt, maxTokens: 24, temperature: 0 });
			assert.deepEqual(restored.tokens, baseline.tokens);
			assert.equal(restored.text, baseline.text);
			assert.ok(baseline.tokensPerSecond > 0);
		});

		it("reports per-token projections equal to the dot products of the captured hidden states", async () => {
			const layer = info.nLayer - 1;
			const vector = randomVector(info.nEmbd, 5);
			const [all] = await engine.capture({
				items: [{ text: prompt }],
				layers: [layer],
				positions: { select: "all" }
			});
			const projections = await engine.tokenProjections({ text: prompt, vector, layer });
			assert.deepEqual(projections.tokens, all!.tokens);
			const hidden = layerOf(all!, layer);
			projections.scores.forEach((score, row) => {
				let dot = 0;
				for (let i = 0; i < info.nEmbd; i++) dot += hidden[row * info.nEmbd + i]! * vector[i]!;
				assert.ok(Math.abs(score - dot) <= 1e-6 * Math.max(1, Math.abs(dot)));
			});
		});

		it("refuses layer 0, foreign widths and out-of-range layers with clear errors", async () => {
			await assert.rejects(
				engine.setSteering([{ vector: oneLayerVector(info.nEmbd, 0, 1), strength: 1 }]),
				/layer 0.*cannot steer/
			);
			await assert.rejects(
				engine.setSteering([{ vector: oneLayerVector(info.nEmbd + 1, 1, 1), strength: 1 }]),
				(error: Error & { code?: string }) =>
					error.code === "SHAPE_MISMATCH" && error.message.includes(`${info.nEmbd + 1} wide`)
			);
			await assert.rejects(
				engine.setSteering([{ vector: oneLayerVector(info.nEmbd, info.nLayer, 1), strength: 1 }]),
				/out of range|layers 0\.\./
			);
			await assert.rejects(
				engine.capture({ items: [{ text: prompt }], layers: [info.nLayer], positions: { select: "all" } }),
				/out of range/
			);
			// The engine still works after refusing.
			const result = await engine.generate({ prompt, maxTokens: 4 });
			assert.equal(result.tokens.length, 4);
		});
	});
}

describe("engine next-token probabilities", function () {
	this.timeout(60_000);
	it("scores whole candidate continuations in the context of the text", async function () {
		const file = trainedModelOrSkip(this, "TinyStories-656K.f16.gguf");
		const engine = new EngineClient({ steerRoot: repoRoot });
		try {
			await engine.loadModel({ modelPath: file, gpu: false, threads: 1, contextSize: 256 });
			const text = "Once upon a time, there was a little";
			const { tokens, probabilities } = await engine.nextTokenProbabilities({
				text,
				candidates: [" girl", " dog", " xylophone"]
			});
			assert.equal(tokens.length, 3);
			assert.equal(new Set(probabilities).size, 3, `candidates scored alike: ${probabilities}`);
			const sum = probabilities.reduce((a, b) => a + b, 0);
			assert.ok(sum > 0 && sum <= 1);
			// The model has read thousands of stories about little girls, hardly any about xylophones.
			assert.ok(probabilities[0]! > probabilities[2]!);
			// Equal to the chain rule over the capture's own per-token log-probabilities.
			const [textItem] = await engine.capture({ items: [{ text }], layers: [0], positions: { select: "last" } });
			const [fullItem] = await engine.capture({
				items: [{ text: `${text} girl` }],
				layers: [0],
				positions: { select: "last" },
				tokenLogProbs: true
			});
			let first = 0;
			while (first < textItem!.tokens.length && fullItem!.tokens[first] === textItem!.tokens[first]) first++;
			let logProbability = 0;
			for (let i = first - 1; i < fullItem!.tokens.length - 1; i++)
				logProbability += fullItem!.tokenLogProbs![i]!;
			assert.ok(
				Math.abs(probabilities[0]! - Math.exp(logProbability)) <= 1e-6 * Math.max(1e-3, probabilities[0]!)
			);
		} finally {
			await engine.dispose();
		}
	});
});

describe("engine special tokens", function () {
	this.timeout(60_000);
	it("reads special-token text as special tokens only when asked", async function () {
		const file = trainedModelOrSkip(this, "TinyStories-656K.f16.gguf");
		const engine = new EngineClient({ steerRoot: repoRoot });
		try {
			await engine.loadModel({ modelPath: file, gpu: false, threads: 1, contextSize: 256 });
			const text = "Once upon a time<|end_story|>";
			const [plain] = await engine.capture({ items: [{ text }], layers: [0], positions: { select: "last" } });
			const [special] = await engine.capture({
				items: [{ text }],
				layers: [0],
				positions: { select: "last" },
				specialTokens: true
			});
			// End-of-story is token 2 in this model's vocabulary; as plain text it is spelled out in pieces.
			assert.equal(special!.tokens.at(-1), 2);
			assert.ok(!plain!.tokens.includes(2));
			assert.ok(plain!.tokens.length > special!.tokens.length);
		} finally {
			await engine.dispose();
		}
	});
});

describe("engine tokenization of characters a vocabulary lacks", function () {
	this.timeout(60_000);
	it("reads them as spaces with a warning instead of aborting, in capture and generation alike", async function () {
		const file = trainedModelOrSkip(this, "TinyStories-656K.f16.gguf");
		const warnings: string[] = [];
		const engine = new EngineClient({
			steerRoot: repoRoot,
			log: (level, message) => level === "warn" && warnings.push(message)
		});
		try {
			await engine.loadModel({ modelPath: file, gpu: false, threads: 1, contextSize: 256 });
			const pid = engine.pid;
			// TinyStories has no token for "#" and no byte fallback: llama.cpp's tokenizer throws on it.
			const [withHash] = await engine.capture({
				items: [{ text: "# Once upon a time" }],
				layers: [1],
				positions: { select: "last" }
			});
			const [withSpace] = await engine.capture({
				items: [{ text: "  Once upon a time" }],
				layers: [1],
				positions: { select: "last" }
			});
			assert.deepEqual(withHash!.tokens, withSpace!.tokens);
			assert.deepEqual(withHash!.layers[0]!.hidden, withSpace!.layers[0]!.hidden);
			const generated = await engine.generate({ prompt: "### Story\nOnce upon a time", maxTokens: 8 });
			assert.equal(generated.tokens.length, 8);
			assert.equal(engine.pid, pid, "the engine process restarted");
			assert.equal(
				warnings.filter((warning) => warning.includes('no token for "#"')).length,
				1,
				warnings.join("\n")
			);

			// Stop sequences, even ones the vocabulary cannot spell, cut the text and stream no part of them.
			const full = await engine.generate({ prompt: "Once upon a time", maxTokens: 40 });
			const stop = full.text.slice(12, 15);
			let streamed = "";
			const cut = await engine.generate(
				{ prompt: "Once upon a time", maxTokens: 40, stop: [stop, "#"] },
				{ onProgress: ({ text }) => (streamed += text) }
			);
			assert.equal(cut.text, full.text.slice(0, full.text.indexOf(stop)));
			assert.equal(streamed, cut.text);

			// The first generated word keeps its leading space: the prompt ends in "," and the model goes on
			// with a new word, so prompt + text must read as one story.
			const continued = await engine.generate({
				prompt: "Once upon a time, there was a girl. One day,",
				maxTokens: 6
			});
			assert.match(continued.text, /^ \S/);
		} finally {
			await engine.dispose();
		}
	});
});
