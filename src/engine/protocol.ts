/**
 * The typed protocol between a host (the extension host or the CLI) and the engine process.
 *
 * Transport: Node's IPC channel with `serialization: "advanced"`, so typed arrays and maps cross the
 * boundary without JSON encoding. Every request has an id; the engine answers with zero or more
 * `progress` messages and exactly one `result` or `error`. A `cancel` message aborts a request.
 */
import type { SteeringPlacement } from "../steering/placement";
import type { PositionSpec } from "../steering/positions";
import type { SteeringVector } from "../steering/vector";

export type GpuChoice = "auto" | "cuda" | "vulkan" | "metal" | false;

export interface LoadModelParams {
	readonly modelPath: string;
	readonly gpu?: GpuChoice;
	readonly gpuLayers?: "auto" | number;
	readonly threads?: "auto" | number;
	readonly contextSize?: number;
}

export interface ModelInfo {
	readonly modelPath: string;
	readonly architecture: string;
	readonly name?: string;
	readonly nLayer: number;
	readonly nEmbd: number;
	readonly contextLength: number;
	readonly contextSize: number;
	readonly vocabSize: number;
	readonly fileType?: number;
	readonly hasChatTemplate: boolean;
	/** The model has fill-in-the-middle tokens (prefix/suffix/middle). */
	readonly supportsInfill: boolean;
	/** "cpu", "cuda", "vulkan" or "metal". */
	readonly backend: string;
	readonly gpuLayers: number;
	readonly threads: number;
	readonly warnings: readonly string[];
}

/** Which token positions to keep (defined with the steering code, which asks for them too). */
export type { PositionSpec } from "../steering/positions";

export interface CaptureItem {
	readonly text: string;
	/** Shared prefix of `text`; required for `select: "suffix"` and for steering placed by the prompt. */
	readonly prompt?: string;
}

export interface CaptureParams {
	readonly items: readonly CaptureItem[];
	/** Layers 0..nLayer-1 to record; all when omitted. */
	readonly layers?: readonly number[];
	readonly positions: PositionSpec;
	/** Steering to apply while capturing (e.g. to see a vector's effect); none when omitted. */
	readonly steering?: readonly SteeringEntry[];
	/** Also return log p(token[i+1] | tokens[..i]) for every position. */
	readonly tokenLogProbs?: boolean;
	/**
	 * Read special-token text (e.g. `<|im_start|>` from a chat template) as the special tokens it names.
	 * Off by default, so user text that merely contains such strings is read as plain text.
	 */
	readonly specialTokens?: boolean;
}

export interface CapturedLayer {
	readonly layer: number;
	/** Row-major rows × nEmbd. */
	readonly hidden: Float32Array;
}

export interface CapturedItem {
	readonly index: number;
	readonly tokens: readonly number[];
	readonly pieces: readonly string[];
	/** Kept positions [start, end) into `tokens`; one row when `mean`. */
	readonly start: number;
	readonly end: number;
	readonly rows: number;
	readonly layers: readonly CapturedLayer[];
	readonly tokenLogProbs?: Float32Array;
}

export interface SteeringEntry {
	readonly vector: SteeringVector;
	readonly strength: number;
	readonly layerRange?: readonly [number, number];
	/**
	 * Where in the sequence the vector acts; every position when omitted. A placement other than
	 * every position needs to know where the prompt ends: generation knows it, and a capture reads it
	 * from each item's `prompt`.
	 */
	readonly placement?: SteeringPlacement;
}

export interface SteeringState {
	readonly active: boolean;
	readonly layers: readonly number[];
}

export interface GenerateParams {
	readonly prompt: string;
	/**
	 * Text after the cursor. When given and the model has fill-in-the-middle tokens, the completion is
	 * generated to fit between `prompt` and `suffix`; otherwise the suffix is ignored (see `infill` in the result).
	 */
	readonly suffix?: string;
	readonly maxTokens?: number;
	readonly temperature?: number;
	readonly topP?: number;
	readonly topK?: number;
	readonly seed?: number;
	readonly stop?: readonly string[];
	/** Steering for this request only; the session's steering when omitted, none when `[]`. */
	readonly steering?: readonly SteeringEntry[];
	/**
	 * Chat mode, for instruct models: `prompt` is the user's message, rendered with the model's own
	 * chat template (after `system` when given) and the assistant's turn left open for the answer.
	 * Without it the prompt is raw text, as inline completions want. Not combined with `suffix`.
	 */
	readonly chat?: { readonly system?: string };
}

/**
 * Why a generation ended:
 * - "eogToken": the model ended the text, with an end-of-generation token (EOS, EOT, or a special
 *   token whose text names an end, e.g. `<|im_end|>`) or by spelling a special token's text out in
 *   ordinary tokens (TinyStories writes "<|end_story|>" so). The marker is not part of `text`.
 * - "stopSequence": one of the request's `stop` strings appeared; it is not part of `text`.
 * - "maxTokens": `maxTokens` tokens were generated.
 */
export type GenerateStopReason = "eogToken" | "stopSequence" | "maxTokens";

export interface GenerateResult {
	/** The generated text. Special tokens are not rendered, and special-token text the model spells out ends it (see specialTokens.ts). */
	readonly text: string;
	/** The generated tokens: those of a stop sequence or a spelled-out end marker included, an end-of-generation token not. */
	readonly tokens: readonly number[];
	readonly tokensPerSecond: number;
	readonly promptTokens: number;
	/** In chat mode: the chat template the prompt was rendered with (node-llama-cpp's wrapper name). */
	readonly chatTemplate?: string;
	readonly stopReason: GenerateStopReason;
	/** Whether the completion was generated as fill-in-the-middle. */
	readonly infill: boolean;
	/**
	 * Prompt tokens whose KV cells were kept from the previous request (it began the same way), so they
	 * were not evaluated again. Present when Steer's generation loop generated the text; absent when
	 * node-llama-cpp's LlamaCompletion did (fill-in-the-middle, steering placed by position, and requests
	 * whose prompt and maxTokens do not fit in the context).
	 */
	readonly cachedPromptTokens?: number;
}

export interface TokenProjectionsParams {
	readonly text: string;
	readonly vector: Float32Array;
	readonly layer: number;
	readonly steering?: readonly SteeringEntry[];
}

export interface TokenProjectionsResult {
	readonly tokens: readonly number[];
	readonly pieces: readonly string[];
	readonly scores: readonly number[];
}

export interface NextTokenParams {
	readonly text: string;
	/** Candidate continuations; each one's probability of following the text is returned. */
	readonly candidates: readonly string[];
	readonly steering?: readonly SteeringEntry[];
}

export interface NextTokenResult {
	readonly probabilities: readonly number[];
	readonly tokens: readonly number[];
}

/** Every method: its parameters, its final result and the progress events it may stream. */
export interface EngineMethods {
	loadModel: { params: LoadModelParams; result: ModelInfo; progress: { loaded: number } };
	unloadModel: { params: Record<string, never>; result: { unloaded: boolean }; progress: never };
	modelInfo: { params: Record<string, never>; result: ModelInfo; progress: never };
	capture: {
		params: CaptureParams;
		result: { items: number };
		progress: { item: CapturedItem; done: number; total: number };
	};
	setSteering: { params: { entries: readonly SteeringEntry[] }; result: SteeringState; progress: never };
	clearSteering: { params: Record<string, never>; result: SteeringState; progress: never };
	generate: { params: GenerateParams; result: GenerateResult; progress: { text: string } };
	tokenProjections: { params: TokenProjectionsParams; result: TokenProjectionsResult; progress: never };
	nextTokenProbabilities: { params: NextTokenParams; result: NextTokenResult; progress: never };
	tokenize: {
		params: { text: string };
		result: { tokens: readonly number[]; pieces: readonly string[] };
		progress: never;
	};
	/**
	 * Renders conversations in the loaded model's own chat template (the chat wrapper node-llama-cpp
	 * resolves for it), each left open in the final assistant turn. The texts hold special-token markup.
	 */
	formatChats: {
		params: { conversations: readonly (readonly ChatMessage[])[] };
		result: { texts: string[]; wrapper: string };
		progress: never;
	};
	/** Test hook: aborts the process as a native crash would. */
	crash: { params: Record<string, never>; result: never; progress: never };
}

export type EngineMethod = keyof EngineMethods;
export type ParamsOf<M extends EngineMethod> = EngineMethods[M]["params"];
export type ResultOf<M extends EngineMethod> = EngineMethods[M]["result"];
export type ProgressOf<M extends EngineMethod> = EngineMethods[M]["progress"];

export type HostMessage =
	| { readonly type: "request"; readonly id: number; readonly method: EngineMethod; readonly params: unknown }
	| { readonly type: "cancel"; readonly id: number }
	| { readonly type: "shutdown" };

export interface SerializedError {
	readonly code: EngineErrorCode;
	readonly message: string;
}

export type EngineMessage =
	| { readonly type: "ready"; readonly pid: number }
	| { readonly type: "progress"; readonly id: number; readonly data: unknown }
	| { readonly type: "result"; readonly id: number; readonly result: unknown }
	| { readonly type: "error"; readonly id: number; readonly error: SerializedError }
	| { readonly type: "log"; readonly level: "debug" | "info" | "warn" | "error"; readonly message: string };

export type EngineErrorCode =
	| "BAD_REQUEST"
	| "NO_MODEL"
	| "MODEL_LOAD_FAILED"
	| "SHAPE_MISMATCH"
	| "LAYER_OUT_OF_RANGE"
	| "CANCELLED"
	| "BUSY"
	| "NATIVE_UNAVAILABLE"
	| "ENGINE_EXITED"
	/** The engine crashed too often in a short time; the client stopped restarting it until asked to. */
	| "ENGINE_CRASH_LOOP"
	/** The model's graph in this llama.cpp version ignores control vectors: steering would do nothing. */
	| "STEERING_IGNORED"
	| "INTERNAL";

/** One message of a conversation the engine renders with the model's chat template. */
export interface ChatMessage {
	readonly role: "system" | "user" | "assistant";
	readonly content: string;
}
