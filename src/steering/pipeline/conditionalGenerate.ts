/**
 * CAST at generation time: read the prompt once, decide which behaviours its content calls for, and
 * generate with exactly those vectors.
 *
 * The prompt is read as the mean over its tokens at every layer any condition checks (IBM's
 * activation-steering reads the mean too), in one capture. Conditions are evaluated before any
 * behaviour is applied, so a behaviour vector never influences whether it is switched on.
 */
import { conditionHolds, conditionSimilarity, type ConditionCheck } from "../conditions/similarity";
import { activeBehaviors, type SteeringRule } from "../conditions/rules";
import type { SteeringVector, WeightedVector } from "../vector";
import type { HiddenStateSource } from "./hiddenStateSource";
import type { GenerationRequest, SteerableModel } from "./steerableModel";

export interface SteeringCondition {
	readonly vector: SteeringVector;
	readonly check: ConditionCheck;
}

export interface ConditionalGenerateOptions extends Omit<GenerationRequest, "steering"> {
	/** C1, C2, … in the rules. */
	readonly conditions: readonly SteeringCondition[];
	/** B1, B2, … in the rules. */
	readonly behaviors: readonly WeightedVector[];
	readonly rules: readonly SteeringRule[];
	readonly signal?: AbortSignal;
}

export interface ConditionalGenerateResult {
	readonly text: string;
	/** Whether each condition held, in order. */
	readonly conditionResults: readonly boolean[];
	/** Per condition, per checked layer, the prompt's similarity (for display). */
	readonly similarities: readonly { layer: number; similarity: number }[][];
	/** 1-based behaviours that were applied. */
	readonly activeBehaviors: readonly number[];
}

export async function conditionalGenerate(
	model: SteerableModel,
	source: HiddenStateSource,
	options: ConditionalGenerateOptions
): Promise<ConditionalGenerateResult> {
	const { conditions, behaviors, rules, signal, ...generation } = options;
	const layers = [...new Set(conditions.flatMap((condition) => condition.check.layers))].sort((a, b) => a - b);
	let hiddenByLayer = new Map<number, Float32Array>();
	if (layers.length > 0) {
		const [captured] = await source.capture([{ text: generation.prompt }], {
			layers,
			positions: { select: "all", mean: true },
			signal
		});
		hiddenByLayer = new Map((captured ?? []).map(({ layer, hidden }) => [layer, hidden]));
	}
	const conditionResults = conditions.map((condition) =>
		conditionHolds(hiddenByLayer, condition.vector, condition.check)
	);
	const similarities = conditions.map((condition) =>
		condition.check.layers.map((layer) => ({
			layer,
			similarity: conditionSimilarity(
				hiddenByLayer.get(layer) as Float32Array,
				condition.vector.directions.get(layer) as Float32Array,
				condition.check.squash
			)
		}))
	);
	const active = activeBehaviors(rules, conditionResults, behaviors.length);
	const text = await model.generate(
		{ ...generation, steering: active.map((behavior) => behaviors[behavior - 1]) },
		signal
	);
	return { text, conditionResults, similarities, activeBehaviors: active };
}
