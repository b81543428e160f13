/**
 * Steering placed by position (src/steering/placement.ts): the chosen positions of the steered block
 * move by exactly α·v and every other position is bit for bit as unsteered; generation steers the
 * tokens the placement names, checked against each other and against plain steering.
 */
import assert from "node:assert/strict";
import { EngineClient } from "../../src/engine/client";
import type { CapturedItem, ModelInfo, SteeringEntry } from "../../src/engine/protocol";
import { describePlacement, type SteeringPlacement, steeredRange } from "../../src/steering/placement";
import type { SteeringVector } from "../../src/steering/vector";
import { exactnessModelCases, smolLm2Case } from "../helpers/exactnessModels";
import { layerOf } from "../helpers/capturedStates";
import { randomVector, repoRoot } from "../helpers/testModels";

const promptPart = "Once upon a time, there was a little dog";
const text = `${promptPart} named Max. He liked to run and play in the park.`;

const placements: SteeringPlacement[] = [
	{ kind: "all" },
	{ kind: "generated" },
	{ kind: "prompt" },
	{ kind: "first", positions: 3 }
];

const cases = [...exactnessModelCases, smolLm2Case];

function rowOf(hidden: Float32Array, row: number, nEmbd: number): Float32Array {
	return hidden.subarray(row * nEmbd, (row + 1) * nEmbd);
}

for (const modelCase of cases) {
	describe(`steering placement on ${modelCase.name}`, function () {
		this.timeout(120_000);
		let engine: EngineClient;
		let info: ModelInfo;
		let cleanup: (() => void) | undefined;
		/** A push far larger than the hidden state at every steerable block, so that greedy text changes. */
		let strong: { vector: SteeringVector; strength: number };

		before(async function () {
			const prepared = modelCase.prepare(this);
			cleanup = prepared.cleanup;
			engine = new EngineClient({ steerRoot: repoRoot });
			info = await engine.loadModel({ modelPath: prepared.file, gpu: false, threads: 1, contextSize: 256 });
			const [item] = await engine.capture({
				items: [{ text: promptPart }],
				layers: [info.nLayer - 1],
				positions: { select: "all", mean: true }
			});
			let norm = 0;
			for (const value of layerOf(item!, info.nLayer - 1)) norm += value * value;
			const directions = new Map<number, Float32Array>();
			for (let layer = 1; layer < info.nLayer; layer++)
				directions.set(layer, randomVector(info.nEmbd, 300 + layer));
			strong = {
				vector: { nEmbd: info.nEmbd, directions },
				strength: (8 * Math.sqrt(norm)) / Math.sqrt(info.nEmbd / 3)
			};
		});

		after(async () => {
			await engine?.dispose();
			cleanup?.();
		});

		const capture = async (steering?: SteeringEntry[]): Promise<CapturedItem> => {
			const [item] = await engine.capture({
				items: [{ text, prompt: promptPart }],
				positions: { select: "all" },
				steering
			});
			return item!;
		};

		for (const placement of placements) {
			it(`${describePlacement(placement)}: the placed positions move by exactly α·v at the steered block, every other one is bit-identical`, async () => {
				const k = Math.max(1, Math.floor(info.nLayer / 2));
				const alpha = 2.5;
				const direction = randomVector(info.nEmbd, 41);
				const vector: SteeringVector = { nEmbd: info.nEmbd, directions: new Map([[k, direction]]) };
				const base = await capture();
				const placed = await capture([{ vector, strength: alpha, placement }]);
				const n = base.tokens.length;
				// The prompt's positions: BOS and the prompt's tokens, as the capture reports them.
				const promptLength = (
					await engine.capture({
						items: [{ text, prompt: promptPart }],
						layers: [0],
						positions: { select: "suffix" }
					})
				)[0]!.start;
				assert.ok(promptLength > 3 && promptLength < n, `the prompt takes ${promptLength} of ${n} positions`);
				const { from, to } = steeredRange(placement, promptLength);
				let steeredRows = 0;
				for (let layer = 0; layer < k; layer++)
					assert.deepEqual(layerOf(placed, layer), layerOf(base, layer), `block ${layer} < ${k} changed`);
				for (let row = 0; row < n; row++) {
					const before = rowOf(layerOf(base, k), row, info.nEmbd);
					const after = rowOf(layerOf(placed, k), row, info.nEmbd);
					if (row >= from && row < to) {
						steeredRows++;
						// One float32 rounding of the sum: 1e-4, or two units in the last place of large values (the
						// begin-of-text row of SmolLM2 holds values in the thousands).
						let excess = 0;
						for (let i = 0; i < info.nEmbd; i++) {
							const expected = before[i]! + alpha * direction[i]!;
							const allowed = Math.max(1e-4, Math.abs(expected) * 2 ** -22);
							excess = Math.max(excess, Math.abs(after[i]! - expected) / allowed);
						}
						assert.ok(
							excess <= 1,
							`position ${row}: error ${excess.toFixed(2)}× what one rounding allows against α·v`
						);
					} else assert.deepEqual(after, before, `position ${row} is outside the placement but changed`);
				}
				const expectedRows = Math.min(to, n) - from;
				assert.equal(steeredRows, expectedRows);
				assert.ok(steeredRows > 0 && (placement.kind === "all" || steeredRows < n));
			});
		}

		it("a capture with placed steering leaves plain steering, and then no steering, exactly as before", async () => {
			const vector: SteeringVector = {
				nEmbd: info.nEmbd,
				directions: new Map([[1, randomVector(info.nEmbd, 43)]])
			};
			const plain = await capture([{ vector, strength: 1.5 }]);
			await capture([{ vector, strength: 1.5, placement: { kind: "generated" } }]);
			assert.deepEqual(layerOf(await capture([{ vector, strength: 1.5 }]), 1), layerOf(plain, 1));
			const unsteered = await capture();
			await capture([{ vector, strength: 1.5, placement: { kind: "prompt" } }]);
			assert.deepEqual(layerOf(await capture(), 1), layerOf(unsteered, 1));
		});

		describe("generation", () => {
			const generate = (steering: SteeringEntry[]) =>
				engine.generate({ prompt: promptPart, maxTokens: 16, temperature: 0, steering });
			const placed = (placement: SteeringPlacement): SteeringEntry => ({ ...strong, placement });

			it("steering every position through placed segments gives exactly llama.cpp's own steered text", async () => {
				// Prompt-only plus generated-only of the same push is every position, evaluated in segments.
				const split = await generate([placed({ kind: "prompt" }), placed({ kind: "generated" })]);
				const whole = await generate([strong]);
				assert.deepEqual(split.tokens, whole.tokens);
				const unsteered = await generate([]);
				assert.notDeepEqual(whole.tokens, unsteered.tokens, "the push does not change greedy text");
			});

			it("generated: the prompt is read unsteered (the first token is the unsteered one) and the rest is steered", async () => {
				const unsteered = await generate([]);
				const generated = await generate([placed({ kind: "generated" })]);
				assert.equal(generated.tokens[0], unsteered.tokens[0]);
				assert.notDeepEqual(generated.tokens, unsteered.tokens);
			});

			it("prompt: the first token is the fully steered one, and the answer then goes on unsteered", async () => {
				const whole = await generate([strong]);
				const prompt = await generate([placed({ kind: "prompt" })]);
				assert.equal(prompt.tokens[0], whole.tokens[0]);
				assert.notDeepEqual(prompt.tokens, whole.tokens);
			});

			it("first:K covering the whole prompt is prompt-only; a short first:K is something else", async () => {
				const prompt = await generate([placed({ kind: "prompt" })]);
				const covering = await generate([placed({ kind: "first", positions: 1000 })]);
				assert.deepEqual(covering.tokens, prompt.tokens);
				const short = await generate([placed({ kind: "first", positions: 2 })]);
				assert.notDeepEqual(short.tokens, prompt.tokens);
			});

			it("after placed generation, unsteered and steered generation are bit for bit as before", async () => {
				const unsteered = await generate([]);
				const whole = await generate([strong]);
				await generate([placed({ kind: "generated" })]);
				assert.deepEqual((await generate([])).tokens, unsteered.tokens);
				await generate([placed({ kind: "first", positions: 2 })]);
				assert.deepEqual((await generate([strong])).tokens, whole.tokens);
			});

			it("refuses a placement it does not know, by name", async () => {
				await assert.rejects(
					generate([{ ...strong, placement: { kind: "middle" } as unknown as SteeringPlacement }]),
					/steering vector 1: unknown placement kind "middle"/
				);
				await assert.rejects(
					generate([{ ...strong, placement: { kind: "first", positions: 0 } }]),
					/first.*whole number ≥ 1/
				);
			});
		});
	});
}
