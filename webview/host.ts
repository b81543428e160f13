/** The steering panel page's side of the channel: typed posting, and the state VS Code keeps across reloads. */
import { connectToHost } from "./channel";
import type {
	ConditionSearchView,
	HostToWebview,
	SweepView,
	WebviewToHost
} from "../src/shared/webviewProtocol/messages";

const channel = connectToHost<WebviewToHost, HostToWebview>();

export const post = channel.post;
export const onHostMessage = channel.onMessage;

/** What the page remembers itself: form choices and the last results. */
export interface ViewState {
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
	prompt: "Once upon a time",
	system: "",
	maxTokens: 48,
	seed: 1234,
	outputs: { baseline: "", steered: "" },
	sweep: { strengths: "-4, -2, 0, 2, 4, 8", keywords: "", judge: "" },
	condition: { positives: "", negatives: "", low: "0", high: "0.5", step: "0.01", rule: "if C1 then B1" }
};

export function restoreViewState(): ViewState {
	const saved = channel.getState();
	if (!saved || typeof saved !== "object") {
		return {
			...initialState,
			sweep: { ...initialState.sweep },
			condition: { ...initialState.condition }
		};
	}
	const restored = { ...initialState, ...(saved as Partial<ViewState>) };
	// A sweep or search cannot survive a reload of the panel: its progress would never finish.
	return {
		...restored,
		sweep: { ...initialState.sweep, ...restored.sweep, progress: undefined },
		condition: { ...initialState.condition, ...restored.condition, progress: undefined }
	};
}

export function saveViewState(state: ViewState): void {
	channel.setState(state);
}
