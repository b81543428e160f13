/**
 * The steering panel in the sidebar. Renders what the host sends (PanelState) plus its own view state
 * (unsaved grid edits, form choices, last results), which survives the panel being hidden or reloaded.
 */
import { h, restoreAccessibleNames } from "./dom";
import { registerToolkit } from "./toolkit";
import { onHostMessage, post, restoreViewState, saveViewState } from "./host";
import type { HostToWebview, PanelState } from "../src/shared/webviewProtocol/messages";
import { ruleFeedback } from "./sections/conditionEditorView";
import { datasetsSection } from "./sections/datasetsSection";
import { modelSection } from "./sections/modelSection";
import { playgroundSection } from "./sections/playgroundSection";
import { trainSection } from "./sections/trainSection";
import { vectorsSection } from "./sections/vectorsSection";

registerToolkit();

const app = document.getElementById("app") as HTMLElement;
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
	app.replaceChildren(
		...(banner ? [banner] : []),
		modelSection(hostState),
		vectorsSection(hostState, view, changed),
		datasetsSection(hostState, view, changed),
		trainSection(hostState, view, changed),
		playgroundSection(hostState, view, changed)
	);
	restoreAccessibleNames(app);
	if (focusKey) (app.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`) as HTMLElement | null)?.focus();
}

function receive(message: HostToWebview): void {
	switch (message.type) {
		case "state":
			hostState = message.state;
			if (view.openDataset && !message.state.datasets.some((dataset) => dataset.fileName === view.openDataset)) {
				view.openDataset = undefined;
				view.rows = [];
				view.fileProblems = [];
				view.dirty = false;
			}
			break;
		case "dataset":
			view.openDataset = message.fileName;
			view.rows = message.pairs.map((pair) => ({ ...pair }));
			view.rowIssues = [...message.issues];
			view.fileProblems = [...message.problems];
			view.revision = message.revision;
			view.saveMessage = undefined;
			view.dirty = false;
			break;
		case "datasetRenamed":
			if (view.openDataset === message.fileName) view.openDataset = message.newFileName;
			if (view.trainDataset === message.fileName) view.trainDataset = message.newFileName;
			view.renaming = undefined;
			break;
		case "datasetNotRenamed":
			if (view.renaming?.fileName === message.fileName)
				view.renaming = { ...view.renaming, message: message.message };
			else errorMessage = message.message;
			break;
		case "pairsGenerated":
			// Generated for a dataset since closed: dropping them beats putting them in the wrong grid.
			if (view.openDataset !== message.fileName) return;
			view.rows.push(...message.pairs.map((pair) => ({ ...pair })));
			view.dirty = true;
			view.generatorMessage = undefined;
			break;
		case "pairsNotGenerated":
			view.generatorMessage = message.message;
			break;
		case "datasetSaved":
			view.rowIssues = [...message.issues];
			view.saveMessage = message.message;
			if (message.revision !== undefined) view.revision = message.revision;
			view.dirty = !message.saved;
			break;
		case "trainingDone":
			view.lastTraining = {
				vectorFileName: message.vectorFileName,
				layers: [...message.layers],
				suggested: message.suggested
			};
			view.trainingMessage = undefined;
			break;
		case "trainingFailed":
			// The plot of an earlier training under this error would read as this training's result.
			view.lastTraining = undefined;
			view.trainingMessage = message.message;
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
