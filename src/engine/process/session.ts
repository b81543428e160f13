/**
 * One loaded model and everything the engine does with it: node-llama-cpp's own context for
 * generation, Steer's private capture context for hidden states, and the steering applied to each.
 *
 * All model work runs one operation at a time (`exclusive`): llama.cpp's control vector may only
 * change while no decode runs, and a single queue keeps results attached to the request that asked.
 */
import type { LlamaModel } from "node-llama-cpp";
import { createChatFormatter } from "./chatFormatter";
import { buildControlVectorBuffer, type ControlVectorBuffer } from "../controlVectorBuffer";
import { EngineError } from "../errors";
import { steeringIgnoredMessage } from "../steeringProbe";
import type {
	ChatMessage,
	CaptureParams,
	CapturedItem,
	GenerateParams,
	GenerateResult,
	LoadModelParams,
	ModelInfo,
	NextTokenParams,
	NextTokenResult,
	SteeringEntry,
	SteeringState,
	TokenProjectionsParams,
	TokenProjectionsResult
} from "../protocol";
import type { Log } from "./backend";
import { HiddenStateCapture } from "./capture";
import { createDisposing, type DisposalStack } from "./disposalStack";
import { Generation } from "./generation";
import { loadModel, type LoadedModel } from "./modelLoader";
import { Tokenizer } from "./tokenizer";

export class ModelSession {
	private queue: Promise<unknown> = Promise.resolve();
	private sessionSteering: readonly SteeringEntry[] = [];
	private disposed = false;
	/** Set once a probe has shown that this model's graph applies control vectors. */
	private steeringApplies = false;
	readonly info: ModelInfo;
	private readonly model: LlamaModel;
	private readonly tokenizer: Tokenizer;
	private readonly hiddenStates: HiddenStateCapture;
	private readonly generation: Generation;

	private constructor(
		loaded: LoadedModel,
		private readonly resources: DisposalStack,
		log: Log
	) {
		this.info = loaded.info;
		this.model = loaded.model;
		this.tokenizer = new Tokenizer(loaded.model, loaded.bridge, log);
		this.hiddenStates = new HiddenStateCapture(loaded.info, loaded.captureContext, this.tokenizer);
		this.generation = new Generation(loaded, this.tokenizer, this.hiddenStates);
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
			await this.checkSteeringApplies(entries);
			this.sessionSteering = entries;
			return { active: buffer !== null, layers: buffer?.layers ?? [] };
		});
	}

	/**
	 * A silent no-op is an error: the first time steering is switched on for this model, one probe
	 * token checks that the steered layer really moves (see HiddenStateCapture.probeSteering).
	 */
	private async checkSteeringApplies(entries: readonly SteeringEntry[]): Promise<void> {
		if (this.steeringApplies) return;
		const probe = await this.hiddenStates.probeSteering(entries, new AbortController().signal);
		if (probe === undefined) return;
		const ignored = steeringIgnoredMessage(probe, this.info.architecture);
		if (ignored) throw new EngineError("STEERING_IGNORED", ignored);
		this.steeringApplies = true;
	}

	steeringState(): SteeringState {
		const buffer = this.buffer(this.sessionSteering);
		return { active: buffer !== null, layers: buffer?.layers ?? [] };
	}

	private buffer(entries: readonly SteeringEntry[]): ControlVectorBuffer | null {
		return buildControlVectorBuffer(entries, this.info.nLayer, this.info.nEmbd);
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
		return this.exclusive(() => this.generation.tokenProjections(params, signal), signal);
	}

	nextTokenProbabilities(params: NextTokenParams, signal: AbortSignal): Promise<NextTokenResult> {
		return this.exclusive(() => this.generation.nextTokenProbabilities(params, signal), signal);
	}

	/** Generates with the request's steering, or the session's when the request names none. */
	generate(params: GenerateParams, signal: AbortSignal, onText: (text: string) => void): Promise<GenerateResult> {
		return this.exclusive(async () => {
			if (params.steering !== undefined) await this.checkSteeringApplies(params.steering);
			return this.generation.generate(params, this.sessionSteering, signal, onText);
		}, signal);
	}

	async dispose(): Promise<void> {
		await this.queue;
		if (this.disposed) return;
		this.disposed = true;
		// Only after the queue has drained: the stack frees the model even when freeing the capture
		// context fails, and that fails only while a capture runs, which must not lose its model.
		await this.resources.dispose();
	}
}
