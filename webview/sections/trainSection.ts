/** Train: choose dataset, method, positions and layers; progress with cancel; diagnostics plot. */
import { diagnosticsPlot, plotLegend } from "../diagnosticsPlot";
import { h, section, valueOf } from "../dom";
import { post, type ViewState } from "../host";
import {
	POSITION_CHOICES,
	TRAINING_METHOD_CHOICES,
	type PanelState,
	type PositionChoice,
	type TrainingMethod
} from "../../src/shared/webviewProtocol/messages";

const POSITION_LABELS: Record<PositionChoice, string> = {
	last: "last token",
	mean: "mean of all tokens",
	suffix: "completion tokens (after prompt)"
};

export function trainSection(state: PanelState, view: ViewState, changed: (rerender?: boolean) => void): HTMLElement {
	const dataset = chosenDataset(state, view);
	const training = state.training;
	const dropdown = (
		label: string,
		value: string,
		options: readonly [string, string][],
		set: (value: string) => void
	) =>
		h(
			"label",
			{ class: "field" },
			h("span", {}, label),
			h(
				"vscode-dropdown",
				{
					"aria-label": label,
					onchange: (event: Event) => {
						set(valueOf(event));
						changed();
					}
				},
				...options.map(([optionValue, text]) =>
					h("vscode-option", { value: optionValue, selected: optionValue === value }, text)
				)
			)
		);
	const form = h(
		"div",
		{ class: "form" },
		dropdown(
			"Dataset",
			dataset ?? "",
			state.datasets.map((d) => [d.fileName, d.fileName]),
			(value) => (view.trainDataset = value)
		),
		dropdown(
			"Method",
			view.method,
			TRAINING_METHOD_CHOICES.map((m) => [m, m]),
			(value) => (view.method = value)
		),
		dropdown(
			"Read at",
			view.positions,
			POSITION_CHOICES.map((p) => [p, POSITION_LABELS[p]]),
			(value) => (view.positions = value)
		),
		h(
			"label",
			{ class: "field" },
			h("span", {}, "Layers"),
			h("vscode-text-field", {
				value: view.layers,
				placeholder: "all, 2-5, 1,3 or top:3",
				title: "The layers to train; top:K trains all and steers the K that separate the held-out pairs best",
				"data-focus-key": "train-layers",
				oninput: (event: Event) => {
					view.layers = valueOf(event);
					changed();
				}
			})
		),
		h(
			"vscode-button",
			{
				id: "train",
				disabled: !state.model || !dataset || training !== undefined,
				onclick: () => {
					// Read at click time: choosing in the dropdown does not re-render, so `dataset` may be stale.
					const fileName = chosenDataset(state, view);
					if (!fileName) return;
					view.trainingMessage = undefined;
					post({
						type: "train",
						fileName,
						method: view.method as TrainingMethod,
						positions: view.positions as PositionChoice,
						layers: view.layers
					});
				}
			},
			"Train vector"
		)
	);
	const progress = training
		? h(
				"div",
				{ class: "progress" },
				h("progress", {
					max: Math.max(1, training.total),
					value: training.done,
					"aria-label": "Training progress"
				}),
				h("span", {}, `${training.phase} ${training.done}/${training.total}`),
				h(
					"vscode-button",
					{ appearance: "secondary", onclick: () => post({ type: "cancelTraining" }) },
					"Cancel"
				)
			)
		: null;
	const result = view.lastTraining
		? h(
				"div",
				{ class: "result" },
				h(
					"p",
					{},
					`${view.lastTraining.vectorFileName}: suggested layers ${view.lastTraining.suggested[0]}–${view.lastTraining.suggested[1]}`
				),
				diagnosticsPlot(view.lastTraining.layers, view.lastTraining.suggested),
				plotLegend(view.lastTraining.layers.some((layer) => layer.heldOutSeparation !== null))
			)
		: null;
	return section(
		"train",
		"Train",
		!state.model ? h("p", { class: "muted" }, "Load a model to train.") : null,
		form,
		progress,
		view.trainingMessage ? h("p", { class: "error", role: "alert" }, view.trainingMessage) : null,
		result
	);
}

/** The dataset the form trains on: the one chosen, while it still exists, else the first. */
function chosenDataset(state: PanelState, view: ViewState): string | undefined {
	return view.trainDataset && state.datasets.some((d) => d.fileName === view.trainDataset)
		? view.trainDataset
		: state.datasets[0]?.fileName;
}
