import path from "node:path";
import { fileURLToPath } from "node:url";
import { EngineClient } from "../engine/client";
import type { LoadModelParams, ModelInfo } from "../engine/protocol";
import { findSteerRoot } from "../engine/repoRoot";

/**
 * Runs `work` against a fresh engine process with the model loaded, and always stops the process.
 * Warnings of Steer's own go to stderr; llama.cpp's chatter only with STEER_VERBOSE=1.
 */
export async function withEngine<T>(
	params: LoadModelParams,
	work: (engine: EngineClient, info: ModelInfo) => Promise<T>
): Promise<T> {
	const verbose = process.env.STEER_VERBOSE === "1";
	const engine = new EngineClient({
		steerRoot: findSteerRoot(path.dirname(fileURLToPath(import.meta.url))),
		log: (level, message) => {
			if (
				verbose ||
				((level === "warn" || level === "error") &&
					!message.startsWith("llama.cpp:") &&
					!message.startsWith("the Steer engine"))
			)
				process.stderr.write(`steer: ${level}: ${message}\n`);
		}
	});
	try {
		const info = await engine.loadModel(params);
		return await work(engine, info);
	} finally {
		await engine.dispose();
	}
}
