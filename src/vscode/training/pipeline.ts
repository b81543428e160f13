/**
 * The one place the editor surfaces meet the training pipeline (src/steering/pipeline): training a
 * dataset through the engine, and reading back what a vector file's `steer.*` metadata says about how
 * it was made. The keys are the pipeline's own (TRAINED_VECTOR_KEYS), so a file trained from the
 * panel, the command line or anywhere else reads the same here.
 */
import {
	rawTextExampleProblem,
	rawTextProblem,
	renderExamplesAsChats,
	renderPairsAsChats,
	sharedSystemMessage,
	type ChatRenderer,
	type ContrastPair,
	type LabelledExample
} from "../../datasets";
import type { EngineClient } from "../../engine/client";
import { engineHiddenStateSource } from "../../engine/hiddenStateSource";
import { engineChatCalibration, engineSteerableModel } from "../../engine/steerableModel";
import { type GgufMetadata, metadataNumber, metadataString } from "../../steering/gguf/metadataAccess";
import {
	calibrateVector,
	isTrainedVectorMetadata,
	placementInMetadata,
	calibrationChatInMetadata,
	TRAINED_VECTOR_KEYS,
	trainFromExamples,
	trainFromPairs,
	type TrainedVector,
	type TrainFromPairsOptions
} from "../../steering/pipeline";
import type { SteeringPlacement } from "../../steering/placement";
import type { LayerDiagnostics } from "../../steering/training/diagnostics";
import { requireUnpairedMethod } from "../../steering/training/methods";
import type { LayerSummary } from "../../shared/webviewProtocol/messages";
import { UserFacingError } from "../failures";

export { saveTrainedVector, type TrainedVector } from "../../steering/pipeline";

export interface EngineTrainingOptions extends TrainFromPairsOptions {
	readonly chat: boolean;
	/**
	 * Calibrate by measurement after training (calibrateVector), reporting (generations done, at most)
	 * here; absent: the file keeps the fixed push.
	 */
	readonly onCalibrating?: (done: number, total: number) => void;
}

/**
 * Captures the dataset's pairs with the engine's hidden states and trains; the engine runs unsteered
 * for this. With `chat` (a model that has a chat template) each pair is trained as a conversation in
 * the model's own template, as an instruct model sees its prompts; without, pairs that need a template
 * are refused by name. A dataset of labelled examples without pairs is trained the same way from its
 * two classes (trainFromExamples), with the methods that need no pairs. With `onCalibrating`, the
 * trained vector is then calibrated by measurement, so that the file's 1.0 is the strength measured
 * to move the concept clearly with the text still fluent.
 */
export async function trainWithEngine(
	dataset: { readonly pairs: readonly ContrastPair[]; readonly examples?: readonly LabelledExample[] },
	client: EngineClient,
	options: EngineTrainingOptions
): Promise<TrainedVector & { readonly chatTemplate?: string }> {
	const examples = dataset.examples ?? [];
	const unpaired = examples.length > 0;
	if (unpaired) {
		try {
			requireUnpairedMethod(options.method);
		} catch (error) {
			throw new UserFacingError(`the dataset holds labelled examples without pairs: ${(error as Error).message}`);
		}
	}
	if (!options.chat) {
		const problem = unpaired ? rawTextExampleProblem(examples) : rawTextProblem(dataset.pairs);
		if (problem)
			throw new UserFacingError(`${problem}; load an instruct model (one with a chat template) to train it`);
	}
	const render: ChatRenderer = (conversations) => client.request("formatChats", { conversations });
	const chatPairs = options.chat && !unpaired ? await renderPairsAsChats(dataset.pairs, render) : undefined;
	const chatExamples = options.chat && unpaired ? await renderExamplesAsChats(examples, render) : undefined;
	const wrapper = chatPairs?.wrapper ?? chatExamples?.wrapper;
	const trainingPairs = chatPairs?.pairs ?? dataset.pairs;
	const trainingExamples = chatExamples?.examples ?? examples;
	const source = engineHiddenStateSource(client, { specialTokens: wrapper !== undefined });
	const fixedPush = unpaired
		? await trainFromExamples(trainingExamples, source, options)
		: await trainFromPairs(trainingPairs, source, options);
	// Pairs read as conversations are calibrated on answers in the same template, as the model is used,
	// under the system message every pair carries when they share one.
	const system = sharedSystemMessage(unpaired ? examples : dataset.pairs);
	const chatCalibration = wrapper === undefined ? undefined : engineChatCalibration(client, system);
	const trained = options.onCalibrating
		? await calibrateVector(
				fixedPush,
				unpaired ? trainingExamples : trainingPairs,
				chatCalibration?.model ?? engineSteerableModel(client),
				source,
				{
					signal: options.signal,
					onProgress: options.onCalibrating,
					...(chatCalibration ? { chat: chatCalibration.chat } : {})
				}
			)
		: fixedPush;
	return wrapper ? { ...trained, chatTemplate: wrapper } : trained;
}

/** The first and last steered layer: the band the panel marks on its plot. */
export function steeredBand(trained: Pick<TrainedVector, "suggestedLayers">): [number, number] {
	const layers = trained.suggestedLayers;
	return [Math.min(...layers), Math.max(...layers)];
}

/** The per-layer numbers the panel plots, from the pipeline's full diagnostics. */
export function layerSummaries(diagnostics: readonly LayerDiagnostics[]): LayerSummary[] {
	return diagnostics.map((entry) => ({
		layer: entry.layer,
		explainedVariance: entry.explainedVarianceRatio,
		heldOutSeparation: entry.heldOutAccuracy,
		agreement: entry.agreement,
		hiddenNorm: entry.hiddenNormMean
	}));
}

/** What a vector file says about how it was made; all optional, since files come from anywhere. */
export interface VectorFileFacts {
	readonly method?: string;
	/** True when strength 1 is the calibrated push, so the panel can show calibrated units. */
	readonly calibrated: boolean;
	readonly suggested?: readonly [number, number];
	/** Where the file says its vector acts (`steer.placement`); every position when absent. */
	readonly placement?: SteeringPlacement;
	/** Set when its 1.0 was calibrated in chat, with the system message it was calibrated under. */
	readonly calibratedInChat?: { readonly system?: string };
}

export function vectorFileFacts(metadata: GgufMetadata): VectorFileFacts {
	// A file from elsewhere may carry a key with an unexpected type; that costs the fact, not the file.
	const attempt = <T>(read: () => T): T | undefined => {
		try {
			return read();
		} catch {
			return undefined;
		}
	};
	const K = TRAINED_VECTOR_KEYS;
	const suggested = attempt(() => integerList(metadata, K.suggestedLayers));
	return {
		method: attempt(() => metadataString(metadata, K.method)),
		// The pipeline bakes calibration in and records strength 1 as the recommended push.
		calibrated:
			isTrainedVectorMetadata(metadata) && attempt(() => metadataNumber(metadata, K.recommendedStrength)) === 1,
		suggested: suggested && suggested.length > 0 ? steeredBand({ suggestedLayers: suggested }) : undefined,
		placement: attempt(() => placementInMetadata(metadata)),
		calibratedInChat: attempt(() => calibrationChatInMetadata(metadata))
	};
}

function integerList(metadata: GgufMetadata, key: string): number[] | undefined {
	const value = metadata.get(key);
	if (
		value?.type !== "array" ||
		!ArrayBuffer.isView(value.items) ||
		value.items instanceof BigInt64Array ||
		value.items instanceof BigUint64Array
	)
		return undefined;
	const numbers = Array.from(value.items as ArrayLike<number>);
	return numbers.every(Number.isInteger) ? numbers : undefined;
}
