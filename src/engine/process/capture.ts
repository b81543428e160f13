/**
 * Per-layer hidden states through Steer's capture context: a private llama_context on the model's
 * weights, so recording states never slows down node-llama-cpp's generation context. Steering is
 * applied to this context separately, since a capture may be steered differently from generation.
 */
import { EngineError } from "../errors";
import { resolvePositions, suffixStart } from "../positions";
import type { CaptureParams, CapturedItem, ModelInfo, SteeringEntry } from "../protocol";
import { buildControlVectorBuffer } from "../controlVectorBuffer";
import { everyPosition, steeringSegments } from "../placedSteering";
import type { SteeringProbe } from "../steeringProbe";
import { AppliedSteering } from "./appliedSteering";
import type { NativeCaptureContext, NativeCaptureRequest, NativeCaptureResult } from "./nativeAddon";
import type { Tokenizer } from "./tokenizer";

export class HiddenStateCapture {
	private readonly steering: AppliedSteering;

	constructor(
		private readonly info: ModelInfo,
		private readonly captureContext: NativeCaptureContext,
		private readonly tokenizer: Tokenizer
	) {
		this.steering = new AppliedSteering(info, (buffer) => {
			if (buffer) captureContext.setControlVector(buffer.data, buffer.layerStart, buffer.layerEnd);
			else captureContext.setControlVector(null);
		});
	}

	/**
	 * Steers the capture context at every position for the captures that follow; no steering when
	 * omitted. Placed steering needs to know where each text's prompt ends, which only `capture` does.
	 */
	applySteering(entries: readonly SteeringEntry[] | undefined): void {
		if (entries && !everyPosition(entries))
			throw new EngineError(
				"BAD_REQUEST",
				"steering placed at some positions only applies to generation and captures; use every position here"
			);
		this.steering.update(entries ?? []);
	}

	/** The layers to capture, all of them when omitted; refuses missing and repeated layers. */
	checkLayers(layers: readonly number[] | undefined): number[] {
		const all = Array.from({ length: this.info.nLayer }, (_, i) => i);
		if (layers === undefined) return all;
		for (const layer of layers)
			if (!Number.isInteger(layer) || layer < 0 || layer >= this.info.nLayer)
				throw new EngineError(
					"LAYER_OUT_OF_RANGE",
					`layer ${layer} is out of range: this model has layers 0..${this.info.nLayer - 1}`
				);
		if (new Set(layers).size !== layers.length) throw new EngineError("BAD_REQUEST", "a layer is listed twice");
		return [...layers];
	}

	/**
	 * Whether this model's graph really adds the control vector: one probe token through the capture
	 * context, unsteered and steered, read at the lowest steered layer, whose output must move by the
	 * buffer's row there (earlier layers are untouched, so the difference is that row alone). llama.cpp
	 * applies control vectors in each architecture's graph builder, and a builder without the hook
	 * ignores them silently; generation would then look steered and be plain. Leaves the capture
	 * context unsteered.
	 */
	async probeSteering(entries: readonly SteeringEntry[], signal: AbortSignal): Promise<SteeringProbe | undefined> {
		// Whether the graph adds the vector does not depend on where it is placed: probe every position.
		entries = entries.map((entry) => ({ ...entry, placement: undefined }));
		const buffer = buildControlVectorBuffer(entries, this.info.nLayer, this.info.nEmbd);
		if (buffer === null) return undefined;
		const layer = buffer.layerStart;
		const tokens = this.tokenizer.tokenizeWithBos("The");
		const request = {
			layers: Int32Array.of(layer),
			start: tokens.length - 1,
			end: tokens.length,
			mean: false
		};
		this.applySteering([]);
		const plain = (await this.run(tokens, request, signal)).layers[0]!;
		this.applySteering(entries);
		const steered = (await this.run(tokens, request, signal)).layers[0]!;
		this.applySteering([]);
		const expected = buffer.data.subarray((layer - 1) * this.info.nEmbd, layer * this.info.nEmbd);
		let expectedSquared = 0;
		let movedSquared = 0;
		for (let i = 0; i < expected.length; i++) {
			expectedSquared += expected[i]! ** 2;
			movedSquared += (steered[i]! - plain[i]!) ** 2;
		}
		return { layer, expectedNorm: Math.sqrt(expectedSquared), movedNorm: Math.sqrt(movedSquared) };
	}

	/** Runs the capture context over one token sequence, turning native cancellation into ours. */
	async run(tokens: number[], request: NativeCaptureRequest, signal: AbortSignal): Promise<NativeCaptureResult> {
		if (tokens.length > this.info.contextSize)
			throw new EngineError(
				"BAD_REQUEST",
				`the text has ${tokens.length} tokens, more than the context size ${this.info.contextSize}`
			);
		const onAbort = () => this.captureContext.cancel();
		signal.addEventListener("abort", onAbort);
		try {
			return await this.captureContext.capture(Int32Array.from(tokens), request);
		} catch (error) {
			if (signal.aborted) throw new EngineError("CANCELLED", "capture cancelled");
			throw error;
		} finally {
			signal.removeEventListener("abort", onAbort);
		}
	}

	/** Captures every item in turn, handing each to `onItem` as soon as it is done. */
	async capture(
		params: CaptureParams,
		signal: AbortSignal,
		onItem: (item: CapturedItem, done: number, total: number) => void
	): Promise<{ items: number }> {
		const layers = this.checkLayers(params.layers);
		if (!Array.isArray(params.items) || params.items.length === 0)
			throw new EngineError("BAD_REQUEST", "capture needs at least one text");
		const placed = params.steering !== undefined && !everyPosition(params.steering);
		if (!placed) this.applySteering(params.steering);
		const layerIds = Int32Array.from(layers);
		for (let index = 0; index < params.items.length; index++) {
			if (signal.aborted) throw new EngineError("CANCELLED", "capture cancelled");
			const item = params.items[index]!;
			if (typeof item.text !== "string" || item.text.length === 0)
				throw new EngineError("BAD_REQUEST", `item ${index + 1} has no text`);
			const special = params.specialTokens === true;
			const tokens = this.tokenizer.tokenizeWithBos(item.text, special);
			const promptTokens =
				item.prompt === undefined
					? undefined
					: suffixStart(tokens, this.tokenizer.tokenizeWithBos(item.prompt, special));
			const range = resolvePositions(params.positions, tokens.length, promptTokens);
			const request: NativeCaptureRequest = {
				layers: layerIds,
				start: range.start,
				end: range.end,
				mean: range.mean,
				tokenLogProbs: params.tokenLogProbs === true
			};
			if (placed) {
				// A text without a prompt is read as all prompt.
				const segments = steeringSegments(
					params.steering!,
					this.info.nLayer,
					this.info.nEmbd,
					promptTokens ?? tokens.length
				);
				if (segments.length === 0) this.applySteering([]);
				else {
					request.segments = segments.map(({ from, buffer }) => ({ from, data: buffer.data }));
					request.segmentLayers = [segments[0]!.buffer.layerStart, segments[0]!.buffer.layerEnd];
				}
			}
			let result: NativeCaptureResult;
			try {
				result = await this.run(tokens, request, signal);
			} finally {
				// The native side leaves the last segment's control vector on the context.
				if (request.segments) this.steering.forget();
			}
			onItem(
				{
					index,
					tokens,
					pieces: this.tokenizer.pieces(tokens),
					start: range.start,
					end: range.end,
					rows: range.mean ? 1 : range.end - range.start,
					layers: layers.map((layer, slot) => ({ layer, hidden: result.layers[slot]! })),
					tokenLogProbs: result.tokenLogProbs
				},
				index + 1,
				params.items.length
			);
			// Let cancel messages in between texts.
			await new Promise((resolve) => setImmediate(resolve));
		}
		return { items: params.items.length };
	}
}
