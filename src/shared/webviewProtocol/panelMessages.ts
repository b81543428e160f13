/**
 * The messages the steering panel's pages (the Steering view and the Playground) send the host, as
 * valibot schemas: the TypeScript types are inferred from them, so a kind of message cannot exist in
 * the types without being checked. Each field's refusal says which field and why, in words the log
 * can show as they are.
 */
import * as v from "valibot";
import { fileNameProblem, VECTOR_EXTENSIONS } from "../fileNames";
import { MESSAGE_LIMITS, PANEL_COMMANDS } from "./messageLimits";

/** "a string", "null", "number 3": what arrived instead, for a refusal's reason. */
export function describeValue(value: unknown): string {
	if (value === null) return "null";
	if (value === undefined) return "nothing";
	if (Array.isArray(value)) return "an array";
	if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
	if (typeof value === "object") return "an object";
	return `${typeof value} ${String(value)}`;
}

const got = (issue: { input: unknown }) => `, got ${describeValue(issue.input)}`;

function text(field: string, maxLength: number) {
	return v.pipe(
		v.string((issue) => `${field} must be a string${got(issue)}`),
		v.maxLength(maxLength, `${field} is longer than ${maxLength} characters`)
	);
}

function finite(field: string, min: number, max: number) {
	return v.pipe(
		v.number((issue) => `${field} must be a finite number${got(issue)}`),
		v.finite((issue) => `${field} must be a finite number${got(issue)}`),
		v.minValue(min, (issue) => `${field} must be between ${min} and ${max}, got ${String(issue.input)}`),
		v.maxValue(max, (issue) => `${field} must be between ${min} and ${max}, got ${String(issue.input)}`)
	);
}

function whole(field: string, min: number, max: number) {
	return v.pipe(
		finite(field, min, max),
		v.integer((issue) => `${field} must be a whole number, got ${String(issue.input)}`)
	);
}

function boolean(field: string) {
	return v.boolean((issue) => `${field} must be true or false${got(issue)}`);
}

/** A list of `item`s; an item's refusal names it as `field[i]`, and the reader puts its index in. */
function list<Item extends v.GenericSchema>(field: string, item: Item, maxLength: number) {
	return v.pipe(
		v.array(item, (issue) => `${field} must be an array${got(issue)}`),
		v.maxLength(
			maxLength,
			(issue) => `${field} has ${(issue.input as unknown[]).length} entries, more than ${maxLength}`
		)
	);
}

/** A vector's bare file name in Steer's folder: nothing that could climb out of it. */
const VectorFileName = v.pipe(
	text("fileName", 1000),
	v.check(
		(name) => fileNameProblem(name, VECTOR_EXTENSIONS) === undefined,
		(issue) => `fileName refused: ${fileNameProblem(issue.input as string, VECTOR_EXTENSIONS)}`
	)
);

const Strength = finite("strength", -MESSAGE_LIMITS.maxStrength, MESSAGE_LIMITS.maxStrength);

/** A message of `type` with exactly `entries`: a field it should not carry is refused by name. */
function message<Type extends string, Entries extends v.ObjectEntries>(type: Type, entries: Entries) {
	return v.strictObject({ type: v.literal(type), ...entries }, (issue) => {
		if (issue.expected === "never")
			return `unexpected field ${String(issue.received).slice(0, 42)} in a ${type} message`;
		// A missing field is reported with the field's name, quoted, as what was expected.
		if (issue.expected?.startsWith('"'))
			return `${issue.expected.slice(1, -1)} is missing from the ${type} message`;
		return `message must be an object${got(issue)}`;
	});
}

/**
 * Two numbers, the first not above the second (a range): anything that is not a pair is refused as a
 * whole, before its items are looked at.
 */
function ascendingPair<Item extends v.GenericSchema<unknown, number>>(
	field: string,
	shape: string,
	first: Item,
	second: Item
) {
	return v.pipe(
		v.unknown(),
		v.check(
			(value) => Array.isArray(value) && value.length === 2,
			(issue) => `${field} must be ${shape}${got(issue)}`
		),
		v.tuple([first, second]),
		v.check(
			(range) => range[0] <= range[1],
			(issue) => {
				const [low, high] = issue.input as [number, number];
				return `${field} [${low}, ${high}] runs backwards`;
			}
		)
	);
}

const LayerRange = v.nullable(
	ascendingPair("range", "[from, to] or null", whole("range[0]", 1, 10_000), whole("range[1]", 1, 10_000))
);

const ThresholdRange = ascendingPair(
	"thresholdRange",
	"[low, high]",
	finite("thresholdRange[0]", 0, 1),
	finite("thresholdRange[1]", 0, 1)
);

/** At least one prompt per side: F1 needs something to recall and something to reject. */
function conditionPrompts(field: string) {
	return v.pipe(
		list(field, text(`${field}[i]`, MESSAGE_LIMITS.maxConditionPromptLength), MESSAGE_LIMITS.maxConditionPrompts),
		v.minLength(1, `${field} must list at least one prompt`)
	);
}

const ChatOption = v.strictObject(
	{ system: v.optional(text("chat.system", MESSAGE_LIMITS.maxPromptLength)) },
	(issue) =>
		issue.expected === "never"
			? `unexpected field ${String(issue.received).slice(0, 42)} in chat`
			: `chat must be an object${got(issue)}`
);

/** Every kind of message, by its type; the types and the list of kinds come from here. */
export const PANEL_MESSAGES = {
	ready: message("ready", {}),
	runCommand: message("runCommand", {
		command: v.picklist(
			PANEL_COMMANDS,
			(issue) => `command must be one of ${PANEL_COMMANDS.join(", ")}${got(issue)}`
		)
	}),
	setVectorActive: message("setVectorActive", { fileName: VectorFileName, active: boolean("active") }),
	setVectorStrength: message("setVectorStrength", { fileName: VectorFileName, strength: Strength }),
	setVectorLayerRange: message("setVectorLayerRange", { fileName: VectorFileName, range: LayerRange }),
	/** The short form of a placement; null: back to the file's own. */
	setVectorPlacement: message("setVectorPlacement", {
		fileName: VectorFileName,
		placement: v.nullable(text("placement", MESSAGE_LIMITS.maxPlacementLength))
	}),
	setSteeringEnabled: message("setSteeringEnabled", { enabled: boolean("enabled") }),
	/** With `chat`, the prompt is the user's message in the model's chat template (after `system`). */
	generate: message("generate", {
		prompt: text("prompt", MESSAGE_LIMITS.maxPromptLength),
		maxTokens: whole("maxTokens", 1, MESSAGE_LIMITS.maxTokens),
		seed: whole("seed", 0, 2 ** 31 - 1),
		chat: v.optional(ChatOption)
	}),
	cancelGeneration: message("cancelGeneration", {}),
	sweepStrengths: message("sweepStrengths", {
		fileName: VectorFileName,
		prompt: text("prompt", MESSAGE_LIMITS.maxPromptLength),
		strengths: v.pipe(
			list(
				"strengths",
				finite("strengths[i]", -MESSAGE_LIMITS.maxStrength, MESSAGE_LIMITS.maxStrength),
				MESSAGE_LIMITS.maxSweepStrengths
			),
			v.minLength(1, "strengths must list at least one strength")
		),
		/** Concept words counted in each sample; the effect measure when given. */
		keywords: list("keywords", text("keywords[i]", MESSAGE_LIMITS.maxKeywordLength), MESSAGE_LIMITS.maxKeywords),
		/** A trait for the model's own yes/no judgement ("happy"); the effect measure when no keywords. */
		judge: text("judge", MESSAGE_LIMITS.maxKeywordLength),
		maxTokens: whole("maxTokens", 1, MESSAGE_LIMITS.maxSweepTokens)
	}),
	cancelSweep: message("cancelSweep", {}),
	searchCondition: message("searchCondition", {
		/** The condition vector, from the library. */
		fileName: VectorFileName,
		/** Prompts where the condition should hold, and where it should not. */
		positives: conditionPrompts("positives"),
		negatives: conditionPrompts("negatives"),
		thresholdRange: ThresholdRange,
		step: finite("step", MESSAGE_LIMITS.minConditionStep, 1)
	}),
	cancelConditionSearch: message("cancelConditionSearch", {}),
	checkRule: message("checkRule", { source: text("source", MESSAGE_LIMITS.maxRuleLength) })
} as const;

export type WebviewToHostType = keyof typeof PANEL_MESSAGES;
export type WebviewToHost = { [K in WebviewToHostType]: v.InferOutput<(typeof PANEL_MESSAGES)[K]> }[WebviewToHostType];
export const WEBVIEW_TO_HOST_TYPES = Object.keys(PANEL_MESSAGES) as WebviewToHostType[];
