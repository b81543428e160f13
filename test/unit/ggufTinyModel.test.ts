import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readGguf } from "../../src/steering/gguf/reader";
import { readModelHyperParameters } from "../fixtures/gguf/modelInfo";
import { readTensorAsFloat32 } from "../../src/steering/gguf/tensorData";
import { makeTinyLlamaModel } from "../fixtures/gguf/tinyModel";
import { GgmlType } from "../../src/steering/gguf/ggmlTypes";

describe("makeTinyLlamaModel", () => {
	it("is byte-identical for the same seed and differs for another seed", () => {
		const first = makeTinyLlamaModel({ seed: 7 });
		const again = makeTinyLlamaModel({ seed: 7 });
		const other = makeTinyLlamaModel({ seed: 8 });
		assert.equal(Buffer.compare(first, again), 0);
		assert.equal(first.length, other.length);
		assert.notEqual(Buffer.compare(first, other), 0);
	});

	it("declares the requested hyper-parameters and tensor shapes", () => {
		const file = readGguf(makeTinyLlamaModel({ nLayer: 3, nEmbd: 32, nHead: 4, nHeadKv: 1, nFf: 48, nCtx: 128 }));
		const hp = readModelHyperParameters(file);
		assert.deepEqual(
			{
				architecture: hp.architecture,
				nLayer: hp.nLayer,
				nEmbd: hp.nEmbd,
				nHead: hp.nHead,
				nHeadKv: hp.nHeadKv,
				nFf: hp.nFf,
				nCtxTrain: hp.nCtxTrain
			},
			{ architecture: "llama", nLayer: 3, nEmbd: 32, nHead: 4, nHeadKv: 1, nFf: 48, nCtxTrain: 128 }
		);
		const byName = new Map(file.tensors.map((t) => [t.name, t]));
		assert.equal(file.tensors.length, 2 + 3 * 9 + 1);
		assert.deepEqual(byName.get("token_embd.weight")?.dims, [32, hp.nVocab]);
		assert.deepEqual(byName.get("blk.2.attn_k.weight")?.dims, [32, 8]); // head size 8 × 1 kv head
		assert.deepEqual(byName.get("blk.0.ffn_down.weight")?.dims, [48, 32]);
		assert.deepEqual(byName.get("output.weight")?.dims, [32, hp.nVocab]);
		const tokens = file.metadata.get("tokenizer.ggml.tokens");
		assert.ok(tokens?.type === "array" && tokens.itemType === "string");
		assert.deepEqual(tokens.items.slice(0, 4), ["<unk>", "<s>", "</s>", "<0x00>"]);
		assert.equal(tokens.items[3 + 255], "<0xFF>");
		assert.ok(tokens.items.includes("\u2581the"));
		assert.equal(new Set(tokens.items).size, tokens.items.length, "tokens are unique");
	});

	it("stores matrices as F16 when asked, with F32 norms, and finite values", () => {
		const bytes = makeTinyLlamaModel({ type: "f16", nLayer: 1 });
		const file = readGguf(bytes);
		for (const tensor of file.tensors) {
			assert.equal(tensor.type, tensor.dims.length === 1 ? GgmlType.F32 : GgmlType.F16, tensor.name);
			assert.ok(readTensorAsFloat32(file, bytes, tensor).every(Number.isFinite), tensor.name);
		}
	});

	it("rejects impossible shapes with a reason", () => {
		assert.throws(() => makeTinyLlamaModel({ nEmbd: 30, nHead: 4 }), /multiple of nHead/);
		assert.throws(() => makeTinyLlamaModel({ nHead: 4, nHeadKv: 3 }), /must divide nHead/);
		assert.throws(() => makeTinyLlamaModel({ nEmbd: 12, nHead: 4 }), /must be even/);
		assert.throws(() => makeTinyLlamaModel({ nLayer: 0 }), /nLayer must be an integer from 1/);
		assert.throws(() => makeTinyLlamaModel({ nEmbd: 1e9 }), /nEmbd must be an integer from 1 to 8192/);
	});

	describe("loaded by node-llama-cpp", function () {
		this.timeout(120_000);
		let directory: string;

		before(() => {
			directory = fs.mkdtempSync(path.join(os.tmpdir(), "steer-tiny-model-"));
		});
		after(() => {
			fs.rmSync(directory, { recursive: true, force: true });
		});

		for (const type of ["f32", "f16"] as const) {
			it(`loads, tokenizes and generates deterministically (${type})`, async () => {
				const modelPath = path.join(directory, `tiny-${type}.gguf`);
				fs.writeFileSync(modelPath, makeTinyLlamaModel({ type, seed: 3 }));
				const { getLlama, LlamaCompletion, LlamaLogLevel } = await import("node-llama-cpp");
				const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
				try {
					const model = await llama.loadModel({ modelPath });
					assert.equal(model.fileInsights.totalLayers - 1, 4);
					const tokens = model.tokenize("Once upon a time, the girl");
					// Whole words are single pieces; text outside the vocabulary falls back to bytes.
					assert.ok(tokens.length <= 8, `expected word pieces, got ${tokens.length} tokens`);
					assert.equal(model.detokenize(model.tokenize("héllo wörld")), "héllo wörld");

					const context = await model.createContext({ threads: 1, contextSize: 256 });
					const generate = async (): Promise<readonly number[]> => {
						const sequence = context.getSequence();
						try {
							const completion = new LlamaCompletion({ contextSequence: sequence });
							const generated: number[] = [];
							await completion.generateCompletion("Once upon a time", {
								maxTokens: 10,
								temperature: 0,
								onToken: (chunk) => generated.push(...chunk)
							});
							return generated;
						} finally {
							sequence.dispose();
						}
					};
					const first = await generate();
					const second = await generate();
					assert.equal(first.length, 10, "random weights rarely pick </s>; ten tokens expected");
					assert.deepEqual(second, first);
					assert.ok(
						new Set(first).size >= 2,
						`greedy output should not be one token repeated: ${first.join(" ")}`
					);
					await context.dispose();
					await model.dispose();
				} finally {
					await llama.dispose();
				}
			});
		}
	});
});
