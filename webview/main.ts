/**
 * The steering panel's page, on either of its surfaces: the compact Steering view in the sidebar, or
 * the Playground in the editor area (the host says which on <body data-surface>). Renders what the
 * host sends (PanelState) plus its own view state (form choices, last results), which survives the
 * page being hidden or reloaded.
 */
import { h, restoreAccessibleNames } from "./dom";
import { registerToolkit } from "./toolkit";
import { onHostMessage, post, restoreViewState, saveViewState } from "./host";
import type { HostToWebview, PanelState } from "../src/shared/webviewProtocol/messages";
import { ruleFeedback } from "./sections/conditionEditorView";
import { playgroundSection } from "./sections/playgroundSection";
import { quickTrySection } from "./sections/quickTrySection";
import { steeringSection } from "./sections/steeringSection";
import { trustNotice } from "./sections/trustNotice";

registerToolkit();

const app = document.getElementById("app") as HTMLElement;
const surface = document.body.dataset.surface === "playground" ? "playground" : "sidebar";
const view = restoreViewState();
let hostState: PanelState | undefined;
let errorMessage: string | undefined;

function changed(rerender = false): void {
	saveViewState(view);
	if (rerender) render();
}

function render(): void {
	if (!hostState) return;
	// Re-rendering replaces the elements; keep the keyboard where the user was.
	const focusKey = (document.activeElement as HTMLElement | null)?.getAttribute("data-focus-key");
	const banner = errorMessage
		? h(
				"div",
				{ class: "error banner", role: "alert" },
				errorMessage,
				h(
					"button",
					{
						class: "link",
						onclick: () => {
							errorMessage = undefined;
							render();
						}
					},
					"Dismiss"
				)
			)
		: undefined;
	const sections =
		surface === "playground"
			? [playgroundSection(hostState, view, changed)]
			: [steeringSection(hostState, view, changed), quickTrySection(hostState, view, changed)];
	app.replaceChildren(...(banner ? [banner] : []), ...(hostState.trusted ? sections : [trustNotice()]));
	restoreAccessibleNames(app);
	if (focusKey) (app.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`) as HTMLElement | null)?.focus();
}

function receive(message: HostToWebview): void {
	switch (message.type) {
		case "state":
			hostState = message.state;
			break;
		case "generation": {
			const speed = message.done ? message.tokensPerSecond : undefined;
			if (message.side === "baseline")
				view.outputs = { ...view.outputs, baseline: message.text, baselineSpeed: speed };
			else view.outputs = { ...view.outputs, steered: message.text, steeredSpeed: speed };
			// Streaming updates only touch their column; a full render per token would steal focus.
			const column = document.getElementById(`output-${message.side}`);
			saveViewState(view);
			if (column && !message.done) {
				column.textContent = message.text;
				return;
			}
			break;
		}
		case "sweepProgress":
			view.sweep.progress = { done: message.done, total: message.total };
			saveViewState(view);
			if (moveProgressBar("sweep-progress", message.done, message.total)) return;
			break;
		case "sweepDone":
			view.sweep.progress = undefined;
			view.sweep.result = message.sweep;
			view.sweep.message = undefined;
			break;
		case "sweepFailed":
			view.sweep.progress = undefined;
			view.sweep.message = message.message;
			break;
		case "conditionProgress":
			view.condition.progress = { done: message.done, total: message.total };
			saveViewState(view);
			if (moveProgressBar("condition-progress", message.done, message.total)) return;
			break;
		case "conditionFound":
			view.condition.progress = undefined;
			view.condition.result = message.search;
			view.condition.message = undefined;
			break;
		case "conditionFailed":
			view.condition.progress = undefined;
			view.condition.message = message.message;
			break;
		case "ruleChecked": {
			// An answer for text the user has since changed is stale; the newer check will answer.
			if (message.source !== view.condition.rule) return;
			view.condition.ruleCheck = message.ok
				? undefined
				: { source: message.source, message: message.message, column: message.column };
			saveViewState(view);
			// Only the feedback changes; re-rendering would move the cursor out of the rule box.
			document.getElementById("rule-feedback")?.replaceWith(ruleFeedback(view.condition));
			return;
		}
		case "error":
			errorMessage = message.message;
			break;
	}
	saveViewState(view);
	render();
}

onHostMessage(receive);
post({ type: "ready" });

/**
 * Moves an existing progress bar in place; false when it is not on the page yet (then the caller
 * renders). Progress only moves the bar: a full render per step would steal the focus.
 */
function moveProgressBar(id: string, done: number, total: number): boolean {
	const bar = document.getElementById(id) as HTMLProgressElement | null;
	if (!bar) return false;
	bar.max = Math.max(1, total);
	bar.value = done;
	return true;
}
