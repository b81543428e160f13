/**
 * Validation of every message the webview sends. The webview renders text that came from files and
 * models, so the host treats it as untrusted: a message is accepted only if it is one of the known
 * kinds with fields of the right types and sizes, and file names that cannot leave Steer's folders.
 * Everything else is rejected with a reason the host logs.
 */
import { fileNameProblem, VECTOR_EXTENSIONS } from "../fileNames";
import { MESSAGE_LIMITS, PANEL_COMMANDS, type WebviewToHost } from "./messages";

export type Validated =
	{ readonly ok: true; readonly message: WebviewToHost } | { readonly ok: false; readonly reason: string };

class Rejection extends Error {}

function reject(reason: string): never {
	throw new Rejection(reason);
}

export function validateWebviewMessage(raw: unknown): Validated {
	try {
		checkSize(raw);
		return { ok: true, message: parse(raw) };
	} catch (error) {
		if (error instanceof Rejection) return { ok: false, reason: error.message };
		throw error;
	}
}

/** Walks the value once, bounding depth and total size, before any field is looked at. */
function checkSize(raw: unknown): void {
	let budget: number = MESSAGE_LIMITS.maxMessageSize;
	const visit = (value: unknown, depth: number): void => {
		if (depth > MESSAGE_LIMITS.maxDepth) reject(`message is nested deeper than ${MESSAGE_LIMITS.maxDepth} levels`);
		budget -= 8;
		if (typeof value === "string") budget -= value.length;
		else if (Array.isArray(value)) for (const item of value) visit(item, depth + 1);
		else if (value !== null && typeof value === "object") {
			for (const [key, item] of Object.entries(value)) {
				budget -= key.length;
				visit(item, depth + 1);
			}
		}
		if (budget < 0) reject(`message is larger than ${MESSAGE_LIMITS.maxMessageSize} characters`);
	};
	visit(raw, 0);
}

function parse(raw: unknown): WebviewToHost {
	const message = record(raw, "message");
	const type = message.type;
	switch (type) {
		case "ready":
		case "cancelGeneration":
		case "cancelSweep":
		case "cancelConditionSearch":
			only(message, []);
			return { type };
		case "runCommand":
			only(message, ["command"]);
			return { type, command: oneOf(message.command, PANEL_COMMANDS, "command") };
		case "setVectorActive":
			only(message, ["fileName", "active"]);
			return {
				type,
				fileName: fileName(message.fileName, VECTOR_EXTENSIONS),
				active: boolean(message.active, "active")
			};
		case "setVectorStrength":
			only(message, ["fileName", "strength"]);
			return {
				type,
				fileName: fileName(message.fileName, VECTOR_EXTENSIONS),
				strength: finite(message.strength, "strength", -MESSAGE_LIMITS.maxStrength, MESSAGE_LIMITS.maxStrength)
			};
		case "setVectorLayerRange":
			only(message, ["fileName", "range"]);
			return { type, fileName: fileName(message.fileName, VECTOR_EXTENSIONS), range: layerRange(message.range) };
		case "setVectorPlacement":
			only(message, ["fileName", "placement"]);
			return {
				type,
				fileName: fileName(message.fileName, VECTOR_EXTENSIONS),
				placement:
					message.placement === null
						? null
						: text(message.placement, "placement", MESSAGE_LIMITS.maxPlacementLength)
			};
		case "setSteeringEnabled":
			only(message, ["enabled"]);
			return { type, enabled: boolean(message.enabled, "enabled") };
		case "generate":
			only(message, ["prompt", "maxTokens", "seed", "chat"]);
			return {
				type,
				prompt: text(message.prompt, "prompt", MESSAGE_LIMITS.maxPromptLength),
				maxTokens: whole(message.maxTokens, "maxTokens", 1, MESSAGE_LIMITS.maxTokens),
				seed: whole(message.seed, "seed", 0, 2 ** 31 - 1),
				...(message.chat === undefined ? {} : { chat: chatOption(message.chat) })
			};
		case "sweepStrengths": {
			only(message, ["fileName", "prompt", "strengths", "keywords", "judge", "maxTokens"]);
			const strengths = list(message.strengths, "strengths", MESSAGE_LIMITS.maxSweepStrengths).map(
				(value, index) =>
					finite(value, `strengths[${index}]`, -MESSAGE_LIMITS.maxStrength, MESSAGE_LIMITS.maxStrength)
			);
			if (strengths.length === 0) reject("strengths must list at least one strength");
			return {
				type,
				fileName: fileName(message.fileName, VECTOR_EXTENSIONS),
				prompt: text(message.prompt, "prompt", MESSAGE_LIMITS.maxPromptLength),
				strengths,
				keywords: list(message.keywords, "keywords", MESSAGE_LIMITS.maxKeywords).map((value, index) =>
					text(value, `keywords[${index}]`, MESSAGE_LIMITS.maxKeywordLength)
				),
				judge: text(message.judge, "judge", MESSAGE_LIMITS.maxKeywordLength),
				maxTokens: whole(message.maxTokens, "maxTokens", 1, MESSAGE_LIMITS.maxSweepTokens)
			};
		}
		case "searchCondition": {
			only(message, ["fileName", "positives", "negatives", "thresholdRange", "step"]);
			return {
				type,
				fileName: fileName(message.fileName, VECTOR_EXTENSIONS),
				positives: conditionPrompts(message.positives, "positives"),
				negatives: conditionPrompts(message.negatives, "negatives"),
				thresholdRange: thresholdRange(message.thresholdRange),
				step: finite(message.step, "step", MESSAGE_LIMITS.minConditionStep, 1)
			};
		}
		case "checkRule":
			only(message, ["source"]);
			return { type, source: text(message.source, "source", MESSAGE_LIMITS.maxRuleLength) };
		default:
			return reject(`unknown message type ${describe(type)}`);
	}
}

function record(value: unknown, what: string): Record<string, unknown> {
	if (value === null || typeof value !== "object" || Array.isArray(value))
		reject(`${what} must be an object, got ${describe(value)}`);
	return value as Record<string, unknown>;
}

/** Unknown extra fields are refused too: a message that carries more than it should is not ours. */
function only(message: Record<string, unknown>, fields: readonly string[]): void {
	for (const key of Object.keys(message)) {
		if (key !== "type" && !fields.includes(key))
			reject(`unexpected field "${key.slice(0, 40)}" in a ${String(message.type)} message`);
	}
}

function text(value: unknown, field: string, maxLength: number): string {
	if (typeof value !== "string") reject(`${field} must be a string, got ${describe(value)}`);
	if (value.length > maxLength) reject(`${field} is longer than ${maxLength} characters`);
	return value;
}

function boolean(value: unknown, field: string): boolean {
	if (typeof value !== "boolean") reject(`${field} must be true or false, got ${describe(value)}`);
	return value;
}

function finite(value: unknown, field: string, min: number, max: number): number {
	if (typeof value !== "number" || !Number.isFinite(value))
		reject(`${field} must be a finite number, got ${describe(value)}`);
	if (value < min || value > max) reject(`${field} must be between ${min} and ${max}, got ${value}`);
	return value;
}

function whole(value: unknown, field: string, min: number, max: number): number {
	const number = finite(value, field, min, max);
	if (!Number.isInteger(number)) reject(`${field} must be a whole number, got ${number}`);
	return number;
}

function list(value: unknown, field: string, maxLength: number): unknown[] {
	if (!Array.isArray(value)) reject(`${field} must be an array, got ${describe(value)}`);
	if (value.length > maxLength) reject(`${field} has ${value.length} entries, more than ${maxLength}`);
	return value;
}

function oneOf<T extends string>(value: unknown, choices: readonly T[], field: string): T {
	if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
		reject(`${field} must be one of ${choices.join(", ")}, got ${describe(value)}`);
	}
	return value as T;
}

function fileName(value: unknown, extensions: readonly string[]): string {
	const name = text(value, "fileName", 1000);
	const problem = fileNameProblem(name, extensions);
	if (problem) reject(`fileName refused: ${problem}`);
	return name;
}

function layerRange(value: unknown): readonly [number, number] | null {
	if (value === null) return null;
	if (!Array.isArray(value) || value.length !== 2) reject(`range must be [from, to] or null, got ${describe(value)}`);
	const from = whole(value[0], "range[0]", 1, 10_000);
	const to = whole(value[1], "range[1]", 1, 10_000);
	if (to < from) reject(`range [${from}, ${to}] runs backwards`);
	return [from, to];
}

/** At least one prompt per side: F1 needs something to recall and something to reject. */
function conditionPrompts(value: unknown, field: string): string[] {
	const prompts = list(value, field, MESSAGE_LIMITS.maxConditionPrompts).map((prompt, index) =>
		text(prompt, `${field}[${index}]`, MESSAGE_LIMITS.maxConditionPromptLength)
	);
	if (prompts.length === 0) reject(`${field} must list at least one prompt`);
	return prompts;
}

function thresholdRange(value: unknown): readonly [number, number] {
	if (!Array.isArray(value) || value.length !== 2)
		reject(`thresholdRange must be [low, high], got ${describe(value)}`);
	const low = finite(value[0], "thresholdRange[0]", 0, 1);
	const high = finite(value[1], "thresholdRange[1]", 0, 1);
	if (high < low) reject(`thresholdRange [${low}, ${high}] runs backwards`);
	return [low, high];
}

/**
 * Bounds a generator request so that what it produces fits in the grid and in a later save message;
 * whether the template and lists make sense is left to the generators, whose messages name the mistake.
 */
function chatOption(value: unknown): { system?: string } {
	const chat = record(value, "chat");
	only(chat, ["system"]);
	return chat.system === undefined
		? {}
		: { system: text(chat.system, "chat.system", MESSAGE_LIMITS.maxPromptLength) };
}

function describe(value: unknown): string {
	if (value === null) return "null";
	if (Array.isArray(value)) return "an array";
	if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
	if (typeof value === "object") return "an object";
	return `${typeof value} ${String(value)}`;
}
