/**
 * What evaluating a steering vector needs from a model: steered generation, and the unsteered
 * log-probabilities of a text's tokens (for perplexity and for the self-judge's answers). An interface
 * for the same reason as HiddenStateSource: the pipeline stays pure.
 */
import type { SteeringPlacement } from "../placement";
import type { WeightedVector } from "../vector";

export interface GenerationRequest {
	readonly prompt: string;
	readonly maxTokens: number;
	/** 0 = greedy. */
	readonly temperature: number;
	readonly topP?: number;
	readonly seed: number;
	readonly stop?: readonly string[];
	/** Vectors to add for this request only; `[]` generates unsteered. */
	readonly steering: readonly WeightedVector[];
	/** Where in the sequence the vectors act; every position when omitted. */
	readonly placement?: SteeringPlacement;
}

export interface SteerableModel {
	/** The generated continuation (without the prompt). */
	generate(request: GenerationRequest, signal?: AbortSignal): Promise<string>;
	/**
	 * Natural-log probability of each token of `continuation` given `prompt` before it: unsteered, which is
	 * how finished texts are judged (a vector cannot flatter its own output), unless `steering` is given,
	 * as the KL divergence of a steered model from the unsteered one needs (calibrateStrength).
	 */
	continuationLogProbs(
		prompt: string,
		continuation: string,
		signal?: AbortSignal,
		options?: { readonly steering?: readonly WeightedVector[] }
	): Promise<Float32Array>;
}
