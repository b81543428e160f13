/**
 * One loaded model and everything the engine does with it: node-llama-cpp's own context for
 * generation, Steer's private capture context for hidden states, and the steering applied to each.
 *
 * All model work runs one operation at a time (`exclusive`): llama.cpp's control vector may only
 * change while no decode runs, and a single queue keeps results attached to the request that asked.
 */
import type { LlamaCompletion, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { createChatFormatter } from "./chatFormatter";
import { buildControlVectorBuffer, type ControlVectorBuffer } from "../controlVectorBuffer";
import { EngineError } from "../errors";
import { suffixStart } from "../positions";
import { generationStops, type GenerationStops, type SpecialTokenInfo } from "../specialTokens";
import { StopSequenceStream } from "../stopSequences";
import type {
	ChatMessage,
	CaptureParams,
	CapturedItem,
	GenerateParams,
	GenerateResult,
	GenerateStopReason,
	LoadModelParams,
	ModelInfo,
	NextTokenParams,
	NextTokenResult,
	SteeringEntry,
	SteeringState,
	TokenProjectionsParams,
	TokenProjectionsResult
} from "../protocol";
import { AppliedSteering } from "./appliedSteering";
import type { Log } from "./backend";
import { HiddenStateCapture } from "./capture";
import { createDisposing, type DisposalStack } from "./disposalStack";
import { loadModel, type LoadedModel } from "./modelLoader";
import type { NativeBridge } from "./nativeBridge";
import { IncrementalDetokenizer, Tokenizer } from "./tokenizer";

export class ModelSession {
	private queue: Promise<unknown> = Promise.resolve();
	private sessionSteering: readonly SteeringEntry[] = [];
	private disposed = false;
	private readonly stops: GenerationStops;
	private readonly tokenizer: Tokenizer;
	private readonly hiddenStates: HiddenStateCapture;
	private readonly generationSteering: AppliedSteering;

	private readonly model: LlamaModel;
	private readonly sequence: LlamaContextSequence;
	private readonly completion: LlamaCompletion;
	private readonly bridge: NativeBridge;
	readonly info: ModelInfo;

	private constructor(
		loaded: LoadedModel,
		private readonly resources: DisposalStack,
		log: Log
	) {
		this.info = loaded.info;
		this.model = loaded.model;
		this.sequence = loaded.sequence;
		this.completion = loaded.completion;
		this.bridge = loaded.bridge;
		this.stops = modelGenerationStops(this.model);
		this.tokenizer = new Tokenizer(this.model, this.bridge, log);
		this.hiddenStates = new HiddenStateCapture(this.info, loaded.captureContext, this.tokenizer);
		this.generationSteering = new AppliedSteering(this.info, (buffer) => this.bridge.setControlVector(buffer));
	}

	static load(params: LoadModelParams, steerRoot: string, log: Log): Promise<ModelSession> {
		return createDisposing(
			async (resources) => new ModelSession(await loadModel(params, steerRoot, log, resources), resources, log)
		);
	}

	/** Runs `operation` after every earlier one; skipped when `signal` was aborted while it waited. */
	private exclusive<T>(operation: () => Promise<T>, signal?: AbortSignal): Promise<T> {
		const run = this.queue.then(() => {
			if (this.disposed) throw new EngineError("NO_MODEL", "the model was unloaded");
			if (signal?.aborted) throw new EngineError("CANCELLED", "cancelled before it started");
			return operation();
		});
		this.queue = run.catch(() => undefined);
		return run;
	}

	/** Validates and stores the session's steering; it takes effect at the next operation. */
	setSteering(entries: readonly SteeringEntry[]): Promise<SteeringState> {
		return this.exclusive(async () => {
			const buffer = this.buffer(entries);
			this.sessionSteering = entries;
			return { active: buffer !== null, layers: buffer?.layers ?? [] };
		});
	}

	steeringState(): SteeringState {
		const buffer = this.buffer(this.sessionSteering);
		return { active: buffer !== null, layers: buffer?.layers ?? [] };
	}

	private buffer(entries: readonly SteeringEntry[]): ControlVectorBuffer | null {
		return buildControlVectorBuffer(entries, this.info.nLayer, this.info.nEmbd);
	}

	/** Applies steering to node-llama-cpp's context, dropping KV state computed under other steering. */
	private async applyGenerationSteering(entries: readonly SteeringEntry[]): Promise<void> {
		if (this.generationSteering.update(entries)) await this.sequence.clearHistory();
	}

	/**
	 * Renders conversations in this model's own chat template, through the chat wrapper node-llama-cpp
	 * resolves for it, so a chat model is steered on text shaped like its real prompts. The texts
	 * contain special-token markup: capture them with `specialTokens: true`.
	 */
	async formatChats(
		conversations: readonly (readonly ChatMessage[])[]
	): Promise<{ texts: string[]; wrapper: string }> {
		const { resolveChatWrapper } = await import("node-llama-cpp");
		const wrapper = resolveChatWrapper(this.model);
		const format = createChatFormatter(wrapper);
		return { texts: conversations.map(format), wrapper: wrapper.wrapperName };
	}

	tokenizeWithBos(text: string, specialTokens = false): number[] {
		return this.tokenizer.tokenizeWithBos(text, specialTokens);
	}

	pieces(tokens: readonly number[]): string[] {
		return this.tokenizer.pieces(tokens);
	}

	capture(
		params: CaptureParams,
		signal: AbortSignal,
		onItem: (item: CapturedItem, done: number, total: number) => void
	): Promise<{ items: number }> {
		return this.exclusive(() => this.hiddenStates.capture(params, signal, onItem), signal);
	}

	tokenProjections(params: TokenProjectionsParams, signal: AbortSignal): Promise<TokenProjectionsResult> {
		return this.exclusive(async () => {
			const [layer] = this.hiddenStates.checkLayers([params.layer]);
			if (!(params.vector instanceof Float32Array) || params.vector.length !== this.info.nEmbd)
				throw new EngineError(
					"SHAPE_MISMATCH",
					`the vector has ${params.vector?.length} values, but the model's hidden state is ${this.info.nEmbd} wide`
				);
			this.hiddenStates.applySteering(params.steering);
			const tokens = this.tokenizer.tokenizeWithBos(params.text);
			const result = await this.hiddenStates.run(
				tokens,
				{ layers: Int32Array.of(layer!), start: 0, end: tokens.length, mean: false },
				signal
			);
			const hidden = result.layers[0]!;
			const nEmbd = this.info.nEmbd;
			const scores = tokens.map((_, row) => {
				let sum = 0;
				for (let i = 0; i < nEmbd; i++) sum += hidden[row * nEmbd + i]! * params.vector[i]!;
				return sum;
			});
			return { tokens, pieces: this.tokenizer.pieces(tokens), scores };
		}, signal);
	}

	/**
	 * The probability of each candidate continuing the text: the product of its tokens' probabilities.
	 * Tokens are read off the tokenization of text + candidate after the longest common prefix with the
	 * text's own tokens, because tokenizers merge across the boundary (" Yes" alone starts with a word
	 * prefix it never has in context; some vocabularies even fold the text's last space into a token).
	 */
	nextTokenProbabilities(params: NextTokenParams, signal: AbortSignal): Promise<NextTokenResult> {
		return this.exclusive(async () => {
			this.hiddenStates.applySteering(params.steering);
			const textTokens = this.tokenizer.tokenizeWithBos(params.text);
			const tokens: number[] = [];
			const probabilities: number[] = [];
			for (const candidate of params.candidates) {
				const full = this.tokenizer.tokenizeWithBos(params.text + candidate);
				const first = Math.max(1, suffixStart(full, textTokens));
				if (first >= full.length)
					throw new EngineError(
						"BAD_REQUEST",
						`candidate ${JSON.stringify(candidate)} adds no tokens to the text`
					);
				const result = await this.hiddenStates.run(
					full,
					{
						layers: new Int32Array(0),
						start: full.length - 1,
						end: full.length,
						mean: false,
						tokenLogProbs: true
					},
					signal
				);
				const logProbs = result.tokenLogProbs!;
				let sum = 0;
				// logProbs[i] = log p(full[i + 1] | full[..i]).
				for (let i = first - 1; i < full.length - 1; i++) sum += logProbs[i]!;
				tokens.push(full[first]!);
				probabilities.push(Math.exp(sum));
			}
			return { tokens, probabilities };
		}, signal);
	}

	/**
	 * Generates from the prompt with node-llama-cpp's LlamaCompletion on its own context. The prompt is
	 * tokenized by Steer (see `tokenizeText`) and stop sequences are matched here on the text stream:
	 * handing strings to node-llama-cpp would tokenize them with a tokenizer that aborts the process on
	 * characters some vocabularies lack (a newline for TinyStories).
	 */
	generate(params: GenerateParams, signal: AbortSignal, onText: (text: string) => void): Promise<GenerateResult> {
		return this.exclusive(async () => {
			if (typeof params.prompt !== "string") throw new EngineError("BAD_REQUEST", "prompt must be a string");
			const maxTokens = params.maxTokens ?? 128;
			if (!Number.isInteger(maxTokens) || maxTokens < 1)
				throw new EngineError("BAD_REQUEST", `maxTokens must be a whole number ≥ 1, got ${maxTokens}`);
			const stops = (params.stop ?? []).filter((stop) => typeof stop === "string" && stop.length > 0);
			await this.applyGenerationSteering(params.steering ?? this.sessionSteering);
			// LlamaCompletion prepends BOS itself to token input.
			const promptTokens = this.tokenizer.tokenizeText(params.prompt);
			const tokens: number[] = [];
			// Special-token text the model spells out ends the generation like a stop sequence (see specialTokens.ts).
			const stream = new StopSequenceStream([...stops, ...this.stops.stopTexts], onText);
			const text = new IncrementalDetokenizer(this.model, promptTokens);
			const generation = new AbortController();
			const forwardAbort = () => generation.abort();
			signal.addEventListener("abort", forwardAbort);
			const started = performance.now();
			try {
				const infill =
					params.suffix !== undefined && params.suffix.length > 0 && this.completion.infillSupported;
				const options = {
					maxTokens,
					temperature: params.temperature ?? 0,
					topP: params.topP,
					topK: params.topK,
					seed: params.seed,
					signal: generation.signal,
					stopOnAbortSignal: true,
					customStopTriggers:
						this.stops.stopTokens.length > 0 ? this.stops.stopTokens.map((token) => [token]) : undefined,
					onToken: (chunk: unknown[]) => {
						tokens.push(...(chunk as number[]));
						if (stream.push(text.push(chunk as number[]))) generation.abort();
					}
				};
				const { metadata } = infill
					? await this.completion.generateInfillCompletionWithMeta(
							promptTokens as never,
							this.tokenizer.tokenizeText(params.suffix!) as never,
							options as never
						)
					: await this.completion.generateCompletionWithMeta(promptTokens as never, options as never);
				if (signal.aborted) throw new EngineError("CANCELLED", "generation cancelled");
				const seconds = (performance.now() - started) / 1000;
				return {
					text: stream.finish(text.flush()),
					tokens,
					tokensPerSecond: seconds > 0 ? tokens.length / seconds : 0,
					promptTokens: this.tokenizer.tokenizeWithBos(params.prompt).length,
					stopReason: stopReasonOf(stream, stops, metadata.stopReason),
					infill
				};
			} catch (error) {
				if (signal.aborted) {
					// The sequence may hold a half-evaluated prompt; start clean next time.
					await this.sequence.clearHistory();
					throw new EngineError("CANCELLED", "generation cancelled");
				}
				throw error;
			} finally {
				signal.removeEventListener("abort", forwardAbort);
			}
		}, signal);
	}

	async dispose(): Promise<void> {
		await this.queue;
		if (this.disposed) return;
		this.disposed = true;
		// The queue is drained, so no capture runs: freeing the capture context cannot fail for being
		// busy, which would leave the model to be freed under a running capture.
		await this.resources.dispose();
	}
}

/** Every special token of the model (control, user-defined and end-of-generation tokens), summarized for `generationStops`. */
function modelGenerationStops(model: LlamaModel): GenerationStops {
	const specials: SpecialTokenInfo[] = [];
	for (const token of model.iterateAllTokens()) {
		const attributes = model.getTokenAttributes(token);
		const eog = model.isEogToken(token);
		if (!eog && !attributes.control && !attributes.userDefined) continue;
		specials.push({
			id: token as number,
			text: model.detokenize([token], true),
			eog,
			userDefined: attributes.userDefined && !attributes.control
		});
	}
	return generationStops(specials);
}

function stopReasonOf(
	stream: StopSequenceStream,
	stops: readonly string[],
	completionReason: string | undefined
): GenerateStopReason {
	if (stream.stopped) return stops.includes(stream.stoppedBy!) ? "stopSequence" : "eogToken";
	if (completionReason === "maxTokens") return "maxTokens";
	// "eogToken", or "customStopTrigger" for the special tokens in `stopTokens`.
	return "eogToken";
}
