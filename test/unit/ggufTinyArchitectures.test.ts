import assert from "node:assert/strict";
import { readGguf } from "../../src/steering/gguf/reader";
import { metadataInteger, metadataString } from "../../src/steering/gguf/metadataAccess";
import { readTensorAsFloat32 } from "../../src/steering/gguf/tensorData";
import { readModelHyperParameters } from "../fixtures/gguf/modelInfo";
import { tinyArchitectures } from "../fixtures/gguf/tinyArchitectures";
import { makeTinyLlamaModel, makeTinyModel } from "../fixtures/gguf/tinyModel";

const shape = { nLayer: 2, nEmbd: 32, nHead: 4, nHeadKv: 2, nFf: 48 } as const;

function tensorsOf(bytes: Uint8Array): Map<string, readonly number[]> {
	return new Map(readGguf(bytes).tensors.map((tensor) => [tensor.name, tensor.dims]));
}

describe("makeTinyModel architectures", () => {
	it("builds the llama model byte for byte as makeTinyLlamaModel", () => {
		const options = { ...shape, seed: 4 };
		assert.equal(Buffer.compare(makeTinyModel(options), makeTinyLlamaModel(options)), 0);
		assert.equal(
			Buffer.compare(makeTinyModel({ ...options, architecture: "llama" }), makeTinyLlamaModel(options)),
			0
		);
	});

	for (const architecture of tinyArchitectures) {
		it(`${architecture}: deterministic, finite, with the declared shape`, () => {
			const bytes = makeTinyModel({ ...shape, architecture, seed: 9 });
			assert.equal(Buffer.compare(bytes, makeTinyModel({ ...shape, architecture, seed: 9 })), 0);
			assert.notEqual(Buffer.compare(bytes, makeTinyModel({ ...shape, architecture, seed: 10 })), 0);
			const file = readGguf(bytes);
			const hp = readModelHyperParameters(file);
			assert.equal(hp.nLayer, 2);
			assert.equal(hp.nEmbd, 32);
			assert.equal(hp.nHead, 4);
			assert.equal(hp.nHeadKv, 2);
			assert.equal(metadataString(file.metadata, "general.name"), `tiny-${architecture}-2x32-seed9`);
			for (const tensor of file.tensors)
				assert.ok(readTensorAsFloat32(file, bytes, tensor).every(Number.isFinite), tensor.name);
			const names = file.tensors.map((tensor) => tensor.name);
			assert.equal(new Set(names).size, names.length, "tensor names are unique");
			for (const name of names)
				assert.match(name, /^(token_embd|output_norm|output|blk\.[01]\.[a-z_]+)\.(weight|bias)$/);
		});
	}

	it("lays out each family's tensors as llama.cpp loads them", () => {
		const build = (architecture: (typeof tinyArchitectures)[number]) =>
			tensorsOf(makeTinyModel({ ...shape, architecture }));
		const llama = build("llama");
		assert.deepEqual(llama.get("blk.1.attn_q.weight"), [32, 32]);
		assert.deepEqual(llama.get("blk.1.attn_k.weight"), [32, 16]);
		assert.equal(llama.size, 2 + 2 * 9 + 1);

		const qwen2 = build("qwen2");
		assert.deepEqual(qwen2.get("blk.0.attn_q.bias"), [32]);
		assert.deepEqual(qwen2.get("blk.0.attn_k.bias"), [16]);
		assert.deepEqual(qwen2.get("blk.0.attn_v.bias"), [16]);
		assert.equal(qwen2.has("output.weight"), false, "tied output head");

		// Heads twice nEmbd / nHead wide: 4 × 16 query rows on a 32-wide stream.
		const qwen3 = build("qwen3");
		assert.deepEqual(qwen3.get("blk.0.attn_q.weight"), [32, 64]);
		assert.deepEqual(qwen3.get("blk.0.attn_k.weight"), [32, 32]);
		assert.deepEqual(qwen3.get("blk.0.attn_output.weight"), [64, 32]);
		assert.deepEqual(qwen3.get("blk.0.attn_q_norm.weight"), [16]);
		assert.deepEqual(qwen3.get("blk.0.attn_k_norm.weight"), [16]);

		const gemma2 = build("gemma2");
		assert.deepEqual(gemma2.get("blk.1.post_attention_norm.weight"), [32]);
		assert.deepEqual(gemma2.get("blk.1.post_ffw_norm.weight"), [32]);
		assert.equal(gemma2.has("output.weight"), false, "llama.cpp refuses an own output head for gemma2");
		assert.equal(gemma2.has("blk.0.attn_q_norm.weight"), false);

		const gemma3 = build("gemma3");
		assert.deepEqual(gemma3.get("blk.0.attn_q_norm.weight"), [16]);
		assert.deepEqual(gemma3.get("blk.0.attn_q.weight"), [32, 64]);
		assert.deepEqual(gemma3.get("blk.0.post_ffw_norm.weight"), [32]);

		const phi3 = build("phi3");
		assert.deepEqual(phi3.get("blk.0.attn_qkv.weight"), [32, 32 + 2 * 16]);
		assert.deepEqual(phi3.get("blk.0.ffn_up.weight"), [32, 2 * 48]);
		assert.equal(phi3.has("blk.0.ffn_gate.weight"), false);
		assert.equal(phi3.has("blk.0.attn_q.weight"), false);
	});

	it("writes the metadata each family's hyper-parameter loader reads", () => {
		const meta = (options: Parameters<typeof makeTinyModel>[0]) => readGguf(makeTinyModel(options)).metadata;
		const mistral = meta({ ...shape, architecture: "mistral-swa" });
		assert.equal(metadataString(mistral, "general.architecture"), "llama");
		assert.equal(metadataInteger(mistral, "llama.attention.sliding_window"), 4);
		assert.equal(meta({ ...shape }).has("llama.attention.sliding_window"), false);

		const qwen3 = meta({ ...shape, architecture: "qwen3" });
		assert.equal(metadataInteger(qwen3, "qwen3.attention.key_length"), 16);
		assert.equal(metadataInteger(qwen3, "qwen3.rope.dimension_count"), 16);

		const gemma2 = meta({ ...shape, architecture: "gemma2", slidingWindow: 8 });
		assert.equal(metadataInteger(gemma2, "gemma2.attention.sliding_window"), 8);
		assert.ok(gemma2.has("gemma2.attn_logit_softcapping") && gemma2.has("gemma2.final_logit_softcapping"));

		const gemma3 = meta({ ...shape, architecture: "gemma3" });
		assert.equal(metadataInteger(gemma3, "gemma3.attention.sliding_window_pattern"), 2);
		const gemma3Full = meta({ ...shape, architecture: "gemma3", slidingWindow: 0 });
		assert.equal(gemma3Full.has("gemma3.attention.sliding_window"), false);
		assert.equal(gemma3Full.has("gemma3.attention.sliding_window_pattern"), false);

		// llama.cpp looks Phi-3's control tokens up by text when the model's name says phi3.
		const phi3 = meta({ ...shape, architecture: "phi3" });
		const tokens = phi3.get("tokenizer.ggml.tokens");
		assert.ok(tokens?.type === "array" && tokens.itemType === "string");
		assert.ok(tokens.items.includes("<|endoftext|>") && tokens.items.includes("<|end|>"));
		assert.equal(metadataInteger(phi3, "phi3.attention.sliding_window"), 2047);
	});

	it("rejects an unknown architecture and a bad window with a reason", () => {
		assert.throws(
			() => makeTinyModel({ architecture: "mamba" as never }),
			/architecture must be one of llama, mistral-swa/
		);
		assert.throws(() => makeTinyModel({ architecture: "gemma2", slidingWindow: -1 }), /slidingWindow must be/);
	});
});
