/**
 * Chooses the llama.cpp backend through node-llama-cpp's own detection and prebuilt binaries.
 * Never builds from source or downloads at run time; falls back to the CPU with a warning when the
 * requested GPU backend cannot be used.
 */
import type { Llama, LlamaLogLevel } from "node-llama-cpp";
import type { GpuChoice } from "../protocol";

export type Log = (level: "debug" | "info" | "warn" | "error", message: string) => void;

const instances = new Map<string, Promise<Llama>>();

async function createLlama(gpu: GpuChoice, log: Log): Promise<Llama> {
	const { getLlama } = await import("node-llama-cpp");
	return getLlama({
		gpu,
		build: "never",
		usePrebuiltBinaries: true,
		skipDownload: true,
		progressLogs: false,
		logLevel: "warn" as LlamaLogLevel,
		logger: (level, message) => {
			const text = message.trim();
			if (text)
				log(
					level === "error" || level === "fatal" ? "error" : level === "warn" ? "warn" : "debug",
					`llama.cpp: ${text}`
				);
		}
	});
}

export interface BackendChoice {
	readonly llama: Llama;
	readonly warnings: string[];
}

export async function chooseBackend(gpu: GpuChoice, log: Log): Promise<BackendChoice> {
	const warnings: string[] = [];
	const key = String(gpu);
	let pending = instances.get(key);
	if (!pending) {
		pending = createLlama(gpu, log);
		instances.set(key, pending);
	}
	try {
		return { llama: await pending, warnings };
	} catch (error) {
		instances.delete(key);
		if (gpu === false) throw error;
		const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
		warnings.push(`The ${gpu} GPU backend could not be used (${reason}); falling back to the CPU.`);
		return { llama: (await chooseBackend(false, log)).llama, warnings };
	}
}
