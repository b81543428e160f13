/**
 * Where the training pipeline gets hidden states from. An interface rather than the engine itself, so
 * that the pipeline stays pure (tests drive it with a fake) and any runtime that can read a model's
 * residual stream can feed it.
 */
import type { PositionSpec } from "../positions";
import type { WeightedVector } from "../vector";

export interface TextToCapture {
	readonly text: string;
	/** Shared beginning of `text`; the suffix positions are the tokens after it. */
	readonly prompt?: string;
}

export interface CapturedLayerRows {
	readonly layer: number;
	/** The kept rows, row-major rows × nEmbd: one row when the positions ask for the mean. */
	readonly hidden: Float32Array;
}

export interface HiddenStateCaptureOptions {
	/** llama.cpp block indices whose outputs to read. */
	readonly layers: readonly number[];
	readonly positions: PositionSpec;
	readonly signal?: AbortSignal;
	/** Called as each text is done, with (texts done, texts in this call). */
	readonly onItem?: (done: number, total: number) => void;
}

export interface HiddenStateSource {
	/** Per text (in order), per requested layer (in order), the rows at the kept positions. */
	capture(items: readonly TextToCapture[], options: HiddenStateCaptureOptions): Promise<CapturedLayerRows[][]>;
}

/**
 * A source that also reads how likely a text is, as it reads the text for capture (the same tokens,
 * chat markup read the same way): what calibration compares steering profiles by (calibrateVector).
 */
export interface TokenLogProbSource {
	/**
	 * Per text (in order), the natural-log probability of each token after `prompt` (after the first
	 * token when there is no prompt), under the model steered by `steering` (unsteered when empty).
	 */
	suffixLogProbs(
		items: readonly TextToCapture[],
		options: { readonly steering: readonly WeightedVector[]; readonly signal?: AbortSignal }
	): Promise<Float32Array[]>;
}
