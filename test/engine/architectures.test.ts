/**
 * Capture and steering exactness beyond llama: on a tiny random-weight model of each family people
 * steer (Qwen2, Qwen3, Gemma 2 and 3, Phi-3, a Mistral-style llama with a sliding window), capture reads
 * every block's output and a control vector adds exactly α·v where llama.cpp's graph builder for the
 * architecture calls the control-vector hook (`build_cvec`, right before its `l_out` tensor). Families
 * whose builder lacks the hook are listed as "ignored", and their test asserts that steering changes
 * nothing, so that the engine's no-op check has a named case to refuse.
 */
import assert from "node:assert/strict";
import { EngineClient } from "../../src/engine/client";
import type { CapturedItem, ModelInfo } from "../../src/engine/protocol";
import type { SteeringVector } from "../../src/steering/vector";
import { architectureSpecs, type TinyArchitecture } from "../fixtures/gguf/tinyArchitectures";
import type { TinyModelOptions } from "../fixtures/gguf/tinyModel";
import { expectedKeptCells } from "../helpers/promptCells";
import { randomVector, repoRoot } from "../helpers/testModels";
import { writeTinyModel } from "../helpers/tinyModelFile";
import { layerOf, maxAbsDifference, maxAbs } from "../helpers/capturedStates";

const prompt = "Once upon a time, there was a little dog";
const shape = { nLayer: 3, nEmbd: 64, nHead: 4, nFf: 128 } as const;

interface ArchitectureCase {
	readonly architecture: TinyArchitecture;
	/** A seed whose greedy continuation of the prompt is not one token repeated. */
	readonly seed: number;
	/** What llama.cpp's graph builder does with a control vector in this version. */
	readonly controlVectors: "added at l_out" | "ignored";
	readonly slidingWindow?: number;
	/**
	 * For files with a sliding window: the same weights with a window too wide to matter (or none), and
	 * whether llama.cpp honours the narrow window (rows past it differ in the sliding layers) or ignores
	 * it (every hidden state bit-identical to the twin's).
	 */
	readonly window?: {
		readonly twin: TinyModelOptions;
		readonly slidingLayer: number;
		readonly effect: "honoured" | "ignored";
	};
}

const cases: ArchitectureCase[] = [
	{ architecture: "llama", seed: 1, controlVectors: "added at l_out" },
	{
		architecture: "mistral-swa",
		seed: 1,
		controlVectors: "added at l_out",
		slidingWindow: 4,
		// llama_model_llama::load_arch_hparams never reads llama.attention.sliding_window.
		window: { twin: { architecture: "llama" }, slidingLayer: 0, effect: "ignored" }
	},
	{ architecture: "qwen2", seed: 1, controlVectors: "added at l_out" },
	{ architecture: "qwen3", seed: 1, controlVectors: "added at l_out" },
	{
		architecture: "gemma2",
		seed: 1,
		controlVectors: "added at l_out",
		slidingWindow: 4,
		// gemma2 always slides its even layers; a window as long as the context is as good as none.
		window: { twin: { slidingWindow: 256 }, slidingLayer: 0, effect: "honoured" }
	},
	{
		architecture: "gemma3",
		seed: 1,
		controlVectors: "added at l_out",
		slidingWindow: 4,
		window: { twin: { slidingWindow: 0 }, slidingLayer: 0, effect: "honoured" }
	},
	{
		architecture: "phi3",
		seed: 1,
		controlVectors: "added at l_out",
		slidingWindow: 4,
		// llama_model_phi3::load_arch_hparams reads the window, warns "Phi SWA is currently disabled", drops it.
		window: { twin: { slidingWindow: 0 }, slidingLayer: 0, effect: "ignored" }
	}
];

for (const archCase of cases) {
	const spec = architectureSpecs[archCase.architecture];
	const options: TinyModelOptions = {
		...shape,
		architecture: archCase.architecture,
		seed: archCase.seed,
		slidingWindow: archCase.slidingWindow
	};

	describe(`engine on a tiny ${archCase.architecture} model (${spec.ggufArchitecture}, ${shape.nLayer} layers × ${shape.nEmbd})`, function () {
		this.timeout(120_000);
		let engine: EngineClient;
		let info: ModelInfo;
		let base: CapturedItem;
		let tiny: ReturnType<typeof writeTinyModel>;
		const capture = async (steering?: { vector: SteeringVector; strength: number }[]) => {
			const [item] = await engine.capture({ items: [{ text: prompt }], positions: { select: "all" }, steering });
			return item!;
		};

		before(async () => {
			tiny = writeTinyModel(options);
			engine = new EngineClient({ steerRoot: repoRoot });
			info = await engine.loadModel({ modelPath: tiny.file, gpu: false, threads: 1, contextSize: 256 });
			base = await capture();
		});

		after(async () => {
			await engine?.dispose();
			tiny?.remove();
		});

		it("loads under its architecture's name with the generated shape", () => {
			assert.equal(info.architecture, spec.ggufArchitecture);
			assert.equal(info.nLayer, shape.nLayer);
			assert.equal(info.nEmbd, shape.nEmbd);
		});

		it("captures finite, distinct hidden states of the model's width at every layer, deterministically", async () => {
			const again = await capture();
			assert.equal(base.layers.length, info.nLayer);
			assert.equal(base.rows, base.tokens.length);
			assert.ok(base.rows >= 8, `the prompt is ${base.rows} tokens`);
			for (let layer = 0; layer < info.nLayer; layer++) {
				const hidden = layerOf(base, layer);
				assert.equal(hidden.length, base.rows * info.nEmbd);
				assert.ok(hidden.every(Number.isFinite), `layer ${layer} has a non-finite value`);
				assert.ok(maxAbs(hidden) > 0, `layer ${layer} is all zeros`);
				assert.deepEqual(layerOf(again, layer), hidden, `layer ${layer} differs between two captures`);
				if (layer > 0)
					assert.ok(
						maxAbsDifference(hidden, layerOf(base, layer - 1)) > 1e-3,
						`layer ${layer} = layer ${layer - 1}`
					);
			}
		});

		for (let k = 1; k < shape.nLayer; k++) {
			const title =
				archCase.controlVectors === "ignored"
					? `ignores a control vector at layer ${k}: llama.cpp's ${spec.ggufArchitecture} graph has no control-vector hook`
					: `adds exactly α·v at layer ${k} and leaves layers < ${k} bit-identical`;
			it(title, async () => {
				const alpha = 1.75;
				const direction = randomVector(info.nEmbd, 40 + k);
				const steered = await capture([
					{ vector: { nEmbd: info.nEmbd, directions: new Map([[k, direction]]) }, strength: alpha }
				]);
				if (archCase.controlVectors === "ignored") {
					for (let layer = 0; layer < info.nLayer; layer++)
						assert.deepEqual(layerOf(steered, layer), layerOf(base, layer), `layer ${layer} moved`);
					return;
				}
				for (let layer = 0; layer < k; layer++)
					assert.deepEqual(layerOf(steered, layer), layerOf(base, layer), `layer ${layer} < ${k} changed`);
				const before = layerOf(base, k);
				const expected = before.map((value, i) => value + alpha * direction[i % info.nEmbd]!);
				// Float32 rounding of one addition, relative to the size of the hidden state.
				const tolerance = 1e-6 * Math.max(1, maxAbs(expected));
				const error = maxAbsDifference(layerOf(steered, k), expected);
				assert.ok(error <= tolerance, `max abs error at layer ${k} is ${error} (tolerance ${tolerance})`);
				for (let layer = k + 1; layer < info.nLayer; layer++)
					assert.ok(
						maxAbsDifference(layerOf(steered, layer), layerOf(base, layer)) > 1e-3,
						`the push at layer ${k} did not reach layer ${layer}`
					);
			});
		}

		it(
			archCase.controlVectors === "ignored"
				? "generates the same text with and without steering"
				: "changes greedy generation under strong steering and restores it bit for bit when cleared",
			async () => {
				let norm = 0;
				for (const value of layerOf(base, info.nLayer - 1)) norm += value * value;
				norm = Math.sqrt(norm / base.rows);
				const directions = new Map<number, Float32Array>();
				for (let layer = 1; layer < info.nLayer; layer++)
					directions.set(layer, randomVector(info.nEmbd, 100 + layer));
				// A push several times the size of the hidden state itself, at every steerable layer.
				const strength = (8 * norm) / Math.sqrt(info.nEmbd / 3);

				const baseline = await engine.generate({ prompt, maxTokens: 24, temperature: 0 });
				const repeat = await engine.generate({ prompt, maxTokens: 24, temperature: 0 });
				assert.deepEqual(repeat.tokens, baseline.tokens, "greedy generation is not deterministic");
				assert.ok(
					new Set(baseline.tokens).size >= 4,
					`seed ${archCase.seed} gives a degenerate continuation: ${baseline.tokens.join(" ")}`
				);
				await engine.setSteering([{ vector: { nEmbd: info.nEmbd, directions }, strength }]);
				const steered = await engine.generate({ prompt, maxTokens: 24, temperature: 0 });
				if (archCase.controlVectors === "ignored") assert.deepEqual(steered.tokens, baseline.tokens);
				else assert.notDeepEqual(steered.tokens, baseline.tokens);
				await engine.clearSteering();
				const restored = await engine.generate({ prompt, maxTokens: 24, temperature: 0 });
				assert.deepEqual(restored.tokens, baseline.tokens);
				assert.equal(restored.text, baseline.text);
				const after = await capture();
				for (let layer = 0; layer < info.nLayer; layer++)
					assert.deepEqual(layerOf(after, layer), layerOf(base, layer), `layer ${layer} after clearing`);
			}
		);

		it(
			archCase.window?.effect === "honoured"
				? "starts every generation from empty cells, since a sliding-window cache cannot keep a prefix"
				: "keeps the prompt's KV cells for a prompt that extends it, and continues as from a fresh sequence",
			async () => {
				const first = await engine.generate({ prompt, maxTokens: 20, temperature: 0 });
				const extended = prompt + first.text;
				const reused = await engine.generate({ prompt: extended, maxTokens: 12, temperature: 0 });
				// A change of steering drops every cell: a steered request, then the unsteered one from none.
				const nudge = new Map([[1, randomVector(info.nEmbd, 5)]]);
				const steering = [{ vector: { nEmbd: info.nEmbd, directions: nudge }, strength: 1e-3 }];
				await engine.generate({ prompt, maxTokens: 2, temperature: 0, steering });
				const fresh = await engine.generate({ prompt: extended, maxTokens: 12, temperature: 0 });
				assert.equal(fresh.cachedPromptTokens, 0);
				if (archCase.window?.effect === "honoured") assert.equal(reused.cachedPromptTokens, 0);
				else {
					const kept = await expectedKeptCells(engine, prompt, first, extended);
					assert.ok(kept > 1, `the extended prompt shares only ${kept} tokens with the first run`);
					assert.equal(reused.cachedPromptTokens, kept);
				}
				assert.deepEqual(reused.tokens, fresh.tokens);
			}
		);

		const window = archCase.window;
		if (window) {
			it(`${window.effect === "honoured" ? "honours" : "ignores"} its ${archCase.slidingWindow}-token sliding window`, async () => {
				// The same engine loads the twin, then the model again for whatever runs next.
				const twin = writeTinyModel({ ...options, ...window.twin });
				let wide: CapturedItem;
				try {
					await engine.loadModel({ modelPath: twin.file, gpu: false, threads: 1, contextSize: 256 });
					wide = await capture();
				} finally {
					await engine.loadModel({ modelPath: tiny.file, gpu: false, threads: 1, contextSize: 256 });
					twin.remove();
				}
				assert.deepEqual(wide.tokens, base.tokens);
				if (window.effect === "ignored") {
					for (let layer = 0; layer < info.nLayer; layer++)
						assert.deepEqual(layerOf(wide, layer), layerOf(base, layer), `layer ${layer}`);
					return;
				}
				// Positions that look back no further than the window compute the same; later ones do not.
				const d = info.nEmbd;
				const narrow = layerOf(base, window.slidingLayer);
				const full = layerOf(wide, window.slidingLayer);
				const w = archCase.slidingWindow!;
				const early = maxAbsDifference(narrow.subarray(0, w * d), full.subarray(0, w * d));
				const late = maxAbsDifference(narrow.subarray(w * d), full.subarray(w * d));
				assert.equal(early, 0, `positions inside the window differ by ${early}`);
				assert.ok(late > 1e-3, `positions past the window differ by only ${late}`);
			});
		}
	});
}
