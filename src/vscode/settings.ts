/**
 * Steer's settings (`steer.*`), read in one place so every surface sees the same defaults and the
 * same validation. Values come from the user; anything out of range falls back to the default
 * rather than reaching the engine.
 */
import * as vscode from "vscode";
import type { GpuChoice, LoadModelParams } from "../engine/protocol";

export interface InlineSettings {
	readonly enabled: boolean;
	readonly debounceMs: number;
	readonly maxTokens: number;
	readonly timeoutMs: number;
	readonly multiline: boolean;
	readonly languages: readonly string[];
}

export interface SteerSettings {
	readonly modelPath: string;
	/** The model that judges Compare with asking; empty: the loaded model judges itself. */
	readonly judgeModelPath: string;
	readonly gpu: GpuChoice;
	readonly gpuLayers: "auto" | number;
	readonly threads: "auto" | number;
	readonly contextSize: number;
	readonly temperature: number;
	readonly maxTokens: number;
	readonly inline: InlineSettings;
	readonly lensDebounceMs: number;
}

export function readSettings(scope?: vscode.ConfigurationScope): SteerSettings {
	const config = vscode.workspace.getConfiguration("steer", scope);
	return {
		modelPath: config.get<string>("modelPath", "").trim(),
		judgeModelPath: config.get<string>("judgeModelPath", "").trim(),
		gpu: gpuChoice(config.get<string>("gpu", "auto")),
		gpuLayers: autoOrWhole(config.get("gpuLayers"), 0),
		threads: autoOrWhole(config.get("threads"), 1),
		contextSize: bounded(config.get("contextSize"), 2048, 64, 131072, true),
		temperature: bounded(config.get("temperature"), 0.8, 0, 2, false),
		maxTokens: bounded(config.get("maxTokens"), 64, 1, 4096, true),
		inline: {
			enabled: config.get<boolean>("inline.enabled", false) === true,
			debounceMs: bounded(config.get("inline.debounceMs"), 300, 0, 5000, true),
			maxTokens: bounded(config.get("inline.maxTokens"), 24, 1, 256, true),
			timeoutMs: bounded(config.get("inline.timeoutMs"), 2000, 50, 30000, true),
			multiline: config.get<boolean>("inline.multiline", false) === true,
			languages: stringList(config.get("inline.languages"), ["plaintext", "markdown"])
		},
		lensDebounceMs: bounded(config.get("lens.debounceMs"), 400, 0, 5000, true)
	};
}

/** What the engine needs to load `modelPath` with the current settings. */
export function loadParams(settings: SteerSettings, modelPath: string): LoadModelParams {
	return {
		modelPath,
		gpu: settings.gpu,
		gpuLayers: settings.gpuLayers,
		threads: settings.threads,
		contextSize: settings.contextSize
	};
}

function gpuChoice(value: string): GpuChoice {
	if (value === "off") return false;
	if (value === "cuda" || value === "vulkan" || value === "metal") return value;
	return "auto";
}

function autoOrWhole(value: unknown, minimum: number): "auto" | number {
	if (typeof value === "number" && Number.isInteger(value) && value >= minimum) return value;
	if (typeof value === "string" && /^\d+$/.test(value.trim()) && Number(value) >= minimum) return Number(value);
	return "auto";
}

function bounded(value: unknown, fallback: number, min: number, max: number, whole: boolean): number {
	if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) return fallback;
	return whole ? Math.round(value) : value;
}

function stringList(value: unknown, fallback: readonly string[]): readonly string[] {
	return Array.isArray(value) && value.every((item) => typeof item === "string") ? value : fallback;
}
