/**
 * The sidebar's one-line quick try: a short prompt, generated unsteered and steered with the same
 * seed, shown one under the other. The Playground (editor area) has the full controls.
 */
import { h, section, valueOf } from "../dom";
import { post, type ViewState } from "../host";
import type { PanelState } from "../../src/shared/webviewProtocol/messages";

/** Short on purpose: the quick try answers "does it do anything?", the Playground the rest. */
const QUICK_TRY_TOKENS = 32;

export function quickTrySection(
	state: PanelState,
	view: ViewState,
	changed: (rerender?: boolean) => void
): HTMLElement {
	const chat = state.model?.hasChatTemplate === true;
	const run = () => {
		if (!state.model || view.prompt.trim() === "") return;
		view.outputs = { baseline: "", steered: "", prompt: view.prompt };
		changed(true);
		post({
			type: "generate",
			prompt: view.prompt,
			maxTokens: QUICK_TRY_TOKENS,
			seed: view.seed,
			...(chat ? { chat: {} } : {})
		});
	};
	const hasOutput = view.outputs.baseline !== "" || view.outputs.steered !== "";
	return section(
		"quick-try",
		"Quick try",
		h(
			"div",
			{ class: "row quick-try" },
			h("vscode-text-field", {
				id: "quick-prompt",
				value: view.prompt,
				placeholder: chat ? "A message to the model" : "Text for the model to continue",
				"aria-label": "Quick try prompt",
				"data-focus-key": "quick-prompt",
				oninput: (event: Event) => {
					view.prompt = valueOf(event);
					changed();
				},
				onkeydown: (event: Event) => {
					if ((event as KeyboardEvent).key === "Enter") run();
				}
			}),
			h(
				"vscode-button",
				{
					id: "quick-try",
					disabled: !state.model,
					title: state.model
						? `Generate ${QUICK_TRY_TOKENS} tokens with and without steering`
						: "Load a model first",
					onclick: run
				},
				"Try"
			)
		),
		hasOutput
			? h(
					"div",
					{ class: "quick-outputs" },
					h("h3", {}, "Steered"),
					h("pre", { id: "output-steered", class: "output" }, view.outputs.steered),
					h("h3", { class: "muted" }, "Without steering"),
					h("pre", { id: "output-baseline", class: "output muted" }, view.outputs.baseline)
				)
			: null,
		h(
			"div",
			{ class: "row" },
			h(
				"vscode-button",
				{
					id: "open-playground",
					appearance: "secondary",
					title: "Open the Playground in the editor area: side by side, chat, longer texts, strength sweeps",
					onclick: () => post({ type: "runCommand", command: "openPlayground" })
				},
				"Open Playground"
			)
		)
	);
}
