import { existsSync } from "node:fs";
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
	const file = path.join(testModelsDir(), name);
	if (!existsSync(file)) {
		const reason = `${name} not found in ${testModelsDir()} (set STEER_TEST_MODELS)`;
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
