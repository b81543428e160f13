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
	const args = attachOptionValues(argv, options);
	try {
		return parseArgs({ args, options, allowPositionals: false, strict: true }).values;
	} catch (error) {
		// Node's messages run over several lines; the CLI prints one.
		throw new UsageError(error instanceof Error ? error.message.split("\n").join(" ") : String(error));
	}
}

/** A value such as -1, -0.5, -1,0,1 or -1:1:0.1: a negative number or a list starting with one. */
const negativeNumberPattern = /^-(?:\d|\.\d)/;

/**
 * Joins each value-taking option to its value as `--name=value`, so that values starting with "-"
 * work when they are negative numbers (`--temperature -1` then fails as an out-of-range number, not
 * as "ambiguous"), and a missing value is named plainly.
 */
function attachOptionValues(argv: readonly string[], options: NonNullable<ParseArgsConfig["options"]>): string[] {
	const longName = (arg: string): string | undefined => {
		if (arg.startsWith("--")) return arg.slice(2) in options ? arg.slice(2) : undefined;
		if (/^-[^-]$/.test(arg))
			return Object.entries(options).find(([, option]) => option.short === arg.slice(1))?.[0];
		return undefined;
	};
	const out: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (arg === "--") {
			out.push(...argv.slice(i));
			break;
		}
		const name = longName(arg);
		if (name === undefined || options[name]!.type !== "string") {
			out.push(arg);
			continue;
		}
		const value = argv[i + 1];
		if (value === undefined) throw new UsageError(`--${name} needs a value`);
		if (value.startsWith("-") && !negativeNumberPattern.test(value)) {
			const option = longName(value.split("=")[0]!);
			throw new UsageError(
				option !== undefined
					? `--${name} needs a value, but is followed by the option ${value}`
					: `--${name} needs a value, but is followed by "${value}"; to give a value starting with "-", write --${name}=${value}`
			);
		}
		out.push(`--${name}=${value}`);
		i++;
	}
	return out;
}

export function requireString(value: string | undefined, flag: string): string {
	if (value === undefined || value.length === 0) throw new UsageError(`--${flag} is required`);
	return value;
}

/** Seeds are unsigned 32-bit numbers in llama.cpp and in Steer's own random generator. */
export const MAX_SEED = 0xffffffff;

/**
 * `value` as a number within [min, max]; otherwise a UsageError that says which values are allowed,
 * e.g. `--top-p must be a number from 0 to 1, got "5"`.
 */
export function parseNumber(
	value: string | undefined,
	flag: string,
	{ integer = false, min = -Infinity, max = Infinity } = {}
): number | undefined {
	if (value === undefined) return undefined;
	const number = Number(value);
	if (
		value.trim() === "" ||
		!Number.isFinite(number) ||
		(integer && !Number.isInteger(number)) ||
		number < min ||
		number > max
	) {
		const kind = integer ? "a whole number" : "a number";
		const range =
			min > -Infinity && max < Infinity
				? ` from ${min} to ${max}`
				: min > -Infinity
					? ` ≥ ${min}`
					: max < Infinity
						? ` ≤ ${max}`
						: "";
		throw new UsageError(`--${flag} must be ${kind}${range}, got "${value}"`);
	}
	return number;
}

function parseGpu(value: string | undefined): GpuChoice {
	if (value === undefined || value === "auto") return "auto";
	if (value === "false" || value === "cpu" || value === "none") return false;
	if (value === "cuda" || value === "vulkan" || value === "metal") return value;
	throw new UsageError(`--gpu must be auto, cuda, vulkan, metal or false, got "${value}"`);
}

export function loadModelParams(values: {
	model?: string;
	gpu?: string;
	"gpu-layers"?: string;
	threads?: string;
	"context-size"?: string;
}): LoadModelParams {
	const gpuLayers = values["gpu-layers"];
	const threads = values.threads;
	return {
		modelPath: requireString(values.model, "model"),
		gpu: parseGpu(values.gpu),
		gpuLayers:
			gpuLayers === undefined || gpuLayers === "auto"
				? "auto"
				: parseNumber(gpuLayers, "gpu-layers", { integer: true, min: 0 }),
		threads:
			threads === undefined || threads === "auto"
				? "auto"
				: parseNumber(threads, "threads", { integer: true, min: 1 }),
		contextSize: parseNumber(values["context-size"], "context-size", { integer: true, min: 8 })
	};
}
