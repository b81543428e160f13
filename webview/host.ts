/** The webview's side of the channel: typed posting, and the state VS Code keeps across reloads. */
import type { HostToWebview, LayerSummary, PairRow, RowIssue, SweepView, WebviewToHost } from "./protocol/messages";

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
	dirty: boolean;
	trainDataset?: string;
	method: string;
	positions: string;
	layers: string;
	lastTraining?: { vectorFileName: string; layers: LayerSummary[]; suggested: readonly [number, number] };
	trainingMessage?: string;
	prompt: string;
	maxTokens: number;
	seed: number;
	outputs: { baseline: string; steered: string; baselineSpeed?: number; steeredSpeed?: number };
	sweep: SweepState;
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

const initialState: ViewState = {
	rows: [],
	rowIssues: [],
	dirty: false,
	method: "pca-diff",
	positions: "last",
	layers: "all",
	prompt: "Once upon a time",
	maxTokens: 48,
	seed: 1234,
	outputs: { baseline: "", steered: "" },
	sweep: { strengths: "-4, -2, 0, 2, 4, 8", keywords: "", judge: "" }
};

export function restoreViewState(): ViewState {
	const saved = api.getState();
	if (!saved || typeof saved !== "object") return { ...initialState, sweep: { ...initialState.sweep } };
	const restored = { ...initialState, ...(saved as Partial<ViewState>) };
	// A sweep cannot survive a reload of the panel: its progress would never finish.
	return { ...restored, sweep: { ...initialState.sweep, ...restored.sweep, progress: undefined } };
}

export function saveViewState(state: ViewState): void {
	api.setState(state);
}
