/**
 * The one place that reaches into node-llama-cpp's internals: the addon context behind a LlamaContext,
 * which Steer's addon reads, and node-llama-cpp's installed version, which the addon must have been
 * compiled against. Keeping them here means a node-llama-cpp upgrade that moves an internal breaks
 * one file, and the rest of the engine sees only node-llama-cpp's public API and this class.
 */
import type { LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import type { ControlVectorBuffer } from "../controlVectorBuffer";
import { EngineError } from "../errors";
import {
	loadNativeAddon,
	type NativeAddon,
	type NativeCaptureContext,
	type NativeGenerateOptions,
	type NativeGeneration
} from "./nativeAddon";

export interface CaptureContextOptions {
	readonly contextSize: number;
	readonly batchSize: number;
	readonly threads: number;
}

export class NativeBridge {
	private constructor(
		private readonly addon: NativeAddon,
		private readonly addonContext: unknown
	) {}

	/**
	 * Loads Steer's addon for node-llama-cpp's `context` and binds it now, so that a mismatched
	 * llama.cpp fails the model load instead of the first request.
	 */
	static async attach(context: LlamaContext, steerRoot: string): Promise<NativeBridge> {
		const addonContext = (context as unknown as { _ctx: unknown })._ctx;
		const addon = loadNativeAddon(steerRoot, await nodeLlamaCppVersion());
		addon.bind(addonContext);
		return new NativeBridge(addon, addonContext);
	}

	contextShape(): { nLayer: number; nEmbd: number } {
		return this.addon.contextShape(this.addonContext);
	}

	/** Steers node-llama-cpp's own context; null removes the control vector. */
	setControlVector(buffer: ControlVectorBuffer | null): void {
		if (buffer) this.addon.setControlVector(this.addonContext, buffer.data, buffer.layerStart, buffer.layerEnd);
		else this.addon.setControlVector(this.addonContext, null);
	}

	/** Tokens of `text` without BOS; throws (never aborts the process) for text the vocabulary cannot represent. */
	tokenize(text: string, specialTokens: boolean): number[] {
		return Array.from(this.addon.tokenize(this.addonContext, text, specialTokens));
	}

	/** Drops every KV cell of the sequence, the generation loop's included. */
	clearSequence(sequenceId: number): void {
		this.addon.clearSequence(this.addonContext, sequenceId);
	}

	/** Steer's generation loop on node-llama-cpp's own context; see NativeAddon.generate. */
	generate(
		prompt: readonly number[],
		options: NativeGenerateOptions,
		onTokens: (tokens: Int32Array) => void
	): NativeGeneration {
		return this.addon.generate(this.addonContext, Int32Array.from(prompt), options, onTokens);
	}

	/** A private llama_context on the same weights; `model` must be the LlamaModel of the attached context. */
	createCaptureContext(model: LlamaModel, options: CaptureContextOptions): NativeCaptureContext {
		return new this.addon.CaptureContext(this.addonContext, model, options);
	}
}

/** The llama.cpp sequence id behind node-llama-cpp's sequence, whose KV cells the generation loop writes. */
export function sequenceIdOf(sequence: LlamaContextSequence): number {
	const id = (sequence as unknown as { _sequenceId?: unknown })._sequenceId;
	if (typeof id !== "number" || !Number.isInteger(id) || id < 0)
		throw new EngineError("NATIVE_UNAVAILABLE", "cannot read the sequence id of node-llama-cpp's context sequence");
	return id;
}

let cachedVersion: string | undefined;
async function nodeLlamaCppVersion(): Promise<string> {
	if (cachedVersion) return cachedVersion;
	const { readFile } = await import("node:fs/promises");
	const { createRequire } = await import("node:module");
	const require = createRequire(import.meta.url);
	const dir = (require.resolve.paths("node-llama-cpp") ?? []).map(
		(candidate) => `${candidate}/node-llama-cpp/package.json`
	);
	for (const manifest of dir) {
		try {
			cachedVersion = (JSON.parse(await readFile(manifest, "utf8")) as { version: string }).version;
			return cachedVersion;
		} catch {
			// Not installed at this level; try the next.
		}
	}
	throw new EngineError("NATIVE_UNAVAILABLE", "cannot find node-llama-cpp's package.json");
}
