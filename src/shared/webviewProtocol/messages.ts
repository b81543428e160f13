/**
 * The messages between the steering panel (an untrusted webview) and the extension host, in both
 * directions, and the views of host state the panel renders. Pure types: imported by both sides.
 * The host never trusts a message's shape; see guards.ts and the schemas in panelMessages.ts.
 */

export type TrainingMethod = "mean-diff" | "pca-diff" | "pca-center" | "probe";
export const TRAINING_METHOD_CHOICES: readonly TrainingMethod[] = ["pca-diff", "mean-diff", "pca-center", "probe"];

/** Which tokens of each text are read while training: the last one, the mean of all, or the completion. */
export type PositionChoice = "last" | "mean" | "suffix";

/** What training does when the vector file it would write exists: ask, replace it, or keep both. */
export type IfExistsChoice = "ask" | "replace" | "keepBoth";
export const IF_EXISTS_CHOICES: readonly IfExistsChoice[] = ["ask", "replace", "keepBoth"];
export const POSITION_CHOICES: readonly PositionChoice[] = ["last", "mean", "suffix"];

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

/** The messages the pages send the host are valibot schemas; see panelMessages.ts. */
export { MESSAGE_LIMITS, PANEL_COMMANDS, STRENGTH_SLIDER_LIMIT, type PanelCommand } from "./messageLimits";
export type { WebviewToHost, WebviewToHostType } from "./panelMessages";

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
