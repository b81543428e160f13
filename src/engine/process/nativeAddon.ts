/**
 * Typed access to Steer's native addon (src/engine/native), so the rest of the engine never touches an
 * untyped native object. The addon reads node-llama-cpp internals: it is loaded only after a model, and
 * its build metadata is checked against the node-llama-cpp that is actually installed.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { EngineError } from "../errors";
// The one record of what the addon is built for; scripts/build-addon.mjs compiles the same values in.
import nativeAbi from "../native/nativeAbi.json";

export interface NativeCaptureRequest {
	layers: Int32Array;
	start: number;
	end: number;
	mean: boolean;
	tokenLogProbs?: boolean;
	lastLogits?: boolean;
	/**
	 * Steering placed by position: each control vector applies from its `from` until the next one's;
	 * all span blocks `segmentLayers`. The context's own control vector is replaced by the last one.
	 */
	segments?: { from: number; data: Float32Array }[];
	segmentLayers?: [number, number];
}

export interface NativeCaptureResult {
	/** Per requested layer, in request order: (end - start) rows × nEmbd, or one row when `mean`. */
	layers: Float32Array[];
	tokenLogProbs?: Float32Array;
	lastLogits?: Float32Array;
}

export interface NativeCaptureContext {
	setControlVector(data: Float32Array | null, layerStart?: number, layerEnd?: number): void;
	capture(tokens: Int32Array, request: NativeCaptureRequest): Promise<NativeCaptureResult>;
	cancel(): void;
	dispose(): void;
	info(): { nLayer: number; nEmbd: number; nVocab: number; contextSize: number; batchSize: number };
}

export interface NativeGenerateOptions {
	/** The node-llama-cpp sequence whose KV cells the loop writes. */
	sequenceId: number;
	/** Cells [0, keep) already hold the prompt's first `keep` tokens; the rest are evaluated. */
	keep: number;
	maxTokens: number;
	/** 0 or less: greedy. Otherwise node-llama-cpp's chain: top-k, top-p, temperature, seeded draw. */
	temperature: number;
	topK?: number;
	topP?: number;
	seed: number;
	threads?: number;
	/** Tokens that end the generation like an end-of-generation token (not reported). */
	stopTokens?: Int32Array;
}

export interface NativeGenerateResult {
	/** Every sampled token, in order (the same ones onTokens received). */
	tokens: Int32Array;
	/** Cells [0, evaluated) of the sequence now hold prompt + tokens (the last sampled token is not evaluated). */
	evaluated: number;
	/** Prompt cells kept from before (`keep`, or 0 where the model's memory cannot keep a prefix). */
	reused: number;
	stopReason: "maxTokens" | "eogToken" | "contextFull" | "cancelled";
}

export interface NativeGeneration {
	/** Rejects with an Error carrying `evaluated` when llama.cpp fails. */
	result: Promise<NativeGenerateResult>;
	/** Ends the loop before its next token; `result` then settles with stopReason "cancelled". */
	cancel(): void;
}

export interface NativeBinding {
	/** node-llama-cpp's llama-addon.node that created the context. */
	addon: string;
	llamaLibrary: string;
	ggmlBaseLibrary: string;
}

export interface NativeAddon {
	/**
	 * Binds (once per library) the llama.cpp that the node-llama-cpp addon which created `addonContext`
	 * uses, and names it. Every other call binds on its own too; this one reports, or fails early.
	 */
	bind(addonContext: unknown): NativeBinding;
	/** Every llama.cpp bound so far in this process, with the node-llama-cpp addons using it. */
	boundLibraries(): { llamaLibrary: string; ggmlBaseLibrary: string; addons: string[] }[];
	contextShape(addonContext: unknown): { nLayer: number; nEmbd: number };
	setControlVector(addonContext: unknown, data: Float32Array | null, layerStart?: number, layerEnd?: number): void;
	/** Tokens of `text` without BOS; throws (never aborts) when the vocabulary cannot represent it. */
	tokenize(addonContext: unknown, text: string, parseSpecial: boolean): Int32Array;
	/** Drops every KV cell of the sequence, including those the generation loop wrote. */
	clearSequence(addonContext: unknown, sequenceId: number): void;
	/**
	 * Steer's generation loop on node-llama-cpp's own context (src/engine/native/generation_worker.h):
	 * tokens stream to `onTokens` while the loop runs on a worker thread.
	 */
	generate(
		addonContext: unknown,
		prompt: Int32Array,
		options: NativeGenerateOptions,
		onTokens: (tokens: Int32Array) => void
	): NativeGeneration;
	/** `model`: the node-llama-cpp LlamaModel the context belongs to; the capture context keeps it alive. */
	CaptureContext: new (
		addonContext: unknown,
		model: object,
		options: { contextSize: number; batchSize?: number; threads: number }
	) => NativeCaptureContext;
	abiVersion: number;
	/** The node-llama-cpp version whose internals the addon was compiled against. */
	nodeLlamaCppVersion: string;
}

export const expectedAbiVersion: number = nativeAbi.abiVersion;

/**
 * What to do about a missing or mismatched addon: a checkout builds it; an installed package cannot,
 * so the package for this platform must be installed again. Datasets and vector files need no addon.
 */
export function rebuildAdvice(steerRoot: string): string {
	const checkout = existsSync(path.join(steerRoot, "src", "engine", "native"));
	return checkout
		? "Run `npm ci && npm run build` in the checkout."
		: `Reinstall Steer's package for ${process.platform}-${process.arch} (npm run package builds it from a checkout); datasets and vector files keep working meanwhile.`;
}
export const expectedNodeLlamaCppVersion: string = nativeAbi.nodeLlamaCppVersion;

let loaded: NativeAddon | undefined;

export function loadNativeAddon(steerRoot: string, installedNodeLlamaCppVersion: string): NativeAddon {
	if (loaded) return loaded;
	const addonPath = process.env.STEER_NATIVE_ADDON ?? path.join(steerRoot, "build", "native", "steer-native.node");
	const metadataPath = path.join(path.dirname(addonPath), "steer-native.json");
	if (!existsSync(addonPath))
		throw new EngineError(
			"NATIVE_UNAVAILABLE",
			`Steer's native addon is missing (${addonPath}): steering and hidden-state capture need it. ${rebuildAdvice(steerRoot)}`
		);
	if (existsSync(metadataPath)) {
		const metadata = JSON.parse(readFileSync(metadataPath, "utf8")) as { nodeLlamaCppVersion?: string };
		if (metadata.nodeLlamaCppVersion !== installedNodeLlamaCppVersion)
			throw new EngineError(
				"NATIVE_UNAVAILABLE",
				`Steer's native addon was built for node-llama-cpp ${metadata.nodeLlamaCppVersion}, but ${installedNodeLlamaCppVersion} is installed. ${rebuildAdvice(steerRoot)}`
			);
	}
	const addon = createRequire(import.meta.url)(addonPath) as NativeAddon;
	if (addon.abiVersion !== expectedAbiVersion)
		throw new EngineError(
			"NATIVE_UNAVAILABLE",
			`Steer's native addon has ABI ${addon.abiVersion}, expected ${expectedAbiVersion}. ${rebuildAdvice(steerRoot)}`
		);
	if (addon.nodeLlamaCppVersion !== installedNodeLlamaCppVersion)
		throw new EngineError(
			"NATIVE_UNAVAILABLE",
			`Steer's native addon was compiled for node-llama-cpp ${addon.nodeLlamaCppVersion}, but ${installedNodeLlamaCppVersion} is installed. ${rebuildAdvice(steerRoot)}`
		);
	loaded = addon;
	return addon;
}
