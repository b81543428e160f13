/**
 * The messages between the steering panel (an untrusted webview) and the extension host, in both
 * directions, and the views of host state the panel renders. Pure types: imported by both sides.
 * The host never trusts a message's shape; see guards.ts.
 */

export type TrainingMethod = "mean-diff" | "pca-diff" | "pca-center" | "probe";
export const TRAINING_METHOD_CHOICES: readonly TrainingMethod[] = ["pca-diff", "mean-diff", "pca-center", "probe"];

/** Which tokens of each text are read while training: the last one, the mean of all, or the completion. */
export type PositionChoice = "last" | "mean" | "suffix";

/** What training does when the vector file it would write exists: ask, replace it, or keep both. */
export type IfExistsChoice = "ask" | "replace" | "keepBoth";
export const IF_EXISTS_CHOICES: readonly IfExistsChoice[] = ["ask", "replace", "keepBoth"];
export const POSITION_CHOICES: readonly PositionChoice[] = ["last", "mean", "suffix"];

/** Host commands the panel's buttons may run; nothing else is reachable from the webview. */
/** The strengths the panel's slider offers; beyond them a vector never swept has not been looked at. */
export const STRENGTH_SLIDER_LIMIT = 4;

export const PANEL_COMMANDS = [
	"loadModel",
	"downloadModel",
	"unloadModel",
	"importVector",
	"newDataset",
	"showLog",
	"exportVector",
	"openPlayground"
] as const;
export type PanelCommand = (typeof PANEL_COMMANDS)[number];

export interface ModelView {
	readonly name: string;
	readonly path: string;
	readonly architecture: string;
	readonly nLayer: number;
	readonly nEmbd: number;
	readonly contextSize: number;
	readonly backend: string;
	readonly threads: number;
	readonly gpuLayers: number;
	/** The model has a chat template (an instruct model): the Playground offers chat mode. */
	readonly hasChatTemplate: boolean;
}

export interface VectorView {
	readonly fileName: string;
	readonly name: string;
	readonly nEmbd: number;
	readonly layers: readonly number[];
	readonly modelHint?: string;
	readonly method?: string;
	/** True when strength is in calibrated units (Steer-trained vectors); raw α otherwise. */
	readonly calibrated: boolean;
	readonly active: boolean;
	readonly strength: number;
	/** The α the engine multiplies the stored directions by at this strength. */
	readonly rawAlpha: number;
	readonly layerRange?: readonly [number, number];
	readonly suggested?: readonly [number, number];
	/** Where the vector acts, in the short form (`all`, `generated`, `prompt`, `first:K`). */
	readonly placement: string;
	/** True when the user chose the placement; false when it is the file's own (or every position). */
	readonly placementChosen: boolean;
	/** Why this vector cannot steer the loaded model (width or layers differ), if it cannot. */
	readonly problem?: string;
	/** What the last strength sweep showed (sizes of strength), when one ran for this file. */
	readonly measured?: {
		readonly fluentUpTo: number | null;
		readonly degeneratesAt: number | null;
		readonly measuredUpTo: number;
	};
	/** Why the current strength deserves a warning (beyond what was measured, or where text degenerated). */
	readonly strengthWarning?: string;
}

export interface LayerSummary {
	readonly layer: number;
	readonly explainedVariance: number;
	/** Held-out pairs whose positive projects above the negative; null when none were held out. */
	readonly heldOutSeparation: number | null;
	readonly agreement: number;
	readonly hiddenNorm: number;
}

export interface TrainingView {
	readonly running: boolean;
	readonly dataset: string;
	readonly phase: "capture" | "train" | "calibrating" | "save";
	readonly done: number;
	readonly total: number;
}

export interface PanelState {
	readonly trusted: boolean;
	readonly model?: ModelView;
	readonly modelLoading: boolean;
	readonly steeringEnabled: boolean;
	readonly vectors: readonly VectorView[];
	readonly defaultMaxTokens: number;
	/** The placements a vector can have, with one line each on what they do (`first` takes a count K). */
	readonly placements: readonly { readonly kind: string; readonly label: string; readonly description: string }[];
}

/** One strength of a sweep, as the playground's table shows it. */
export interface SweepRow {
	readonly strength: number;
	/** The effect measure at this strength (keyword rate or self-judge score); null when none was asked for. */
	readonly effect: number | null;
	/** Pooled perplexity under the unsteered model; null when no sample produced a token. */
	readonly perplexity: number | null;
	/** The first sample, so the numbers can be read against the text. */
	readonly sample: string;
	/** Within the bounds the suggestion is chosen under (text fluency and perplexity), and the sample reads as fluent. */
	readonly fluent: boolean;
}

export interface SweepView {
	readonly vectorFileName: string;
	readonly effectMeasure: "keywords" | "judge" | "none";
	readonly rows: readonly SweepRow[];
	readonly suggestedMaxStrength: number | null;
}

/** One point of the condition search's grid: check `layer`, holds when the similarity is on `direction`'s side of `threshold`. */
export interface ConditionPoint {
	readonly layer: number;
	readonly threshold: number;
	readonly direction: "larger" | "smaller";
	readonly f1: number;
	readonly precision: number;
	readonly recall: number;
}

/** The outcome of a condition search: the best grid point, and the best point found at each layer searched. */
export interface ConditionSearchView {
	readonly vectorFileName: string;
	readonly layers: readonly number[];
	readonly thresholdRange: readonly [number, number];
	readonly step: number;
	readonly best: ConditionPoint;
	readonly perLayer: readonly ConditionPoint[];
	readonly positives: number;
	readonly negatives: number;
}

/**
 * Every kind of message the panel sends the host. WebviewToHost is built from this list (one member per
 * kind, with the fields WebviewToHostFields gives it), so the guard's tests can go through every kind.
 */
export const WEBVIEW_TO_HOST_TYPES = [
	"ready",
	"runCommand",
	"setVectorActive",
	"setVectorStrength",
	"setVectorLayerRange",
	"setVectorPlacement",
	"setSteeringEnabled",
	"generate",
	"cancelGeneration",
	"sweepStrengths",
	"cancelSweep",
	"searchCondition",
	"cancelConditionSearch",
	"checkRule"
] as const;

export type WebviewToHostType = (typeof WEBVIEW_TO_HOST_TYPES)[number];

type NoFields = Record<never, never>;

/** The fields of each kind of message besides `type`; a key for every kind listed, and no other. */
interface WebviewToHostFields {
	readonly ready: NoFields;
	readonly runCommand: { readonly command: PanelCommand };
	readonly setVectorActive: { readonly fileName: string; readonly active: boolean };
	readonly setVectorStrength: { readonly fileName: string; readonly strength: number };
	readonly setVectorLayerRange: { readonly fileName: string; readonly range: readonly [number, number] | null };
	/** The short form of a placement; null: back to the file's own. */
	readonly setVectorPlacement: { readonly fileName: string; readonly placement: string | null };
	readonly setSteeringEnabled: { readonly enabled: boolean };
	/** With `chat`, the prompt is the user's message in the model's chat template (after `system`). */
	readonly generate: {
		readonly prompt: string;
		readonly maxTokens: number;
		readonly seed: number;
		readonly chat?: { readonly system?: string };
	};
	readonly cancelGeneration: NoFields;
	readonly sweepStrengths: {
		readonly fileName: string;
		readonly prompt: string;
		readonly strengths: readonly number[];
		/** Concept words counted in each sample; the effect measure when given. */
		readonly keywords: readonly string[];
		/** A trait for the model's own yes/no judgement ("happy"); the effect measure when no keywords. */
		readonly judge: string;
		readonly maxTokens: number;
	};
	readonly cancelSweep: NoFields;
	readonly searchCondition: {
		/** The condition vector, from the library. */
		readonly fileName: string;
		/** Prompts where the condition should hold, and where it should not. */
		readonly positives: readonly string[];
		readonly negatives: readonly string[];
		readonly thresholdRange: readonly [number, number];
		readonly step: number;
	};
	readonly cancelConditionSearch: NoFields;
	readonly checkRule: { readonly source: string };
}

/** Compiles only when the list and the fields name the same kinds. */
type SameKinds<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const everyKindHasFields: SameKinds<WebviewToHostType, keyof WebviewToHostFields> = true;
void everyKindHasFields;

export type WebviewToHost = {
	[K in WebviewToHostType]: { readonly type: K } & WebviewToHostFields[K];
}[WebviewToHostType];

export type HostToWebview =
	| { readonly type: "state"; readonly state: PanelState }
	| {
			readonly type: "generation";
			readonly side: "steered" | "baseline";
			readonly text: string;
			readonly done: boolean;
			readonly tokensPerSecond?: number;
	  }
	| { readonly type: "sweepProgress"; readonly done: number; readonly total: number }
	| { readonly type: "sweepDone"; readonly sweep: SweepView }
	| { readonly type: "sweepFailed"; readonly message: string }
	| { readonly type: "conditionProgress"; readonly done: number; readonly total: number }
	| { readonly type: "conditionFound"; readonly search: ConditionSearchView }
	| { readonly type: "conditionFailed"; readonly message: string }
	/** The rule as checked; on failure, the 1-based column the problem starts at. */
	| { readonly type: "ruleChecked"; readonly source: string; readonly ok: true }
	| {
			readonly type: "ruleChecked";
			readonly source: string;
			readonly ok: false;
			readonly message: string;
			readonly column: number;
	  }
	| { readonly type: "error"; readonly message: string };

/** Limits on what one message from the webview may carry. */
export const MESSAGE_LIMITS = {
	/** Total characters of all strings plus a little per value: a cheap bound on the message's size. */
	maxMessageSize: 8 * 1024 * 1024,
	maxDepth: 8,
	maxPairs: 5000,
	maxFieldLength: 20_000,
	maxPromptLength: 20_000,
	maxLayerSpecLength: 200,
	maxPlacementLength: 40,
	maxTokens: 4096,
	maxStrength: 1000,
	/** Each strength costs a generation and a perplexity pass per seed. */
	maxSweepStrengths: 16,
	maxSweepTokens: 256,
	maxKeywords: 50,
	maxKeywordLength: 100,
	/** Each condition prompt costs a capture; a handful per side is what the search needs. */
	maxConditionPrompts: 64,
	maxConditionPromptLength: 2000,
	/** Similarities are |cos|, so thresholds outside [0, 1] mean nothing. */
	minConditionStep: 0.001,
	maxRuleLength: 500,
	/** Persona words per side; each is crossed with every suffix. */
	maxPersonas: 100,
	maxPersonaLength: 200,
	maxSuffixes: 1000,
	maxSuffixLength: 2000,
	maxTemplateLength: 2000
} as const;
