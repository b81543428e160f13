/** The models the engine's exactness tests run on: a generated random-weight model and the two story models. */
import { cachedModelOrSkip, trainedModelOrSkip } from "./testModels";
import { writeTinyModel } from "./tinyModelFile";

export interface ModelCase {
	readonly name: string;
	/** Returns the model path, or skips; `cleanup` runs after the suite. */
	readonly prepare: (context: Mocha.Context) => { file: string; cleanup?: () => void };
}

export const exactnessModelCases: readonly ModelCase[] = [
	{
		name: "generated random-weight model (4 layers × 64)",
		prepare: () => {
			const tiny = writeTinyModel({ nLayer: 4, nEmbd: 64, seed: 7 });
			return { file: tiny.file, cleanup: tiny.remove };
		}
	},
	{
		name: "TinyStories-656K (f16, 2 layers × 128)",
		prepare: (context) => ({ file: trainedModelOrSkip(context, "TinyStories-656K.f16.gguf") })
	},
	{
		name: "stories260K (f32, 5 layers × 64)",
		prepare: (context) => ({ file: trainedModelOrSkip(context, "stories260K.gguf") })
	}
];

/** The instruct reference model, when the model cache holds it. */
export const smolLm2Case: ModelCase = {
	name: "SmolLM2-135M-Instruct (Q4_1, 30 layers × 576)",
	prepare: (context) => ({ file: cachedModelOrSkip(context, "SmolLM2-135M-Instruct.Q4_1.gguf") })
};
