/**
 * Playground: one prompt, baseline and steered completions side by side, same seed, streamed; and a
 * strength sweep of one vector on the same prompt. For an instruct model the prompt is a chat message
 * by default, answered in the model's own template (inline completions stay raw text).
 */
import { h, section, valueOf } from "../dom";
import { post, type ViewState } from "../host";
import type { PanelState } from "../../src/shared/webviewProtocol/messages";
import { strengthSweepView } from "./strengthSweepView";

const MAX_TOKENS = 4096;

/** Whether the completions shown were made from another prompt than the one in the box. */
function outputsAreStale(view: ViewState): boolean {
	const hasOutput = view.outputs.baseline !== "" || view.outputs.steered !== "";
	return hasOutput && view.outputs.prompt !== undefined && view.outputs.prompt !== view.prompt;
}

export function playgroundSection(
	state: PanelState,
	view: ViewState,
	changed: (rerender?: boolean) => void
): HTMLElement {
	const stale = outputsAreStale(view);
	const chatAvailable = state.model?.hasChatTemplate === true;
	const chat = chatAvailable && (view.chat ?? true);
	const column = (title: string, text: string, speed: number | undefined, id: string) =>
		h(
			"div",
			{ class: "column" },
			h("h3", {}, title, speed ? h("span", { class: "muted" }, ` ${Math.round(speed)} t/s`) : null),
			h("pre", { id, class: "output", tabindex: 0 }, text)
		);
	return section(
		"playground",
		"Playground",
		chatAvailable
			? h(
					"div",
					{ class: "row" },
					h(
						"vscode-checkbox",
						{
							id: "chat-mode",
							checked: chat,
							title: "Send the prompt as a chat message in the model's own template; off: continue it as raw text",
							onchange: (event: Event) => {
								view.chat = (event.target as HTMLInputElement).checked;
								changed(true);
							}
						},
						"Chat (the model's template)"
					)
				)
			: null,
		chat
			? h("vscode-text-field", {
					id: "system-message",
					value: view.system,
					placeholder: "System message (optional)",
					"aria-label": "System message",
					"data-focus-key": "system-message",
					oninput: (event: Event) => {
						view.system = valueOf(event);
						changed();
					}
				})
			: null,
		h("vscode-text-area", {
			id: "prompt",
			value: view.prompt,
			rows: 3,
			resize: "vertical",
			placeholder: chat ? "Your message" : "Text to continue",
			"aria-label": chat ? "Message" : "Prompt",
			"data-focus-key": "prompt",
			oninput: (event: Event) => {
				const wasStale = outputsAreStale(view);
				view.prompt = valueOf(event);
				// Redraw only when the note about earlier completions appears or goes (keeps the caret).
				changed(outputsAreStale(view) !== wasStale);
			}
		}),
		h(
			"div",
			{ class: "row" },
			h(
				"label",
				{},
				"Tokens ",
				h("input", {
					type: "number",
					min: 1,
					max: MAX_TOKENS,
					value: view.maxTokens,
					"aria-label": "Tokens to generate",
					onchange: (event: Event) => {
						const value = Number(valueOf(event));
						// Never a silent replacement: 0 or "abc" keeps the last good value and says why.
						if (Number.isInteger(value) && value >= 1 && value <= MAX_TOKENS) {
							view.maxTokens = value;
							view.maxTokensError = undefined;
						} else {
							view.maxTokensError = `Tokens must be a whole number from 1 to ${MAX_TOKENS}; still generating ${view.maxTokens}.`;
						}
						changed(true);
					}
				})
			),
			h(
				"label",
				{},
				"Seed ",
				h("input", {
					type: "number",
					min: 0,
					value: view.seed,
					"aria-label": "Seed",
					onchange: (event: Event) => {
						view.seed = Math.max(0, Math.floor(Number(valueOf(event)) || 0));
						changed();
					}
				})
			),
			h(
				"vscode-button",
				{
					id: "generate",
					disabled: !state.model,
					onclick: () => {
						view.outputs = { baseline: "", steered: "", prompt: view.prompt };
						changed(true);
						post({
							type: "generate",
							prompt: view.prompt,
							maxTokens: Math.min(MAX_TOKENS, Math.max(1, view.maxTokens)),
							seed: view.seed,
							...(chat ? { chat: view.system.trim() === "" ? {} : { system: view.system } } : {})
						});
					}
				},
				"Generate"
			),
			h("vscode-button", { appearance: "secondary", onclick: () => post({ type: "cancelGeneration" }) }, "Stop")
		),
		view.maxTokensError ? h("p", { class: "error", role: "alert" }, view.maxTokensError) : null,
		stale
			? h(
					"p",
					{ class: "muted", id: "outputs-stale" },
					`These completions are of an earlier prompt: “${truncate(view.outputs.prompt ?? "", 60)}”. Generate again for the prompt above.`
				)
			: null,
		h(
			"div",
			{ class: "columns" },
			column("Baseline", view.outputs.baseline, view.outputs.baselineSpeed, "output-baseline"),
			column("Steered", view.outputs.steered, view.outputs.steeredSpeed, "output-steered")
		),
		strengthSweepView(state, view, changed)
	);
}

function truncate(text: string, length: number): string {
	return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
