import { mulberry32 } from "../random";
import { makeTinyVocabulary } from "./tinyVocabulary";
import { GgufValue } from "./values";
import { type GgufTensorToWrite, writeGguf } from "./writer";

/**
 * Deterministic random-weight llama models for tests: small enough to build in milliseconds and
 * to run at hundreds of tokens per second, yet real llama.cpp models with a working tokenizer, so
 * tests need no download. Weights are random, so the text they generate is meaningless.
 */

export interface TinyLlamaOptions {
	readonly nLayer?: number;
	readonly nEmbd?: number;
	readonly nHead?: number;
	/** Key/value heads (grouped-query attention); must divide nHead. Default nHead / 2 (or 1). */
	readonly nHeadKv?: number;
	readonly nFf?: number;
	readonly nCtx?: number;
	readonly seed?: number;
	/** Storage type of the 2-D weight matrices; norms are always F32. */
	readonly type?: "f32" | "f16";
}

/** Generous limits that keep a typo from asking for gigabytes. */
const LIMITS = { nLayer: 128, nEmbd: 8192, nHead: 256, nFf: 32768, nCtx: 1 << 20 } as const;

/** Builds the GGUF bytes of a random llama model. Same options → byte-identical output. */
export function makeTinyLlamaModel(options: TinyLlamaOptions = {}): Uint8Array {
	const nLayer = checkedSize("nLayer", options.nLayer ?? 4, LIMITS.nLayer);
	const nEmbd = checkedSize("nEmbd", options.nEmbd ?? 64, LIMITS.nEmbd);
	const nHead = checkedSize("nHead", options.nHead ?? 4, LIMITS.nHead);
	const nHeadKv = checkedSize("nHeadKv", options.nHeadKv ?? Math.max(1, Math.floor(nHead / 2)), LIMITS.nHead);
	const nFf = checkedSize("nFf", options.nFf ?? 128, LIMITS.nFf);
	const nCtx = checkedSize("nCtx", options.nCtx ?? 256, LIMITS.nCtx);
	const seed = options.seed ?? 1;
	const type = options.type ?? "f32";
	if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
	if (type !== "f32" && type !== "f16") throw new RangeError(`type must be "f32" or "f16", got ${String(type)}`);
	if (nEmbd % nHead !== 0) throw new RangeError(`nEmbd (${nEmbd}) must be a multiple of nHead (${nHead})`);
	const headDim = nEmbd / nHead;
	if (headDim % 2 !== 0)
		throw new RangeError(`the head size nEmbd / nHead = ${headDim} must be even for rotary embeddings`);
	if (nHead % nHeadKv !== 0) throw new RangeError(`nHeadKv (${nHeadKv}) must divide nHead (${nHead})`);

	const vocabulary = makeTinyVocabulary();
	const nVocab = vocabulary.tokens.length;
	const nEmbdKv = headDim * nHeadKv;
	const random = mulberry32(seed);
	const matrixType = type === "f16" ? "F16" : "F32";

	/** Uniform weights with unit output variance for unit-variance inputs of width `fanIn`, times `gain`. */
	const matrix = (name: string, fanIn: number, fanOut: number, gain = 1): GgufTensorToWrite => {
		const data = new Float32Array(fanIn * fanOut);
		const bound = gain * Math.sqrt(3 / fanIn);
		for (let i = 0; i < data.length; i++) data[i] = (random() * 2 - 1) * bound;
		return { name, dims: [fanIn, fanOut], type: matrixType, data };
	};
	const norm = (name: string): GgufTensorToWrite => {
		const data = new Float32Array(nEmbd);
		for (let i = 0; i < nEmbd; i++) data[i] = 0.8 + 0.4 * random();
		return { name, dims: [nEmbd], type: "F32", data };
	};

	// The embedding has unit-scale entries; the output head gets a gain so that logits are peaked
	// enough for greedy decoding not to hinge on rounding noise.
	const tensors: GgufTensorToWrite[] = [matrix("token_embd.weight", nEmbd, nVocab, Math.sqrt(nEmbd / 3))];
	for (let layer = 0; layer < nLayer; layer++) {
		const block = `blk.${layer}`;
		tensors.push(
			norm(`${block}.attn_norm.weight`),
			matrix(`${block}.attn_q.weight`, nEmbd, nEmbd),
			matrix(`${block}.attn_k.weight`, nEmbd, nEmbdKv),
			matrix(`${block}.attn_v.weight`, nEmbd, nEmbdKv),
			matrix(`${block}.attn_output.weight`, nEmbd, nEmbd),
			norm(`${block}.ffn_norm.weight`),
			matrix(`${block}.ffn_gate.weight`, nEmbd, nFf),
			matrix(`${block}.ffn_up.weight`, nEmbd, nFf),
			matrix(`${block}.ffn_down.weight`, nFf, nEmbd)
		);
	}
	tensors.push(norm("output_norm.weight"), matrix("output.weight", nEmbd, nVocab, 4));

	const metadata: [string, GgufValue][] = [
		["general.architecture", GgufValue.string("llama")],
		["general.name", GgufValue.string(`tiny-llama-${nLayer}x${nEmbd}-seed${seed}`)],
		["general.file_type", GgufValue.u32(type === "f16" ? 1 : 0)],
		["llama.context_length", GgufValue.u32(nCtx)],
		["llama.embedding_length", GgufValue.u32(nEmbd)],
		["llama.block_count", GgufValue.u32(nLayer)],
		["llama.feed_forward_length", GgufValue.u32(nFf)],
		["llama.attention.head_count", GgufValue.u32(nHead)],
		["llama.attention.head_count_kv", GgufValue.u32(nHeadKv)],
		["llama.attention.layer_norm_rms_epsilon", GgufValue.f32(1e-5)],
		["llama.rope.dimension_count", GgufValue.u32(headDim)],
		["llama.rope.freq_base", GgufValue.f32(10000)],
		["llama.vocab_size", GgufValue.u32(nVocab)],
		["tokenizer.ggml.model", GgufValue.string("llama")],
		["tokenizer.ggml.tokens", GgufValue.strings(vocabulary.tokens)],
		["tokenizer.ggml.scores", GgufValue.array("f32", vocabulary.scores)],
		["tokenizer.ggml.token_type", GgufValue.array("i32", vocabulary.tokenTypes)],
		["tokenizer.ggml.unknown_token_id", GgufValue.u32(vocabulary.unknownId)],
		["tokenizer.ggml.bos_token_id", GgufValue.u32(vocabulary.bosId)],
		["tokenizer.ggml.eos_token_id", GgufValue.u32(vocabulary.eosId)],
		["tokenizer.ggml.add_bos_token", GgufValue.bool(true)],
		["tokenizer.ggml.add_eos_token", GgufValue.bool(false)]
	];
	return writeGguf({ metadata, tensors });
}

function checkedSize(name: string, value: number, max: number): number {
	if (!Number.isInteger(value) || value < 1 || value > max)
		throw new RangeError(`${name} must be an integer from 1 to ${max}, got ${value}`);
	return value;
}
