/** The webview's side of the channel: typed posting, and the state VS Code keeps across reloads. */
import { INITIAL_PAIR_GENERATOR_FORM, type PairGeneratorForm } from "./pairGeneratorInput";
import type {
	ConditionSearchView,
	HostToWebview,
	LayerSummary,
	PairRow,
	RowIssue,
	SweepView,
	WebviewToHost
} from "../src/shared/webviewProtocol/messages";

interface VsCodeApi {
	postMessage(message: unknown): void;
	getState(): unknown;
	setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: WebviewToHost): void {
	api.postMessage(message);
}

export function onHostMessage(listener: (message: HostToWebview) => void): void {
	window.addEventListener("message", (event: MessageEvent) => {
		const data = event.data as HostToWebview | undefined;
		if (data && typeof data === "object" && typeof data.type === "string") listener(data);
	});
}

/** What the panel remembers itself: unsaved edits, form choices, the last results. */
export interface ViewState {
	openDataset?: string;
	rows: PairRow[];
	rowIssues: RowIssue[];
	/** Lines of the open file that are not valid pairs ("file:line: …"); while any, Save is refused. */
	fileProblems: string[];
	/** The revision of the file the grid shows, so that Save cannot overwrite a newer file. */
	revision?: string;
	/** Why the last Save wrote nothing, when the file (not a row) was the reason. */
	saveMessage?: string;
	dirty: boolean;
	generator: PairGeneratorForm;
	/** Why the last generation was refused, shown under the form. */
	generatorMessage?: string;
	/** The dataset whose rename form is open, the name typed, and why the host refused it. */
	renaming?: { fileName: string; newFileName: string; message?: string };
	trainDataset?: string;
	method: string;
	positions: string;
	layers: string;
	lastTraining?: { vectorFileName: string; layers: LayerSummary[]; suggested: readonly [number, number] };
	trainingMessage?: string;
	prompt: string;
	/** Chat mode for a model with a chat template; undefined follows the model (on for instruct models). */
	chat?: boolean;
	/** The system message of chat mode; empty for none. */
	system: string;
	maxTokens: number;
	seed: number;
	/** The last generation, with the prompt it was made from (the prompt box may hold another since). */
	outputs: { baseline: string; steered: string; baselineSpeed?: number; steeredSpeed?: number; prompt?: string };
	/** Why the Tokens field's text was not taken, while it is not a whole number from 1 to 4096. */
	maxTokensError?: string;
	sweep: SweepState;
	condition: ConditionState;
}

/** The strength sweep's form as typed, and its last outcome. */
export interface SweepState {
	vector?: string;
	strengths: string;
	keywords: string;
	judge: string;
	/** Present while a sweep runs. */
	progress?: { done: number; total: number };
	result?: SweepView;
	message?: string;
}

/** The condition editor's form as typed, its last search, and the rule as last checked by the host. */
export interface ConditionState {
	vector?: string;
	positives: string;
	negatives: string;
	low: string;
	high: string;
	step: string;
	rule: string;
	ruleCheck?: { source: string; message: string; column: number };
	/** Present while a search runs. */
	progress?: { done: number; total: number };
	result?: ConditionSearchView;
	message?: string;
}

const initialState: ViewState = {
	rows: [],
	rowIssues: [],
	fileProblems: [],
	dirty: false,
	generator: INITIAL_PAIR_GENERATOR_FORM,
	method: "pca-diff",
	positions: "last",
	layers: "all",
	prompt: "Once upon a time",
	system: "",
	maxTokens: 48,
	seed: 1234,
	outputs: { baseline: "", steered: "" },
	sweep: { strengths: "-4, -2, 0, 2, 4, 8", keywords: "", judge: "" },
	condition: { positives: "", negatives: "", low: "0", high: "0.5", step: "0.01", rule: "if C1 then B1" }
};

export function restoreViewState(): ViewState {
	const saved = api.getState();
	if (!saved || typeof saved !== "object") {
		return {
			...initialState,
			generator: { ...initialState.generator },
			sweep: { ...initialState.sweep },
			condition: { ...initialState.condition }
		};
	}
	const restored = { ...initialState, ...(saved as Partial<ViewState>) };
	// A sweep or search cannot survive a reload of the panel: its progress would never finish.
	return {
		...restored,
		generator: { ...initialState.generator, ...restored.generator },
		sweep: { ...initialState.sweep, ...restored.sweep, progress: undefined },
		condition: { ...initialState.condition, ...restored.condition, progress: undefined }
	};
}

export function saveViewState(state: ViewState): void {
	api.setState(state);
}
