/**
 * The engine as a HiddenStateSource for the training pipeline: one capture request per batch, rows
 * streamed back item by item (so progress moves while a batch runs), cancellable through the signal.
 * It also reads the texts' token log-probabilities the same way (TokenLogProbSource), steered or not.
 */
import type {
	CapturedLayerRows,
	HiddenStateCaptureOptions,
	HiddenStateSource,
	TextToCapture,
	TokenLogProbSource
} from "../steering/pipeline/hiddenStateSource";
import type { WeightedVector } from "../steering/vector";
import type { EngineClient } from "./client";

/** `specialTokens`: the texts carry chat-template markup to be read as special tokens. */
export function engineHiddenStateSource(
	engine: EngineClient,
	{ specialTokens }: { specialTokens?: boolean } = {}
): HiddenStateSource & TokenLogProbSource {
	return {
		async capture(
			items: readonly TextToCapture[],
			options: HiddenStateCaptureOptions
		): Promise<CapturedLayerRows[][]> {
			const captured = await engine.capture(
				{
					items: items.map(({ text, prompt }) => (prompt === undefined ? { text } : { text, prompt })),
					layers: options.layers,
					positions: options.positions,
					steering: [],
					specialTokens: specialTokens === true
				},
				{ signal: options.signal, onProgress: ({ done, total }) => options.onItem?.(done, total) }
			);
			return captured.map((item) => item.layers.map(({ layer, hidden }) => ({ layer, hidden })));
		},
		async suffixLogProbs(
			items: readonly TextToCapture[],
			options: { readonly steering: readonly WeightedVector[]; readonly signal?: AbortSignal }
		): Promise<Float32Array[]> {
			const captured = await engine.capture(
				{
					// An empty prompt is at most the begin-of-text token: the kept tokens then start at 1 either way
					// (a mean leaves out the first token), so every token after the first is read.
					items: items.map(({ text, prompt }) => ({ text, prompt: prompt ?? "" })),
					layers: [0],
					positions: { select: "suffix", mean: true },
					tokenLogProbs: true,
					steering: options.steering,
					specialTokens: specialTokens === true
				},
				{ signal: options.signal }
			);
			// tokenLogProbs[i] is log p(token i+1 | tokens ..i), so the kept tokens [start, end) are [start-1, end-1).
			return captured.map((item) => item.tokenLogProbs!.slice(Math.max(0, item.start - 1), item.end - 1));
		}
	};
}
