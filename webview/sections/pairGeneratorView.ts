/** The open dataset's "Generate pairs" form: persona template or prompt pair, appended to the grid. */
import { h, valueOf } from "../dom";
import { post, type ViewState } from "../host";
import { parsePairGenerator, type PairGeneratorForm } from "../pairGeneratorInput";
import type { PairGenerator } from "../../src/shared/webviewProtocol/messages";

const MODE_LABELS: Record<PairGenerator["mode"], string> = { persona: "Persona template", promptPair: "Prompt pair" };

export function pairGeneratorView(
	fileName: string,
	view: ViewState,
	changed: (rerender?: boolean) => void
): HTMLElement {
	const form = view.generator;
	const field = (key: Exclude<keyof PairGeneratorForm, "mode">, label: string, placeholder: string) =>
		h(
			"label",
			{ class: "field" },
			label,
			h("vscode-text-field", {
				value: form[key],
				placeholder,
				"aria-label": label,
				"data-focus-key": `generator-${key}`,
				oninput: (event: Event) => {
					form[key] = valueOf(event);
					changed();
				}
			})
		);
	const lines = (key: "positivePersonas" | "negativePersonas" | "suffixes", label: string, placeholder: string) =>
		h(
			"label",
			{ class: "column" },
			label,
			h("vscode-text-area", {
				value: form[key],
				rows: 3,
				resize: "vertical",
				placeholder,
				"aria-label": label,
				"data-focus-key": `generator-${key}`,
				oninput: (event: Event) => {
					form[key] = valueOf(event);
					changed();
				}
			})
		);
	const fields =
		form.mode === "persona"
			? [
					field("template", "Template", "Act as if you're extremely {persona}."),
					lines("positivePersonas", "Positive personas, one a line", "happy"),
					lines("negativePersonas", "Negative personas, one a line", "sad"),
					lines("suffixes", "Answer openings, one a line (none: the statement alone)", "I feel")
				]
			: [field("positivePrompt", "Positive prompt", "Love"), field("negativePrompt", "Negative prompt", "Hate")];
	return h(
		"div",
		{ class: "generator", id: "pair-generator", role: "group", "aria-label": "Generate pairs" },
		h("h3", {}, "Generate pairs"),
		h(
			"label",
			{ class: "field" },
			"Mode",
			h(
				"vscode-dropdown",
				{
					"aria-label": "Generator mode",
					onchange: (event: Event) => {
						form.mode = valueOf(event) === "promptPair" ? "promptPair" : "persona";
						changed(true);
					}
				},
				...(Object.keys(MODE_LABELS) as PairGenerator["mode"][]).map((mode) =>
					h("vscode-option", { value: mode, selected: mode === form.mode }, MODE_LABELS[mode])
				)
			)
		),
		...fields,
		h(
			"div",
			{ class: "row" },
			h(
				"vscode-button",
				{
					appearance: "secondary",
					onclick: () => {
						const parsed = parsePairGenerator(form);
						if (!parsed.ok) {
							view.generatorMessage = parsed.error;
							changed(true);
							return;
						}
						view.generatorMessage = undefined;
						post({ type: "generatePairs", fileName, generator: parsed.value });
					}
				},
				"Generate pairs"
			)
		),
		view.generatorMessage ? h("p", { class: "error", role: "alert" }, view.generatorMessage) : null
	);
}
