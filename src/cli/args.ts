import { parseArgs, type ParseArgsConfig } from "node:util";
import type { GpuChoice, LoadModelParams } from "../engine/protocol";

/** A mistake in how the CLI was called; reported as one line and exit code 2. */
export class UsageError extends Error {
	override readonly name = "UsageError";
}

export const modelOptions = {
	model: { type: "string", short: "m" },
	gpu: { type: "string" },
	"gpu-layers": { type: "string" },
	threads: { type: "string" },
	"context-size": { type: "string" },
	json: { type: "boolean" }
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

export function parseCommandArgs<O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: O) {
	try {
		return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
	} catch (error) {
		throw new UsageError(error instanceof Error ? error.message : String(error));
	}
}

export function requireString(value: string | undefined, flag: string): string {
	if (value === undefined || value.length === 0) throw new UsageError(`--${flag} is required`);
	return value;
}

export function parseNumber(value: string | undefined, flag: string, { integer = false, min = -Infinity } = {}): number | undefined {
	if (value === undefined) return undefined;
	const number = Number(value);
	if (value.trim() === "" || !Number.isFinite(number) || (integer && !Number.isInteger(number)) || number < min)
		throw new UsageError(`--${flag} must be ${integer ? "a whole number" : "a number"}${min > -Infinity ? ` ≥ ${min}` : ""}, got "${value}"`);
	return number;
}

function parseGpu(value: string | undefined): GpuChoice {
	if (value === undefined || value === "auto") return "auto";
	if (value === "false" || value === "cpu" || value === "none") return false;
	if (value === "cuda" || value === "vulkan" || value === "metal") return value;
	throw new UsageError(`--gpu must be auto, cuda, vulkan, metal or false, got "${value}"`);
}

export function loadModelParams(values: { model?: string; gpu?: string; "gpu-layers"?: string; threads?: string; "context-size"?: string }): LoadModelParams {
	const gpuLayers = values["gpu-layers"];
	const threads = values.threads;
	return {
		modelPath: requireString(values.model, "model"),
		gpu: parseGpu(values.gpu),
		gpuLayers: gpuLayers === undefined || gpuLayers === "auto" ? "auto" : parseNumber(gpuLayers, "gpu-layers", { integer: true, min: 0 }),
		threads: threads === undefined || threads === "auto" ? "auto" : parseNumber(threads, "threads", { integer: true, min: 1 }),
		contextSize: parseNumber(values["context-size"], "context-size", { integer: true, min: 8 })
	};
}
