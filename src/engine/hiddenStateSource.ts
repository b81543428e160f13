/**
 * The engine as a HiddenStateSource for the training pipeline: one capture request per batch, rows
 * streamed back item by item (so progress moves while a batch runs), cancellable through the signal.
 */
import type {
	CapturedLayerRows,
	HiddenStateCaptureOptions,
	HiddenStateSource,
	TextToCapture
} from "../steering/pipeline/hiddenStateSource";
import type { EngineClient } from "./client";

/** `specialTokens`: the texts carry chat-template markup to be read as special tokens. */
export function engineHiddenStateSource(
	engine: EngineClient,
	{ specialTokens }: { specialTokens?: boolean } = {}
): HiddenStateSource {
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
		}
	};
}
