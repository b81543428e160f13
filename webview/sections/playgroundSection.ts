/**
 * Playground: one prompt, baseline and steered completions side by side, same seed, streamed; and a
 * strength sweep of one vector on the same prompt.
 */
import { h, section, valueOf } from "../dom";
import { post, type ViewState } from "../host";
import type { PanelState } from "../protocol/messages";
import { strengthSweepView } from "./strengthSweepView";

export function playgroundSection(state: PanelState, view: ViewState, changed: (rerender?: boolean) => void): HTMLElement {
	const column = (title: string, text: string, speed: number | undefined, id: string) =>
		h("div", { class: "column" }, h("h3", {}, title, speed ? h("span", { class: "muted" }, ` ${Math.round(speed)} t/s`) : null), h("pre", { id, class: "output", tabindex: 0 }, text));
	return section(
		"playground",
		"Playground",
		h("vscode-text-area", {
			id: "prompt",
			value: view.prompt,
			rows: 3,
			resize: "vertical",
			"aria-label": "Prompt",
			"data-focus-key": "prompt",
			oninput: (event: Event) => {
				view.prompt = valueOf(event);
				changed();
			}
		}),
		h(
			"div",
			{ class: "row" },
			h("label", {}, "Tokens ", h("input", { type: "number", min: 1, max: 4096, value: view.maxTokens, "aria-label": "Tokens to generate", onchange: (event: Event) => { view.maxTokens = Number(valueOf(event)) || 48; changed(); } })),
			h("label", {}, "Seed ", h("input", { type: "number", min: 0, value: view.seed, "aria-label": "Seed", onchange: (event: Event) => { view.seed = Math.max(0, Math.floor(Number(valueOf(event)) || 0)); changed(); } })),
			h("vscode-button", {
				id: "generate",
				disabled: !state.model,
				onclick: () => {
					view.outputs = { baseline: "", steered: "" };
					changed(true);
					post({ type: "generate", prompt: view.prompt, maxTokens: Math.min(4096, Math.max(1, view.maxTokens)), seed: view.seed });
				}
			}, "Generate"),
			h("vscode-button", { appearance: "secondary", onclick: () => post({ type: "cancelGeneration" }) }, "Stop")
		),
		h(
			"div",
			{ class: "columns" },
			column("Baseline", view.outputs.baseline, view.outputs.baselineSpeed, "output-baseline"),
			column("Steered", view.outputs.steered, view.outputs.steeredSpeed, "output-steered")
		),
		strengthSweepView(state, view, changed)
	);
}
