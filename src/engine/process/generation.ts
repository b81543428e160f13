/**
 * What the model says next: steered completion on node-llama-cpp's own context (stop sequences,
 * special-token end markers, stop reasons), and read-outs of its predictions and hidden states
 * for one text (next-token probabilities, per-token projections) on the capture context.
 */
import type { LlamaCompletion, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { EngineError } from "../errors";
import { suffixStart } from "../positions";
import type {
	GenerateParams,
	GenerateResult,
	GenerateStopReason,
	ModelInfo,
	NextTokenParams,
	NextTokenResult,
	SteeringEntry,
	TokenProjectionsParams,
	TokenProjectionsResult
} from "../protocol";
import { generationStops, type GenerationStops, type SpecialTokenInfo } from "../specialTokens";
import { StopSequenceStream } from "../stopSequences";
import { everyPosition, segmentAt, type SteeringSegment, steeringSegments } from "../placedSteering";
import { AppliedSteering } from "./appliedSteering";
import { chatPrompt } from "./chatFormatter";
import type { HiddenStateCapture } from "./capture";
import type { LoadedModel } from "./modelLoader";
import { sequenceIdOf } from "./nativeBridge";
import { IncrementalDetokenizer, type Tokenizer } from "./tokenizer";

/** What `generate` hands the paths that produce tokens one by one (the loop and placed steering). */
interface TokenByTokenOptions {
	readonly maxTokens: number;
	readonly temperature: number;
	readonly topP?: number;
	readonly topK?: number;
	readonly seed?: number;
	readonly signal: AbortSignal;
	readonly onToken: (chunk: unknown[]) => void;
}

export class Generation {
	private readonly info: ModelInfo;
	private readonly model: LlamaModel;
	private readonly sequence: LlamaContextSequence;
	private readonly completion: LlamaCompletion;
	private readonly stops: GenerationStops;
	private readonly steering: AppliedSteering;
	private readonly bridge: LoadedModel["bridge"];
	/**
	 * The tokens whose KV cells Steer's generation loop left in the sequence, so the next prompt that
	 * starts the same way evaluates only what differs (as LlamaCompletion reuses its prefix).
	 * node-llama-cpp does not know of these cells; `releaseLoopCells` drops them before it evaluates.
	 */
	private loopCells: readonly number[] = [];
	/** A failed loop may have written cells past `loopCells`. */
	private loopCellsUnknown = false;
	private readonly sequenceId: number;

	constructor(
		loaded: LoadedModel,
		private readonly tokenizer: Tokenizer,
		private readonly hiddenStates: HiddenStateCapture
	) {
		this.info = loaded.info;
		this.model = loaded.model;
		this.sequence = loaded.sequence;
		this.completion = loaded.completion;
		this.stops = modelGenerationStops(loaded.model);
		this.bridge = loaded.bridge;
		this.sequenceId = sequenceIdOf(loaded.sequence);
		this.steering = new AppliedSteering(loaded.info, (buffer) => loaded.bridge.setControlVector(buffer));
	}

	/** Applies steering to node-llama-cpp's context, dropping KV state computed under other steering. */
	private async applySteering(entries: readonly SteeringEntry[]): Promise<void> {
		if (this.steering.update(entries)) {
			await this.sequence.clearHistory();
			this.releaseLoopCells();
		}
	}

	/** Drops the cells the generation loop wrote, so node-llama-cpp finds the sequence as it left it. */
	private releaseLoopCells(): void {
		if (this.loopCells.length === 0 && !this.loopCellsUnknown) return;
		this.bridge.clearSequence(this.sequenceId);
		this.loopCells = [];
		this.loopCellsUnknown = false;
	}

	/**
	 * Generates from the prompt on node-llama-cpp's own context: with Steer's generation loop (see
	 * `generateWithLoop`) when the prompt and the tokens asked for fit in the context, else with
	 * node-llama-cpp's LlamaCompletion, which shifts the context when it fills; fill-in-the-middle and
	 * steering placed by position use node-llama-cpp too. The prompt is tokenized by Steer (see
	 * `Tokenizer.tokenizeText`) and stop sequences are matched here on the text stream: handing strings
	 * to node-llama-cpp would tokenize them with a tokenizer that aborts the process on characters some
	 * vocabularies lack (a newline for TinyStories).
	 */
	async generate(
		params: GenerateParams,
		sessionSteering: readonly SteeringEntry[],
		signal: AbortSignal,
		onText: (text: string) => void
	): Promise<GenerateResult> {
		if (typeof params.prompt !== "string") throw new EngineError("BAD_REQUEST", "prompt must be a string");
		const maxTokens = params.maxTokens ?? 128;
		if (!Number.isInteger(maxTokens) || maxTokens < 1)
			throw new EngineError("BAD_REQUEST", `maxTokens must be a whole number ≥ 1, got ${maxTokens}`);
		const stops = (params.stop ?? []).filter((stop) => typeof stop === "string" && stop.length > 0);
		if (
			params.chat !== undefined &&
			(typeof params.chat !== "object" ||
				params.chat === null ||
				(params.chat.system !== undefined && typeof params.chat.system !== "string"))
		)
			throw new EngineError("BAD_REQUEST", "chat must be an object with an optional system message string");
		if (params.chat !== undefined && params.suffix !== undefined && params.suffix.length > 0)
			throw new EngineError("BAD_REQUEST", "chat mode answers a message; it cannot fill text before a suffix");
		const chat =
			params.chat === undefined ? undefined : await chatPrompt(this.model, params.prompt, params.chat.system);
		const entries = params.steering ?? sessionSteering;
		// LlamaCompletion prepends BOS itself to token input. A chat prompt's markup is special tokens.
		const promptText = chat?.text ?? params.prompt;
		const promptTokens = this.tokenizer.tokenizeText(promptText, chat !== undefined);
		// What the model's context holds for the prompt: BOS where the model uses one, then the prompt.
		const sequenceTokens = this.tokenizer.tokenizeWithBos(promptText, chat !== undefined);
		const infillRequested =
			params.suffix !== undefined && params.suffix.length > 0 && this.completion.infillSupported;
		const segments = everyPosition(entries)
			? undefined
			: steeringSegments(entries, this.info.nLayer, this.info.nEmbd, sequenceTokens.length);
		if (segments && infillRequested)
			throw new EngineError(
				"BAD_REQUEST",
				"steering placed at some positions cannot fill text before a suffix; steer every position for fill-in-the-middle"
			);
		if (!segments) await this.applySteering(entries);
		const useLoop = !segments && !infillRequested && sequenceTokens.length + maxTokens <= this.info.contextSize;
		if (!useLoop) this.releaseLoopCells();
		const tokens: number[] = [];
		// Special-token text the model spells out ends the generation like a stop sequence (see specialTokens.ts).
		const stream = new StopSequenceStream([...stops, ...this.stops.stopTexts], onText);
		const text = new IncrementalDetokenizer(this.model, promptTokens);
		const generation = new AbortController();
		const forwardAbort = () => generation.abort();
		signal.addEventListener("abort", forwardAbort);
		const started = performance.now();
		try {
			const infill = infillRequested;
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
					// The loop may have sampled a token or two more before it saw the stop.
					if (generation.signal.aborted) return;
					tokens.push(...(chunk as number[]));
					if (stream.push(text.push(chunk as number[]))) generation.abort();
				}
			};
			const generated: { metadata: { stopReason?: string }; cachedPromptTokens?: number } = segments
				? await this.generatePlaced(sequenceTokens, segments, options)
				: useLoop
					? await this.generateWithLoop(sequenceTokens, options)
					: infill
						? await this.completion.generateInfillCompletionWithMeta(
								promptTokens as never,
								this.tokenizer.tokenizeText(params.suffix!) as never,
								options as never
							)
						: await this.completion.generateCompletionWithMeta(promptTokens as never, options as never);
			if (signal.aborted) throw new EngineError("CANCELLED", "generation cancelled");
			const { metadata, cachedPromptTokens } = generated;
			const seconds = (performance.now() - started) / 1000;
			return {
				text: stream.finish(text.flush()),
				tokens,
				tokensPerSecond: seconds > 0 ? tokens.length / seconds : 0,
				promptTokens: sequenceTokens.length,
				stopReason: stopReasonOf(stream, stops, metadata.stopReason),
				infill,
				...(cachedPromptTokens === undefined ? {} : { cachedPromptTokens }),
				...(chat === undefined ? {} : { chatTemplate: chat.wrapper })
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
	}

	/**
	 * Steer's generation loop (src/engine/native/generation_worker.h): one decode and one sampler pass
	 * per token on a worker thread, tokens streamed to `onToken`, where node-llama-cpp crosses threads
	 * twice per token. Sampling is node-llama-cpp's chain with node-llama-cpp's defaults (top-k 40,
	 * top-p 0.95, a seed from the clock when none is given), so both paths give the same tokens. Two
	 * differences remain, both in the loop's favour: a prompt longer than nine tenths of the context
	 * is kept whole (LlamaCompletion cuts it to make room), and maxTokens is exact (LlamaCompletion may
	 * take one more token to finish a character).
	 */
	private async generateWithLoop(
		sequenceTokens: readonly number[],
		options: TokenByTokenOptions
	): Promise<{ metadata: { stopReason: string }; cachedPromptTokens: number }> {
		// Cells node-llama-cpp wrote (a fill-in-the-middle run) are not in `loopCells`.
		if (this.sequence.contextTokens.length > 0) await this.sequence.clearHistory();
		const keep = this.loopCellsUnknown
			? 0
			: Math.min(suffixStart(sequenceTokens, this.loopCells), sequenceTokens.length - 1);
		const run = this.bridge.generate(
			sequenceTokens,
			{
				sequenceId: this.sequenceId,
				keep,
				maxTokens: options.maxTokens,
				temperature: options.temperature,
				topK: options.topK ?? 40,
				topP: options.topP ?? 0.95,
				// As node-llama-cpp resolves it (then taken modulo 2^32).
				seed: Math.max(0, Math.floor(options.seed ?? Date.now() / 1000)) >>> 0,
				threads: this.info.threads,
				stopTokens: Int32Array.from(this.stops.stopTokens)
			},
			(chunk) => options.onToken(Array.from(chunk))
		);
		const cancel = () => run.cancel();
		options.signal.addEventListener("abort", cancel);
		if (options.signal.aborted) run.cancel();
		this.loopCells = [];
		this.loopCellsUnknown = true;
		try {
			const result = await run.result;
			this.loopCells = [...sequenceTokens, ...result.tokens].slice(0, result.evaluated);
			this.loopCellsUnknown = false;
			return {
				metadata: { stopReason: result.stopReason === "eogToken" ? "eogToken" : "maxTokens" },
				cachedPromptTokens: result.reused
			};
		} finally {
			options.signal.removeEventListener("abort", cancel);
		}
	}

	/**
	 * Generation with steering placed by position (see placedSteering.ts): node-llama-cpp's sequence is
	 * driven token by token, because LlamaCompletion evaluates the prompt in one go and reports tokens
	 * late (it holds back partial characters), while the control vector must change exactly between
	 * two evaluations. The sequence's evaluate() decodes the next token only when asked for it, so
	 * switching the vector before asking is exact. Sampling options are node-llama-cpp's, as for
	 * LlamaCompletion; the KV cache is cleared before and after, since it mixes steerings.
	 */
	private async generatePlaced(
		sequenceTokens: readonly number[],
		segments: readonly SteeringSegment[],
		options: TokenByTokenOptions
	): Promise<{ metadata: { stopReason: string } }> {
		const promptLength = sequenceTokens.length;
		await this.sequence.clearHistory();
		this.steering.forget();
		let applied: SteeringSegment | undefined;
		const steerFrom = (position: number) => {
			const segment = segmentAt(segments, position);
			if (segment !== applied) this.bridge.setControlVector(segment.buffer);
			applied = segment;
		};
		try {
			// The prompt in pieces, one per segment; the last piece is evaluated by the generator.
			let position = 0;
			for (const { from } of segments) {
				if (from <= position || from >= promptLength) continue;
				steerFrom(position);
				await this.sequence.evaluateWithoutGeneratingNewTokens(sequenceTokens.slice(position, from) as never);
				position = from;
			}
			steerFrom(position);
			const sampling = {
				temperature: options.temperature,
				topP: options.topP,
				topK: options.topK,
				seed: options.seed
			};
			const iterator = this.sequence.evaluate(sequenceTokens.slice(position) as never, {
				...Object.fromEntries(Object.entries(sampling).filter(([, value]) => value !== undefined)),
				yieldEogToken: true
			});
			let generated = 0;
			let stopReason = "maxTokens";
			try {
				while (generated < options.maxTokens && !options.signal.aborted) {
					const next = await iterator.next();
					if (next.done) {
						stopReason = "eogToken";
						break;
					}
					const token = next.value as number;
					if (this.model.isEogToken(token as never) || this.stops.stopTokens.includes(token)) {
						stopReason = "eogToken";
						break;
					}
					options.onToken([token]);
					generated++;
					// The token just sampled is evaluated at this position when the next one is asked for.
					steerFrom(promptLength + generated - 1);
				}
			} finally {
				await iterator.return(undefined);
			}
			return { metadata: { stopReason } };
		} finally {
			await this.sequence.clearHistory();
		}
	}

	/**
	 * The probability of each candidate continuing the text: the product of its tokens' probabilities.
	 * Tokens are read off the tokenization of text + candidate after the longest common prefix with the
	 * text's own tokens, because tokenizers merge across the boundary (" Yes" alone starts with a word
	 * prefix it never has in context; some vocabularies even fold the text's last space into a token).
	 */
	async nextTokenProbabilities(params: NextTokenParams, signal: AbortSignal): Promise<NextTokenResult> {
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
	}

	async tokenProjections(params: TokenProjectionsParams, signal: AbortSignal): Promise<TokenProjectionsResult> {
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
	const stops = generationStops(specials);
	return { ...stops, stopTokens: [...stops.stopTokens, ...extraCompletionEndTokens(model)] };
}

/**
 * Tokens node-llama-cpp's LlamaCompletion also ends a completion at (its getExtraCompletionEosTokens):
 * Gemma and Gemma 2 write a code completion's end as `<|file_separator|>` or `<|fim_prefix|>`, which
 * their vocabularies do not mark as end of generation. Steer's generation loop stops there too.
 */
function extraCompletionEndTokens(model: LlamaModel): number[] {
	const architecture = (model.fileInfo.metadata as { general?: { architecture?: string } }).general?.architecture;
	if (architecture !== "gemma" && architecture !== "gemma2") return [];
	const ends: number[] = [];
	for (const token of model.iterateAllTokens()) {
		const text = model.detokenize([token], true);
		if (text === "<|file_separator|>" || text === "<|fim_prefix|>") ends.push(token as number);
		if (ends.length === 2) break;
	}
	return ends;
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
