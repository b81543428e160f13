import { h, section } from "../dom";
import { post } from "../host";
import type { PanelState } from "../../src/shared/webviewProtocol/messages";

export function modelSection(state: PanelState): HTMLElement {
	if (!state.trusted) {
		return section(
			"model",
			"Model",
			h(
				"p",
				{ class: "warning" },
				"This workspace is not trusted, so Steer opens no model or vector file. Trust the workspace to use Steer."
			)
		);
	}
	const model = state.model;
	const buttons = h(
		"div",
		{ class: "row" },
		h(
			"vscode-button",
			{ id: "load-model", onclick: () => post({ type: "runCommand", command: "loadModel" }) },
			model ? "Load another…" : "Load model…"
		),
		h(
			"vscode-button",
			{ appearance: "secondary", onclick: () => post({ type: "runCommand", command: "downloadModel" }) },
			"Download…"
		),
		model &&
			h(
				"vscode-button",
				{ appearance: "secondary", onclick: () => post({ type: "runCommand", command: "unloadModel" }) },
				"Unload"
			)
	);
	if (state.modelLoading)
		return section("model", "Model", h("p", {}, h("vscode-progress-ring", {}), " Loading model…"));
	if (!model) return section("model", "Model", h("p", { class: "muted" }, "No model loaded."), buttons);
	const facts: [string, string][] = [
		["Architecture", model.architecture],
		["Layers × width", `${model.nLayer} × ${model.nEmbd}`],
		["Context", String(model.contextSize)],
		["Backend", `${model.backend}${model.gpuLayers > 0 ? ` (${model.gpuLayers} layers on GPU)` : ""}`],
		["Threads", String(model.threads)]
	];
	return section(
		"model",
		`Model — ${model.name}`,
		h(
			"dl",
			{ class: "facts", title: model.path },
			...facts.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])
		),
		buttons
	);
}
