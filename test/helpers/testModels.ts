import { existsSync } from "node:fs";
import path from "node:path";

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

/** A deterministic pseudo-random generator (mulberry32) for test data. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function randomVector(length: number, seed: number): Float32Array {
	const random = seededRandom(seed);
	return Float32Array.from({ length }, () => random() * 2 - 1);
}
