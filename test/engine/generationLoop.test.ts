/**
 * Steer's generation loop (src/engine/native/generation_worker.h) against node-llama-cpp's
 * LlamaCompletion, which the engine still uses when the prompt and the tokens asked for do not fit in
 * the context (it shifts the context when it fills). Both run in the same engine on the same context,
 * so the same request must give the same tokens on both paths: greedy and seeded sampling, with node-
 * llama-cpp's defaults (top-k 40, top-p 0.95) and with the whole vocabulary, unsteered and steered.
 * The loop also keeps the prompt's KV cells for the next request; a prompt that extends the last one
 * must continue exactly as it would from a fresh sequence. (Models whose cache cannot keep a prefix —
 * a sliding window — are checked in architectures.test.ts.)
 */
import assert from "node:assert/strict";
import { EngineClient } from "../../src/engine/client";
import type { GenerateParams, ModelInfo, SteeringEntry } from "../../src/engine/protocol";
import { expectedKeptCells } from "../helpers/promptCells";
import { cachedModelOrSkip, randomVector, repoRoot, trainedModelOrSkip } from "../helpers/testModels";

/** Asked for; node-llama-cpp may round it up, so the tests use the size the engine reports. */
const requestedContextSize = 128;
const prompt = "Once upon a time, there was a little girl named Lily. She liked to";

const cases: { name: string; file: string; cached?: boolean }[] = [
	{ name: "TinyStories-656K", file: "TinyStories-656K.f16.gguf" },
	{ name: "stories260K", file: "stories260K.gguf" },
	{ name: "SmolLM2-135M-Instruct", file: "SmolLM2-135M-Instruct.Q4_1.gguf", cached: true }
];

for (const modelCase of cases) {
	describe(`generation loop on ${modelCase.name}: the same tokens as node-llama-cpp's LlamaCompletion`, function () {
		this.timeout(180_000);
		let engine: EngineClient;
		let info: ModelInfo;
		let contextSize: number;
		let promptTokens: number;
		/** A push of half the typical hidden-state norm at the middle layer: enough to change any model's text. */
		let push: number;
		let layer: number;

		before(async function () {
			const modelPath = modelCase.cached
				? cachedModelOrSkip(this, modelCase.file as never)
				: trainedModelOrSkip(this, modelCase.file as never);
			engine = new EngineClient({ steerRoot: repoRoot });
			info = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: requestedContextSize });
			contextSize = info.contextSize;
			promptTokens = (await engine.generate({ prompt, maxTokens: 1, temperature: 0 })).promptTokens;
			layer = Math.max(1, Math.floor(info.nLayer / 2));
			const [captured] = await engine.capture({
				items: [{ text: prompt }],
				layers: [layer],
				positions: { select: "last" }
			});
			const state = captured!.layers[0]!.hidden;
			push = 0.5 * Math.hypot(...state);
		});
		after(async () => engine?.dispose());

		/**
		 * The loop's tokens (prompt + maxTokens fits) and LlamaCompletion's (asked for more tokens than
		 * fit, which sends the request there), compared over the tokens before the context fills.
		 */
		const room = () => contextSize - promptTokens;

		async function bothPaths(request: Omit<GenerateParams, "prompt" | "maxTokens">) {
			const room = contextSize - promptTokens;
			const loop = await engine.generate({ ...request, prompt, maxTokens: room - 8 });
			const completion = await engine.generate({ ...request, prompt, maxTokens: room + 8 });
			// Which path generated: only the loop reports the prompt cells it kept.
			assert.equal(typeof loop.cachedPromptTokens, "number", "the loop did not generate the first text");
			assert.equal(completion.cachedPromptTokens, undefined, "LlamaCompletion did not generate the second text");
			assert.ok(loop.tokens.length > 0, "the loop generated nothing");
			assert.deepEqual(
				completion.tokens.slice(0, loop.tokens.length),
				loop.tokens,
				`the paths differ (loop ${loop.stopReason}, LlamaCompletion ${completion.stopReason})`
			);
			// Where the loop met the end of the text, LlamaCompletion must meet it at the same token.
			if (loop.stopReason === "eogToken") assert.equal(completion.tokens.length, loop.tokens.length);
			return loop;
		}

		function steering(seed: number): SteeringEntry[] {
			const direction = randomVector(info.nEmbd, seed);
			const norm = Math.hypot(...direction);
			return [
				{ vector: { nEmbd: info.nEmbd, directions: new Map([[layer, direction]]) }, strength: push / norm }
			];
		}

		it("greedy, unsteered", async () => {
			await bothPaths({ temperature: 0 });
		});

		it("seeded sampling at temperature 0.8 with node-llama-cpp's default top-k and top-p, three seeds", async () => {
			const texts = new Set<string>();
			for (const seed of [3, 4, 5]) texts.add((await bothPaths({ temperature: 0.8, seed })).text);
			assert.ok(texts.size > 1, "three seeds gave the same text: the seed is not reaching the sampler");
		});

		it("sampling over the whole vocabulary (top-k 0, top-p 1) at temperature 1", async () => {
			await bothPaths({ temperature: 1, topK: 0, topP: 1, seed: 11 });
		});

		it("steered, greedy and sampled", async () => {
			const steered = await bothPaths({ temperature: 0, steering: steering(7) });
			const unsteered = await engine.generate({ prompt, maxTokens: steered.tokens.length, temperature: 0 });
			assert.notDeepEqual(steered.tokens, unsteered.tokens, "the random vector did not change the text");
			await bothPaths({ temperature: 0.8, seed: 9, steering: steering(8) });
		});

		it("a prompt that extends the last one continues as it would from a fresh sequence", async () => {
			const first = await engine.generate({ prompt, maxTokens: 12, temperature: 0 });
			const extended = prompt + first.text;
			const reused = await engine.generate({ prompt: extended, maxTokens: 12, temperature: 0 });
			// A request with other steering starts from empty cells.
			await engine.generate({ prompt: "One day", maxTokens: 2, temperature: 0, steering: steering(3) });
			const fresh = await engine.generate({ prompt: extended, maxTokens: 12, temperature: 0 });
			// The first run's cells were kept up to where the longer text's tokens differ from them.
			const kept = await expectedKeptCells(engine, prompt, first, extended);
			assert.ok(kept > 1, `the extended prompt shares only ${kept} tokens with the first run`);
			assert.equal(reused.cachedPromptTokens, kept);
			assert.equal(fresh.cachedPromptTokens, 0);
			assert.deepEqual(reused.tokens, fresh.tokens);
			assert.equal(reused.promptTokens, fresh.promptTokens);
		});

		// The story models fill this context in well under 0.1 s, before a cancellation could arrive
		// (engineProcess.test.ts cancels 500 tokens of a random model).
		(modelCase.cached ? it : it.skip)(
			"cancelling stops the loop and the next request runs from a clean state",
			async () => {
				const baseline = await engine.generate({ prompt, maxTokens: 40, temperature: 0 });
				const controller = new AbortController();
				let streamed = 0;
				const cancelled = engine.generate(
					{ prompt, maxTokens: room() - 1, temperature: 0.8, seed: 1 },
					{
						signal: controller.signal,
						onProgress: () => {
							if (++streamed === 1) controller.abort();
						}
					}
				);
				await assert.rejects(cancelled, (error: { code?: string }) => error.code === "CANCELLED");
				const after = await engine.generate({ prompt, maxTokens: 40, temperature: 0 });
				assert.deepEqual(after.tokens, baseline.tokens);
			}
		);
	});
}
