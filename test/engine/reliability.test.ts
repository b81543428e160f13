/**
 * Reliability of the engine under the load an editor puts on it: overlapping requests from several
 * surfaces, and a large training run that must stay within bounded memory and stop when asked.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { EngineClient } from "../../src/engine/client";
import type { EngineError } from "../../src/engine/errors";
import { engineHiddenStateSource } from "../../src/engine/hiddenStateSource";
import { trainFromPairs } from "../../src/steering/pipeline/trainFromPairs";
import { randomVector, repoRoot } from "../helpers/testModels";
import { writeTinyModel } from "../helpers/tinyModelFile";

/** Peak resident memory of a process in MiB (Linux: VmHWM). */
function peakRssMiB(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, "utf8");
	const match = /VmHWM:\s+(\d+) kB/.exec(status);
	assert.ok(match, "no VmHWM in /proc status");
	return Number(match[1]) / 1024;
}

describe("engine reliability", function () {
	this.timeout(300_000);
	let tiny: ReturnType<typeof writeTinyModel>;
	let engine: EngineClient;
	const nLayer = 3;
	const nEmbd = 64;

	before(async () => {
		tiny = writeTinyModel({ nLayer, nEmbd, seed: 17 });
		engine = new EngineClient({ steerRoot: repoRoot });
		await engine.loadModel({ modelPath: tiny.file, gpu: false, threads: 1, contextSize: 256 });
	});
	after(async () => {
		await engine.dispose();
		tiny.remove();
	});

	it("answers overlapping generations, captures and projections each with its own result", async () => {
		const prompts = ["a b", "c d e", "f", "g h i j"];
		const expected = await Promise.all(
			prompts.map(async (prompt) => (await engine.generate({ prompt, maxTokens: 6 })).tokens)
		);
		const promptTokens = await Promise.all(
			prompts.map(async (text) => (await engine.request("tokenize", { text })).tokens)
		);
		const steering = [{ vector: { nEmbd, directions: new Map([[1, randomVector(nEmbd, 3)]]) }, strength: 30 }];
		const steeredAlone = await engine.generate({ prompt: "a b", maxTokens: 6, steering });
		const cancelled = new AbortController();
		const work = [
			...prompts.map((prompt, i) =>
				engine
					.generate({ prompt, maxTokens: 6 })
					.then((result) =>
						assert.deepEqual(result.tokens, expected[i], `generation ${i} got another request's tokens`)
					)
			),
			engine
				.generate({ prompt: "a b", maxTokens: 6, steering })
				.then((result) => assert.deepEqual(result.tokens, steeredAlone.tokens)),
			engine.capture({ items: prompts.map((text) => ({ text })), positions: { select: "last" } }).then((items) =>
				items.forEach((item, i) => {
					assert.equal(item.index, i);
					assert.deepEqual(item.tokens, promptTokens[i], `capture item ${i} has another text's tokens`);
				})
			),
			engine
				.tokenProjections({ text: "k l m", vector: randomVector(nEmbd, 1), layer: 2 })
				.then((result) => assert.equal(result.scores.length, result.tokens.length)),
			assert.rejects(
				engine.generate(
					{ prompt: "x", maxTokens: 200 },
					{ signal: cancelled.signal, onProgress: () => cancelled.abort() }
				),
				(error: EngineError) => error.code === "CANCELLED"
			)
		];
		// The unsteered generations after the steered one must not inherit its steering.
		work.push(
			engine
				.generate({ prompt: prompts[0]!, maxTokens: 6 })
				.then((result) => assert.deepEqual(result.tokens, expected[0]))
		);
		await Promise.all(work);
	});

	it("trains on 5,000 pairs within bounded memory and stops promptly when cancelled", async () => {
		const words = ["happy", "sad", "big", "small", "red", "blue", "dog", "cat", "sun", "rain"];
		const pairs = Array.from({ length: 5000 }, (_, i) => {
			const subject = `${words[i % 10]} ${words[(i * 7) % 10]} ${i % 97}`;
			return { positive: `the ${subject} is good`, negative: `the ${subject} is bad` };
		});
		const source = engineHiddenStateSource(engine);
		const options = {
			method: "mean-diff" as const,
			positions: { select: "last" as const },
			modelHint: "llama",
			nLayer,
			nEmbd
		};

		// Cancel part-way: the run must end with a cancellation soon after the abort, not finish the job.
		// "Soon" in work done: texts captured after the abort, at most the rest of the chunk in flight.
		const controller = new AbortController();
		let capturedBeforeAbort = 0;
		let capturedInAll = 0;
		const started = performance.now();
		await assert.rejects(
			trainFromPairs(pairs, source, {
				...options,
				chunkPairs: 16,
				signal: controller.signal,
				onProgress: ({ stage, done }) => {
					if (stage !== "capture") return;
					capturedInAll = Math.max(capturedInAll, done);
					if (done >= 400 && !controller.signal.aborted) {
						capturedBeforeAbort = done;
						controller.abort();
					}
				}
			}),
			/cancel|abort/i
		);
		assert.ok(capturedBeforeAbort >= 400 && capturedBeforeAbort < pairs.length);
		const textsPerChunk = 2 * 16;
		assert.ok(
			capturedInAll - capturedBeforeAbort < textsPerChunk,
			`${capturedInAll - capturedBeforeAbort} texts were captured after the abort`
		);

		// The full run completes; the engine's and this process's peak memory stay bounded.
		const trained = await trainFromPairs(pairs, source, options);
		const seconds = (performance.now() - started) / 1000;
		assert.deepEqual(
			[...trained.vector.directions.keys()].every((layer) => layer >= 1),
			true
		);
		assert.equal(trained.pairCount, pairs.length);
		const enginePeak = peakRssMiB(engine.pid!);
		const hostPeak = process.resourceUsage().maxRSS / 1024;
		console.log(
			`      5,000 pairs (+ a cancelled run) in ${seconds.toFixed(1)} s; peak RSS: engine ${enginePeak.toFixed(0)} MiB, host ${hostPeak.toFixed(0)} MiB`
		);
		// The activations themselves are 5,000 × 2 × 2 layers × 64 floats (5 MB); the rest is the runtime.
		assert.ok(enginePeak < 600, `engine peak RSS ${enginePeak.toFixed(0)} MiB`);
		assert.ok(hostPeak < 1500, `host peak RSS ${hostPeak.toFixed(0)} MiB`);
	});
});
