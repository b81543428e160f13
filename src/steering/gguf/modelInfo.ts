import { GgufFormatError } from "./errors";
import {
	type GgufMetadata,
	metadataInteger,
	metadataString,
	requireMetadataInteger,
	requireMetadataString
} from "./metadataAccess";
import type { GgufFile } from "./reader";

/** The hyper-parameters steering cares about, read from a model's GGUF metadata. */
export interface ModelHyperParameters {
	/** `general.architecture`, e.g. "llama"; also what a control vector's model hint should name. */
	readonly architecture: string;
	readonly name: string | undefined;
	/** Transformer blocks (`<arch>.block_count`); steerable layers are 1 … nLayer − 1. */
	readonly nLayer: number;
	/** Residual stream width (`<arch>.embedding_length`): the length every direction must have. */
	readonly nEmbd: number;
	/** Attention heads; undefined when absent or given per layer. */
	readonly nHead: number | undefined;
	readonly nHeadKv: number | undefined;
	/** Feed-forward width; undefined when absent or given per layer. */
	readonly nFf: number | undefined;
	/** Context length the model was trained with. */
	readonly nCtxTrain: number | undefined;
	/** Vocabulary size, from `<arch>.vocab_size` or the tokenizer's token list. */
	readonly nVocab: number | undefined;
}

export function readModelHyperParameters(file: GgufFile): ModelHyperParameters {
	const { metadata } = file;
	const architecture = requireMetadataString(metadata, "general.architecture");
	const nLayer = requireMetadataInteger(metadata, `${architecture}.block_count`);
	const nEmbd = requireMetadataInteger(metadata, `${architecture}.embedding_length`);
	if (nLayer < 1)
		throw new GgufFormatError(`${architecture}.block_count is ${nLayer}; a model needs at least one block`);
	if (nEmbd < 1) throw new GgufFormatError(`${architecture}.embedding_length is ${nEmbd}; it must be positive`);
	const tokens = metadata.get("tokenizer.ggml.tokens");
	return {
		architecture,
		name: metadataString(metadata, "general.name"),
		nLayer,
		nEmbd,
		nHead: scalarInteger(metadata, `${architecture}.attention.head_count`),
		nHeadKv: scalarInteger(metadata, `${architecture}.attention.head_count_kv`),
		nFf: scalarInteger(metadata, `${architecture}.feed_forward_length`),
		nCtxTrain: scalarInteger(metadata, `${architecture}.context_length`),
		nVocab:
			scalarInteger(metadata, `${architecture}.vocab_size`) ??
			(tokens?.type === "array" ? tokens.items.length : undefined)
	};
}

/** Some architectures give per-layer arrays for these keys; this summary leaves those undefined. */
function scalarInteger(metadata: GgufMetadata, key: string): number | undefined {
	return metadata.get(key)?.type === "array" ? undefined : metadataInteger(metadata, key);
}
